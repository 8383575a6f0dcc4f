/// The column statistics of several aligned matrices and the cross statistics of chosen pairs, in one pass.
///
/// This is how a similarity table reads each row block once: all layers of a table share the n rows, a `RowChunker`
/// cuts their blocks into aligned chunks, and for every chunk each layer is shifted once (`ColumnStatistics`, one
/// `ssyrk`) and the requested pairs add their cross products (`CrossStatistics`). Diagonal pairs (X with X) need no
/// pass of their own: `cross(i, i)` is derived from layer i's statistics.
///
/// **Panels.** The shifted chunks of all layers sit side by side in one row-major buffer, so that layer i's products
/// with a run of partners i < j₀ < … < j₁ that are next to each other there come from one `sgemm` of
/// U_iᵀ[U_j₀ … U_j₁]: for a full table, one call per layer instead of one per pair, which packs each operand once and
/// keeps both cores busy on large products. Shifting the rows runs on `BLAS.threadCount` threads, one layer per
/// thread, which changes the order of no sum: the result does not depend on the thread count beyond what the BLAS
/// does.
///
/// ```swift
/// var statistics = JointStatistics(columnCounts: widths)          // all pairs i < j
/// var chunker = RowChunker(columnCounts: widths)
/// // for each block of layer k: chunker.push(block, rows: r, matrix: k) { statistics.accumulate($0) }
/// chunker.finish { statistics.accumulate($0) }
/// let cross = statistics.centeredCross(2, 5)                       // X̃₂ᵀX̃₅
/// ```
///
/// Memory: O(Σ dᵢ² + Σ_pairs dᵢdⱼ) Float64, plus the shifted chunks (`chunkRows · Σ(dᵢ + 1)` floats) and one Float32
/// panel product (at most `JointStatistics.panelFloats` floats) kept between chunks. Accuracy and reproducibility are
/// those of `ColumnStatistics`.
///
/// - Complexity: per chunk of r rows, r·(Σ dᵢ² + 2·Σ_pairs (dᵢ + 1)(dⱼ + 1)) flops, one BLAS call at a time (OpenBLAS
///   threads each call).
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
  /// Where layer k's shifted rows start within a row of `shiftedRows`.
  private let offsets: [Int]
  /// The width of a row of `shiftedRows`: Σ(dₖ + 1).
  private let shiftedWidth: Int
  /// One `sgemm` per panel and chunk.
  private let panels: [Panel]
  /// The current chunk's shifted rows of every layer side by side (layer k's [u_i, q_i] at offsets[k]).
  private var shiftedRows: [Float] = []
  /// Each layer's q_i of the current chunk (Float64), `rowCapacity` per layer.
  private var normSquares: [Double] = []
  /// The number of rows `shiftedRows` and `normSquares` have room for.
  private var rowCapacity = 0
  /// The Float32 product of one BLAS call, sized for the largest and reused by every call.
  private var product: [Float]

  /// The most Float32 elements one panel's product may have by default (64 MiB); wider runs of partners are split.
  public static let panelFloats = 16 << 20

  /// Layer `layer`'s products with partners `first ... last` (consecutive layers), from one `sgemm`.
  private struct Panel {
    var layer: Int
    var first: Int
    var last: Int
    /// Index into `pairs` of (layer, first + t), for t in 0 ... last − first.
    var pairIndices: [Int]
  }

  /// Creates empty statistics for matrices of the given widths.
  ///
  /// - Parameters:
  ///   - columnCounts: the width of each matrix.
  ///   - pairs: the pairs to accumulate, in either order; `nil` (the default) means every pair i < j. Diagonal pairs
  ///     (i, i) are always available and need not be listed.
  ///   - panelFloats: the most Float32 elements one panel's product may have (wider runs of partners are split).
  /// - Precondition: pair indices in range.
  public init(columnCounts: [Int], pairs: [(Int, Int)]? = nil, panelFloats: Int = JointStatistics.panelFloats) {
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
    var offsets = [Int]()
    var width = 0
    for d in columnCounts {
      offsets.append(width)
      width += d + 1
    }
    self.offsets = offsets
    self.shiftedWidth = width
    self.panels = Self.panels(pairs: chosen, columnCounts: columnCounts, limit: panelFloats)
    let largestGram = columnCounts.map { $0 * $0 }.max() ?? 0
    let largestPanel = panels.map { (columnCounts[$0.layer] + 1) * (offsets[$0.last] + columnCounts[$0.last] + 1
      - offsets[$0.first]) }.max() ?? 0
    self.product = [Float](repeating: 0, count: max(largestGram, largestPanel))
  }

  /// Groups the pairs (i, j), i < j, into panels: for each i, runs of consecutive partners j, cut so that no product
  /// exceeds `limit` floats (a single pair always makes a panel of its own).
  private static func panels(pairs: [(Int, Int)], columnCounts: [Int], limit: Int) -> [Panel] {
    var partners = [Int: [(partner: Int, pair: Int)]]()
    for (k, (i, j)) in pairs.enumerated() { partners[i, default: []].append((j, k)) }
    var panels = [Panel]()
    for layer in partners.keys.sorted() {
      let height = columnCounts[layer] + 1
      var current: Panel?
      var width = 0
      for (partner, pair) in partners[layer]!.sorted(by: { $0.partner < $1.partner }) {
        let added = columnCounts[partner] + 1
        if var panel = current, panel.last + 1 == partner, height * (width + added) <= limit {
          panel.last = partner
          panel.pairIndices.append(pair)
          current = panel
          width += added
        } else {
          if let panel = current { panels.append(panel) }
          current = Panel(layer: layer, first: partner, last: partner, pairIndices: [pair])
          width = added
        }
      }
      if let panel = current { panels.append(panel) }
    }
    return panels
  }

  /// The statistics of whole matrices (same row count), fed through a `RowChunker` in chunks of `chunkRows` rows.
  ///
  /// Gives the same result, bit for bit, as streaming the same rows in any blocks through a `RowChunker` with the same
  /// `chunkRows`.
  /// - Precondition: equal row counts.
  public init(
    _ matrices: [Matrix], pairs: [(Int, Int)]? = nil, chunkRows: Int = RowChunker.defaultChunkRows,
    panelFloats: Int = JointStatistics.panelFloats
  ) {
    self.init(columnCounts: matrices.map(\.columns), pairs: pairs, panelFloats: panelFloats)
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
  /// - Complexity: rows·(Σ dᵢ² + 2·Σ_pairs (dᵢ + 1)(dⱼ + 1)) flops.
  public mutating func accumulate(chunks: [UnsafeBufferPointer<Float>], rows: Int) {
    precondition(chunks.count == columnCounts.count,
                 "JointStatistics.accumulate: \(chunks.count) chunks for \(columnCounts.count) matrices")
    guard rows > 0 else { return }
    if rows > rowCapacity {
      rowCapacity = rows
      shiftedRows = [Float](repeating: 0, count: rows * shiftedWidth)
      normSquares = [Double](repeating: 0, count: rows * columnCounts.count)
    }
    let (width, capacity, offsets) = (shiftedWidth, rowCapacity, self.offsets)
    let threads = BLAS.threadCount
    // The scratch buffers are moved out of self (no copy) so that self can be mutated while they are in use.
    var (shiftedRows, normSquares, product) = (self.shiftedRows, self.normSquares, self.product)
    (self.shiftedRows, self.normSquares, self.product) = ([], [], [])
    defer { (self.shiftedRows, self.normSquares, self.product) = (shiftedRows, normSquares, product) }
    shiftedRows.withUnsafeMutableBufferPointer { shiftedRows in
      normSquares.withUnsafeMutableBufferPointer { normSquares in
        let u = shiftedRows.baseAddress!
        let q = normSquares.baseAddress!
        // Shift every layer's chunk into its place, one layer per thread.
        columnStatistics.withUnsafeMutableBufferPointer { statistics in
          parallelFor(statistics.count, threads: threads) { k in
            statistics[k].addShifted(chunk: chunks[k], rows: rows, into: u + offsets[k], stride: width,
                                     normSquares: q + k * capacity)
          }
        }
        product.withUnsafeMutableBufferPointer { product in
          for k in columnCounts.indices {
            columnStatistics[k].addGram(ofShifted: u + offsets[k], stride: width, rows: rows, product: product)
          }
          for panel in panels {
            addPanel(panel, shiftedRows: u, normSquares: q, rows: rows, product: product)
          }
        }
      }
    }
  }

  /// One panel's `sgemm` U_iᵀ[U_j₀ … U_j₁], then each pair's block widened into its statistics.
  private mutating func addPanel(
    _ panel: Panel, shiftedRows u: UnsafeMutablePointer<Float>, normSquares q: UnsafeMutablePointer<Double>, rows: Int,
    product: UnsafeMutableBufferPointer<Float>
  ) {
    let i = panel.layer
    let start = offsets[panel.first]
    let panelWidth = offsets[panel.last] + columnCounts[panel.last] + 1 - start
    BLAS.sgemm(.transposed, .none, m: columnCounts[i] + 1, n: panelWidth, k: rows, alpha: 1,
               a: u + offsets[i], lda: shiftedWidth, b: u + start, ldb: shiftedWidth, beta: 0,
               c: product.baseAddress, ldc: panelWidth)
    let shifts = (columnStatistics[i].shift ?? [], columnStatistics.map { $0.shift ?? [] })
    let block = UnsafePointer(product.baseAddress!)
    // Widening is memory-bound: a second thread does not make it faster.
    for (t, pair) in panel.pairIndices.enumerated() {
      let j = panel.first + t
      crossStatistics[pair].addProduct(
        block + (offsets[j] - start), stride: panelWidth, rows: rows, xNormSquares: q + i * rowCapacity,
        yNormSquares: q + j * rowCapacity, xShift: shifts.0, yShift: shifts.1[j])
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
