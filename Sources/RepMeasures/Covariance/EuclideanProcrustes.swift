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
/// isotropic scaling and translation. NaN: "constant representation"; the round-off guard of `procrustes` (a
/// nuclear norm above 1 by less than 1e-6 is 1, a larger excess NaN).
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

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ProcrustesAlignment.nuclearNorm(x, y, cross: cross, measure: id).measureValue {
      MeasureValue((2 - 2 * $0).squareRoot())
    }
  }
}
