/// Streaming cross statistics of a pair of aligned matrices X (n×d₁) and Y (n×d₂), fed in shifted chunks.
///
/// With the shifted rows u_i = x_i − cₓ and v_i = y_i − c_y of the two sides' `ColumnStatistics` (their shifts are
/// recorded here on the first chunk), q_i = ‖u_i‖² and p_i = ‖v_i‖², the statistics kept are
///
/// ```
/// n          rowCount
/// Σ u_i v_iᵀ shiftedCross (C)                  Float64 d₁×d₂
/// Σ q_i p_i  shiftedNormSquareProductSum       Float64
/// Σ q_i v_i  yWeightedByXNormSquares           Float64 d₂
/// Σ p_i u_i  xWeightedByYNormSquares           Float64 d₁
/// ```
///
/// Together with the two sides' `ColumnStatistics` they give `centeredCross` X̃ᵀỸ = C − n·m̄ₓm̄_yᵀ,
/// `crossCovariance` X̃ᵀỸ/(n−1) and `centeredRowNormDot` Σᵢ rₓ[i]·r_y[i] (the inner product of the centered row
/// norms that debiased CKA needs), all by exact algebra.
///
/// **Arithmetic.** Per chunk, one `sgemm` in Float32 (sums of at most `chunkRows` terms) of the chunks with their norms
/// appended, [U q]ᵀ[V p], gives UᵀV and the two weighted sums Σ q_i v_i and Σ p_i u_i at once; they are widened and
/// added into Float64 from chunk to chunk. Σ q_i p_i is summed in Float64 throughout. (The weighted sums enter only
/// multiplied by the small shifted means, so Float32 per chunk costs them nothing that shows; computing them in Float64
/// by hand cost 15% of the pair's time.) The accuracy is that of `ColumnStatistics` (about 1e-6 relative to a Float64
/// computation on well-conditioned data; Σ rₓr_y measured to 1e-11), and results depend only on the sequence of chunks.
///
/// **X with itself** costs nothing: `init(diagonalOf:)` builds the pair from X's own statistics (C = S).
///
/// - Complexity: per chunk of r rows, 2·r·d₁·d₂ flops (`sgemm`) plus O(r·(d₁ + d₂) + d₁·d₂); memory O(d₁·d₂).
public struct CrossStatistics: Sendable, Equatable {
  /// The number of columns d₁ of X.
  public let xColumnCount: Int
  /// The number of columns d₂ of Y.
  public let yColumnCount: Int
  /// X's shift cₓ, recorded from the first chunk; `nil` before it.
  public private(set) var xShift: [Float]?
  /// Y's shift c_y, recorded from the first chunk; `nil` before it.
  public private(set) var yShift: [Float]?
  /// The number of rows n accumulated so far.
  public private(set) var rowCount = 0
  /// The precision of the chunk products C came from: `.single` (`sgemm`, the default) or `.double` (`dgemm`).
  public private(set) var productPrecision = ProductPrecision.single
  /// The most rows one chunk product summed.
  public private(set) var largestChunkRowCount = 0
  /// C = Σ u_i v_iᵀ (Float64 d₁×d₂).
  public var shiftedCross: DoubleMatrix { crossSums ?? DoubleMatrix(rows: xColumnCount, columns: yColumnCount) }
  /// C, allocated by the first chunk (which writes every element): a table's statistics for all pairs, made in
  /// advance, then cost no pass over their memory before the first chunk.
  private var crossSums: DoubleMatrix?
  /// Σ q_i p_i = Σ ‖u_i‖²‖v_i‖² (Float64).
  public private(set) var shiftedNormSquareProductSum = 0.0
  /// Σ q_i v_i: Y's shifted rows weighted by X's squared shifted norms (Float64, d₂).
  public private(set) var yWeightedByXNormSquares: [Double]
  /// Σ p_i u_i: X's shifted rows weighted by Y's squared shifted norms (Float64, d₁).
  public private(set) var xWeightedByYNormSquares: [Double]

  /// Creates empty statistics for X with `xColumnCount` columns and Y with `yColumnCount`.
  ///
  /// - Precondition: both counts ≥ 0.
  public init(xColumnCount: Int, yColumnCount: Int) {
    precondition(xColumnCount >= 0 && yColumnCount >= 0,
                 "CrossStatistics: negative column count \(xColumnCount), \(yColumnCount)")
    self.xColumnCount = xColumnCount
    self.yColumnCount = yColumnCount
    self.yWeightedByXNormSquares = [Double](repeating: 0, count: yColumnCount)
    self.xWeightedByYNormSquares = [Double](repeating: 0, count: xColumnCount)
  }

  /// The pair (X, X), from X's statistics alone: C = S, Σ q·p = Σ q², both weighted sums = Σ q u.
  ///
  /// - Complexity: O(d²) copies, no pass over the rows.
  public init(diagonalOf x: ColumnStatistics) {
    self.xColumnCount = x.columnCount
    self.yColumnCount = x.columnCount
    self.xShift = x.shift
    self.yShift = x.shift
    self.rowCount = x.rowCount
    self.productPrecision = x.productPrecision
    self.largestChunkRowCount = x.largestChunkRowCount
    self.crossSums = x.rowCount > 0 ? x.shiftedGram : nil
    self.shiftedNormSquareProductSum = x.shiftedNormFourthSum
    self.yWeightedByXNormSquares = x.shiftedNormSquareWeightedSum
    self.xWeightedByYNormSquares = x.shiftedNormSquareWeightedSum
  }

  /// The cross statistics of two whole matrices, fed through a `RowChunker` in chunks of `chunkRows` rows, together
  /// with each side's `ColumnStatistics`.
  ///
  /// - Precondition: `x.rows == y.rows`.
  /// - Complexity: n·(d₁² + d₂² + 2·d₁·d₂) flops.
  public static func accumulating(
    _ x: Matrix, _ y: Matrix, chunkRows: Int = RowChunker.defaultChunkRows
  ) -> (x: ColumnStatistics, y: ColumnStatistics, cross: CrossStatistics) {
    precondition(x.rows == y.rows, "CrossStatistics: \(x.rows) rows against \(y.rows)")
    let joint = JointStatistics([x, y], chunkRows: chunkRows)
    return (joint.columnStatistics[0], joint.columnStatistics[1], joint.cross(0, 1))
  }

  /// Adds one chunk: the same rows of X and Y, shifted by their `ColumnStatistics` (in any order before this call).
  ///
  /// - Precondition: equal row counts, widths matching this pair, and the same shifts as earlier chunks.
  /// - Complexity: 2·r·d₁·d₂ flops (`sgemm`) plus O(r·(d₁ + d₂) + d₁·d₂); a (d₁+1)×(d₂+1) Float32 scratch is
  ///   allocated per call (`JointStatistics` reuses one instead).
  public mutating func accumulate(_ x: ShiftedChunk, _ y: ShiftedChunk) {
    withFloatScratch(count: (xColumnCount + 1) * (yColumnCount + 1)) { product in
      accumulate(x, y, product: product)
    }
  }

  /// `accumulate(_:_:)` with a caller's Float32 scratch of at least (d₁+1)·(d₂+1) elements for the product.
  mutating func accumulate(_ x: ShiftedChunk, _ y: ShiftedChunk, product: UnsafeMutableBufferPointer<Float>) {
    precondition(x.rows == y.rows, "CrossStatistics.accumulate: chunks of \(x.rows) and \(y.rows) rows")
    precondition(x.columns == xColumnCount && y.columns == yColumnCount,
                 "CrossStatistics.accumulate: chunks of \(x.columns) and \(y.columns) columns for a "
                   + "\(xColumnCount)×\(yColumnCount) pair")
    let rows = x.rows
    guard rows > 0 else { return }
    let (d1, d2) = (xColumnCount, yColumnCount)
    precondition(product.count >= (d1 + 1) * (d2 + 1), "CrossStatistics.accumulate: scratch too small")
    x.values.withUnsafeBufferPointer { u in
      y.values.withUnsafeBufferPointer { v in
        BLAS.gemm(.transposed, .none, m: d1 + 1, n: d2 + 1, k: rows, alpha: 1, a: u.baseAddress, lda: d1 + 1,
                  b: v.baseAddress, ldb: d2 + 1, beta: 0, c: product.baseAddress, ldc: d2 + 1)
      }
    }
    x.normSquares.withUnsafeBufferPointer { q in
      y.normSquares.withUnsafeBufferPointer { p in
        // The last column holds Σ p_i u_i, the last row Σ q_i v_i.
        let block = UnsafePointer(product.baseAddress!)
        addProduct(block, stride: d2 + 1, rows: rows, xNormSquares: q.baseAddress!, yNormSquares: p.baseAddress!,
                   xWeighted: StridedFloats(block + d2, stride: d2 + 1),
                   yWeighted: StridedFloats(block + d1 * (d2 + 1), stride: 1), xShift: x.shift, yShift: y.shift)
      }
    }
  }

  /// Adds one chunk from products computed by the caller: UᵀV, a d₁×d₂ block at `product` whose rows are `stride`
  /// floats apart; the chunk's Σ p_i u_i (d₁) and Σ q_i v_i (d₂) in Float32; and both sides' q_i, p_i of its `rows`
  /// rows (Σ q_i p_i is summed here in Float64).
  /// - Precondition: the same shifts as earlier chunks.
  mutating func addProduct(
    _ product: UnsafePointer<Float>, stride: Int, rows: Int, xNormSquares q: UnsafePointer<Double>,
    yNormSquares p: UnsafePointer<Double>, xWeighted: StridedFloats, yWeighted: StridedFloats, xShift: [Float],
    yShift: [Float]
  ) {
    addProduct(rows: rows, xNormSquares: q, yNormSquares: p, xWeighted: xWeighted, yWeighted: yWeighted,
               xShift: xShift, yShift: yShift, precision: .single) { [d1 = xColumnCount, d2 = yColumnCount] c, first in
      addWidened(product, sourceStride: stride, into: c, rows: d1, columns: d2, first: first)
    }
  }

  /// `addProduct(_:stride:…)` with C updated by `addCross(c, first)`, which must add this chunk's UᵀV into C (or set
  /// it, when `first`), computed in `precision`.
  /// - Precondition: the same shifts and precision as earlier chunks.
  mutating func addProduct(
    rows: Int, xNormSquares q: UnsafePointer<Double>, yNormSquares p: UnsafePointer<Double>,
    xWeighted: StridedFloats, yWeighted: StridedFloats, xShift: [Float], yShift: [Float], precision: ProductPrecision,
    addCross: (UnsafeMutableBufferPointer<Double>, Bool) -> Void
  ) {
    guard rows > 0 else { return }
    precondition(rowCount == 0 || productPrecision == precision, "CrossStatistics: chunk products of mixed precision")
    productPrecision = precision
    largestChunkRowCount = max(largestChunkRowCount, rows)
    if let knownX = self.xShift, let knownY = self.yShift {
      precondition(knownX == xShift && knownY == yShift, "CrossStatistics.accumulate: the shifts changed")
    } else {
      self.xShift = xShift
      self.yShift = yShift
    }
    rowCount += rows
    let (d1, d2) = (xColumnCount, yColumnCount)
    for i in 0 ..< rows { shiftedNormSquareProductSum += q[i] * p[i] }
    let first = crossSums == nil
    if first { crossSums = DoubleMatrix.unset(rows: d1, columns: d2) }
    crossSums!.storage.withUnsafeMutableBufferPointer { c in addCross(c, first) }
    for j in 0 ..< d2 { yWeightedByXNormSquares[j] += Double(yWeighted[j]) }
    for i in 0 ..< d1 { xWeightedByYNormSquares[i] += Double(xWeighted[i]) }
  }

  /// The same statistics with the sides swapped: the pair (Y, X).
  ///
  /// - Complexity: O(d₁·d₂).
  public func transposed() -> CrossStatistics {
    var swapped = CrossStatistics(xColumnCount: yColumnCount, yColumnCount: xColumnCount)
    swapped.xShift = yShift
    swapped.yShift = xShift
    swapped.rowCount = rowCount
    swapped.productPrecision = productPrecision
    swapped.largestChunkRowCount = largestChunkRowCount
    swapped.crossSums = crossSums?.transposed()
    swapped.shiftedNormSquareProductSum = shiftedNormSquareProductSum
    swapped.yWeightedByXNormSquares = xWeightedByYNormSquares
    swapped.xWeightedByYNormSquares = yWeightedByXNormSquares
    return swapped
  }
}

// MARK: - Derived statistics

extension CrossStatistics {
  /// X̃ᵀỸ = C − n·m̄ₓm̄_yᵀ, the cross product of the column-centered matrices (Float64 d₁×d₂).
  ///
  /// - Parameters: `x`, `y`: the two sides' statistics over the same rows.
  /// - Precondition: the row counts and shifts match this pair's.
  /// - Complexity: O(d₁·d₂).
  public func centeredCross(_ x: ColumnStatistics, _ y: ColumnStatistics) -> DoubleMatrix {
    checkSides(x, y)
    let (d1, d2) = (xColumnCount, yColumnCount)
    let n = Double(rowCount)
    let a = x.shiftedMean
    let b = y.shiftedMean
    var cross = shiftedCross
    for i in 0 ..< d1 {
      for j in 0 ..< d2 { cross.storage[i * d2 + j] -= n * a[i] * b[j] }
    }
    return cross
  }

  /// ‖X̃ᵀỸ‖²_F, the squared Frobenius norm of `centeredCross(x, y)`, in one pass without forming the matrix.
  ///
  /// - Precondition: the row counts and shifts match this pair's.
  /// - Complexity: O(d₁·d₂), no allocation beyond the two means.
  public func centeredCrossFrobeniusSquared(_ x: ColumnStatistics, _ y: ColumnStatistics) -> Double {
    checkSides(x, y)
    let (d1, d2) = (xColumnCount, yColumnCount)
    let n = Double(rowCount)
    let a = x.shiftedMean
    let b = y.shiftedMean
    return shiftedCross.storage.withUnsafeBufferPointer { c in
      b.withUnsafeBufferPointer { b in
        // Four running sums keep the loop from waiting on one addition chain.
        var sums = (0.0, 0.0, 0.0, 0.0)
        for i in 0 ..< d1 {
          let scale = n * a[i]
          let row = i * d2
          var j = 0
          while j + 4 <= d2 {
            let e0 = c[row + j] - scale * b[j], e1 = c[row + j + 1] - scale * b[j + 1]
            let e2 = c[row + j + 2] - scale * b[j + 2], e3 = c[row + j + 3] - scale * b[j + 3]
            sums.0 += e0 * e0
            sums.1 += e1 * e1
            sums.2 += e2 * e2
            sums.3 += e3 * e3
            j += 4
          }
          while j < d2 {
            let e = c[row + j] - scale * b[j]
            sums.0 += e * e
            j += 1
          }
        }
        return (sums.0 + sums.1) + (sums.2 + sums.3)
      }
    }
  }

  /// The sample cross-covariance X̃ᵀỸ/(n − 1) (Float64 d₁×d₂); not finite when n < 2.
  ///
  /// - Precondition: the row counts and shifts match this pair's.
  /// - Complexity: O(d₁·d₂).
  public func crossCovariance(_ x: ColumnStatistics, _ y: ColumnStatistics) -> DoubleMatrix {
    (1 / Double(rowCount - 1)) * centeredCross(x, y)
  }

  /// Σᵢ rₓ[i]·r_y[i], the inner product of the centered row norms rₓ[i] = ‖x_i − x̄‖², r_y[i] = ‖y_i − ȳ‖².
  ///
  /// With a = m̄ₓ, b = m̄_y the shifted means, α = ‖a‖², β = ‖b‖², rₓ[i] = q_i − 2·u_i·a + α and
  /// r_y[i] = p_i − 2·v_i·b + β, so, using Σu = n·a and Σv = n·b,
  ///
  /// ```
  /// Σ rₓ r_y = Σ q p − 2·b·(Σ q v) − 2·a·(Σ p u) + 4·aᵀCb + β·Σq + α·Σp − 3n·αβ
  /// ```
  ///
  /// Thanks to the shifts a and b are small, so the corrections do not cancel Σ q p away.
  /// - Precondition: the row counts and shifts match this pair's.
  /// - Complexity: O(d₁·d₂).
  public func centeredRowNormDot(_ x: ColumnStatistics, _ y: ColumnStatistics) -> Double {
    checkSides(x, y)
    let a = x.shiftedMean
    let b = y.shiftedMean
    let alpha = a.reduce(0) { $0 + $1 * $1 }
    let beta = b.reduce(0) { $0 + $1 * $1 }
    let bq = zip(b, yWeightedByXNormSquares).reduce(0) { $0 + $1.0 * $1.1 }
    let ap = zip(a, xWeightedByYNormSquares).reduce(0) { $0 + $1.0 * $1.1 }
    let quadratic = quadraticForm(a, shiftedCross, b)
    return shiftedNormSquareProductSum - 2 * bq - 2 * ap + 4 * quadratic
      + beta * x.shiftedNormSquareSum + alpha * y.shiftedNormSquareSum - 3 * Double(rowCount) * alpha * beta
  }

  private func checkSides(_ x: ColumnStatistics, _ y: ColumnStatistics) {
    precondition(x.columnCount == xColumnCount && y.columnCount == yColumnCount,
                 "CrossStatistics: sides of \(x.columnCount) and \(y.columnCount) columns for a "
                   + "\(xColumnCount)×\(yColumnCount) pair")
    precondition(x.rowCount == rowCount && y.rowCount == rowCount,
                 "CrossStatistics: sides of \(x.rowCount) and \(y.rowCount) rows for a pair of \(rowCount)")
    precondition(rowCount == 0 || (x.shift == xShift && y.shift == yShift),
                 "CrossStatistics: the sides' shifts differ from those the pair was accumulated with")
  }
}
