import RepMath

/// Projection-weighted CCA (Morcos, Raghu & Bengio 2018, "Insights on representational similarity in neural networks
/// with canonical correlation", NeurIPS), weights from the first input:
///
/// ```
/// aᵢ = Σxx^(-1/2) uᵢ        the i-th canonical weight vector (uᵢ: left singular vectors of T, see CCACore)
/// hᵢ = X̃ aᵢ                the i-th canonical variate of X
/// αᵢ = Σⱼ |⟨hᵢ, x̃ⱼ⟩|       over the columns x̃ⱼ of X̃, i.e. the row sums of |AᵀX̃ᵀX̃|
/// PWCCA = Σᵢ αᵢρᵢ / Σᵢ αᵢ   over the k = min(r_x, r_y) canonical correlations
/// ```
///
/// Works for any widths. Range [0, 1], larger is more similar, **not symmetric** (the weights come from X); invariant
/// to isotropic scaling and translation (not to orthogonal maps: the weights sum over X's own columns). NaN:
/// "constant representation"; "n too small" when r_x + r_y > n − 1. Unlike `pwcca.contrasim`, the directions are
/// the textbook canonical variates (with Σxx^(-1/2), centered, no means added back).
///
/// - Complexity: from the statistics, O(d₁³ + d₂³ + d₁·d₂·(d₁ + d₂)) flops.
public struct PWCCA: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "pwcca"
  public static let summary =
    "Projection-weighted CCA (Morcos et al. 2018): ρ weighted by the first input's canonical variates; asymmetric"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: true, isSymmetric: false, range: "[0, 1]", invariances: [.isotropicScaling, .translation])
  }

  public init() {}

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try CanonicalCorrelationCore.analyse(x, y, cross: cross, measure: id).measureValue { analysis in
      // ⟨hᵢ, x̃ⱼ⟩ = (Aᵀ X̃ᵀX̃)ᵢⱼ: the variates are never formed over n.
      let projections = BLAS.product(analysis.xWeights, .transposed, x.centeredGram)
      let d = projections.columns
      var weighted = 0.0
      var total = 0.0
      for (i, rho) in analysis.correlations.enumerated() {
        var alpha = 0.0
        for j in 0 ..< d { alpha += abs(projections.storage[i * d + j]) }
        weighted += alpha * rho
        total += alpha
      }
      return MeasureValue(weighted / total)
    }
  }
}
