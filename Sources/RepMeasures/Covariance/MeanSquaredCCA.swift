import RepMath

/// Mean squared canonical correlation (Yanai's R²): (1/k) Σᵢ ρᵢ² over the k = min(r_x, r_y) canonical correlations,
/// with the rank handling of `CanonicalCorrelationCore` (docs/measures.md). The centered value: the Kornblith et al.
/// colab's 0.54312 on its example uses the QR of the uncentered inputs; this gives 0.545396 there.
///
/// Range [0, 1], larger is more similar, symmetric; invariant to invertible linear maps of either side and to
/// translation. NaN: "constant representation"; "n too small" when r_x + r_y > n − 1.
///
/// - Complexity: from the statistics, O(d₁³ + d₂³ + d₁·d₂·(d₁ + d₂)) flops.
public struct MeanSquaredCCA: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "cca.r2"
  public static let summary = "Mean squared canonical correlation (1/k)Σρᵢ² (Yanai's R²), rank cut as cca.mean"

  public var properties: MeasureProperties { CanonicalCorrelationCore.meanProperties }

  public init() {}

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    if let constant = CanonicalCorrelationCore.constantCheck(x, y) { return constant }
    return try CanonicalCorrelationCore.squaredCorrelationSum(
      x, y, crossCovariance: cross.crossCovariance(x, y), measure: id
    ).measureValue { squares in
      MeasureValue(squares.sum / Double(squares.count))
    }
  }
}
