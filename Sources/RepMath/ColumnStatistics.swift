/// Streaming first- and second-order column statistics of one n×d Float32 matrix X, fed in row chunks.
///
/// These are what CKA, debiased CKA and the CCA family need from one layer, with memory O(d²) whatever n is.
/// Rows are taken relative to a per-column **shift** c (Float32), the column means of the first chunk, fixed from
/// then on: u_i = x_i − c. Activations often have column means far larger than their spread (offsets of hundreds on
/// a spread of one); subtracting c first keeps the Float32 products of the chunks small and the final centering
/// free of cancellation. With q_i = ‖u_i‖² (computed in Float64), the statistics kept are
///
/// ```
/// n        rowCount
/// Σ u_i    shiftedSum                      Float64 d-vector
/// Σ u_iu_iᵀ shiftedGram (S)                Float64 d×d
/// Σ q_i    shiftedNormSquareSum            Float64
/// Σ q_i²   shiftedNormFourthSum            Float64
/// Σ q_i u_i shiftedNormSquareWeightedSum   Float64 d-vector
/// ```
///
/// and everything else follows by exact algebra, with m̄ = Σu/n the mean of the shifted rows:
/// `mean` = c + m̄; `centeredGram` X̃ᵀX̃ = S − n·m̄m̄ᵀ; `covariance` = X̃ᵀX̃/(n−1); and, with the centered row norms
/// rₓ[i] = ‖x_i − mean‖² = q_i − 2·u_i·m̄ + ‖m̄‖², `centeredRowNormSum` Σ rₓ and `centeredRowNormDot` Σ rₓ².
///
/// **Arithmetic.** Per chunk, U = X_chunk − 1cᵀ is formed in Float32 (exactly, when x and c are within a factor of
/// two of each other) and UᵀU is one `ssyrk` in Float32, so each entry of a chunk's product is a Float32 sum of at most
/// `chunkRows` terms; that product is widened and added into the Float64 S. Every other sum is Float64 throughout.
/// On well-conditioned data this agrees with a Float64 computation from the whole matrix to about 1e-6 relative in
/// Frobenius norm, offsets or not. Measured with 1024-row chunks on 10,000×768 layers with column offsets up to 600:
/// X̃ᵀX̃ to 5e-8 (correlated, activation-like columns) and 1.1e-7 (independent uniform columns); the cross product
/// X̃ᵀỸ of `CrossStatistics` to 5e-8 for correlated layers and 3e-7 for independent ones (its entries are then small);
/// the row-norm sums, which are Float64 throughout, to 1e-11. Larger chunks change these figures little (4096 rows:
/// 6e-8 and 1.3e-7; the default is 2048). Without the shift (a zero shift given to `init(columnCount:shift:)`), offsets of 300 on
/// unit-spread data leave X̃ᵀX̃ with 30% error.
///
/// **Reproducibility.** The result is a function of the sequence of chunks only. Feed chunks from a `RowChunker` and
/// it is bit-identical for any storage block sizes (for a fixed BLAS thread count); feeding blocks of varying sizes
/// directly would change the last bits and the shift.
///
/// ## Topics
/// - Accumulating: `init(columnCount:)`, `init(columnCount:shift:)`, `accumulate(chunk:rows:)`,
///   `accumulate(chunk:rows:shiftedInto:)`, `init(_:chunkRows:)`
/// - Derived: `mean`, `centeredGram`, `covariance`, `centeredRowNormSum`, `centeredRowNormDot`
/// - Pairs: `CrossStatistics`, `JointStatistics`
///
/// `==` compares every sum exactly: two accumulations over the same chunks are equal bit for bit.
///
/// - Complexity: per chunk of r rows, r·d² flops (`ssyrk`) plus O(r·d + d²) Float64 operations; memory O(d²).
public struct ColumnStatistics: Sendable, Equatable {
  /// The number of columns d.
  public let columnCount: Int
  /// The shift c subtracted from every row: the first chunk's column means rounded to Float32, or the shift given
  /// to `init(columnCount:shift:)`; `nil` until fixed.
  public private(set) var shift: [Float]?
  /// The number of rows n accumulated so far.
  public private(set) var rowCount = 0
  /// The precision of the chunk products S came from: `.single` (`ssyrk`, the default) or `.double` (`dsyrk`).
  public private(set) var productPrecision = ProductPrecision.single
  /// The most rows one chunk product summed (a Float32 product's rounding grows with it).
  public private(set) var largestChunkRowCount = 0
  /// Σ u_i, the column sums of the shifted rows (Float64, d).
  public private(set) var shiftedSum: [Double]
  /// Σ q_i = Σ ‖u_i‖² (Float64).
  public private(set) var shiftedNormSquareSum = 0.0
  /// Σ q_i² = Σ ‖u_i‖⁴ (Float64).
  public private(set) var shiftedNormFourthSum = 0.0
  /// Σ q_i u_i = Σ ‖u_i‖² u_i (Float64, d).
  public private(set) var shiftedNormSquareWeightedSum: [Double]
  /// S = Σ u_i u_iᵀ, upper triangle only (row-major d×d; the lower triangle stays zero); empty until the first chunk
  /// writes it, so that statistics made in advance for many layers cost no pass over their memory.
  private var gramSums: [Double] = []
  /// Quantities measures derive from these statistics (whitening, norms), computed once per layer; replaced by an
  /// empty cache whenever rows are added.
  public private(set) var derived = DerivedCache()

  /// Creates empty statistics for a matrix of `columnCount` columns; the shift is fixed by the first chunk.
  ///
  /// - Precondition: `columnCount >= 0`.
  public init(columnCount: Int) {
    precondition(columnCount >= 0, "ColumnStatistics: negative column count \(columnCount)")
    self.columnCount = columnCount
    self.shiftedSum = [Double](repeating: 0, count: columnCount)
    self.shiftedNormSquareWeightedSum = [Double](repeating: 0, count: columnCount)
  }

  /// Creates empty statistics with a fixed shift (all zeros gives raw, unshifted sums).
  ///
  /// - Precondition: `shift.count == columnCount`.
  public init(columnCount: Int, shift: [Float]) {
    precondition(shift.count == columnCount, "ColumnStatistics: shift of \(shift.count) for \(columnCount) columns")
    self.init(columnCount: columnCount)
    self.shift = shift
  }

  /// The statistics of a whole matrix, fed through a `RowChunker` in chunks of `chunkRows` rows (the same result as
  /// streaming its rows in any blocks through a `RowChunker` with the same `chunkRows`), its products in `precision`.
  ///
  /// - Complexity: n·d² flops.
  public init(_ matrix: Matrix, chunkRows: Int = RowChunker.defaultChunkRows, precision: ProductPrecision = .single) {
    self = JointStatistics([matrix], chunkRows: chunkRows, precision: precision).columnStatistics[0]
  }

  /// Adds one chunk of rows.
  ///
  /// - Parameters:
  ///   - chunk: `rows` rows, row-major, `rows · columnCount` floats (more are ignored).
  ///   - rows: the number of rows; 0 does nothing.
  /// - Precondition: `chunk` holds the rows.
  /// - Complexity: rows·d² flops (`ssyrk`) plus O(rows·d + d²); a scratch of rows·(d + 1) + d² floats is allocated.
  public mutating func accumulate(chunk: UnsafeBufferPointer<Float>, rows: Int) {
    var shifted = ShiftedChunk()
    accumulate(chunk: chunk, rows: rows, shiftedInto: &shifted)
  }

  /// Adds one chunk of rows and leaves the shifted rows in `shifted`, for `CrossStatistics.accumulate(_:_:)`.
  ///
  /// `shifted` is a reusable buffer: pass the same one chunk after chunk to avoid reallocating it.
  /// - Precondition: `chunk` holds `rows · columnCount` floats, `rows >= 0`.
  /// - Complexity: rows·d² flops (`ssyrk`) plus O(rows·d + d²); a d×d Float32 scratch is allocated per call
  ///   (`JointStatistics` reuses one instead).
  public mutating func accumulate(
    chunk: UnsafeBufferPointer<Float>, rows: Int, shiftedInto shifted: inout ShiftedChunk
  ) {
    withFloatScratch(count: columnCount * columnCount) { product in
      accumulate(chunk: chunk, rows: rows, shiftedInto: &shifted, product: product)
    }
  }

  /// `accumulate(chunk:rows:shiftedInto:)` with a caller's Float32 scratch of at least d² elements for the product.
  mutating func accumulate(
    chunk: UnsafeBufferPointer<Float>, rows: Int, shiftedInto shifted: inout ShiftedChunk,
    product: UnsafeMutableBufferPointer<Float>
  ) {
    let d = columnCount
    // Sized first, then given the shift, which the first chunk fixes.
    shifted.prepare(rows: rows, columns: d, shift: shift ?? [])
    guard rows > 0 else { return }
    shifted.values.withUnsafeMutableBufferPointer { u in
      shifted.normSquares.withUnsafeMutableBufferPointer { q in
        addShifted(chunk: chunk, rows: rows, into: u.baseAddress!, stride: d + 1, normSquares: q.baseAddress!,
                   floatNorms: u.baseAddress! + d, floatNormStride: d + 1)
        addGram(ofShifted: UnsafePointer(u.baseAddress!), stride: d + 1, rows: rows, product: product)
      }
    }
    shifted.prepare(rows: rows, columns: d, shift: shift ?? [])
  }

  /// The first half of adding a chunk: fixes the shift on the first chunk, writes the shifted rows u_i at
  /// `u + i · stride`, q_i at `normSquares[i]` and Float(q_i) at `floatNorms[i · floatNormStride]`, and adds every sum
  /// except S. `addGram(ofShifted:…)` must follow with the same rows.
  ///
  /// - Precondition: `chunk` holds `rows · columnCount` floats, `rows > 0`, `stride >= columnCount`.
  mutating func addShifted(
    chunk: UnsafeBufferPointer<Float>, rows: Int, into u: UnsafeMutablePointer<Float>, stride: Int,
    normSquares: UnsafeMutablePointer<Double>, floatNorms: UnsafeMutablePointer<Float>, floatNormStride: Int
  ) {
    let d = columnCount
    precondition(rows > 0 && chunk.count >= rows * d,
                 "ColumnStatistics.accumulate: chunk of \(chunk.count) floats for \(rows) rows of \(d) columns")
    derived = DerivedCache()
    let shift = self.shift ?? columnMeans(chunk, rows: rows, columns: d)
    self.shift = shift
    let sums = shift.withUnsafeBufferPointer { c in
      shiftedSum.withUnsafeMutableBufferPointer { sum in
        shiftedNormSquareWeightedSum.withUnsafeMutableBufferPointer { weighted in
          shiftRows(chunk, rows: rows, columns: d, shift: c, into: u, stride: stride, normSquares: normSquares,
                    floatNorms: floatNorms, floatNormStride: floatNormStride, shiftedSum: sum, weightedSum: weighted)
        }
      }
    }
    rowCount += rows
    shiftedNormSquareSum += sums.normSquareSum
    shiftedNormFourthSum += sums.normFourthSum
  }

  /// The second half of adding a chunk: S += UᵀU, one `ssyrk` of the shifted rows written by `addShifted`, widened
  /// into Float64.
  ///
  /// - Precondition: `product` holds at least d² floats.
  mutating func addGram(
    ofShifted u: UnsafePointer<Float>, stride: Int, rows: Int, product: UnsafeMutableBufferPointer<Float>
  ) {
    let d = columnCount
    guard d > 0, rows > 0 else { return }
    precondition(product.count >= d * d, "ColumnStatistics.accumulate: scratch too small")
    // The product reads the first d columns of each shifted row (what follows them belongs to others).
    BLAS.syrk(.upper, .transposed, n: d, k: rows, alpha: 1, a: u, lda: stride, beta: 0, c: product.baseAddress, ldc: d)
    largestChunkRowCount = max(largestChunkRowCount, rows)
    let first = gramSums.isEmpty
    if first { gramSums = [Double](unsafeUninitializedCapacity: d * d) { _, count in count = d * d } }
    gramSums.withUnsafeMutableBufferPointer { s in
      addWidenedUpperTriangle(UnsafeBufferPointer(product), into: s, order: d, first: first)
    }
  }
}

extension ColumnStatistics {
  /// The Float64 form of `addGram(ofShifted:stride:rows:product:)`: S += UᵀU from the shifted rows widened to Float64,
  /// one `dsyrk` straight into S (every product of two Float32 values is exact in Float64, so each entry of S is a
  /// Float64 sum of exact terms). Marks the statistics `.double`; mixing precisions across chunks is a programmer error.
  ///
  /// - Precondition: `u` holds `rows` rows of at least d values, `stride` apart; earlier chunks were `.double` too.
  /// - Complexity: rows·d² flops (`dsyrk`, about half the speed of `ssyrk`).
  mutating func addGram(ofShifted u: UnsafePointer<Double>, stride: Int, rows: Int) {
    let d = columnCount
    guard d > 0, rows > 0 else { return }
    precondition(gramSums.isEmpty || productPrecision == .double, "ColumnStatistics: Float64 chunk after Float32 ones")
    productPrecision = .double
    largestChunkRowCount = max(largestChunkRowCount, rows)
    let first = gramSums.isEmpty
    if first { gramSums = [Double](repeating: 0, count: d * d) }
    gramSums.withUnsafeMutableBufferPointer { s in
      BLAS.syrk(.upper, .transposed, n: d, k: rows, alpha: 1, a: u, lda: stride, beta: first ? 0 : 1,
                c: s.baseAddress, ldc: d)
    }
  }
}

// MARK: - Derived statistics

extension ColumnStatistics {
  /// S = Σ u_i u_iᵀ, the Gram matrix of the shifted rows (Float64 d×d, both triangles).
  ///
  /// - Complexity: O(d²) (copies and mirrors the stored triangle).
  public var shiftedGram: DoubleMatrix {
    guard !gramSums.isEmpty else { return DoubleMatrix(rows: columnCount, columns: columnCount) }
    var gram = DoubleMatrix(rows: columnCount, columns: columnCount, storage: gramSums)
    gram.storage.withUnsafeMutableBufferPointer { mirrorUpperTriangle($0.baseAddress, order: columnCount) }
    return gram
  }

  /// m̄ = Σu/n, the mean of the shifted rows (NaN when n = 0).
  public var shiftedMean: [Double] {
    let n = Double(rowCount)
    return shiftedSum.map { $0 / n }
  }

  /// The column means c + Σu/n (Float64, d; NaN when n = 0).
  public var mean: [Double] {
    let shift = self.shift ?? [Float](repeating: 0, count: columnCount)
    return zip(shift, shiftedMean).map { Double($0) + $1 }
  }

  /// X̃ᵀX̃ = S − n·m̄m̄ᵀ, the Gram matrix of the column-centered matrix (Float64 d×d, symmetric).
  ///
  /// - Complexity: O(d²).
  public var centeredGram: DoubleMatrix {
    let d = columnCount
    let n = Double(rowCount)
    let m = shiftedMean
    var gram = shiftedGram
    for i in 0 ..< d {
      for j in 0 ..< d { gram.storage[i * d + j] -= n * m[i] * m[j] }
    }
    return gram
  }

  /// The sample covariance X̃ᵀX̃/(n − 1) (Float64 d×d); not finite when n < 2.
  ///
  /// - Complexity: O(d²).
  public var covariance: DoubleMatrix {
    (1 / Double(rowCount - 1)) * centeredGram
  }

  /// Σᵢ rₓ[i] with rₓ[i] = ‖x_i − mean‖², the centered row norms squared; equal to trace(X̃ᵀX̃).
  ///
  /// ```
  /// Σ rₓ = Σ q − n‖m̄‖²
  /// ```
  public var centeredRowNormSum: Double {
    let m = shiftedMean
    let alpha = m.reduce(0) { $0 + $1 * $1 }
    return shiftedNormSquareSum - Double(rowCount) * alpha
  }

  /// trace(X̃ᵀX̃) from the diagonal of the Gram's Float32 chunk products: the same sum as `centeredRowNormSum`, but with
  /// the rounding of the products that cross statistics carry too. A ratio of a cross product's norm to these traces
  /// is then exactly 1 for X against itself, whatever order a BLAS kernel sums in.
  ///
  /// - Complexity: O(d).
  public var centeredGramTrace: Double {
    let d = columnCount
    guard !gramSums.isEmpty else { return 0 }
    let m = shiftedMean
    return (0 ..< d).reduce(0) { $0 + gramSums[$1 * d + $1] - Double(rowCount) * m[$1] * m[$1] }
  }

  /// Σᵢ rₓ[i]² = ⟨rₓ, rₓ⟩ with rₓ[i] = ‖x_i − mean‖², from the stored sums by exact algebra (α = ‖m̄‖²):
  ///
  /// ```
  /// rₓ[i] = q_i − 2·u_i·m̄ + α
  /// Σ rₓ² = Σq² − 4·m̄·(Σ q u) + 4·m̄ᵀSm̄ + 2α·Σq − 3n·α²
  /// ```
  ///
  /// Thanks to the shift, m̄ is small and the correction terms do not cancel Σq² away.
  /// - Complexity: O(d²).
  public var centeredRowNormDot: Double {
    let m = shiftedMean
    let alpha = m.reduce(0) { $0 + $1 * $1 }
    let weighted = zip(m, shiftedNormSquareWeightedSum).reduce(0) { $0 + $1.0 * $1.1 }
    let quadratic = quadraticForm(m, shiftedGram, m)
    return shiftedNormFourthSum - 4 * weighted + 4 * quadratic + 2 * alpha * shiftedNormSquareSum
      - 3 * Double(rowCount) * alpha * alpha
  }
}

/// aᵀ·M·b for a row-major M, summed row by row in Float64.
func quadraticForm(_ a: [Double], _ matrix: DoubleMatrix, _ b: [Double]) -> Double {
  precondition(a.count == matrix.rows && b.count == matrix.columns, "quadraticForm: shapes disagree")
  var sum = 0.0
  for i in 0 ..< matrix.rows {
    var row = 0.0
    for j in 0 ..< matrix.columns { row += matrix.storage[i * matrix.columns + j] * b[j] }
    sum += a[i] * row
  }
  return sum
}

/// One chunk of a matrix with its statistics' shift subtracted: U = X_chunk − 1cᵀ (Float32, row-major) and the
/// squared row norms q_i = ‖u_i‖² (Float64). Filled by `ColumnStatistics.accumulate(chunk:rows:shiftedInto:)` and read
/// by `CrossStatistics.accumulate(_:_:)`, so that each layer's chunk is shifted once however many pairs it is in.
///
/// Each stored row is u_i followed by Float(q_i) (`columns + 1` floats): one `sgemm` of two such chunks yields UᵀV and
/// the norm-weighted sums Σ q_i v_i, Σ p_i u_i together. A reusable buffer: it keeps its storage from one chunk to the
/// next (`rows · (columns + 1)` floats at most).
public struct ShiftedChunk: Sendable {
  /// The number of rows in the current chunk.
  public private(set) var rows = 0
  /// The number of columns d (each stored row has d + 1 floats).
  public private(set) var columns = 0
  /// The shift c that was subtracted.
  public private(set) var shift: [Float] = []
  /// Rows of `columns + 1` floats, [u_i, Float(q_i)]; at least `rows · (columns + 1)` elements, only those meaningful.
  var values: [Float] = []
  /// q_i in Float64, for i < `rows`.
  var normSquares: [Double] = []

  /// Creates an empty buffer.
  public init() {}

  /// Sizes the buffer for a chunk of `rows`×`columns` and records its shift.
  mutating func prepare(rows: Int, columns: Int, shift: [Float]) {
    self.rows = rows
    self.columns = columns
    self.shift = shift
    if values.count < rows * (columns + 1) { values = [Float](repeating: 0, count: rows * (columns + 1)) }
    if normSquares.count < rows { normSquares = [Double](repeating: 0, count: rows) }
  }

  /// The shifted rows U as a `rows`×`columns` matrix (a copy; for inspection and tests).
  public var matrix: Matrix {
    var result = Matrix(rows: rows, columns: columns)
    for i in 0 ..< rows {
      for j in 0 ..< columns { result.storage[i * columns + j] = values[i * (columns + 1) + j] }
    }
    return result
  }

  /// The squared row norms q_i = ‖u_i‖² of the current chunk (Float64).
  public var rowNormSquares: [Double] { Array(normSquares[0 ..< rows]) }
}
