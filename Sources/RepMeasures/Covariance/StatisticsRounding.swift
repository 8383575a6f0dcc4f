import RepMath

/// Proven bounds on the rounding in the centered second moments a pair of statistics gives: how far the computed
/// X̃ᵀỸ, X̃ᵀX̃, ỸᵀỸ and their traces can be from the exact ones of the data the statistics saw (the Float32 shifted rows
/// u_i = x_i − c, which are the data up to one Float32 rounding of each entry).
///
/// With Q_x = Σ‖u_i‖² (`shiftedNormSquareSum`), u₆₄ = 2⁻⁵³ and g the error factor of the chunk products, every bound
/// is first order in u with a factor 1.1 that covers the second-order terms (n·u₃₂ ≤ 0.01 is checked):
///
/// ```
/// g (Float64 products)        = γₙ                             every term exact, one Float64 sum of n terms
/// g (Float32 products, r rows) = γ₃₂(r) + γₙ·(1 + γ₃₂(r))       a Float32 sum per chunk, widened, then summed
/// ‖ΔX̃ᵀỸ‖_F ≤ 1.1·(g + 2γₙ + 8u₆₄)·sqrt(Q_x·Q_y)
/// ‖ΔX̃ᵀX̃‖_F ≤ 1.1·(g + 2γₙ + 8u₆₄)·Q_x
/// |Δ tr X̃ᵀX̃| ≤ 1.1·(g + 2γₙ + 2γ_d + 8u₆₄)·Q_x
/// ```
///
/// Why: an entry Σ_t u_ti v_tj of the shifted product is off by at most g·Σ_t|u_ti||v_tj| (Higham 2002, §3.1, any
/// summation order, fused or not), and ‖|U|ᵀ|V|‖_F ≤ ‖U‖_F‖V‖_F (Cauchy–Schwarz per entry). The centering subtracts
/// n·āᵢb̄ⱼ with āᵢ = Σ_t u_ti/n summed in Float64: its error is at most (2γₙ + 4u₆₄)·n·Aᵢ·Bⱼ with Aᵢ = Σ_t|u_ti|/n, and
/// n·Aᵢ·Bⱼ ≤ ‖U e_i‖·‖V e_j‖ (Cauchy–Schwarz again), whose Frobenius norm over i, j is sqrt(Q_x·Q_y); the subtraction
/// itself adds u₆₄·(|C_ij| + n|āᵢ||b̄ⱼ|). A trace sums d such diagonal entries (γ_d). The shift makes Q_x close to
/// tr X̃ᵀX̃ (the first chunk's means are near the column means), so these bounds are relative in practice.
struct StatisticsRounding {
  /// Bound on ‖computed − exact‖_F of X̃ᵀỸ.
  var cross: Double
  /// Bounds on ‖computed − exact‖_F of X̃ᵀX̃ and ỸᵀỸ.
  var xGram: Double
  var yGram: Double
  /// Bounds on |computed − exact| of tr X̃ᵀX̃ and tr ỸᵀỸ.
  var xTrace: Double
  var yTrace: Double

  init(_ x: ColumnStatistics, _ y: ColumnStatistics, cross statistics: CrossStatistics) {
    let n = max(x.rowCount, 1)
    let unit = ProductPrecision.double.unitRoundoff
    let gammaN = ProductPrecision.double.gamma(n)
    func productFactor(_ precision: ProductPrecision, chunkRows: Int) -> Double {
      if precision == .double { return gammaN }
      let chunk = ProductPrecision.single.gamma(max(chunkRows, 1))
      return chunk + gammaN * (1 + chunk)
    }
    let gx = productFactor(x.productPrecision, chunkRows: x.largestChunkRowCount)
    let gy = productFactor(y.productPrecision, chunkRows: y.largestChunkRowCount)
    let gxy = productFactor(statistics.productPrecision, chunkRows: statistics.largestChunkRowCount)
    let (qx, qy) = (x.shiftedNormSquareSum, y.shiftedNormSquareSum)
    // Beyond n·u₃₂ = 0.01 the first-order factor 1.1 no longer covers the second-order terms.
    let valid = max(gx, gy, gxy) < 0.01
    let margin = valid ? 1.1 : Double.infinity
    self.cross = margin * (gxy + 2 * gammaN + 8 * unit) * (qx * qy).squareRoot()
    self.xGram = margin * (gx + 2 * gammaN + 8 * unit) * qx
    self.yGram = margin * (gy + 2 * gammaN + 8 * unit) * qy
    let gammaX = ProductPrecision.double.gamma(x.columnCount)
    let gammaY = ProductPrecision.double.gamma(y.columnCount)
    self.xTrace = margin * (gx + 2 * gammaN + 2 * gammaX + 8 * unit) * qx
    self.yTrace = margin * (gy + 2 * gammaN + 2 * gammaY + 8 * unit) * qy
  }
}

/// A cosine ⟨A, B⟩-like ratio N/sqrt(tₓ·t_y) whose exact value lies in [−1, 1] (a nuclear norm ‖AᵀB‖_* or a matched
/// trace tr(AᵀBP) against ‖A‖_F‖B‖_F, by Cauchy–Schwarz), with the rounding guard of the Procrustes family: a computed
/// value beyond ±1 by no more than its proven rounding bound is ±1, and beyond it NaN with the reason, never clamped.
enum BoundedCosine {
  /// The computed numerator N̂ and squared norms t̂ₓ, t̂_y, with bounds on their absolute errors.
  struct Computed {
    var numerator: Double
    var numeratorError: Double
    var xNormSquared: Double
    var xNormError: Double
    var yNormSquared: Double
    var yNormError: Double
  }

  /// The proven bound B on |computed cosine| − 1 when the exact cosine lies in [−1, 1]:
  ///
  /// ```
  /// B = [sqrt((1 + eₓ/t̂ₓ)(1 + e_y/t̂_y)) + e_N/sqrt(t̂ₓ·t̂_y)]·(1 + 4u) − 1
  /// ```
  ///
  /// (|N| ≤ sqrt(tₓt_y) ≤ sqrt((t̂ₓ + eₓ)(t̂_y + e_y)) and |N̂| ≤ |N| + e_N; the division, product and square root
  /// round at most 4 times.) Infinite when a squared norm is within its error of 0.
  static func roundingBound(_ c: Computed) -> Double {
    let unit = ProductPrecision.double.unitRoundoff
    guard c.xNormSquared > c.xNormError, c.yNormSquared > c.yNormError else { return .infinity }
    let normalizer = (c.xNormSquared * c.yNormSquared).squareRoot()
    let traces = ((1 + c.xNormError / c.xNormSquared) * (1 + c.yNormError / c.yNormSquared)).squareRoot()
    return (traces + c.numeratorError / normalizer) * (1 + 4 * unit) - 1
  }

  /// The cosine in [−1, 1], or why it is undefined.
  static func cosine(_ c: Computed) -> Result<Double, UndefinedMeasure> {
    let value = c.numerator / (c.xNormSquared * c.yNormSquared).squareRoot()
    if abs(value) <= 1 { return .success(value) }
    let bound = roundingBound(c)
    if abs(value) - 1 <= bound { return .success(value > 0 ? 1 : -1) }
    return .failure(UndefinedMeasure(
      "cosine \(value) beyond ±1 by \(abs(value) - 1), more than its rounding bound \(bound)"))
  }

  /// The error bound of a nuclear norm N̂ = Σ σ̂ᵢ computed by `dgesdd` from a k×p' matrix W whose error is at most
  /// `matrixError` in Frobenius norm:
  ///
  /// ```
  /// e_N = sqrt(k)·‖ΔW‖_F + k·p·u·σ̂₁ + k·u·N̂
  /// ```
  ///
  /// (‖ΔW‖_* ≤ sqrt(k)·‖ΔW‖_F and the nuclear norm is a norm; then the SVD; then the sum of k values), with k the
  /// smaller and p the larger dimension of W. The SVD term is LAPACK's documented bound for the singular values,
  /// |σ̂ᵢ − σᵢ| ≤ p(m, n)·u·σ₁ (LAPACK Users' Guide, 3rd ed., §4.9.1), with p(m, n) taken as max(m, n): LAPACK calls p
  /// "a modestly growing function" without a constant, so this one term rests on LAPACK's error analysis.
  static func nuclearNormError(singularValues: [Double], largestDimension: Int, matrixError: Double) -> Double {
    let unit = ProductPrecision.double.unitRoundoff
    let k = Double(singularValues.count)
    let nuclear = singularValues.reduce(0, +)
    let largest = singularValues.first ?? 0
    return k.squareRoot() * matrixError + k * Double(largestDimension) * unit * largest + k * unit * nuclear
  }
}
