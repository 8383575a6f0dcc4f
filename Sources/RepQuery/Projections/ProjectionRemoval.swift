import RepMeasures
import RepStore

/// A stored table that compares through a projection (its measure is `KIND(using=NAME)`).
public struct ProjectionDependent: Sendable, Equatable {
  /// The table's number, as `repstore tables` lists it.
  public var table: Int64
  /// Its measure id, e.g. `contrasim(using=probe)`.
  public var measure: String
  /// The projection it compares through.
  public var projection: String
}

/// The plan of a `drop projection` statement: the projections its names pick, and the stored tables that go with
/// them (with `--force`; without it, planning refuses while there are any).
public struct ProjectionDropPlan: Sendable {
  public var statement: DropProjectionStatement
  /// The projections to remove, oldest first, without their weights.
  public var projections: [StoredProjection]
  /// The stored tables that compare through them, by number.
  public var tables: [ProjectionDependent]
}

/// Which projections a `drop projection` removes, and which stored tables depend on them.
///
/// A table stored through a projection keeps only the projection's name in its measure id: removing the projection
/// alone would leave `repstore tables` naming one that is gone, and a retrained projection of the same name could
/// not tell them apart. So the tables are removed with it (`--force`) or the removal is refused, naming them.
/// Benchmark runs are kept: they record their scores, not the encoders, and a rerun trains anew.
enum ProjectionRemoval {
  /// The projections `statement` picks and the tables that compare through them.
  /// - Throws: `QueryError` `.notFound` for a name or pattern that picks nothing (with near names), `.usage` for a
  ///   malformed pattern, `.conflict` when tables depend on them and `--force` is not given.
  static func plan(_ statement: DropProjectionStatement, in store: Store) throws -> ProjectionDropPlan {
    let stored = try store.projections()
    var picked: [StoredProjection] = []
    for name in statement.names {
      let pattern: NamePattern
      do { pattern = try NamePattern(parsing: name) } catch {
        throw QueryError(.usage, "drop projection: '\(name)' is not a name or pattern: \(error)")
      }
      let matches = stored.filter { pattern.matches($0.name) }
      if matches.isEmpty {
        if pattern.literal != nil { throw ProjectionNames.missing(name, among: stored.map(\.name)) }
        throw QueryError(.notFound, "no projection matches '\(name)'"
          + (stored.isEmpty ? "; none is stored yet" : " (\(ProjectionNames.listing(stored.count)))"))
      }
      picked += matches.filter { match in !picked.contains { $0.id == match.id } }
    }
    picked.sort { $0.id < $1.id }
    let names = Set(picked.map(\.name))
    let tables = try dependents(in: store).filter { names.contains($0.projection) }
    if !tables.isEmpty && !statement.options.force { throw refusal(tables) }
    return ProjectionDropPlan(statement: statement, projections: picked, tables: tables)
  }

  /// Every stored table that compares through a projection, by table number.
  static func dependents(in store: Store) throws -> [ProjectionDependent] {
    try store.resultTables().compactMap { summary in
      let measure = summary.header.measure
      guard let name = (try? MeasureID(parsing: measure))?.parameters["using"] else { return nil }
      return ProjectionDependent(table: summary.header.id, measure: measure, projection: name)
    }
  }

  /// "stored table 3 compares through projection 'p'; …": what would be left behind, and the two ways on.
  private static func refusal(_ tables: [ProjectionDependent]) -> QueryError {
    let numbers = tables.map { String($0.table) }
    let projections = tables.map(\.projection).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let quoted = projections.map { "'\($0)'" }.joined(separator: ", ")
    let one = tables.count == 1
    return QueryError(.conflict,
      "stored table\(one ? "" : "s") \(numbers.joined(separator: ", ")) compare\(one ? "s" : "") through "
        + "projection\(projections.count == 1 ? "" : "s") \(quoted); pass --force to remove "
        + "\(one ? "it" : "them") with the projection\(projections.count == 1 ? "" : "s"), or drop "
        + "\(one ? "it" : "them") first (drop table \(one ? numbers[0] : "N"))")
  }
}
