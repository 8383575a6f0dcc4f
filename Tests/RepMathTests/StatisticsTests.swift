import Testing
@testable import RepMath

/// The streaming statistics against a direct Float64 computation from the whole matrix, and their independence from
/// the storage block sizes.
@Suite("Streaming statistics")
struct StatisticsTests {
  init() { BLAS.setThreadCount(1) }

  /// Data sets with large column offsets, like real activations: uniform noise, and correlated low-rank data.
  static let dataSets: [(name: String, rows: Int, columns: [Int], offset: Float, correlated: Bool)] = [
    ("uniform +300, 3 chunks", 2500, [13, 7], 300, false),
    ("correlated +300, 3 chunks", 2500, [24, 16], 300, true),
    ("correlated −50, one short chunk", 700, [9, 9], -50, true),
    ("uniform, no offset, 5 chunks", 4500, [4, 1], 0, false),
  ]

  static func matrices(_ set: (name: String, rows: Int, columns: [Int], offset: Float, correlated: Bool), seed: UInt64)
    -> [Matrix]
  {
    var generator = SplitMix64(seed: seed)
    return set.columns.enumerated().map { k, d in
      set.correlated
        ? .activations(rows: set.rows, columns: d, offset: set.offset * Float(k + 1), using: &generator)
        : .random(rows: set.rows, columns: d, offset: set.offset * Float(k + 1), using: &generator)
    }
  }

  @Test("column and cross statistics match a direct Float64 computation to 1e-6", arguments: dataSets)
  func matchesDirect(set: (name: String, rows: Int, columns: [Int], offset: Float, correlated: Bool)) {
    let (x, y) = { (m: [Matrix]) in (m[0], m[1]) }(Self.matrices(set, seed: 31))
    let (sx, sy, cross) = CrossStatistics.accumulating(x, y)
    let (dx, dy) = (DirectStatistics(x), DirectStatistics(y))
    let n = Double(set.rows)

    #expect(sx.rowCount == set.rows && cross.rowCount == set.rows)
    // Exact up to Float64 rounding when x and c are within a factor of two (x − c is then exact in Float32); otherwise
    // x − c rounds to the data's own grid, an error below one Float32 ulp of the data (unit scale here) in the means.
    #expect(zip(sx.mean, dx.mean).allSatisfy { abs($0 - $1) <= 1e-7 })
    #expect(zip(sy.mean, dy.mean).allSatisfy { abs($0 - $1) <= 1e-7 })
    #expect(relativeError(sx.centeredGram, dx.centeredGram) <= 1e-6)
    #expect(relativeError(sy.centeredGram, dy.centeredGram) <= 1e-6)
    #expect(relativeError(sx.covariance, (1 / (n - 1)) * dx.centeredGram) <= 1e-6)
    #expect(relativeError(cross.centeredCross(sx, sy), dx.centeredCross(dy)) <= 1e-6)
    #expect(relativeError(cross.crossCovariance(sx, sy), (1 / (n - 1)) * dx.centeredCross(dy)) <= 1e-6)
    // The quantity CKA uses: ‖X̃ᵀỸ‖²_F.
    #expect(relativeError(cross.centeredCross(sx, sy).frobeniusNormSquared, dx.centeredCross(dy).frobeniusNormSquared)
            <= 2e-6)
  }

  @Test("centered row norm sums Σrₓ, Σrₓ², Σrₓr_y match direct computation", arguments: dataSets)
  func centeredRowNorms(set: (name: String, rows: Int, columns: [Int], offset: Float, correlated: Bool)) {
    let m = Self.matrices(set, seed: 32)
    let (sx, sy, cross) = CrossStatistics.accumulating(m[0], m[1])
    let (dx, dy) = (DirectStatistics(m[0]), DirectStatistics(m[1]))
    // All Float64 sums of exact (or Float32-rounded) shifted values: far inside 1e-6.
    #expect(relativeError(sx.centeredRowNormSum, dx.rowNormSum) <= 1e-8)
    #expect(relativeError(sx.centeredRowNormSum, sx.centeredGram.trace) <= 1e-6)
    #expect(relativeError(sx.centeredRowNormDot, dx.rowNormDot(dx)) <= 1e-7)
    #expect(relativeError(sy.centeredRowNormDot, dy.rowNormDot(dy)) <= 1e-7)
    #expect(relativeError(cross.centeredRowNormDot(sx, sy), dx.rowNormDot(dy)) <= 1e-7)
  }

  @Test("results are bit-identical for storage blocks of 1, 2, 7, 1000 and n rows", arguments: 0 ..< 12)
  func independentOfBlockSize(seed: UInt64) {
    var generator = SplitMix64(seed: 0xB10C_0000 + seed)
    let n = Int.random(in: 1 ... 2600, using: &generator)
    let widths = (0 ..< 3).map { _ in Int.random(in: 1 ... 12, using: &generator) }
    let chunkRows = [1024, 100, 37][Int(seed) % 3]
    let matrices = widths.enumerated().map { k, d in
      Matrix.random(rows: n, columns: d, offset: 300 * Float(k), using: &generator)
    }
    let reference = streamedStatistics(matrices, blockRows: [[n]], chunkRows: chunkRows)
    let blockings: [[[Int]]] = [[[1]], [[2]], [[7]], [[1000]], [[1], [1000], [7, 2]], [[3, 500, 1], [n]]]
    for blocks in blockings {
      let streamed = streamedStatistics(matrices, blockRows: blocks, chunkRows: chunkRows)
      #expect(streamed.columnStatistics == reference.columnStatistics, "seed \(seed), n \(n), blocks \(blocks)")
      for (i, j) in reference.pairs {
        #expect(streamed.cross(i, j) == reference.cross(i, j),
                "seed \(seed), n \(n), blocks \(blocks), pair \(i), \(j)")
      }
    }
    // The one-matrix entry point makes the same BLAS calls on the same chunks: bit-identical. The one-pair entry
    // point multiplies the same chunks in another shape (two layers, not three): within Float32 product rounding.
    #expect(ColumnStatistics(matrices[0], chunkRows: chunkRows) == reference.columnStatistics[0])
    expectWithinFloat32ProductRounding(
      CrossStatistics.accumulating(matrices[1], matrices[2], chunkRows: chunkRows).cross, reference.cross(1, 2),
      x: matrices[1], y: matrices[2], chunkRows: chunkRows, "seed \(seed), n \(n)")
  }

  @Test("without the chunker, the storage blocks would show in the last bits")
  func blocksShowWithoutChunker() {
    var generator = SplitMix64(seed: 36)
    let x = Matrix.random(rows: 3000, columns: 8, offset: 300, using: &generator)
    var direct = ColumnStatistics(columnCount: 8)
    x.storage.withUnsafeBufferPointer { storage in
      for start in stride(from: 0, to: 3000, by: 7) {
        let rows = min(7, 3000 - start)
        direct.accumulate(chunk: UnsafeBufferPointer(rebasing: storage[start * 8 ..< (start + rows) * 8]), rows: rows)
      }
    }
    let chunked = ColumnStatistics(x)
    #expect(direct != chunked)
    #expect(relativeError(direct.centeredGram, chunked.centeredGram) <= 1e-6)
  }

  @Test("the pair of a matrix with itself comes from its own statistics")
  func diagonalPair() {
    var generator = SplitMix64(seed: 33)
    let x = Matrix.activations(rows: 1500, columns: 10, offset: 300, using: &generator)
    let joint = JointStatistics([x, x])
    let sx = joint.columnStatistics[0]
    let diagonal = CrossStatistics(diagonalOf: sx)
    #expect(diagonal.centeredCross(sx, sx) == sx.centeredGram)
    // The same sums through the pair's formula: equal up to the order of the last operations.
    #expect(relativeError(diagonal.centeredRowNormDot(sx, sx), sx.centeredRowNormDot) <= 1e-14)
    #expect(joint.cross(0, 0) == diagonal)
    #expect(joint.centeredCross(1, 1) == sx.centeredGram)
    // The accumulated pair (X, X) agrees with the derived one to rounding.
    #expect(relativeError(joint.centeredCross(0, 1), sx.centeredGram) <= 1e-6)
    #expect(relativeError(joint.centeredRowNormDot(0, 1), sx.centeredRowNormDot) <= 1e-7)
  }

  @Test("panels: any set of pairs among many layers gets the statistics each pair gets alone",
        arguments: [1 << 20, 300])
  func panelsMatchPairs(panelFloats: Int) {
    var generator = SplitMix64(seed: 37)
    let widths = [5, 9, 1, 12, 7, 4]
    let m = widths.enumerated().map { k, d in
      Matrix.activations(rows: 2300, columns: d, offset: 40 * Float(k), using: &generator)
    }
    // Runs of partners (0: 2, 3 and 5; 2: 3, 4), lone pairs, and one asked the other way round.
    let pairs = [(0, 2), (0, 3), (0, 5), (1, 2), (5, 4), (2, 3), (2, 4)]
    let joint = JointStatistics(m, pairs: pairs, chunkRows: 500, panelFloats: panelFloats)
    for (k, matrix) in m.enumerated() {
      #expect(joint.columnStatistics[k] == ColumnStatistics(matrix, chunkRows: 500))
    }
    for (i, j) in pairs {
      let alone = CrossStatistics.accumulating(m[i], m[j], chunkRows: 500)
      let (x, y) = (alone.x, alone.y)
      let together = joint.cross(i, j)
      // A panel multiplies the same chunks in another shape than the pair alone: Float32 product rounding apart.
      expectWithinFloat32ProductRounding(together, alone.cross, x: m[i], y: m[j], chunkRows: 500, "pair \(i), \(j)")
      // Against Float64: the Float32 products' accuracy (a one-column side with small cross entries here).
      let direct = DirectStatistics(m[i]).centeredCross(DirectStatistics(m[j]))
      #expect(relativeError(together.centeredCross(x, y), direct) <= 5e-6, "pair \(i), \(j)")
    }
  }

  @Test("the workers that share a chunk's products change no bit of the statistics")
  func workersChangeNothing() {
    var generator = SplitMix64(seed: 39)
    let widths = [17, 3, 32, 9]
    let m = widths.enumerated().map { k, d in
      Matrix.activations(rows: 700, columns: d, offset: 25 * Float(k), using: &generator)
    }
    let runs = [1, 2, 3].map { workers in
      var joint = JointStatistics(columnCounts: widths, panelFloats: 600)
      for start in stride(from: 0, to: 700, by: 256) {
        let rows = min(256, 700 - start)
        let chunks = m.map { matrix in
          let chunk = UnsafeMutableBufferPointer<Float>.allocate(capacity: rows * matrix.columns)
          _ = chunk.initialize(from: matrix.storage[start * matrix.columns ..< (start + rows) * matrix.columns])
          return chunk
        }
        defer { chunks.forEach { $0.deallocate() } }
        joint.accumulate(chunks: chunks.map { UnsafeBufferPointer($0) }, rows: rows, workers: workers)
      }
      return joint
    }
    for run in runs.dropFirst() {
      #expect(run.columnStatistics == runs[0].columnStatistics)
      for i in widths.indices { for j in widths.indices { #expect(run.cross(i, j) == runs[0].cross(i, j)) } }
    }
  }

  @Test("‖X̃ᵀỸ‖²_F in one pass equals the norm of the formed matrix", arguments: dataSets)
  func crossNormInOnePass(set: (name: String, rows: Int, columns: [Int], offset: Float, correlated: Bool)) {
    let m = Self.matrices(set, seed: 38)
    let (sx, sy, cross) = CrossStatistics.accumulating(m[0], m[1])
    let inOnePass = cross.centeredCrossFrobeniusSquared(sx, sy)
    #expect(relativeError(inOnePass, cross.centeredCross(sx, sy).frobeniusNormSquared) <= 1e-13)
    let direct = DirectStatistics(m[0]).centeredCross(DirectStatistics(m[1])).frobeniusNormSquared
    #expect(relativeError(inOnePass, direct) <= 2e-6)
  }

  @Test("a pair asked the other way round is the transpose")
  func transposedPair() {
    var generator = SplitMix64(seed: 34)
    let m = [Matrix.random(rows: 900, columns: 3, offset: 10, using: &generator),
             Matrix.random(rows: 900, columns: 5, offset: -10, using: &generator)]
    let joint = JointStatistics(m, pairs: [(1, 0)])
    #expect(joint.pairs.count == 1 && joint.pairs[0] == (0, 1))
    #expect(joint.cross(1, 0) == joint.cross(0, 1).transposed())
    #expect(joint.centeredCross(1, 0) == joint.centeredCross(0, 1).transposed())
    #expect(joint.centeredRowNormDot(1, 0) == joint.centeredRowNormDot(0, 1))
    #expect(joint.cross(0, 1).transposed().transposed() == joint.cross(0, 1))
  }

  @Test("the shift is the first chunk's means, and the shifted chunk holds x − c and ‖x − c‖²")
  func shiftedChunk() {
    let x = Matrix(rows: 4, columns: 2, storage: [300, 1, 302, 3, 301, 2, 305, 9])
    var statistics = ColumnStatistics(columnCount: 2)
    var shifted = ShiftedChunk()
    x.storage.withUnsafeBufferPointer { statistics.accumulate(chunk: $0, rows: 2, shiftedInto: &shifted) }
    #expect(statistics.shift == [301, 2])
    #expect(shifted.matrix == Matrix(rows: 2, columns: 2, storage: [-1, -1, 1, 1]))
    #expect(shifted.rowNormSquares == [2, 2])
    x.storage.withUnsafeBufferPointer {
      statistics.accumulate(chunk: UnsafeBufferPointer(rebasing: $0[4...]), rows: 2, shiftedInto: &shifted)
    }
    #expect(statistics.shift == [301, 2])
    #expect(shifted.matrix == Matrix(rows: 2, columns: 2, storage: [0, 0, 4, 7]))
    #expect(statistics.rowCount == 4 && statistics.shiftedSum == [4, 7])
    #expect(statistics.mean == [302, 3.75])
    #expect(statistics.shiftedGram == DoubleMatrix(rows: 2, columns: 2, storage: [18, 30, 30, 51]))
    #expect(statistics.shiftedNormSquareSum == 69 && statistics.shiftedNormFourthSum == 2 * 4 + 65 * 65)
  }

  @Test("a given shift is kept; zeros give raw sums with the same centered result")
  func explicitShift() {
    var generator = SplitMix64(seed: 35)
    let x = Matrix.random(rows: 1200, columns: 6, offset: 2, using: &generator)
    var raw = ColumnStatistics(columnCount: 6, shift: [Float](repeating: 0, count: 6))
    x.storage.withUnsafeBufferPointer { raw.accumulate(chunk: $0, rows: 1200) }
    #expect(raw.shift == [Float](repeating: 0, count: 6))
    #expect(relativeError(raw.shiftedGram, naiveProduct(DoubleMatrix(x), transposingA: true, DoubleMatrix(x))) <= 1e-6)
    #expect(relativeError(raw.centeredGram, DirectStatistics(x).centeredGram) <= 1e-5)
  }

  @Test("degenerate inputs give NaN or exact zeros, never a trap")
  func degenerate() {
    let empty = ColumnStatistics(columnCount: 3)
    #expect(empty.rowCount == 0 && empty.shift == nil)
    #expect(empty.mean.allSatisfy { $0.isNaN })
    let one = ColumnStatistics(Matrix(rows: 1, columns: 2, storage: [5, 6]))
    #expect(one.mean == [5, 6])
    #expect(one.centeredGram == DoubleMatrix(rows: 2, columns: 2))
    #expect(one.covariance.storage.allSatisfy { $0.isNaN })
    let constantColumn = (0 ..< 6000).map { $0 % 2 == 0 ? 7 : Float($0 % 5) }
    let constant = ColumnStatistics(Matrix(rows: 3000, columns: 2, storage: constantColumn))
    #expect(constant.centeredGram[0, 0] == 0 && constant.centeredGram[0, 1] == 0)
    let noColumns = ColumnStatistics(Matrix(rows: 5, columns: 0))
    #expect(noColumns.rowCount == 5 && noColumns.centeredRowNormSum == 0 && noColumns.centeredRowNormDot == 0)
  }

  @Test("statistics of different rows cannot be combined")
  func mismatchTraps() async {
    await #expect(processExitsWith: .failure) {
      let joint = JointStatistics([Matrix(rows: 4, columns: 1, repeating: 1),
                                   Matrix(rows: 4, columns: 1, repeating: 2)])
      let other = ColumnStatistics(Matrix(rows: 3, columns: 1))
      _ = joint.cross(0, 1).centeredCross(other, joint.columnStatistics[1])
    }
    await #expect(processExitsWith: .failure) {
      var cross = CrossStatistics(xColumnCount: 1, yColumnCount: 1)
      var (x, y) = (ColumnStatistics(columnCount: 1), ColumnStatistics(columnCount: 1))
      var (u, v) = (ShiftedChunk(), ShiftedChunk())
      [Float](repeating: 1, count: 3).withUnsafeBufferPointer { x.accumulate(chunk: $0, rows: 3, shiftedInto: &u) }
      [Float](repeating: 1, count: 2).withUnsafeBufferPointer { y.accumulate(chunk: $0, rows: 2, shiftedInto: &v) }
      cross.accumulate(u, v)
    }
    await #expect(processExitsWith: .failure) {
      _ = JointStatistics([Matrix(rows: 4, columns: 1)], pairs: [(0, 1)])
    }
  }
}
