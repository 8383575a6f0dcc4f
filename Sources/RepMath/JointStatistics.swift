/// The column statistics of several aligned matrices and the cross statistics of chosen pairs, in one pass.
///
/// This is how a similarity table reads each row block once: all layers of a table share the n rows, a `RowChunker`
/// cuts their blocks into aligned chunks, and for every chunk each layer is shifted once (`ColumnStatistics`, one
/// `ssyrk`) and each requested pair adds one `sgemm` (`CrossStatistics`). Diagonal pairs (X with X) need no pass of
/// their own: `cross(i, i)` is derived from layer i's statistics.
///
/// ```swift
/// var statistics = JointStatistics(columnCounts: widths)          // all pairs i < j
/// var chunker = RowChunker(columnCounts: widths)
/// // for each block of layer k: chunker.push(block, rows: r, matrix: k) { statistics.accumulate($0) }
/// chunker.finish { statistics.accumulate($0) }
/// let cross = statistics.centeredCross(2, 5)                       // X̃₂ᵀX̃₅
/// ```
///
/// Memory: O(Σ dᵢ² + Σ_pairs dᵢdⱼ) Float64, plus one shifted chunk per layer (`chunkRows · (dᵢ + 1)` floats) and one
/// Float32 product (max (dᵢ + 1)²) kept between chunks. Accuracy and reproducibility are those of `ColumnStatistics`.
///
/// - Complexity: per chunk of r rows, r·(Σ dᵢ² + 2·Σ_pairs dᵢdⱼ) flops, run one BLAS call at a time (OpenBLAS threads
///   each call; nothing here adds threads of its own).
public struct JointStatistics: Sendable {
  /// The width of each matrix.
  public let columnCounts: [Int]
  /// The pairs (i, j), i < j, that are accumulated, in the order they are computed.
  public let pairs: [(Int, Int)]
  /// Each matrix's statistics.
  public private(set) var columnStatistics: [ColumnStatistics]
  /// The statistics of `pairs[k]`.
  private var crossStatistics: [CrossStatistics]
  /// Index into `pairs` of (i, j), at i · count + j.
  private let pairIndex: [Int: Int]
  /// Each matrix's most recent shifted chunk, reused from chunk to chunk.
  private var shifted: [ShiftedChunk]
  /// The Float32 product of one BLAS call, sized for the widest pair and reused by every call.
  private var product: [Float]

  /// Creates empty statistics for matrices of the given widths.
  ///
  /// - Parameters:
  ///   - columnCounts: the width of each matrix.
  ///   - pairs: the pairs to accumulate, in either order; `nil` (the default) means every pair i < j. Diagonal pairs
  ///     (i, i) are always available and need not be listed.
  /// - Precondition: pair indices in range.
  public init(columnCounts: [Int], pairs: [(Int, Int)]? = nil) {
    let count = columnCounts.count
    var chosen = [(Int, Int)]()
    var index = [Int: Int]()
    let requested = pairs ?? (0 ..< count).flatMap { i in (i + 1 ..< count).map { j in (i, j) } }
    for (a, b) in requested {
      precondition(a >= 0 && a < count && b >= 0 && b < count, "JointStatistics: pair (\(a), \(b)) out of range")
      let (i, j) = (min(a, b), max(a, b))
      guard i != j, index[i * count + j] == nil else { continue }
      index[i * count + j] = chosen.count
      chosen.append((i, j))
    }
    self.columnCounts = columnCounts
    self.pairs = chosen
    self.pairIndex = index
    self.columnStatistics = columnCounts.map { ColumnStatistics(columnCount: $0) }
    self.crossStatistics = chosen.map {
      CrossStatistics(xColumnCount: columnCounts[$0.0], yColumnCount: columnCounts[$0.1])
    }
    self.shifted = columnCounts.map { _ in ShiftedChunk() }
    let widest = columnCounts.map { $0 + 1 }.max() ?? 0
    self.product = [Float](repeating: 0, count: widest * widest)
  }

  /// The statistics of whole matrices (same row count), fed through a `RowChunker` in chunks of `chunkRows` rows.
  ///
  /// Gives the same result, bit for bit, as streaming the same rows in any blocks through a `RowChunker` with the same
  /// `chunkRows`.
  /// - Precondition: equal row counts.
  public init(_ matrices: [Matrix], pairs: [(Int, Int)]? = nil, chunkRows: Int = RowChunker.defaultChunkRows) {
    self.init(columnCounts: matrices.map(\.columns), pairs: pairs)
    let n = matrices.first?.rows ?? 0
    precondition(matrices.allSatisfy { $0.rows == n }, "JointStatistics: row counts \(matrices.map(\.rows)) differ")
    var chunker = RowChunker(columnCounts: columnCounts, chunkRows: chunkRows)
    // Push one chunk of every matrix at a time, so the chunker never holds more than a chunk per matrix.
    for start in stride(from: 0, to: n, by: chunkRows) {
      let rows = min(chunkRows, n - start)
      for (k, matrix) in matrices.enumerated() {
        let width = matrix.columns
        matrix.storage.withUnsafeBufferPointer { storage in
          let block = UnsafeBufferPointer(rebasing: storage[start * width ..< (start + rows) * width])
          chunker.push(block, rows: rows, matrix: k) { accumulate($0) }
        }
      }
    }
    chunker.finish { accumulate($0) }
  }

  /// Adds one aligned chunk of every matrix, as handed out by `RowChunker`.
  ///
  /// - Precondition: one buffer per matrix.
  public mutating func accumulate(_ chunk: RowChunk) {
    accumulate(chunks: chunk.matrices, rows: chunk.rows)
  }

  /// Adds one aligned chunk of every matrix: `chunks[k]` holds `rows` rows of matrix k.
  ///
  /// - Precondition: one buffer per matrix, each holding its rows.
  /// - Complexity: rows·(Σ dᵢ² + 2·Σ_pairs dᵢdⱼ) flops.
  public mutating func accumulate(chunks: [UnsafeBufferPointer<Float>], rows: Int) {
    precondition(chunks.count == columnCounts.count,
                 "JointStatistics.accumulate: \(chunks.count) chunks for \(columnCounts.count) matrices")
    product.withUnsafeMutableBufferPointer { product in
      for k in columnCounts.indices {
        columnStatistics[k].accumulate(chunk: chunks[k], rows: rows, shiftedInto: &shifted[k], product: product)
      }
      for (k, (i, j)) in pairs.enumerated() {
        crossStatistics[k].accumulate(shifted[i], shifted[j], product: product)
      }
    }
  }

  /// The cross statistics of (X_i, X_j): accumulated when i < j was a pair, transposed when j < i was, derived from
  /// X_i's statistics when i == j.
  ///
  /// - Precondition: the pair was requested (or i == j).
  /// - Complexity: O(dᵢ·dⱼ) for a transposed or diagonal pair, O(1) otherwise.
  public func cross(_ i: Int, _ j: Int) -> CrossStatistics {
    if i == j { return CrossStatistics(diagonalOf: columnStatistics[i]) }
    let count = columnCounts.count
    guard let k = pairIndex[min(i, j) * count + max(i, j)] else {
      preconditionFailure("JointStatistics: pair (\(i), \(j)) was not accumulated")
    }
    return i < j ? crossStatistics[k] : crossStatistics[k].transposed()
  }

  /// X̃ᵢᵀX̃ⱼ (Float64 dᵢ×dⱼ); the centered Gram of X_i when i == j.
  ///
  /// - Precondition: the pair was requested (or i == j).
  /// - Complexity: O(dᵢ·dⱼ).
  public func centeredCross(_ i: Int, _ j: Int) -> DoubleMatrix {
    if i == j { return columnStatistics[i].centeredGram }
    return cross(i, j).centeredCross(columnStatistics[i], columnStatistics[j])
  }

  /// Σ r_i[t]·r_j[t] over rows t, the inner product of the centered row norms of X_i and X_j.
  ///
  /// - Precondition: the pair was requested (or i == j).
  /// - Complexity: O(dᵢ·dⱼ).
  public func centeredRowNormDot(_ i: Int, _ j: Int) -> Double {
    if i == j { return columnStatistics[i].centeredRowNormDot }
    return cross(i, j).centeredRowNormDot(columnStatistics[i], columnStatistics[j])
  }
}
