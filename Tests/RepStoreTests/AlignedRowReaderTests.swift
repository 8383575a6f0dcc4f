import Foundation
import Testing

@testable import RepStore

// AlignedRowReader: the chunks it hands out are the stored rows, bit for bit, whatever the block sizes, the chunk size
// and the row order; decoded blocks and read buffers are reused from chunk to chunk, which must never show in the data.

@Suite("Aligned row reader")
struct AlignedRowReaderTests {
  /// Two tensors with different widths and block sizes (so their blocks end at different rows, and each has a
  /// shorter last block), read in chunks that cut across blocks.
  @Test("chunks equal the stored rows for any chunk size and row order", arguments: [1, 5, 16, 37, 200])
  func chunksMatchRows(chunkRows: Int) throws {
    let folder = try TemporaryFolder()
    let (n, wide, narrow) = (83, 7, 3)
    let a = TestMatrix.finite(rows: n, columns: wide, seed: 21)
    let b = TestMatrix.finite(rows: n, columns: narrow, seed: 22)
    try importMatrices([("m", "A", a)], into: folder.storePath, folder: folder, options: importOptions(blockBytes: 4 * wide * 9))
    try importMatrices([("m", "B", b)], into: folder.storePath, folder: folder, options: importOptions(blockBytes: 4 * narrow * 13))
    let store = try Store.open(at: folder.storePath)
    let tensors = [try store.tensor("m", "A"), try store.tensor("m", "B")]
    #expect(try store.blocks(of: tensors[0]).count == 10 && store.blocks(of: tensors[1]).count == 7)

    // In stored order, then a reordering with repeats (rows re-read from blocks dropped earlier).
    let reordered = (0 ..< n).map { ($0 * 29 + 5) % n } + [0, n - 1, 0]
    for order in [nil, reordered] {
      let reader = try AlignedRowReader(
        store: store, tensors: tensors, rowIndices: order.map { [$0, $0] }, chunkRows: chunkRows, threads: 2)
      var got: [[Float]] = [[], []]
      var (first, second) = ([Float](repeating: .nan, count: chunkRows * wide),
                             [Float](repeating: .nan, count: chunkRows * narrow))
      while true {
        let rows = try first.withUnsafeMutableBufferPointer { first in
          try second.withUnsafeMutableBufferPointer { second in try reader.nextChunk(into: [first, second]) }
        }
        if rows == 0 { break }
        got[0] += first[0 ..< rows * wide]
        got[1] += second[0 ..< rows * narrow]
      }
      let rows = order ?? Array(0 ..< n)
      let expected = [a, b].map { matrix in rows.flatMap { matrix.values[$0 * matrix.columns ..< ($0 + 1) * matrix.columns] } }
      #expect(got[0].map(\.bitPattern) == expected[0].map(\.bitPattern))
      #expect(got[1].map(\.bitPattern) == expected[1].map(\.bitPattern))
    }
  }
}
