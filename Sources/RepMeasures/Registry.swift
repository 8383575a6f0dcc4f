import RepSupport

/// Every measure repstore knows, by name, and how to build one from an id.
public enum MeasureRegistry {
  /// The measure types, in the order `repstore measures` lists them.
  public static let types: [any NamedMeasure.Type] = [
    LinearCKA.self, DebiasedLinearCKA.self, RBFCKA.self, DebiasedRBFCKA.self, MinibatchCKA.self, AngularCKA.self,
    MeanCCA.self, MeanSquaredCCA.self, SVCCA.self, FullSVCCA.self, PWCCA.self, ContraSimPWCCA.self,
    Procrustes.self, EuclideanProcrustes.self, ShapeMetric.self, EuclideanShapeMetric.self,
    PermutationProcrustes.self, NormalizedBuresSimilarity.self, BuresDistance.self,
    RidgePredictivity.self, RSA.self,
    MutualKNN.self, KNNJaccard.self, KNNRankSimilarity.self, SecondOrderCosine.self, CKNNA.self,
    Dot.self, Norm.self,
  ]

  /// Builds the measure an id names, checking its parameters.
  /// - Throws: `MeasureError.unknownMeasure` (with near names) or `.badParameter`.
  public static func make(_ id: MeasureID) throws -> any SimilarityMeasure {
    guard let type = types.first(where: { $0.name == id.name }) else {
      throw MeasureError.unknownMeasure(id.name, suggestions: suggestions(for: id.name))
    }
    let known = Set(type.parameterSpecs.map(\.name))
    if let unknown = id.parameters.keys.sorted().first(where: { !known.contains($0) }) {
      throw MeasureError.badParameter(
        measure: id.name, parameter: unknown,
        message: known.isEmpty
          ? "\(id.name) takes no parameters" : "unknown; \(id.name) takes \(known.sorted().joined(separator: ", "))")
    }
    return try type.init(parameters: MeasureParameters(measure: id.name, values: id.parameters))
  }

  /// Parses and builds a comma-separated list of ids (`cka,cca.mean,rsa(rdm=euclidean,compare=pearson)`); commas
  /// inside parentheses belong to the parameters.
  public static func make(list text: String) throws -> [any SimilarityMeasure] {
    var items: [String] = []
    var depth = 0
    var current = ""
    for character in text {
      if character == "(" { depth += 1 }
      if character == ")" { depth -= 1 }
      if character == ",", depth == 0 {
        items.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    items.append(current)
    return try items.map { try make(MeasureID(parsing: $0)) }
  }

  /// The measure names near `name`, nearest first: within an edit distance of max(2, its length / 3), or a prefix
  /// either way. Case is ignored, and a name equal to `name` but for case is the only one suggested (`CKA` finds
  /// `cka`).
  static func suggestions(for name: String) -> [String] {
    let names = types.map { $0.name }
    let lowered = name.lowercased()
    if names.contains(lowered) { return [lowered] }
    let scored = names.map { ($0, EditDistance.levenshteinIgnoringCase($0, name)) }
      .filter { $0.1 <= max(2, name.count / 3) }
    let prefixed = names.filter { $0.hasPrefix(lowered) || lowered.hasPrefix($0) }
    var result: [String] = []
    for candidate in scored.sorted(by: { $0.1 < $1.1 }).map(\.0) + prefixed where !result.contains(candidate) {
      result.append(candidate)
    }
    return Array(result.prefix(3))
  }
}
