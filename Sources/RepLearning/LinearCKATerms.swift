import RepMath

/// Biased linear CKA in feature-space form (spec §2.1) with the intermediate products its gradient reuses:
///
///     CKA = ‖ÃᵀB̃‖²_F / (‖ÃᵀÃ‖_F ‖B̃ᵀB̃‖_F),   Ã, B̃ column-centered.
///
/// The value is NaN when either side has no variance (0/0), as in the reference; nothing regularises.
struct LinearCKATerms {
  /// Ã, the column-centered left matrix (n×d₁).
  let left: DoubleMatrix
  /// B̃, the column-centered right matrix (n×d₂).
  let right: DoubleMatrix
  /// ÃᵀB̃ (d₁×d₂).
  let cross: DoubleMatrix
  /// ÃᵀÃ (d₁×d₁).
  let leftGram: DoubleMatrix
  /// B̃ᵀB̃ (d₂×d₂).
  let rightGram: DoubleMatrix
  /// ‖ÃᵀÃ‖_F.
  let leftGramNorm: Double
  /// ‖B̃ᵀB̃‖_F.
  let rightGramNorm: Double
  /// The CKA value.
  let value: Double

  /// The terms for aligned matrices `a` (n×d₁) and `b` (n×d₂).
  ///
  /// - Precondition: equal row counts, at least one.
  /// - Complexity: O(n·(d₁ + d₂)²) flops in `dgemm`/`dsyrk`, O((d₁ + d₂)²) memory beyond the centered copies.
  init(_ a: DoubleMatrix, _ b: DoubleMatrix) {
    precondition(a.rows == b.rows && a.rows >= 1, "linear CKA: \(a.rows) rows against \(b.rows)")
    left = Self.columnCentered(a)
    right = Self.columnCentered(b)
    cross = BLAS.product(left, .transposed, right, .none)
    leftGram = BLAS.gram(left)
    rightGram = BLAS.gram(right)
    leftGramNorm = leftGram.frobeniusNormSquared.squareRoot()
    rightGramNorm = rightGram.frobeniusNormSquared.squareRoot()
    value = cross.frobeniusNormSquared / (leftGramNorm * rightGramNorm)
  }

  /// dCKA/dA and dCKA/dB:
  ///
  ///     dCKA/dA = 2·B̃(ÃᵀB̃)ᵀ/(‖ÃᵀÃ‖‖B̃ᵀB̃‖) − 2·CKA·Ã(ÃᵀÃ)/‖ÃᵀÃ‖²,   and symmetrically for B.
  ///
  /// Both terms start with a centered matrix, so their columns already sum to zero: the backward pass of the
  /// centering (multiplying by I − 11ᵀ/n) leaves them unchanged and is skipped.
  /// - Complexity: O(n·(d₁ + d₂)²) flops in `dgemm`.
  func gradients() -> (left: DoubleMatrix, right: DoubleMatrix) {
    let pairScale = 2 / (leftGramNorm * rightGramNorm)
    var leftGradient = BLAS.product(left, .none, leftGram, .none)
    leftGradient = (-2 * value / (leftGramNorm * leftGramNorm)) * leftGradient
    BLAS.multiply(right, .none, cross, .transposed, alpha: pairScale, beta: 1, into: &leftGradient)
    var rightGradient = BLAS.product(right, .none, rightGram, .none)
    rightGradient = (-2 * value / (rightGramNorm * rightGramNorm)) * rightGradient
    BLAS.multiply(left, .none, cross, .none, alpha: pairScale, beta: 1, into: &rightGradient)
    return (leftGradient, rightGradient)
  }

  /// `matrix` with each column's mean subtracted, the means summed in Float64.
  static func columnCentered(_ matrix: DoubleMatrix) -> DoubleMatrix {
    var means = [Double](repeating: 0, count: matrix.columns)
    for i in 0 ..< matrix.rows {
      for j in 0 ..< matrix.columns { means[j] += matrix.storage[i * matrix.columns + j] }
    }
    for j in means.indices { means[j] /= Double(matrix.rows) }
    var centered = matrix
    for i in 0 ..< matrix.rows {
      for j in 0 ..< matrix.columns { centered.storage[i * matrix.columns + j] -= means[j] }
    }
    return centered
  }
}
