import Foundation
import RepMeasures
import RepStore

/// Runs similarity tables through the store's catalog, so that asking twice costs nothing.
///
/// Each measure of a request is one stored table, found by an inputs digest over everything its values depend on:
/// the measure id, `codeVersion`, the options that change values (route, intersection), and every row and column
/// tensor by name and content digest, with the keys digests of their example sets. A complete table with that digest
/// is read back; a partial one (a run that was interrupted) has only its missing cells computed; otherwise a new
/// table is created and its cells are stored as they are computed. Replacing a tensor changes the digest of exactly
/// the tables that used it.
///
/// Storing needs the store's writer lock; when another process holds it, or this process cannot write the store, the
/// tables are computed and returned but not stored (`MaterializedTables.notStored` says why).
public enum TableMaterializer {
  /// The version of the numerical code, part of every inputs digest: bump it when any measure's values change, so
  /// tables computed before are not read back.
  public static let codeVersion = "measures-2"

  /// Computes or reads back every table of `request`.
  ///
  /// - Parameters:
  ///   - statement: the canonical statement of the request, stored with each table.
  ///   - recompute: compute even when a stored table matches (a new table is stored).
  ///   - onCells: sees cells as they are computed (not those read back), e.g. to stream them.
  public static func run(
    _ request: TableRequest, statement: String, in store: Store, recompute: Bool = false,
    progress: (any ProgressReporter)? = nil, onCells: (@Sendable ([ComputedCell]) -> Void)? = nil
  ) throws -> MaterializedTables {
    let keyDigests = try InputsDigest.keyDigests(in: store)
    let digests = request.measures.map { measure in
      inputsDigest(
        of: request, measure: measure.id, identity: (measure as? any IdentifiedMeasure)?.contentIdentity,
        keyDigests: keyDigests)
    }
    var stored: [ResultTable?] = try digests.map { recompute ? nil : try store.resultTable(inputsDigest: $0) }
    let reused = stored.map { $0?.header.isComplete ?? false }
    let pending = request.measures.indices.filter { !reused[$0] }

    var notStored: StoreError?
    var lock: WriterLock?
    if !pending.isEmpty {
      do {
        lock = try store.lockForWriting(wait: false, purpose: "storing similarity tables")
      } catch let error as StoreError where error.kind == .locked || error.kind == .readOnly {
        notStored = error
      }
    }
    defer { _ = lock }

    // Create the tables still missing, and collect what the partial ones already hold.
    var ids = stored.map { $0?.header.id }
    // A store that cannot take the tables (a full disk) still gets them computed and shown: storing is given up at
    // the first failure, and the statement fails after printing, with `notStored` as the reason.
    func giveUpStoring(_ error: StoreError) {
      notStored = notStored ?? error
      lock = nil
    }
    if lock != nil {
      for m in pending where stored[m] == nil {
        let header = ResultTableHeader(
          statement: statement, measure: request.measures[m].id.description,
          largerIsSimilar: request.measures[m].properties.largerIsMoreSimilar,
          isSymmetric: request.measures[m].properties.isSymmetric, inputsDigest: digests[m], codeVersion: codeVersion,
          route: nil, examples: "", exampleCount: 0, rows: request.rows.map(ResultAxisEntry.init),
          columns: request.columns.map(ResultAxisEntry.init))
        do {
          ids[m] = try store.createResultTable(header)
          stored[m] = ResultTable(header: header, cells: [])
        } catch let error as StoreError where error.kind != .interrupted {
          giveUpStoring(error)
          break
        }
      }
    }

    var tables: [SimilarityTable?] = Array(repeating: nil, count: request.measures.count)
    if !pending.isEmpty {
      var sub = request
      sub.measures = pending.map { request.measures[$0] }
      sub.knownCells = pending.map { m in
        Set((stored[m]?.cells ?? []).map { $0.row * request.columns.count + $0.column })
      }
      // Cells are numbered by the sub-request's measures; callers see the request's.
      let forward = onCells.map { onCells in
        { @Sendable (cells: [ComputedCell]) in
          onCells(cells.map {
            ComputedCell(measure: pending[$0.measure], row: $0.row, column: $0.column, value: $0.value)
          })
        }
      }
      let writer = lock == nil ? nil : CellWriter(store: store, tableIDs: pending.map { ids[$0] })
      if let writer {
        sub.onCells = { cells in
          writer.write(cells)
          forward?(cells)
        }
      } else {
        sub.onCells = forward
      }
      let computed = try TableExecutor.run(sub, in: store, progress: progress)
      if let failure = writer?.failure { giveUpStoring(failure) }
      for (k, m) in pending.enumerated() {
        var table = computed[k]
        for cell in stored[m]?.cells ?? [] where cell.row < table.rows.count && cell.column < table.columns.count {
          table.values[cell.row][cell.column] = cell.value.map(MeasureValue.init) ?? .undefined(cell.reason ?? "")
        }
        tables[m] = table
        if lock != nil, let id = ids[m] {
          do {
            try store.updateResultTable(id: id, route: table.route?.rawValue, examples: table.examples,
                                        exampleCount: table.exampleCount)
            try store.completeResultTable(id: id)
          } catch let error as StoreError where error.kind != .interrupted {
            giveUpStoring(error)
          }
        }
      }
    }
    for m in request.measures.indices where reused[m] {
      guard let table = stored[m] else { continue }
      tables[m] = similarityTable(from: table, request: request, measure: m)
    }
    return MaterializedTables(
      tables: tables.compactMap { $0 }, tableIDs: ids, reused: reused,
      resumed: request.measures.indices.map { !reused[$0] && !(stored[$0]?.cells.isEmpty ?? true) },
      notStored: notStored)
  }

  /// The digest a stored table of `measure` over the request's tensors would have.
  static func inputsDigest(
    of request: TableRequest, measure: MeasureID, identity: String? = nil, keyDigests: [String: String]
  ) -> String {
    InputsDigest.hash(
      [
        "code \(codeVersion)", "measure \(measure)", "route \(request.route.rawValue)", "intersect \(request.intersect)",
        "subset " + subsetKey(request.subset), "identity " + (identity ?? ""), "rows",
      ] + InputsDigest.lines(request.rows, keyDigests: keyDigests) + ["columns"]
        + InputsDigest.lines(request.columns, keyDigests: keyDigests))
  }

  /// The subset's part of the digest: a key list counts by its keys, not by its file name.
  static func subsetKey(_ subset: ExampleRowSubset?) -> String {
    switch subset {
    case nil: return "all"
    case .rows(let lower, let upper): return "rows \(lower) \(upper.map(String.init) ?? "end")"
    case .keys(let keys, _): return "keys " + keys.joined(separator: "\u{0}")
    }
  }

  /// A stored complete table as the executor would have returned it.
  static func similarityTable(from stored: ResultTable, request: TableRequest, measure m: Int) -> SimilarityTable {
    var values = Array(
      repeating: Array(repeating: MeasureValue.undefined("not computed"), count: request.columns.count),
      count: request.rows.count)
    for cell in stored.cells where cell.row < request.rows.count && cell.column < request.columns.count {
      values[cell.row][cell.column] = cell.value.map(MeasureValue.init) ?? .undefined(cell.reason ?? "")
    }
    let header = stored.header
    return SimilarityTable(
      measure: request.measures[m].id, properties: request.measures[m].properties, rows: request.rows,
      columns: request.columns, values: values, examples: header.examples, exampleCount: header.exampleCount,
      seconds: header.seconds, route: header.route.flatMap(StatisticsRoute.init(rawValue:)))
  }
}

/// What `TableMaterializer.run` did.
public struct MaterializedTables: Sendable {
  /// One table per measure of the request, in order.
  public var tables: [SimilarityTable]
  /// Per measure, the stored table's id (nil when nothing could be stored).
  public var tableIDs: [Int64?]
  /// Per measure, whether the table was read back without computing anything.
  public var reused: [Bool]
  /// Per measure, whether a partial table was completed (only its missing cells computed).
  public var resumed: [Bool]
  /// Set when the tables could not be stored: `.locked` (another process writes) or `.readOnly`.
  public var notStored: StoreError?
  /// Why the tables could not be stored, in one line.
  public var notStoredReason: String? { notStored?.message }
}

/// Stores cells as the executor reports them, one transaction per report, with the time since the previous one.
private final class CellWriter: @unchecked Sendable {
  let store: Store
  let tableIDs: [Int64?]
  private var last = Date()
  private let lock = NSLock()
  private var firstFailure: StoreError?

  /// The first write that failed; cells after it are not written.
  var failure: StoreError? {
    lock.lock()
    defer { lock.unlock() }
    return firstFailure
  }

  init(store: Store, tableIDs: [Int64?]) {
    self.store = store
    self.tableIDs = tableIDs
  }

  func write(_ cells: [ComputedCell]) {
    lock.lock()
    defer { lock.unlock() }
    guard firstFailure == nil else { return }
    let now = Date()
    let seconds = now.timeIntervalSince(last)
    last = now
    let byTable = Dictionary(grouping: cells, by: \.measure)
    for (measure, cells) in byTable {
      guard measure < tableIDs.count, let id = tableIDs[measure] else { continue }
      let stored = cells.map {
        ResultCell(row: $0.row, column: $0.column, value: $0.value.isDefined ? $0.value.value : nil,
                   reason: $0.value.isDefined ? nil : ($0.value.reason ?? "NaN"))
      }
      // A cell that cannot be stored is computed again next time; the table itself is still returned.
      do {
        try store.addResultCells(stored, toTable: id, seconds: seconds / Double(byTable.count))
      } catch let error as StoreError {
        firstFailure = error
        return
      } catch {
        return  // the store throws only StoreError
      }
    }
  }
}
