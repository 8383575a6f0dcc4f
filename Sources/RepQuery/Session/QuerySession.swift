import Foundation
import RepLearning
import RepMeasures
import RepStore

/// Plans and runs statements against one store: where a statement goes from text to cells.
///
/// `plan(_:)` resolves a parsed statement against the store (tensors, example alignment, projections to reuse or
/// train, stored tables to read back, the route and passes of each group of measures) without computing anything;
/// `run(_:)` carries a plan out, writing output and notes to the sink; `execute(_:)` does both. `sim`, `train`,
/// `show`, `drop table`, `drop projection` and `explain`, and the benchmarks' tables and trainings, all go through
/// here.
public struct QuerySession: Sendable {
  public let store: Store
  public let sink: any QuerySink
  /// The output format of statements that do not name one (`repstore query --format`).
  public var defaultFormat = TableFormat.table
  /// Training: a note every this many epochs (`--log-every`); nil: a live status line on a terminal, else the first
  /// epoch and a summary per projection.
  public var logEvery: Int?
  /// Whether `drop` statements wait for another writer to finish instead of failing (`--wait`).
  public var waitForLock = false

  public init(store: Store, sink: any QuerySink) {
    self.store = store
    self.sink = sink
  }

  /// Plans and runs `statement`.
  public func execute(_ statement: QueryStatement) throws {
    try run(plan(statement))
  }

  /// What running `statement` will do.
  /// - Throws: `QueryError` for options that do not go together or a statement the store cannot answer;
  ///   `StoreError` when the store cannot be read.
  public func plan(_ statement: QueryStatement) throws -> Plan {
    switch statement {
    case .sim(let sim): return Plan(statement: statement, action: .sim(try planSim(sim)))
    case .train(let train):
      if let problem = NameRules.projectionProblem(with: train.name) {
        throw QueryError(.usage, "projection name \(NameRules.quoted(train.name)) \(problem)")
      }
      if try store.projection(named: train.name) != nil {
        throw QueryError(.conflict, "a projection named '\(train.name)' exists already; choose another name")
      }
      return Plan(statement: statement, action: .train(try planTraining(train)))
    case .show(let show):
      if let selector = show.selector, show.subject != .models && show.subject != .layers {
        throw QueryError(.usage, "show \(show.subject.rawValue) lists them all and takes no selector (got "
          + "\(selector)); a selector narrows show models and show layers")
      }
      return Plan(statement: statement, action: .show(show))
    case .dropTable(let drop): return Plan(statement: statement, action: .dropTable(drop.tableNumber))
    case .dropProjection(let drop):
      return Plan(statement: statement, action: .dropProjections(try ProjectionRemoval.plan(drop, in: store)))
    case .explain(let inner): return Plan(statement: statement, action: .explain(try plan(inner)))
    }
  }

  /// Carries out `plan`.
  public func run(_ plan: Plan) throws {
    switch plan.action {
    case .sim(let sim): try runSim(sim)
    case .train(let training):
      let stored = try storeTrained(training, keepingInterrupted: true)
      sink.note(String(format: "projection '%@' stored (%@, %.1f s); use it with: sim %@ SEL SEL --using %@",
                       stored.name, stored.kind, stored.seconds, stored.kind, stored.name))
    case .show(let show): try runShow(show)
    case .dropTable(let number):
      let lock = try store.lockForWriting(wait: waitForLock, purpose: "dropping a stored table")
      defer { _ = lock }
      guard try store.dropResultTable(id: Int64(number)) else {
        throw QueryError(.notFound, "no stored table \(number) (repstore tables lists them)")
      }
      sink.note("dropped table \(number)")
    case .dropProjections(let drop): try runDrop(drop)
    case .explain(let inner): sink.write(PlanText.render(inner))
    }
  }

  /// Removes what `drop` planned, planned again under the writer lock: a table stored through one of the
  /// projections since is refused (or removed) like the others, never left behind.
  func runDrop(_ planned: ProjectionDropPlan) throws {
    let lock = try store.lockForWriting(wait: waitForLock, purpose: "removing projections")
    defer { _ = lock }
    let drop = try ProjectionRemoval.plan(planned.statement, in: store)
    try store.removeProjections(ids: drop.projections.map(\.id), withTables: drop.tables.map(\.table))
    for table in drop.tables { sink.note("dropped table \(table.table) (\(table.measure))") }
    for projection in drop.projections { sink.note("dropped projection '\(projection.name)'") }
  }

  // MARK: show

  func runShow(_ show: ShowStatement) throws {
    let format = ListingFormat(rawValue: defaultFormat.rawValue) ?? .table
    let tensors = { try show.selector.map { try store.tensors(matching: $0.selector) } ?? store.allTensors() }
    let listing: Listing
    switch show.subject {
    case .models: listing = Listings.models(try tensors())
    case .layers: listing = format == .table ? Listings.layerSummary(try tensors()) : Listings.layers(try tensors())
    case .examples: listing = try Listings.exampleSets(store)
    case .tables: listing = try Listings.tables(store)
    case .measures: listing = try Listings.measures()
    case .benchmarks:
      listing = try Listings.benchmarkRuns(store)
      if format == .table && listing.rows.isEmpty {
        sink.note("no benchmark runs yet: `repstore bench layer-prediction` and `bench retrieval` store theirs")
        return
      }
    case .projections:
      listing = try Listings.projections(store, detailed: format != .table)
      if format == .table && listing.rows.isEmpty {
        sink.note(Listings.noProjectionsNote)
        return
      }
    }
    sink.write(listing.render(format))
  }
}
