/// The CCA family's one NaN with a way out, "n too small" (rank X + rank Y ≥ n): `CanonicalCorrelationCore.remedy`.
extension MeanCCA: RemedyingMeasure {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }
}

extension MeanSquaredCCA: RemedyingMeasure {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }
}

extension SVCCA: RemedyingMeasure {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }
}

extension FullSVCCA: RemedyingMeasure {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }
}

extension PWCCA: RemedyingMeasure {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }
}

extension ContraSimPWCCA: RemedyingMeasure {
  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    CanonicalCorrelationCore.remedy(forReason: reason, rowCount: rowCount)
  }
}
