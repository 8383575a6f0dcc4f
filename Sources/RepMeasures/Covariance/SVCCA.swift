import RepMath

/// SVCCA (Raghu et al. 2017, "SVCCA: Singular Vector Canonical Correlation Analysis for Deep Learning Dynamics and
/// Interpretability", NeurIPS): per side, keep the top principal directions of X̃, project X̃ on them, then take the
/// mean canonical correlation (`cca.mean`) of the two projections.
///
/// Two ways to choose how many directions m each side keeps (docs/measures.md):
/// - `svcca(var=v)`, the default v = 0.99: the smallest m whose eigenvalues (clamped at 0) make up at least v of the
///   total variance;
/// - `svcca(k=m)`: the top m directions.
///
/// Either way m is capped at the side's rank-cut rank. The projections' second moments come from the statistics:
/// Gram V_mᵀ X̃ᵀX̃ V_m and cross V_mᵀ X̃ᵀỸ V'_m (V_m the top eigenvectors of the covariance).
///
/// Range [0, 1], larger is more similar, symmetric; invariant to orthogonal maps, isotropic scaling and translation
/// (not to general invertible maps: they change the principal directions). NaN: "constant representation"; "n too
/// small" when m_x + m_y > n − 1, the rank rule applied to the projections (so `svcca(k=2)` is defined at n = 8,
/// d = 12).
///
/// - Complexity: from the statistics, O(d₁³ + d₂³ + d₁·d₂·(d₁ + d₂)) flops.
public struct SVCCA: StatisticsMeasure, NamedMeasure {
  /// How many principal directions each side keeps.
  public enum Truncation: Sendable, Equatable {
    /// The smallest count explaining at least this fraction (0 < v ≤ 1) of the variance.
    case varianceFraction(Double)
    /// The top m directions (m ≥ 1).
    case count(Int)
  }

  public static let name = "svcca"
  public static let summary =
    "SVCCA: cca.mean of the top principal directions per side, by variance fraction var (default 0.99) or count k"
  public static var parameterSpecs: [ParameterSpec] {
    [
      ParameterSpec("var", default: "0.99", "fraction of the variance the kept directions explain, 0 < var ≤ 1"),
      ParameterSpec("k", default: "", "keep the top k directions per side instead (k ≥ 1; excludes var)"),
    ]
  }

  /// The rule this instance uses.
  public let truncation: Truncation

  /// - Precondition: a fraction in (0, 1] or a count ≥ 1.
  public init(_ truncation: Truncation = .varianceFraction(0.99)) {
    switch truncation {
    case .varianceFraction(let v): precondition(v > 0 && v <= 1, "SVCCA: variance fraction \(v) outside (0, 1]")
    case .count(let m): precondition(m >= 1, "SVCCA: count \(m) below 1")
    }
    self.truncation = truncation
  }

  public init(parameters: MeasureParameters) throws {
    if parameters.has("k") {
      if parameters.has("var") {
        throw MeasureError.badParameter(
          measure: parameters.measure, parameter: "k", message: "give either var or k, not both")
      }
      self.init(.count(try parameters.integer("k", default: 1, in: 1 ... Int.max)))
    } else {
      let v = try parameters.double("var", default: 0.99, in: 0 ... 1)
      guard v > 0 else {
        throw MeasureError.badParameter(
          measure: parameters.measure, parameter: "var", message: "'\(v)' is not in (0, 1]")
      }
      self.init(.varianceFraction(v))
    }
  }

  public var id: MeasureID {
    switch truncation {
    case .varianceFraction(let v): MeasureID(name: Self.name, parameters: ["var": canonicalNumber(v)])
    case .count(let m): MeasureID(name: Self.name, parameters: ["k": "\(m)"])
    }
  }

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
      invariances: [.orthogonal, .isotropicScaling, .translation])
  }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    if let constant = CanonicalCorrelationCore.constantCheck(x, y) { return constant }
    // Projecting X̃ on its top m principal directions V_m gives covariance Λ_m, so the projections' whitening basis is
    // the first m columns of the layer's own W = V Λ^(-1/2): SVCCA is the correlations route with truncated bases.
    let xSide = try x.whitening(measure: id)
    let ySide = try y.whitening(measure: id)
    let result = try CanonicalCorrelationCore.correlations(
      x, y, xColumns: keptCount(xSide), yColumns: keptCount(ySide), crossCovariance: cross.crossCovariance(x, y),
      measure: id)
    return try result.measureValue { correlations in
      MeasureValue(correlations.reduce(0, +) / Double(correlations.count))
    }
  }

  /// m for one side: by the truncation rule, capped at the side's rank.
  func keptCount(_ side: Whitening) -> Int {
    switch truncation {
    case .count(let m):
      return min(m, side.rank)
    case .varianceFraction(let v):
      let clamped = side.eigenvalues.map { max($0, 0) }
      let total = clamped.reduce(0, +)
      var cumulative = 0.0
      var m = clamped.count
      for (index, value) in clamped.enumerated() {
        cumulative += value
        if cumulative / total >= v {
          m = index + 1
          break
        }
      }
      return min(m, side.rank)
    }
  }
}
