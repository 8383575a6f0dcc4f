import RepMath

/// Linear CKA (Kornblith et al. 2019, "Similarity of Neural Network Representations Revisited", ICML), feature-space
/// form with the biased HSIC:
///
/// ```
/// CKA(X, Y) = ‖X̃ᵀỸ‖²_F / (‖X̃ᵀX̃‖_F · ‖ỸᵀỸ‖_F),   X̃, Ỹ column-centered
/// ```
///
/// Range [0, 1], larger is more similar, symmetric; invariant to orthogonal maps and isotropic scaling of either
/// side, translation, and a row permutation applied to both. NaN ("constant representation") when either side has
/// every row equal (its centered Gram has trace 0). Equals the Gram form ⟨HKH, HLH⟩/(‖HKH‖‖HLH‖) with K = XXᵀ.
///
/// - Complexity: from the statistics, O(d₁² + d₂² + d₁·d₂); the statistics cost O(n·(d₁ + d₂)²) flops over row
///   chunks, O((d₁ + d₂)²) memory, accumulated in Float64.
public struct LinearCKA: GramMeasure, ParameterlessMeasure {
  public static let name = "cka"
  public static let summary =
    "Linear CKA ‖X̃ᵀỸ‖²_F/(‖X̃ᵀX̃‖_F‖ỸᵀỸ‖_F), biased HSIC, feature-space form (Kornblith et al. 2019)"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
      invariances: [.orthogonal, .isotropicScaling, .translation, .rowPermutation])
  }

  public init() {}

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    if let constant = CanonicalCorrelationCore.constantCheck(x, y) { return constant }
    return Self.value(
      cross: cross.centeredCrossFrobeniusSquared(x, y), x: x.centeredGramFrobeniusSquared,
      y: y.centeredGramFrobeniusSquared)
  }

  /// From the centered Grams: ⟨K̃, L̃⟩/(‖K̃‖_F‖L̃‖_F), the same quantities.
  public func similarity(_ x: CenteredGram, _ y: CenteredGram) throws -> MeasureValue {
    guard x.trace > 0, y.trace > 0 else { return .undefined(CanonicalCorrelationCore.constantReason) }
    return Self.value(cross: x.inner(y), x: x.frobeniusNormSquared, y: y.frobeniusNormSquared)
  }

  /// ‖X̃ᵀỸ‖²_F/(‖X̃ᵀX̃‖_F·‖ỸᵀỸ‖_F) from the three squared norms.
  static func value(cross: Double, x: Double, y: Double) -> MeasureValue {
    MeasureValue(cross / (x.squareRoot() * y.squareRoot()))
  }
}
