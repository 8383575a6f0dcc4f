import RepMath

/// Debiased linear CKA: CKA with the unbiased (U-statistic) HSIC estimator of Song et al. 2012 ("Feature Selection
/// via Dependence Maximization", JMLR), in the feature-space form of Kornblith et al.'s code. With X̃, Ỹ centered,
/// rₓ[i] = ‖X̃ᵢ‖², sₓ = Σ rₓ (likewise r_y, s_y) and
///
/// ```
/// h(t, a, b, s_a, s_b) = t − n/(n−2)·⟨a, b⟩ + s_a·s_b/((n−1)(n−2))
/// CKA_deb = h(‖X̃ᵀỸ‖²_F, rₓ, r_y, sₓ, s_y) / sqrt(h(‖X̃ᵀX̃‖²_F, rₓ, rₓ, sₓ, sₓ) · h(‖ỸᵀỸ‖²_F, r_y, r_y, s_y, s_y))
/// ```
///
/// Range ≤ 1 and can be < 0 (near 0 for independent data even when n ≪ d, where biased CKA is near 1), larger is more
/// similar, symmetric; the invariances of `cka`. NaN, checked in this order: "n < 4"; "constant representation";
/// "non-positive value under the square root" when either h in the denominator is ≤ 0 (each factor separately).
///
/// - Complexity: from the statistics, O(d₁² + d₂² + d₁·d₂).
public struct DebiasedLinearCKA: GramMeasure, ParameterlessMeasure {
  public static let name = "cka.debiased"
  public static let summary =
    "Debiased linear CKA: unbiased HSIC (Song et al. 2012), feature-space form; needs n ≥ 4"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: true, isSymmetric: true, range: "≤ 1, can be < 0",
      invariances: [.orthogonal, .isotropicScaling, .translation, .rowPermutation])
  }

  public init() {}

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    guard x.rowCount >= 4 else { return .undefined(Self.tooFewRows) }
    if let constant = CanonicalCorrelationCore.constantCheck(x, y) { return constant }
    return Self.value(
      n: x.rowCount,
      cross: (cross.centeredCrossFrobeniusSquared(x, y), cross.centeredRowNormDot(x, y)),
      x: (x.centeredGramFrobeniusSquared, x.centeredRowNormDot, x.centeredRowNormSum),
      y: (y.centeredGramFrobeniusSquared, y.centeredRowNormDot, y.centeredRowNormSum))
  }

  /// From the centered Grams: ‖X̃ᵀỸ‖²_F = ⟨K̃, L̃⟩ and rₓ = diag K̃, the same quantities.
  public func similarity(_ x: CenteredGram, _ y: CenteredGram) throws -> MeasureValue {
    guard x.rowCount >= 4 else { return .undefined(Self.tooFewRows) }
    guard x.trace > 0, y.trace > 0 else { return .undefined(CanonicalCorrelationCore.constantReason) }
    return Self.value(
      n: x.rowCount, cross: (x.inner(y), x.diagonalDot(y)),
      x: (x.frobeniusNormSquared, x.diagonalDot(x), x.trace), y: (y.frobeniusNormSquared, y.diagonalDot(y), y.trace))
  }

  static let tooFewRows = "n < 4: debiased CKA needs at least 4 rows"

  /// The formula above from, for the pair, (‖X̃ᵀỸ‖²_F, ⟨rₓ, r_y⟩) and, for each side, (‖X̃ᵀX̃‖²_F, ⟨rₓ, rₓ⟩, sₓ).
  static func value(
    n count: Int, cross: (Double, Double), x: (Double, Double, Double), y: (Double, Double, Double)
  ) -> MeasureValue {
    let n = Double(count)
    func h(_ t: Double, _ dot: Double, _ sa: Double, _ sb: Double) -> Double {
      t - n / (n - 2) * dot + sa * sb / ((n - 1) * (n - 2))
    }
    let numerator = h(cross.0, cross.1, x.2, y.2)
    let hx = h(x.0, x.1, x.2, x.2)
    let hy = h(y.0, y.1, y.2, y.2)
    guard hx > 0, hy > 0 else { return .undefined("non-positive value under the square root") }
    return MeasureValue(numerator / (hx * hy).squareRoot())
  }
}
