/// A measure that can say what would work instead when it is undefined (NaN) for a reason of its own. A table whose
/// every cell is NaN for one reason says so once, with the way out, rather than leaving the user with a grid of NaN.
public protocol RemedyingMeasure: SimilarityMeasure {
  /// A short suggestion ("svcca(k=20) or cka work with n < 2·d") for `rowCount` examples on which this measure gave
  /// NaN with `reason`; nil when it knows none for that reason.
  func remedy(forReason reason: String, rowCount: Int) -> String?
}

extension MeasureRegistry {
  /// What the measure `id` names suggests for `reason` at `rowCount` examples; nil when it knows nothing better or
  /// the registry does not build it (the learned measures).
  public static func remedy(for id: MeasureID, reason: String, rowCount: Int) -> String? {
    guard let measure = (try? make(id)) as? any RemedyingMeasure else { return nil }
    return measure.remedy(forReason: reason, rowCount: rowCount)
  }
}
