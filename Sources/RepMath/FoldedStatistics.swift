/// Contiguous folds of rows, as scikit-learn's `KFold(n_splits: K, shuffle: false)` cuts them: the first n mod K
/// folds have ⌊n/K⌋ + 1 rows, the others ⌊n/K⌋, in row order. No seed, so a result depends on the row order alone.
public enum ContiguousFolds {
  /// The K row ranges of `rowCount` rows, in order; some are empty when `rowCount < folds`.
  ///
  /// - Precondition: `rowCount >= 0`, `folds >= 1`.
  /// - Complexity: O(K).
  public static func ranges(rowCount: Int, folds: Int) -> [Range<Int>] {
    precondition(rowCount >= 0 && folds >= 1, "ContiguousFolds: \(rowCount) rows in \(folds) folds")
    var ranges: [Range<Int>] = []
    var start = 0
    for k in 0 ..< folds {
      let size = rowCount / folds + (k < rowCount % folds ? 1 : 0)
      ranges.append(start ..< start + size)
      start += size
    }
    return ranges
  }
}

/// Float64 first and second moments of one matrix's rows within one fold: the row count, the column means and the
/// centered Gram X̃ᵀX̃, accumulated from rows shifted by the column means of the fold's first piece (a Float64 shift, so
/// a column constant on the fold is exactly zero after it). Unlike `ColumnStatistics`, the products are Float64 too
/// (`dsyrk`), so the moments carry no Float32 rounding beyond the data's own: what a cross-validated fit needs, whose
/// error grows with the condition number of the training Gram.
public struct FoldMoments: Sendable {
  /// The number of columns d.
  public let columnCount: Int
  /// The rows accumulated.
  public fileprivate(set) var rowCount = 0
  /// The shift c subtracted from every row (nil until the first rows fix it).
  public fileprivate(set) var shift: [Double]?
  /// Σ u_i with u_i = x_i − c.
  fileprivate var shiftedSum: [Double]
  /// Σ u_i u_iᵀ, upper triangle (row-major d×d).
  fileprivate var shiftedGram: [Double]
  /// Quantities measures derive from these moments, computed once.
  public let derived = DerivedCache()

  init(columnCount: Int) {
    self.columnCount = columnCount
    shiftedSum = [Double](repeating: 0, count: columnCount)
    shiftedGram = [Double](repeating: 0, count: columnCount * columnCount)
  }

  /// The column means (NaN when there are no rows).
  public var mean: [Double] {
    let n = Double(rowCount)
    return zip(shift ?? shiftedSum, shiftedSum).map { $0 + $1 / n }
  }

  /// X̃ᵀX̃ = S − n·m̄m̄ᵀ with m̄ the mean of the shifted rows (Float64 d×d, symmetric; zero without rows).
  ///
  /// - Complexity: O(d²).
  public var centeredGram: DoubleMatrix {
    let d = columnCount
    var gram = DoubleMatrix(rows: d, columns: d, storage: shiftedGram)
    guard rowCount > 0 else { return gram }
    let n = Double(rowCount)
    for i in 0 ..< d {
      for j in i ..< d {
        let value = gram.storage[i * d + j] - shiftedSum[i] * shiftedSum[j] / n
        gram.storage[i * d + j] = value
        gram.storage[j * d + i] = value
      }
    }
    return gram
  }
}

/// One matrix's `FoldMoments` on each fold, with a cache for what measures derive from all folds together (the
/// training statistics of each fold and their eigendecompositions), shared by every pair the matrix is in.
public struct FoldedColumnStatistics: Sendable {
  /// The moments of the rows of fold k, for each fold in row order.
  public let folds: [FoldMoments]
  /// Quantities derived from `folds`, computed once per matrix.
  public let derived = DerivedCache()

  public init(folds: [FoldMoments]) { self.folds = folds }

  /// The number of rows of all folds.
  public var rowCount: Int { folds.reduce(0) { $0 + $1.rowCount } }
  /// The number of columns d.
  public var columnCount: Int { folds.first?.columnCount ?? 0 }
}

/// Float64 moments of several aligned matrices and chosen pairs, kept separately for each of a few contiguous row
/// ranges (folds): what a cross-validated measure needs, since the moments of any union of folds follow from the
/// folds' own by exact algebra.
///
/// Rows come in chunks in row order (from a `RowChunker`) and are cut at the fold boundaries; each piece is shifted
/// and widened to Float64 once per matrix, then every matrix's Gram (`dsyrk`) and every pair's product (`dgemm`)
/// accumulate in Float64. The result is a function of the chunks only: bit for bit the same for any storage blocks fed
/// through a chunker with the same `chunkRows` (for a fixed BLAS thread count).
///
/// Memory: O(K·(Σ dᵢ² + Σ_pairs dᵢdⱼ)) Float64 for K folds, plus one widened chunk, independent of n.
/// - Complexity: per chunk of r rows, r·(Σ dᵢ² + 2·Σ_pairs dᵢdⱼ) Float64 flops (about twice the time of the Float32
///   products of `JointStatistics`).
public struct FoldedJointStatistics: Sendable {
  /// The rows of each fold, in order, covering 0 ..< n.
  public let foldRanges: [Range<Int>]
  /// The width of each matrix.
  public let columnCounts: [Int]
  /// The pairs (i, j), i < j, accumulated.
  public let pairs: [(Int, Int)]
  /// moments[k][i]: matrix i on fold k.
  private var moments: [[FoldMoments]]
  /// crosses[k][p]: Σ u vᵀ of pair p on fold k (row-major dᵢ×dⱼ), with each side's shift.
  private var crosses: [[[Double]]]
  /// The rows accumulated so far.
  public private(set) var rowCount = 0
  /// Each matrix's shifted piece, widened (reused from chunk to chunk).
  private var widened: [[Double]]

  /// Creates empty statistics for matrices of the given widths, cut into `foldRanges`.
  ///
  /// - Parameters:
  ///   - pairs: the pairs to accumulate, in either order; nil means every pair i < j. (i, i) needs no entry.
  /// - Precondition: `foldRanges` are consecutive from 0; pair indices in range.
  public init(columnCounts: [Int], pairs: [(Int, Int)]? = nil, foldRanges: [Range<Int>]) {
    var next = 0
    for range in foldRanges {
      precondition(range.lowerBound == next, "FoldedJointStatistics: folds \(foldRanges) are not consecutive from 0")
      next = range.upperBound
    }
    let count = columnCounts.count
    var chosen: [(Int, Int)] = []
    for (a, b) in pairs ?? (0 ..< count).flatMap({ i in (i + 1 ..< count).map { (i, $0) } }) {
      precondition(a >= 0 && a < count && b >= 0 && b < count, "FoldedJointStatistics: pair (\(a), \(b)) out of range")
      let pair = (min(a, b), max(a, b))
      if pair.0 != pair.1, !chosen.contains(where: { $0 == pair }) { chosen.append(pair) }
    }
    self.foldRanges = foldRanges
    self.columnCounts = columnCounts
    self.pairs = chosen
    moments = foldRanges.map { _ in columnCounts.map { FoldMoments(columnCount: $0) } }
    crosses = foldRanges.map { _ in
      chosen.map { [Double](repeating: 0, count: columnCounts[$0.0] * columnCounts[$0.1]) }
    }
    widened = columnCounts.map { _ in [] }
  }

  /// The moments of whole matrices (same row count) cut into `foldRanges`, fed through a `RowChunker` in chunks of
  /// `chunkRows` rows: the same result, bit for bit, as streaming them in any blocks through such a chunker.
  ///
  /// - Precondition: equal row counts, equal to the end of the last fold.
  public init(
    _ matrices: [Matrix], pairs: [(Int, Int)]? = nil, foldRanges: [Range<Int>],
    chunkRows: Int = RowChunker.defaultChunkRows
  ) {
    let n = matrices.first?.rows ?? 0
    precondition(matrices.allSatisfy { $0.rows == n } && (foldRanges.last?.upperBound ?? 0) == n,
                 "FoldedJointStatistics: row counts \(matrices.map(\.rows)) for folds \(foldRanges)")
    self.init(columnCounts: matrices.map(\.columns), pairs: pairs, foldRanges: foldRanges)
    RowChunker.chunks(of: matrices, chunkRows: chunkRows) { accumulate(chunks: $0.matrices, rows: $0.rows) }
  }

  /// Adds the next `rows` rows of every matrix (`chunks[k]` holds matrix k's), split at the fold boundaries.
  ///
  /// - Precondition: one buffer per matrix, each holding its rows; no more rows than the folds cover.
  /// - Complexity: rows·(Σ dᵢ² + 2·Σ_pairs dᵢdⱼ) flops, plus O(rows·Σ dᵢ) to shift and widen.
  public mutating func accumulate(chunks: [UnsafeBufferPointer<Float>], rows: Int) {
    precondition(chunks.count == columnCounts.count,
                 "FoldedJointStatistics: \(chunks.count) chunks for \(columnCounts.count) matrices")
    precondition(rowCount + rows <= (foldRanges.last?.upperBound ?? 0),
                 "FoldedJointStatistics: \(rowCount + rows) rows for folds ending at \(foldRanges.last?.upperBound ?? 0)")
    var done = 0
    while done < rows {
      let row = rowCount + done
      guard let fold = foldRanges.firstIndex(where: { $0.contains(row) }) else { break }
      let piece = min(rows - done, foldRanges[fold].upperBound - row)
      for (i, chunk) in chunks.enumerated() {
        let width = columnCounts[i]
        precondition(chunk.count >= rows * width, "FoldedJointStatistics: chunk of \(chunk.count) floats for \(rows) rows")
        addShifted(UnsafeBufferPointer(rebasing: chunk[done * width ..< (done + piece) * width]), rows: piece,
                   matrix: i, fold: fold)
      }
      for (p, (i, j)) in pairs.enumerated() {
        let (di, dj) = (columnCounts[i], columnCounts[j])
        widened[i].withUnsafeBufferPointer { u in
          widened[j].withUnsafeBufferPointer { v in
            crosses[fold][p].withUnsafeMutableBufferPointer { c in
              BLAS.gemm(.transposed, .none, m: di, n: dj, k: piece, alpha: 1, a: u.baseAddress, lda: di,
                        b: v.baseAddress, ldb: dj, beta: 1, c: c.baseAddress, ldc: dj)
            }
          }
        }
      }
      done += piece
    }
    rowCount += rows
  }

  /// Shifts `rows` rows of matrix `i` into `widened[i]` (Float64) and adds their sums and Gram to fold `fold`.
  private mutating func addShifted(_ x: UnsafeBufferPointer<Float>, rows: Int, matrix i: Int, fold: Int) {
    let d = columnCounts[i]
    guard rows > 0 else { return }
    if moments[fold][i].shift == nil {
      var means = [Double](repeating: 0, count: d)
      for r in 0 ..< rows {
        for j in 0 ..< d { means[j] += Double(x[r * d + j]) }
      }
      moments[fold][i].shift = means.map { $0 / Double(rows) }
    }
    let shift = moments[fold][i].shift ?? []
    if widened[i].count < rows * d { widened[i] = [Double](repeating: 0, count: rows * d) }
    widened[i].withUnsafeMutableBufferPointer { u in
      moments[fold][i].shiftedSum.withUnsafeMutableBufferPointer { sum in
        for r in 0 ..< rows {
          for j in 0 ..< d {
            let value = Double(x[r * d + j]) - shift[j]
            u[r * d + j] = value
            sum[j] += value
          }
        }
      }
      moments[fold][i].shiftedGram.withUnsafeMutableBufferPointer { s in
        BLAS.syrk(.upper, .transposed, n: d, k: rows, alpha: 1, a: UnsafePointer(u.baseAddress), lda: d, beta: 1,
                  c: s.baseAddress, ldc: d)
      }
    }
    moments[fold][i].rowCount += rows
  }

  /// Matrix i's moments per fold, with a fresh derived cache: make it once per matrix and share it between pairs.
  public func columnStatistics(_ i: Int) -> FoldedColumnStatistics {
    FoldedColumnStatistics(folds: moments.map { $0[i] })
  }

  /// X̃ᵢᵀX̃ⱼ on each fold (Float64 dᵢ×dⱼ, each fold centered by its own means); the centered Gram when i == j.
  ///
  /// - Precondition: the pair was requested (or i == j).
  /// - Complexity: O(K·dᵢ·dⱼ).
  public func centeredCross(_ i: Int, _ j: Int) -> [DoubleMatrix] {
    if i == j { return moments.map { $0[i].centeredGram } }
    guard let p = pairs.firstIndex(where: { $0 == (min(i, j), max(i, j)) }) else {
      preconditionFailure("FoldedJointStatistics: pair (\(i), \(j)) was not accumulated")
    }
    let (a, b) = (min(i, j), max(i, j))
    let (da, db) = (columnCounts[a], columnCounts[b])
    return moments.indices.map { k in
      let x = moments[k][a]
      let y = moments[k][b]
      var cross = DoubleMatrix(rows: da, columns: db, storage: crosses[k][p])
      if x.rowCount > 0 {
        let n = Double(x.rowCount)
        for r in 0 ..< da {
          for c in 0 ..< db { cross.storage[r * db + c] -= x.shiftedSum[r] * y.shiftedSum[c] / n }
        }
      }
      return i < j ? cross : cross.transposed()
    }
  }
}
