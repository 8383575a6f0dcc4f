import RepSupport

/// The column statistics of several aligned matrices and the cross statistics of chosen pairs, in one pass.
///
/// This is how a similarity table reads each row block once: all layers of a table share the n rows, a `RowChunker`
/// cuts their blocks into aligned chunks, and for every chunk each layer is shifted once (`ColumnStatistics`, one
/// `ssyrk`) and the requested pairs add their cross products (`CrossStatistics`). Diagonal pairs (X with X) need no
/// pass of their own: `cross(i, i)` is derived from layer i's statistics.
///
/// **Layout.** The shifted chunks of all layers sit side by side in one row-major buffer, each layer's columns from a
/// 64-byte boundary, then one column of Float(q_i) per layer. Layer i's products with a run of partners
/// i < j₀ < … < j₁ that are next to each other there come from one `sgemm` of U_iᵀ[U_j₀ … U_j₁] (small runs: the
/// product is widened while it is still in the cache), and the norm-weighted sums of all its pairs from one skinny
/// product U_iᵀQ.
///
/// **Threads.** Shifting the rows runs one layer per thread; then `BLAS.threadCount` workers take the chunk's units (a
/// layer's Gram, or a panel and its pairs' widening) in turn, each unit on one thread: one worker's memory-bound
/// widening overlaps the other's product, where one threaded product at a time left the widening to a single core.
/// Which worker runs a unit changes no sum: with several units, results are the same bit for bit for any thread count.
///
/// ```swift
/// var statistics = JointStatistics(columnCounts: widths)          // all pairs i < j
/// var chunker = RowChunker(columnCounts: widths)
/// // for each block of layer k: chunker.push(block, rows: r, matrix: k) { statistics.accumulate($0) }
/// chunker.finish { statistics.accumulate($0) }
/// let cross = statistics.centeredCross(2, 5)                       // X̃₂ᵀX̃₅
/// ```
///
/// Memory: O(Σ dᵢ² + Σ_pairs dᵢdⱼ) Float64, allocated by the first chunk, plus the shifted chunk (about
/// `chunkRows · Σ dᵢ` floats) and one Float32 panel product per worker (at most `JointStatistics.panelFloats` floats
/// each) kept between chunks. Accuracy and reproducibility are those of `ColumnStatistics`.
///
/// **Precision.** With `precision: .double` the shifted Float32 rows are widened to Float64 once per chunk and the
/// Grams and pair products come from `dsyrk`/`dgemm` straight into the Float64 sums (one `dgemm` per pair, no panels):
/// each entry is then a Float64 sum of exact products (`ProductPrecision`), for the measures whose closed form magnifies
/// rounding (the Procrustes family: arccos near 1; the CCA family: whitening). The norm-weighted sums stay Float32
/// chunk products. It costs about twice the product time and `chunkRows · Σ dᵢ` doubles more memory.
///
/// - Complexity: per chunk of r rows, r·(Σ dᵢ² + 2·Σ_pairs dᵢdⱼ + 2·L·Σ dᵢ) flops for L matrices.
public struct JointStatistics: Sendable {
  /// The width of each matrix.
  public let columnCounts: [Int]
  /// The precision of the Gram and pair products.
  public let precision: ProductPrecision
  /// The pairs (i, j), i < j, that are accumulated, in the order they are computed.
  public let pairs: [(Int, Int)]
  /// Each matrix's statistics.
  public private(set) var columnStatistics: [ColumnStatistics]
  /// The statistics of `pairs[k]`.
  private var crossStatistics: [CrossStatistics]
  /// Index into `pairs` of (i, j), at i · count + j.
  private let pairIndex: [Int: Int]
  /// Where layer k's shifted rows start within a row of `shiftedRows`: a multiple of `alignment`.
  private let offsets: [Int]
  /// Where the layers' Float(q_i) start within a row of `shiftedRows`, one column per layer.
  private let normsOffset: Int
  /// The width of a row of `shiftedRows`: every layer's columns, then the norms, each padded to `alignment`.
  private let shiftedWidth: Int
  /// Where layer k's UₖᵀQ starts in `weightedSums`.
  private let weightedOffsets: [Int]
  /// One `sgemm` per panel and chunk.
  private let panels: [Panel]
  /// The current chunk's shifted rows of every layer side by side (layer k's u_i at offsets[k], then every layer's
  /// Float(q_i) at `normsOffset`; the padding stays zero), from the first 64-byte boundary of the buffer on.
  private var shiftedRows: [Float] = []
  /// With `.double` precision, `shiftedRows` widened to Float64 (same layout, from the first 64-byte boundary).
  private var widenedRows: [Double] = []
  /// Each layer's q_i of the current chunk (Float64), `rowCapacity` per layer.
  private var normSquares: [Double] = []
  /// Per layer k, UₖᵀQ (dₖ × layer count, row-major) with Q the chunk's Float(q_i) of every layer: column j holds
  /// Σ q⁽ʲ⁾_i u⁽ᵏ⁾_i, the norm-weighted sums of every pair with k.
  private var weightedSums: [Float]
  /// The number of rows `shiftedRows` and `normSquares` have room for.
  private var rowCapacity = 0
  /// The work of one chunk, largest first: the layers' Grams and the panels, each one BLAS call and its widening.
  private let units: [Unit]
  /// The Float32 elements of the largest unit's product.
  private let productFloats: Int
  /// One Float32 product of `productFloats` per worker, reused by every unit and chunk.
  private var products: [Float] = []

  /// The most Float32 elements one panel's product may have by default (8 MiB, for layers of 768 three partners): a
  /// product that small is still read back from the cache when it is widened, and small units share the cores evenly.
  public static let panelFloats = 2 << 20

  /// Offsets into a row of `shiftedRows` are multiples of 16 floats (64 bytes), where the BLAS reads fastest:
  /// measured 3.5% more GFLOP/s for a 768-wide layer's products than at odd offsets with a 769th column.
  static let alignment = 16

  /// One worker's task within a chunk.
  private enum Unit {
    /// Layer k's Gram UᵀU (`ssyrk`).
    case gram(Int)
    /// `panels[p]`.
    case panel(Int)
  }

  /// A chunk's shifted rows of every layer, as `accumulate` lays them out, for the workers.
  private struct ShiftedRows {
    /// Row t of the chunk at rows + t · width; layer k's u_t from offset k.
    var rows: UnsafeMutablePointer<Float>
    var width: Int
    /// Layer k's q_t (Float64) at normSquares + k · capacity + t.
    var normSquares: UnsafeMutablePointer<Double>
    var capacity: Int
    /// The number of rows in the chunk.
    var count: Int
    /// Layer k's UₖᵀQ from weightedSums + weightedOffsets[k] (nil when there are no pairs).
    var weightedSums: UnsafePointer<Float>?
  }

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
  ///   - precision: the precision of the Gram and pair products (`.single` by default).
  public init(
    columnCounts: [Int], pairs: [(Int, Int)]? = nil, panelFloats: Int = JointStatistics.panelFloats,
    precision: ProductPrecision = .single
  ) {
    self.precision = precision
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
    let padded = { (columns: Int) in (columns + Self.alignment - 1) / Self.alignment * Self.alignment }
    var offsets = [Int]()
    var width = 0
    for d in columnCounts {
      offsets.append(width)
      width += padded(d)
    }
    self.offsets = offsets
    self.normsOffset = width
    self.shiftedWidth = width + padded(count)
    self.weightedOffsets = columnCounts.indices.map { k in columnCounts[..<k].reduce(0, +) * count }
    self.weightedSums = [Float](repeating: 0, count: chosen.isEmpty ? 0 : columnCounts.reduce(0, +) * count)
    self.panels = Self.panels(pairs: chosen, columnCounts: columnCounts, offsets: offsets, limit: panelFloats)
    let gramFloats = columnCounts.map { $0 * $0 }
    let panelProductFloats = panels.map {
      columnCounts[$0.layer] * (offsets[$0.last] + columnCounts[$0.last] - offsets[$0.first])
    }
    self.productFloats = max(gramFloats.max() ?? 0, panelProductFloats.max() ?? 0)
    // Largest first (a Gram's ssyrk costs half a product of its size), so that the last units to finish are small.
    let sized = gramFloats.enumerated().map { (Unit.gram($0.offset), $0.element / 2) }
      + panelProductFloats.enumerated().map { (Unit.panel($0.offset), $0.element) }
    self.units = sized.sorted { $0.1 > $1.1 }.map(\.0)
  }

  /// Groups the pairs (i, j), i < j, into panels: for each i, runs of consecutive partners j, cut so that no product
  /// exceeds `limit` floats (a single pair always makes a panel of its own).
  private static func panels(pairs: [(Int, Int)], columnCounts: [Int], offsets: [Int], limit: Int) -> [Panel] {
    var partners = [Int: [(partner: Int, pair: Int)]]()
    for (k, (i, j)) in pairs.enumerated() { partners[i, default: []].append((j, k)) }
    var panels = [Panel]()
    for layer in partners.keys.sorted() {
      let height = columnCounts[layer]
      var current: Panel?
      for (partner, pair) in partners[layer]!.sorted(by: { $0.partner < $1.partner }) {
        // The product spans the partners' columns and the padding between them.
        if var panel = current, panel.last + 1 == partner,
           height * (offsets[partner] + columnCounts[partner] - offsets[panel.first]) <= limit {
          panel.last = partner
          panel.pairIndices.append(pair)
          current = panel
        } else {
          if let panel = current { panels.append(panel) }
          current = Panel(layer: layer, first: partner, last: partner, pairIndices: [pair])
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
    panelFloats: Int = JointStatistics.panelFloats, precision: ProductPrecision = .single
  ) {
    self.init(columnCounts: matrices.map(\.columns), pairs: pairs, panelFloats: panelFloats, precision: precision)
    let n = matrices.first?.rows ?? 0
    precondition(matrices.allSatisfy { $0.rows == n }, "JointStatistics: row counts \(matrices.map(\.rows)) differ")
    RowChunker.chunks(of: matrices, chunkRows: chunkRows) { accumulate($0) }
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
  /// - Complexity: rows·(Σ dᵢ² + 2·Σ_pairs dᵢdⱼ + 2·L·Σ dᵢ) flops, L the number of matrices.
  public mutating func accumulate(chunks: [UnsafeBufferPointer<Float>], rows: Int) {
    accumulate(chunks: chunks, rows: rows, workers: BLAS.threadCount)
  }

  /// `accumulate(chunks:rows:)` on up to `workers` threads.
  mutating func accumulate(chunks: [UnsafeBufferPointer<Float>], rows: Int, workers: Int) {
    precondition(chunks.count == columnCounts.count,
                 "JointStatistics.accumulate: \(chunks.count) chunks for \(columnCounts.count) matrices")
    guard rows > 0 else { return }
    let layers = columnCounts.count
    if rows > rowCapacity {
      rowCapacity = rows
      // Zeros (the padding stays so), and room to start at a 64-byte boundary.
      shiftedRows = [Float](repeating: 0, count: rows * shiftedWidth + Self.alignment)
      normSquares = [Double](repeating: 0, count: rows * layers)
      if precision == .double { widenedRows = [Double](repeating: 0, count: rows * shiftedWidth + Self.alignment) }
    }
    let (width, capacity, offsets, normsOffset) = (shiftedWidth, rowCapacity, self.offsets, self.normsOffset)
    let workers = max(1, min(workers, units.count))
    // Float64 products go straight into the sums and need no Float32 scratch.
    let productFloats = precision == .double ? 0 : self.productFloats
    if products.count < workers * productFloats {
      products = [Float](repeating: 0, count: workers * productFloats)
    }
    let precision = self.precision
    // The statistics and scratch buffers are moved out of self (no copy), so that the workers can write to them while
    // they read the layout from self.
    var (shiftedRows, normSquares, weightedSums, products) = (self.shiftedRows, self.normSquares, self.weightedSums,
                                                              self.products)
    var widenedRows = self.widenedRows
    self.widenedRows = []
    defer { self.widenedRows = widenedRows }
    var (columnStatistics, crossStatistics) = (self.columnStatistics, self.crossStatistics)
    (self.shiftedRows, self.normSquares, self.weightedSums, self.products) = ([], [], [], [])
    (self.columnStatistics, self.crossStatistics) = ([], [])
    defer {
      (self.shiftedRows, self.normSquares, self.weightedSums, self.products) = (shiftedRows, normSquares,
                                                                                weightedSums, products)
      (self.columnStatistics, self.crossStatistics) = (columnStatistics, crossStatistics)
    }
    shiftedRows.withUnsafeMutableBufferPointer { shiftedRows in
      normSquares.withUnsafeMutableBufferPointer { normSquares in
        weightedSums.withUnsafeMutableBufferPointer { weightedSums in
          let unaligned = shiftedRows.baseAddress!
          let u = unaligned + (64 - Int(bitPattern: unaligned) % 64) % 64 / MemoryLayout<Float>.size
          let q = normSquares.baseAddress!
          let w = pairs.isEmpty ? nil : weightedSums.baseAddress  // an empty array's base address may be dangling
          // Shift every layer's chunk into its place, one layer per thread.
          columnStatistics.withUnsafeMutableBufferPointer { statistics in
            parallelFor(layers, threads: workers) { k in
              statistics[k].addShifted(chunk: chunks[k], rows: rows, into: u + offsets[k], stride: width,
                                       normSquares: q + k * capacity, floatNorms: u + normsOffset + k,
                                       floatNormStride: width)
            }
          }
          let shifts = columnStatistics.map { $0.shift ?? [] }
          // The Float64 copy of every layer's shifted rows (exact), one layer per thread; the pointer lives only
          // inside this closure.
          widenedRows.withUnsafeMutableBufferPointer { buffer in
            let widened: UnsafeMutablePointer<Double>?
            if precision == .double, let base = buffer.baseAddress {
              let aligned = base + (64 - Int(bitPattern: base) % 64) % 64 / MemoryLayout<Double>.size
              let boxed = UncheckedBox(aligned)
              parallelFor(layers, threads: workers) { k in
                let target = boxed.value + offsets[k]
                let source = u + offsets[k]
                for t in 0 ..< rows {
                  for c in 0 ..< columnCounts[k] { target[t * width + c] = Double(source[t * width + c]) }
                }
              }
              widened = aligned
            } else {
              widened = nil
            }
            columnStatistics.withUnsafeMutableBufferPointer { columnStatistics in
              crossStatistics.withUnsafeMutableBufferPointer { crossStatistics in
                products.withUnsafeMutableBufferPointer { products in
                  // Workers take the next unit until none are left, each with OpenBLAS on one thread: two products side
                  // by side keep both cores busy through the widening as well, which one threaded product at a time
                  // leaves to a single core. No unit's arithmetic depends on which worker runs it.
                  let shared = UncheckedBox((columnStatistics, crossStatistics, products))
                  BLAS.withSingleThread(if: workers > 1) {
                    // First every layer's norm-weighted sums UₖᵀQ, which the pairs' widening reads.
                    if let w {
                      parallelFor(layers, threads: workers) { k in
                        BLAS.gemm(.transposed, .none, m: columnCounts[k], n: layers, k: rows, alpha: 1,
                                  a: u + offsets[k], lda: width, b: u + normsOffset, ldb: width, beta: 0,
                                  c: w + weightedOffsets[k], ldc: layers)
                      }
                    }
                    let chunk = ShiftedRows(rows: u, width: width, normSquares: q, capacity: capacity, count: rows,
                                            weightedSums: UnsafePointer(w))
                    let queue = WorkQueue(count: units.count)
                    runWorkers(workers) { worker in
                      let (columnStatistics, crossStatistics, products) = shared.value
                      let product = UnsafeMutableBufferPointer(
                        rebasing: products[worker * productFloats ..< (worker + 1) * productFloats])
                      while let index = queue.take() {
                        switch units[index] {
                        case .gram(let k):
                          if let widened {
                            columnStatistics[k].addGram(ofShifted: widened + offsets[k], stride: width, rows: rows)
                          } else {
                            columnStatistics[k].addGram(ofShifted: u + offsets[k], stride: width, rows: rows,
                                                        product: product)
                          }
                        case .panel(let p):
                          if let widened {
                            addPanel(panels[p], chunk: chunk, widened: widened, shifts: shifts, into: crossStatistics)
                          } else {
                            addPanel(panels[p], chunk: chunk, shifts: shifts, into: crossStatistics, product: product)
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// One panel's `sgemm` U_iᵀ[U_j₀ … U_j₁], then each pair's block widened into its statistics.
  private func addPanel(
    _ panel: Panel, chunk: ShiftedRows, shifts: [[Float]],
    into crossStatistics: UnsafeMutableBufferPointer<CrossStatistics>, product: UnsafeMutableBufferPointer<Float>
  ) {
    let i = panel.layer
    let layers = columnCounts.count
    let start = offsets[panel.first]
    let panelWidth = offsets[panel.last] + columnCounts[panel.last] - start
    BLAS.gemm(.transposed, .none, m: columnCounts[i], n: panelWidth, k: chunk.count, alpha: 1,
              a: chunk.rows + offsets[i], lda: chunk.width, b: chunk.rows + start, ldb: chunk.width, beta: 0,
              c: product.baseAddress, ldc: panelWidth)
    let block = UnsafePointer(product.baseAddress!)
    let w = chunk.weightedSums!
    for (t, pair) in panel.pairIndices.enumerated() {
      let j = panel.first + t
      // Σ p u for X_i is column j of UᵢᵀQ; Σ q v for X_j is column i of UⱼᵀQ.
      crossStatistics[pair].addProduct(
        block + (offsets[j] - start), stride: panelWidth, rows: chunk.count,
        xNormSquares: chunk.normSquares + i * chunk.capacity, yNormSquares: chunk.normSquares + j * chunk.capacity,
        xWeighted: StridedFloats(w + weightedOffsets[i] + j, stride: layers),
        yWeighted: StridedFloats(w + weightedOffsets[j] + i, stride: layers), xShift: shifts[i], yShift: shifts[j])
    }
  }

  /// One panel's pairs with Float64 products: one `dgemm` of U_iᵀU_j per pair from the widened rows, straight into the
  /// pair's sums.
  private func addPanel(
    _ panel: Panel, chunk: ShiftedRows, widened: UnsafePointer<Double>, shifts: [[Float]],
    into crossStatistics: UnsafeMutableBufferPointer<CrossStatistics>
  ) {
    let i = panel.layer
    let layers = columnCounts.count
    let w = chunk.weightedSums!
    for (t, pair) in panel.pairIndices.enumerated() {
      let j = panel.first + t
      let (di, dj) = (columnCounts[i], columnCounts[j])
      crossStatistics[pair].addProduct(
        rows: chunk.count, xNormSquares: chunk.normSquares + i * chunk.capacity,
        yNormSquares: chunk.normSquares + j * chunk.capacity,
        xWeighted: StridedFloats(w + weightedOffsets[i] + j, stride: layers),
        yWeighted: StridedFloats(w + weightedOffsets[j] + i, stride: layers), xShift: shifts[i], yShift: shifts[j],
        precision: .double
      ) { c, first in
        BLAS.gemm(.transposed, .none, m: di, n: dj, k: chunk.count, alpha: 1, a: widened + offsets[i],
                  lda: chunk.width, b: widened + offsets[j], ldb: chunk.width, beta: first ? 0 : 1,
                  c: c.baseAddress, ldc: dj)
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
