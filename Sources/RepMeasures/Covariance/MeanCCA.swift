import RepMath

/// Mean canonical correlation: (1/k) Σᵢ ρᵢ over the k = min(r_x, r_y) canonical correlations of X and Y
/// (Hotelling 1936), with the rank handling of `CanonicalCorrelationCore` (docs/measures.md): directions with
/// λ ≤ 1e-10·λ_max dropped, ρ the singular values of Σxx^(-1/2) Σxy Σyy^(-1/2).
///
/// Range [0, 1], larger is more similar, symmetric; invariant to invertible linear maps of either side and to
/// translation. NaN: "constant representation"; "n too small" when r_x + r_y > n − 1 (n ≤ d is reported rather
/// than returning a meaningless 1).
///
/// - Complexity: from the statistics, O(d₁³ + d₂³ + d₁·d₂·(d₁ + d₂)) flops.
public struct MeanCCA: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "cca.mean"
  public static let summary = "Mean canonical correlation (1/k)Σρᵢ, rank cut 1e-10·λ_max, NaN when rank X + rank Y ≥ n"

  public var properties: MeasureProperties { CanonicalCorrelationCore.meanProperties }

  public init() {}

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try CanonicalCorrelationCore.correlations(x, y, cross: cross, measure: id).measureValue { correlations in
      MeasureValue(correlations.reduce(0, +) / Double(correlations.count))
    }
  }

  /// The canonical correlations ρ₁ ≥ … ≥ ρ_k themselves, or no correlations and the reason they are undefined.
  /// - Throws: `MeasureError.numerical` when LAPACK fails on the data.
  public func canonicalCorrelations(
    _ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics
  ) throws -> (correlations: [Double], reason: String?) {
    switch try CanonicalCorrelationCore.correlations(x, y, cross: cross, measure: id) {
    case .success(let correlations): (correlations, nil)
    case .failure(let undefined): ([], undefined.reason)
    }
  }
}
