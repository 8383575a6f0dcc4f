import RepLearning
import RepMeasures
import RepStore

/// The measures that compare through a trained projection, built from a stored one.
package enum LearnedMeasures {
  /// Their names: `contrasim`, `contrasim.dist`, `deepdot`, `deepcka`.
  package static let names = Set(TrainingOptions.Objective.allCases.map(\.rawValue))

  /// The measures `ids`: those for which `projection` names a stored projection through it, the others from the
  /// registry.
  package static func measures(
    _ ids: [MeasureID], in store: Store, projection: (MeasureID) -> String?
  ) throws -> [any SimilarityMeasure] {
    try ids.map { id in
      guard let name = projection(id) else { return try MeasureRegistry.make(id) }
      return try make(id, projection: name, in: store)
    }
  }

  /// The error for a projection name the store does not hold, with the nearest names it does.
  package static func missing(_ name: String, in store: Store) throws -> QueryError {
    ProjectionNames.missing(name, among: try store.projections().map(\.name))
  }

  /// Measure `id` (one of `names`) through the projection stored as `name`.
  ///
  /// - Throws: `QueryError` (`.notFound`) when no projection has that name (the message lists those that exist).
  package static func make(_ id: MeasureID, projection name: String, in store: Store) throws -> any SimilarityMeasure {
    guard let stored = try store.projection(named: name) else { throw try missing(name, in: store) }
    let projection = try Projection(stored)
    let identity = "projection \(stored.id)"
    if id.name == "deepcka" {
      return ProjectedCKA(projectionName: name, projection: projection, contentIdentity: identity)
    }
    let form = ProjectedSimilarity.Form(rawValue: id.name) ?? .contrasim
    return ProjectedSimilarity(form: form, projectionName: name, projection: projection, contentIdentity: identity)
  }
}
