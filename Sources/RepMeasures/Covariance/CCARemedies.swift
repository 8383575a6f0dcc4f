/// A measure of the CCA family, whose one NaN with a way out is "n too small" (rank X + rank Y ≥ n): they share
/// `CanonicalCorrelationCore.remedy`.
protocol CanonicalCorrelationRemedy: RemedyingMeasure {}

extension CanonicalCorrelationRemedy {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }
}

extension MeanCCA: CanonicalCorrelationRemedy {}
extension MeanSquaredCCA: CanonicalCorrelationRemedy {}
extension SVCCA: CanonicalCorrelationRemedy {}
extension FullSVCCA: CanonicalCorrelationRemedy {}
extension PWCCA: CanonicalCorrelationRemedy {}
extension ContraSimPWCCA: CanonicalCorrelationRemedy {}
