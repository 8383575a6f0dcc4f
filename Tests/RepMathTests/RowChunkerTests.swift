import Testing
import RepMath

@Suite("RowChunker")
struct RowChunkerTests {
  /// Cuts `n` rows of a matrix whose element (i, j) is i·1000 + j, pushed in the given block sizes; returns the chunks
  /// seen as (startRow, rows) and checks their contents.
  func chunks(rows n: Int, columns: Int, blocks: [Int], chunkRows: Int) -> [(Int, Int)] {
    let width = max(columns, 1)
    let matrix = Matrix(rows: n, columns: columns,
                        storage: (0 ..< n * columns).map { Float(($0 / width) * 1000 + $0 % width) })
    var chunker = RowChunker(columns: columns, chunkRows: chunkRows)
    var seen: [(Int, Int)] = []
    let check = { (chunk: RowChunk) in
      seen.append((chunk.startRow, chunk.rows))
      let expected = matrix.storage[chunk.startRow * columns ..< (chunk.startRow + chunk.rows) * columns]
      #expect(Array(chunk[0]) == Array(expected), "chunk at \(chunk.startRow)")
    }
    var start = 0
    var b = 0
    while start < n {
      let rows = min(blocks[b % blocks.count], n - start)
      b += 1
      matrix.storage.withUnsafeBufferPointer { storage in
        chunker.push(UnsafeBufferPointer(rebasing: storage[start * columns ..< (start + rows) * columns]), rows: rows,
                     matrix: 0, check)
      }
      start += rows
    }
    chunker.finish(check)
    return seen
  }

  @Test("chunks are fixed whatever the blocks", arguments: [[1], [2], [7], [1000], [3, 50, 1, 200], [5000]])
  func fixedChunks(blocks: [Int]) {
    let seen = chunks(rows: 2500, columns: 3, blocks: blocks, chunkRows: 1024)
    #expect(seen.map(\.0) == [0, 1024, 2048])
    #expect(seen.map(\.1) == [1024, 1024, 452])
  }

  @Test("an exact multiple has no short chunk; zero rows no chunk at all")
  func edges() {
    #expect(chunks(rows: 64, columns: 2, blocks: [5], chunkRows: 16).map(\.1) == [16, 16, 16, 16])
    #expect(chunks(rows: 0, columns: 2, blocks: [5], chunkRows: 16).isEmpty)
    #expect(chunks(rows: 10, columns: 0, blocks: [3], chunkRows: 4).map(\.1) == [4, 4, 2])
  }

  @Test("several matrices with different block sizes come out aligned; memory follows the lagging matrix")
  func alignedMatrices() {
    var generator = SplitMix64(seed: 21)
    let n = 3000
    let matrices = [Matrix.random(rows: n, columns: 3, using: &generator),
                    Matrix.random(rows: n, columns: 0, using: &generator),
                    Matrix.random(rows: n, columns: 5, using: &generator)]
    let blockSizes = [[7], [1000], [1, 300]]
    var chunker = RowChunker(columnCounts: matrices.map(\.columns), chunkRows: 256)
    var blockIndex = [0, 0, 0]
    var emitted = 0
    let check = { (chunk: RowChunk) in
      #expect(chunk.startRow == emitted)
      emitted += chunk.rows
      for (k, matrix) in matrices.enumerated() {
        let w = matrix.columns
        #expect(Array(chunk[k]) == Array(matrix.storage[chunk.startRow * w ..< (chunk.startRow + chunk.rows) * w]))
      }
    }
    while chunker.rowsPushed.contains(where: { $0 < n }) {
      let k = chunker.laggingMatrix
      #expect(chunker.rowsPushed.allSatisfy { $0 >= chunker.rowsPushed[k] })
      let sizes = blockSizes[k]
      let rows = min(sizes[blockIndex[k] % sizes.count], n - chunker.rowsPushed[k])
      blockIndex[k] += 1
      let start = chunker.rowsPushed[k]
      let w = matrices[k].columns
      matrices[k].storage.withUnsafeBufferPointer { storage in
        chunker.push(UnsafeBufferPointer(rebasing: storage[start * w ..< (start + rows) * w]), rows: rows, matrix: k,
                     check)
      }
      // Rows held back never exceed one chunk plus one block of the matrix that ran ahead.
      #expect(chunker.rowsPushed.max()! - chunker.rowsEmitted < 256 + 1000)
    }
    chunker.finish(check)
    #expect(emitted == n && chunker.rowsEmitted == n && chunker.isFinished)
  }

  @Test("a throwing body stops the push and the error comes out")
  func throwingBody() {
    struct Stop: Error {}
    var chunker = RowChunker(columns: 1, chunkRows: 2)
    #expect(throws: Stop.self) {
      try chunker.push(Matrix(rows: 5, columns: 1)) { (_: RowChunk) throws(Stop) in throw Stop() }
    }
  }

  @Test("misuse traps: unequal row counts at finish, wrong matrix index, push after finish")
  func misuseTraps() async {
    await #expect(processExitsWith: .failure) {
      var chunker = RowChunker(columnCounts: [1, 1])
      chunker.push(Matrix(rows: 3, columns: 1), matrix: 0) { _ in }
      chunker.finish { _ in }
    }
    await #expect(processExitsWith: .failure) {
      var chunker = RowChunker(columns: 1)
      chunker.push(Matrix(rows: 3, columns: 1), matrix: 1) { _ in }
    }
    await #expect(processExitsWith: .failure) {
      var chunker = RowChunker(columns: 1)
      chunker.finish { _ in }
      chunker.push(Matrix(rows: 3, columns: 1)) { _ in }
    }
  }
}
