import RepMath

/// Euclidean Procrustes distance: the Frobenius distance between Ã = X̃/‖X̃‖_F and B̃ = Ỹ/‖Ỹ‖_F after the best
/// rotation of one onto the other,
///
/// ```
/// procrustes.euclidean(X, Y) = min_Q ‖Ã − B̃Q‖_F = sqrt(2 − 2‖ÃᵀB̃‖_*)
/// ```
///
/// (its square is the Procrustes distance of Ding, Denain & Steinhardt 2021, "Grounding Representation Similarity
/// with Statistical Testing", NeurIPS). Range [0, √2], a **distance**, symmetric; invariant to orthogonal maps,
/// isotropic scaling and translation. NaN: "constant representation"; the Float64 products and the proven round-off
/// guard of `procrustes` (sqrt(2 − 2c) magnifies near 0 as arccos does).
///
/// - Complexity: from the statistics, O(d₁·d₂·min(d₁, d₂)) flops.
public struct EuclideanProcrustes: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "procrustes.euclidean"
  public static let summary = "Euclidean Procrustes distance sqrt(2 − 2‖ÃᵀB̃‖_*) (square: Ding et al. 2021)"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: false, isSymmetric: true, range: "[0, √2]",
      invariances: [.orthogonal, .isotropicScaling, .translation])
  }

  public init() {}

  /// Float64 chunk products, as `procrustes`.
  public var productPrecision: ProductPrecision { .double }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ProcrustesAlignment.nuclearNorm(x, y, cross: cross, measure: id).measureValue {
      MeasureValue((2 - 2 * $0).squareRoot())
    }
  }
}
