import ArgumentParser
import Foundation
import RepLearning
import RepMeasures
import RepQuery
import RepStore

/// Runs parsed statements against a store: the one code path behind `repstore query` and `repstore sim`.
struct StatementRunner {
  let storePath: String
  /// The output format of statements that do not name one (`repstore query --format`).
  var format: TableFormat = .table
  var quiet = false

  func run(_ statement: QueryStatement) throws {
    switch statement {
    case .sim(let sim): try runSim(sim, statement: statement.description)
    case .show(let show): try runShow(show)
    case .dropTable(let drop): try runDrop(drop)
    case .train(let train): try runTrain(train)
    }
  }

  // MARK: train

  func runTrain(_ train: TrainStatement) throws {
    let store = try Store.open(at: storePath)
    if try store.projection(named: train.name) != nil {
      throw StoreError(.invalidInput, "a projection named '\(train.name)' exists already; choose another name")
    }
    let stored = try storeTrained(train, in: store)
    if !quiet {
      printNote(String(format: "projection '%@' stored (%@, %.1f s); use it with: sim %@ SEL SEL --using %@",
                       train.name, stored.kind, stored.seconds, stored.kind, train.name))
    }
  }

  /// Trains the statement's projection and stores it, holding the store's writer lock meanwhile.
  @discardableResult
  func storeTrained(_ train: TrainStatement, in store: Store) throws -> StoredProjection {
    let lock = try store.lockForWriting(wait: false, purpose: "storing a trained projection")
    defer { _ = lock }
    TrainingMemory.keepFreedMemoryForReuse()
    let result = try ProjectionTrainer.train(train, in: store, progress: epochReporter(train))
    try store.saveProjection(result.projection)
    if let collapse = result.collapse {
      printNote("warning: projection '\(train.name)' collapsed in training: \(collapse); its scores say little. "
        + "Try: " + CollapseDiagnosis.remedy)
    }
    if !quiet, let kept = result.keptEpoch {
      printNote("kept the encoders of epoch \(kept) of \(result.epochsRun), the lowest held-out loss"
        + (result.epochsRun < (train.options.epochs ?? 50) ? "; stopped early, no better for \(result.patience) epochs" : ""))
    }
    return result.projection
  }

  /// One line on stderr per epoch (none when quiet): the training loss, the held-out loss when examples are held out.
  func epochReporter(_ train: TrainStatement) -> ((EpochReport) -> Void)? {
    guard !quiet else { return nil }
    let epochs = train.options.epochs ?? 50
    var collapsed = false
    return { report in
      let heldOut = report.validationLoss.map { String(format: ", held-out %.5f", $0) } ?? ""
      printNote(String(format: "epoch %d/%d: loss %.5f%@ (%.2f s, %.0f examples/s)", report.epoch, epochs, report.loss,
                       heldOut, report.seconds, Double(report.examples) / max(report.seconds, 1e-9)))
      // Said once when it starts, and again if the run leaves it.
      if let collapse = report.collapse, !collapsed {
        printNote("training looks collapsed: \(collapse)")
      } else if report.collapse == nil && collapsed {
        printNote("training has left the collapsed loss")
      }
      collapsed = report.collapse != nil
    }
  }

  /// The projection each learned measure of `sim` compares through: the one `--using` names, or the one `--train-on`
  /// trains (trained and stored now unless an earlier run of the same training stored it).
  func projections(for sim: SimStatement, in store: Store) throws -> [String: String] {
    let learned = sim.measures.map(\.name).filter(LearnedMeasures.names.contains)
    let options = sim.options
    if !options.trainOn.isEmpty && options.projection != nil {
      throw ValidationError("give --using NAME (a stored projection) or --train-on SEL (train one now), not both")
    }
    if options.trainOn.isEmpty && options.training != TrainOptions() {
      throw ValidationError(
        "--epochs, --lr and the other training options apply to the projection --train-on trains: add --train-on "
          + "SEL, or train one with `train KIND NAME on SEL...` and compare with --using NAME")
    }
    if learned.isEmpty && (options.projection != nil || !options.trainOn.isEmpty) {
      let kinds = LearnedMeasures.names.sorted().joined(separator: ", ")
      throw ValidationError(
        "--\(options.projection != nil ? "using" : "train-on") applies to the learned measures (\(kinds)); "
          + "\(sim.measures.map(\.description).joined(separator: ",")) compares the layers as they are")
    }
    if let name = options.projection { return Dictionary(learned.map { ($0, name) }, uniquingKeysWith: { a, _ in a }) }
    guard !options.trainOn.isEmpty else {
      guard let kind = learned.first else { return [:] }
      throw ValidationError(
        "\(kind) compares through a trained projection. Train one on examples other than those compared (training "
          + "on the very rows being compared inflates the score): add --train-on SEL (e.g. --train-on "
          + "'model:seed*/*@train') to train it with this table, or use a stored one with --using NAME (show "
          + "projections lists them; `train \(kind) NAME on SEL...` makes one)")
    }
    var names: [String: String] = [:]
    for kind in Set(learned).sorted() {
      let train = try TrainOnProjections.statement(kind: kind, for: sim, in: store)
      try ensureStored(train, in: store, trainedOn: "--train-on")
      names[kind] = train.name
    }
    return names
  }

  /// Makes sure the projection `train` describes is stored: says so when an earlier run stored it, trains and stores
  /// it otherwise (`trainedOn` names, for the note, the option that gave its layers).
  func ensureStored(_ train: TrainStatement, in store: Store, trainedOn: String) throws {
    if try store.projection(named: train.name) != nil {
      if !quiet { printNote("using projection '\(train.name)', trained earlier on the same \(trainedOn) layers") }
      return
    }
    if !quiet { printNote("training projection '\(train.name)': \(train)") }
    try storeTrained(train, in: store)
  }

  // MARK: sim

  func runSim(_ sim: SimStatement, statement: String) throws {
    let store = try Store.open(at: storePath)
    let projections = try projections(for: sim, in: store)
    let measures = try LearnedMeasures.measures(sim.measures, in: store) { projections[$0.name] }
    var request = TableRequest(
      measures: measures, rows: try store.tensors(matching: sim.rows.selector),
      columns: try store.tensors(matching: sim.columns.selector))
    request.intersect = sim.options.intersect
    request.threads = sim.options.threads ?? defaultThreadCount
    request.route = sim.options.route ?? .automatic
    request.subset = try Self.subset(sim.rows.subset, sim.columns.subset)
    let format = sim.options.format ?? self.format
    let reduction = sim.options.reduce

    // ndjson streams each cell as it is computed; the cells read back follow at the end.
    let streaming = format == .ndjson && reduction == nil
    let streamer = CellStreamer(request)
    let streamed = StreamedCells()
    var onCells: (@Sendable ([ComputedCell]) -> Void)?
    if streaming {
      onCells = { cells in
        streamed.add(cells)
        FileHandle.standardOutput.write(Data(cells.map { streamer.line($0) }.joined().utf8))
      }
    }
    let run = try TableMaterializer.run(
      request, statement: statement, in: store, recompute: sim.options.recompute,
      progress: TerminalProgress.ifTerminal(quiet: quiet), onCells: onCells)
    let tables = run.tables.map { Self.reduced($0, by: reduction) }
    if streaming {
      for (m, table) in tables.enumerated() {
        for (i, row) in table.values.enumerated() {
          for (j, value) in row.enumerated() where !streamed.contains(m, i, j) {
            FileHandle.standardOutput.write(
              Data(streamer.line(ComputedCell(measure: m, row: i, column: j, value: value)).utf8))
          }
        }
      }
    } else {
      let bestOnly = reduction == .argmax || reduction == .max
      let colour = TableRenderer.terminalWantsColour(
        isTTY: isatty(STDOUT_FILENO) != 0, environment: ProcessInfo.processInfo.environment)
      FileHandle.standardOutput.write(
        Data(TableRenderer.render(tables, as: format, bestOnly: bestOnly, colour: colour).utf8))
    }
    if let heatmap = sim.options.heatmap { try Self.writeHeatmaps(run.tables, to: heatmap, quiet: quiet) }
    if !quiet, let first = tables.first {
      printNote(
        String(
          format: "%d×%d table%@ on %d examples in %.2f s%@", first.rows.count, first.columns.count,
          tables.count > 1 ? " ×\(tables.count) measures" : "", first.exampleCount, first.seconds,
          tables.contains { $0.route == .grams } ? " (n×n Gram route)" : ""))
      for note in Self.storageNotes(run) { printNote(note) }
      for name in Set(projections.values).sorted() {
        guard let stored = try store.projection(named: name),
          let note = try TrainingOverlap.note(stored, comparedBy: request, in: store)
        else { continue }
        printNote(note)
      }
    }
    if let refusal = run.notStored, refusal.kind == .readOnly {
      // The table is printed all the same; that it could not be kept is this command's failure.
      throw StoreError(.readOnly, refusal.message + "; the table was computed but not stored")
    }
  }

  /// The table's example subset: from whichever selector gives one; both must agree when both do.
  static func subset(_ rows: ExampleSubset?, _ columns: ExampleSubset?) throws -> ExampleRowSubset? {
    if let rows, let columns, rows != columns {
      throw ValidationError("the two selectors ask for different example subsets (\(rows) and \(columns)); "
        + "a table compares one set of examples: give the subset once")
    }
    do {
      return try (rows ?? columns).map { try ProjectionTrainer.resolve($0) }
    } catch let error as QueryError {
      throw ValidationError(error.description)
    }
  }

  /// `diag` keeps the cells (i, i); the others leave the table whole (argmax and max pick cells when rendered).
  static func reduced(_ table: SimilarityTable, by reduction: TableReduction?) -> SimilarityTable {
    guard reduction == .diag else { return table }
    var diagonal = table
    let count = min(table.rows.count, table.columns.count)
    diagonal.rows = Array(table.rows.prefix(count))
    diagonal.columns = Array(table.columns.prefix(count))
    diagonal.values = (0..<count).map { i in
      (0..<count).map { j in i == j ? table.values[i][j] : .undefined("off the diagonal") }
    }
    return diagonal
  }

  /// One SVG per table: the given path for one measure, `NAME-MEASURE.svg` for several.
  static func writeHeatmaps(_ tables: [SimilarityTable], to path: String, quiet: Bool) throws {
    for table in tables {
      let measure = String(table.measure.description.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" })
      let target = tables.count == 1 ? path : String(path.dropLast(4)) + "-" + measure + ".svg"
      try writeHeatmap(HeatmapSVG.render(table), to: target)
      if !quiet { printNote("heatmap of \(table.measure) written to \(target)") }
    }
  }

  /// Writes an SVG beside `target` and renames it over it: a reader never sees half a picture.
  static func writeHeatmap(_ svg: String, to target: String) throws {
    let temporary = target + ".tmp-\(getpid())"
    do {
      try Data(svg.utf8).write(to: URL(fileURLWithPath: temporary))
      guard rename(temporary, target) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
      }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw ValidationError("\(target): cannot write the heatmap (\(oneLineDescription(of: error)))")
    }
  }

  /// One line per table: read back, resumed or stored, and under which number.
  static func storageNotes(_ run: MaterializedTables) -> [String] {
    if let refusal = run.notStored {
      // A read-only store is reported as the command's error instead.
      return refusal.kind == .readOnly ? [] : ["tables not stored: \(refusal.message)"]
    }
    return run.tables.indices.compactMap { m in
      guard let id = run.tableIDs[m] else { return nil }
      let measure = run.tables[m].measure
      if run.reused[m] { return "\(measure): read back stored table \(id) (--recompute to compute it again)" }
      if run.resumed[m] { return "\(measure): completed the interrupted table \(id)" }
      return "\(measure): stored as table \(id) (repstore table \(id) shows it again)"
    }
  }

  // MARK: show, drop

  func runShow(_ show: ShowStatement) throws {
    let listingFormat = ListingFormat(rawValue: format.rawValue) ?? .table
    let store = try Store.open(at: storePath)
    let listing: Listing
    switch show.subject {
    case .models:
      let tensors = try show.selector.map { try store.tensors(matching: $0.selector) } ?? store.allTensors()
      listing = Listings.models(tensors)
    case .layers:
      let tensors = try show.selector.map { try store.tensors(matching: $0.selector) } ?? store.allTensors()
      listing = listingFormat == .table ? Repstore.List.summaryTable(tensors) : Repstore.List.fullListing(tensors)
    case .examples: listing = try Listings.exampleSets(store)
    case .tables: listing = try Listings.tables(store)
    case .measures: listing = try Listings.measures()
    case .benchmarks:
      listing = try Listings.benchmarkRuns(store)
      if listingFormat == .table && listing.rows.isEmpty {
        printNote("no benchmark runs yet: `repstore bench layer-prediction` and `bench retrieval` store theirs")
        return
      }
    case .projections:
      listing = try Listings.projections(store)
      if listingFormat == .table && listing.rows.isEmpty {
        printNote("no projections yet: `train contrasim NAME on SEL...` makes one")
        return
      }
    }
    FileHandle.standardOutput.write(Data(listing.render(listingFormat).utf8))
  }

  func runDrop(_ drop: DropTableStatement) throws {
    let store = try Store.open(at: storePath)
    let lock = try store.lockForWriting(wait: false, purpose: "dropping a stored table")
    defer { _ = lock }
    guard try store.dropResultTable(id: Int64(drop.tableNumber)) else {
      throw ValidationError("no stored table \(drop.tableNumber) (repstore tables lists them)")
    }
    if !quiet { printNote("dropped table \(drop.tableNumber)") }
  }
}

/// The cells already written by ndjson streaming.
final class StreamedCells: @unchecked Sendable {
  private let lock = NSLock()
  private var cells = Set<[Int]>()

  func add(_ computed: [ComputedCell]) {
    lock.lock()
    defer { lock.unlock() }
    for cell in computed { cells.insert([cell.measure, cell.row, cell.column]) }
  }

  func contains(_ measure: Int, _ row: Int, _ column: Int) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return cells.contains([measure, row, column])
  }
}
