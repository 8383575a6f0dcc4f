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

/// One matrix's `ColumnStatistics` over each fold of its rows, with a cache for what measures derive from all folds
/// together (the training statistics of each fold, their eigendecompositions), shared by every pair it is in.
public struct FoldedColumnStatistics: Sendable {
  /// The statistics of the rows of fold k, for each fold in row order.
  public let folds: [ColumnStatistics]
  /// Quantities derived from `folds`, computed once per matrix.
  public let derived = DerivedCache()

  public init(folds: [ColumnStatistics]) { self.folds = folds }

  /// The number of rows of all folds.
  public var rowCount: Int { folds.reduce(0) { $0 + $1.rowCount } }
  /// The number of columns d.
  public var columnCount: Int { folds.first?.columnCount ?? 0 }
}

/// `JointStatistics` kept separately for each of a few contiguous row ranges (folds): what a cross-validated measure
/// needs, since the statistics of any union of folds follow from the folds' own by exact algebra.
///
/// Chunks are fed in row order (from a `RowChunker`) and cut at the fold boundaries, so each fold's statistics see
/// the same pieces, bit for bit, however the rows were stored. Memory: K times that of one `JointStatistics`, i.e.
/// O(K·(Σ dᵢ² + Σ_pairs dᵢdⱼ)) Float64, independent of n.
///
/// - Complexity: per chunk of r rows, the flops of `JointStatistics.accumulate` on those rows (one more BLAS call per
///   layer and pair for a chunk that straddles a fold boundary).
public struct FoldedJointStatistics: Sendable {
  /// The rows of each fold, in order, covering 0 ..< n.
  public let foldRanges: [Range<Int>]
  /// The statistics of each fold.
  public private(set) var folds: [JointStatistics]
  /// The rows accumulated so far.
  public private(set) var rowCount = 0

  /// Creates empty statistics for matrices of the given widths, cut into `foldRanges`.
  ///
  /// - Parameters:
  ///   - pairs: as in `JointStatistics.init(columnCounts:pairs:panelFloats:)`; nil means every pair i < j.
  /// - Precondition: `foldRanges` are consecutive from 0.
  public init(columnCounts: [Int], pairs: [(Int, Int)]? = nil, foldRanges: [Range<Int>]) {
    var next = 0
    for range in foldRanges {
      precondition(range.lowerBound == next, "FoldedJointStatistics: folds \(foldRanges) are not consecutive from 0")
      next = range.upperBound
    }
    self.foldRanges = foldRanges
    self.folds = foldRanges.map { _ in JointStatistics(columnCounts: columnCounts, pairs: pairs) }
  }

  /// The statistics of whole matrices (same row count) cut into `foldRanges`, fed through a `RowChunker` in chunks of
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
    var chunker = RowChunker(columnCounts: matrices.map(\.columns), chunkRows: chunkRows)
    for start in stride(from: 0, to: n, by: chunkRows) {
      let rows = min(chunkRows, n - start)
      for (k, matrix) in matrices.enumerated() {
        let width = matrix.columns
        matrix.storage.withUnsafeBufferPointer { storage in
          let block = UnsafeBufferPointer(rebasing: storage[start * width ..< (start + rows) * width])
          chunker.push(block, rows: rows, matrix: k) { accumulate(chunks: $0.matrices, rows: $0.rows) }
        }
      }
    }
    chunker.finish { accumulate(chunks: $0.matrices, rows: $0.rows) }
  }

  /// Adds the next `rows` rows of every matrix (`chunks[k]` holds matrix k's), split at the fold boundaries.
  ///
  /// - Precondition: one buffer per matrix; no more rows than the folds cover.
  public mutating func accumulate(chunks: [UnsafeBufferPointer<Float>], rows: Int) {
    precondition(rowCount + rows <= (foldRanges.last?.upperBound ?? 0),
                 "FoldedJointStatistics: \(rowCount + rows) rows for folds ending at \(foldRanges.last?.upperBound ?? 0)")
    let widths = folds.first?.columnCounts ?? []
    var done = 0
    while done < rows {
      let row = rowCount + done
      guard let fold = foldRanges.firstIndex(where: { $0.contains(row) }) else { break }
      let piece = min(rows - done, foldRanges[fold].upperBound - row)
      let pieces = zip(chunks, widths).map { chunk, width in
        UnsafeBufferPointer(rebasing: chunk[done * width ..< (done + piece) * width])
      }
      folds[fold].accumulate(chunks: pieces, rows: piece)
      done += piece
    }
    rowCount += rows
  }

  /// Matrix i's statistics per fold, with a fresh derived cache: make it once per matrix and share it between pairs.
  public func columnStatistics(_ i: Int) -> FoldedColumnStatistics {
    FoldedColumnStatistics(folds: folds.map { $0.columnStatistics[i] })
  }

  /// The cross statistics of (X_i, X_j) per fold (see `JointStatistics.cross(_:_:)`).
  ///
  /// - Precondition: the pair was requested (or i == j).
  public func cross(_ i: Int, _ j: Int) -> [CrossStatistics] {
    folds.map { $0.cross(i, j) }
  }
}
