import Foundation
import RepMath

/// Permutation Procrustes distance (Williams et al. 2021; netrep's `PermutationMetric(score_method="angular")`): the
/// angle between the centered representations after matching units one to one,
///
/// ```
/// procrustes.permutation(X, Y) = arccos( max_π Σᵢ (X̃ᵀỸ)_{i,π(i)} / (‖X̃‖_F ‖Ỹ‖_F) )
/// ```
///
/// with π an injective matching of the min(d₁, d₂) units of the narrower side to units of the wider one, found by
/// linear assignment on the cross product X̃ᵀỸ (`LinearAssignment`, maximising). Different widths follow netrep's
/// `zero_pad=True`: the narrower side is padded with zero units, which are matched to the wider side's leftover units
/// and add nothing, the same value as the rectangular assignment. Not centered data would be netrep's
/// `center_columns=False`; repstore always centers.
///
/// Range [0, π] (the matched sum can be negative), a **distance**, symmetric; invariant to permutations of the units
/// (not to rotations), isotropic scaling and translation. NaN: "constant representation"; Float64 products and the
/// proven round-off guard of `procrustes`, with the matched sum's error bounded by sqrt(k)·‖ΔX̃ᵀỸ‖_F + k·u·Σ|matched|.
///
/// - Complexity: from the statistics, O(k²·max(d₁, d₂)) comparisons for the assignment, k = min(d₁, d₂).
public struct PermutationProcrustes: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "procrustes.permutation"
  public static let summary =
    "Angular distance after matching units by linear assignment on X̃ᵀỸ (netrep PermutationMetric)"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: false, isSymmetric: true, range: "[0, π]",
      invariances: [.unitPermutation, .isotropicScaling, .translation])
  }

  public init() {}

  public var productPrecision: ProductPrecision { .double }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    if let constant = CanonicalCorrelationCore.constantCheck(x, y) { return constant }
    let m = cross.centeredCross(x, y)
    let matches = LinearAssignment.solve(m, maximize: true)
    var matched = 0.0
    var magnitude = 0.0
    for (i, j) in matches {
      matched += m[i, j]
      magnitude += abs(m[i, j])
    }
    let rounding = StatisticsRounding(x, y, cross: cross)
    let k = Double(matches.count)
    let cosine = BoundedCosine.cosine(BoundedCosine.Computed(
      numerator: matched,
      numeratorError: k.squareRoot() * rounding.cross + k * ProductPrecision.double.unitRoundoff * magnitude,
      xNormSquared: x.centeredGramTrace, xNormError: rounding.xTrace,
      yNormSquared: y.centeredGramTrace, yNormError: rounding.yTrace))
    return try cosine.measureValue { MeasureValue(acos($0)) }
  }
}
