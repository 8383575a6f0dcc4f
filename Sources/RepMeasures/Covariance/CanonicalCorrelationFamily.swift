import RepMath

/// A measure of the CCA family. They share two things:
/// - their one NaN with a way out, "n too small" (rank X + rank Y ≥ n), and its `CanonicalCorrelationCore.remedy`;
/// - Float64 chunk products. Whitening divides by the square roots of the covariance's eigenvalues, so a direction
///   kept just above the rank cut magnifies the ~1e-7 relative error of Float32 products many times. On the shipped
///   digits layers that moved `cca.mean` 1.7e-5 and `pwcca` 1.4e-3 away from Float64 peers.
protocol CanonicalCorrelationFamily: RemedyingMeasure, StatisticsMeasure {}

extension CanonicalCorrelationFamily {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }

  public var productPrecision: ProductPrecision { .double }
}

extension MeanCCA: CanonicalCorrelationFamily {}
extension MeanSquaredCCA: CanonicalCorrelationFamily {}
extension SVCCA: CanonicalCorrelationFamily {}
extension FullSVCCA: CanonicalCorrelationFamily {}
extension PWCCA: CanonicalCorrelationFamily {}
extension ContraSimPWCCA: CanonicalCorrelationFamily {}
