import Foundation
import RepLearning
import RepMath
import RepMeasures
import RepStore

extension QuerySession {
  // MARK: Planning

  /// Resolves a `sim` statement: its tensors and examples, the projections of its learned measures, which stored
  /// tables are read back, and the routes of the rest.
  public func planSim(_ sim: SimStatement) throws -> SimPlan {
    let projections = try projectionSteps(for: sim)
    let rows = try store.tensors(matching: sim.rows.selector)
    let columns = try store.tensors(matching: sim.columns.selector)
    let subset = try Self.subset(sim.rows.subset, sim.columns.subset)
    let alignment = try ExampleAlignment.align(
      rows + columns, in: store, intersect: sim.options.intersect, subset: subset)
    let names = Dictionary(projections.flatMap { step in step.measures.map { ($0, step) } }, uniquingKeysWith: { a, _ in a })

    // The measures that can be built now: all but those whose projection is still to train.
    let measures: [(any SimilarityMeasure)?] = try sim.measures.map { id in
      guard let step = names[id.name] else { return try MeasureRegistry.make(id) }
      return step.action == .train ? nil : try LearnedMeasures.make(id, projection: step.name, in: store)
    }
    var request = TableRequest(measures: measures.compactMap { $0 }, rows: rows, columns: columns)
    request.intersect = sim.options.intersect
    request.subset = subset
    request.route = sim.options.route ?? .automatic
    let keyDigests = try InputsDigest.keyDigests(in: store)
    var tables: [TableStep] = []
    // The measures whose table is not read back, with the measure when it can be built now.
    var pending: [(MeasureID, (any SimilarityMeasure)?)] = []
    for (id, measure) in zip(sim.measures, measures) {
      guard let measure else {
        tables.append(TableStep(measure: id, status: .afterTraining))
        pending.append((id, nil))
        continue
      }
      let digest = TableMaterializer.inputsDigest(
        of: request, measure: measure.id, identity: (measure as? any IdentifiedMeasure)?.contentIdentity,
        keyDigests: keyDigests)
      let stored = sim.options.recompute ? nil : try store.resultTable(inputsDigest: digest)
      let status: TableStep.Status =
        switch stored {
        case nil: .compute
        case let table? where table.header.isComplete: .readBack(table: table.header.id)
        case let table?: .resume(table: table.header.id, storedCells: table.cells.count)
        }
      tables.append(TableStep(measure: id, status: status))
      if case .readBack = status { continue }
      pending.append((id, measure))
    }
    let format = sim.options.format ?? defaultFormat
    return SimPlan(
      statement: sim, rows: rows, columns: columns, alignment: alignment, subset: subset, projections: projections, tables: tables,
      routes: try routeSteps(pending, request: request, rowCount: alignment.rowCount), format: format,
      streamsCells: format == .ndjson && sim.options.reduce == nil,
      threads: sim.options.threads ?? defaultThreadCount)
  }

  /// The projection each learned measure of `sim` compares through: the one `--using` names, or the one `--train-on`
  /// trains (reused when an earlier run of the same training stored it).
  func projectionSteps(for sim: SimStatement) throws -> [ProjectionStep] {
    let learned = sim.measures.map(\.name).filter(LearnedMeasures.names.contains)
    let options = sim.options
    if !options.trainOn.isEmpty && options.projection != nil {
      throw QueryError(.usage, "give --using NAME (a stored projection) or --train-on SEL (train one now), not both")
    }
    if options.trainOn.isEmpty && options.training != TrainingOverrides() {
      throw QueryError(.usage,
        "--epochs, --lr and the other training options apply to the projection --train-on trains: add --train-on "
          + "SEL, or train one with `train KIND NAME on SEL...` and compare with --using NAME")
    }
    if learned.isEmpty && (options.projection != nil || !options.trainOn.isEmpty) {
      let kinds = LearnedMeasures.names.sorted().joined(separator: ", ")
      throw QueryError(.usage,
        "--\(options.projection != nil ? "using" : "train-on") applies to the learned measures (\(kinds)); "
          + "\(sim.measures.map(\.description).joined(separator: ",")) compares the layers as they are")
    }
    if let name = options.projection {
      guard try store.projection(named: name) != nil else { throw try LearnedMeasures.missing(name, in: store) }
      return [ProjectionStep(measures: Array(Set(learned)).sorted(), name: name, action: .use, training: nil,
                             trainedOnOption: "--using")]
    }
    guard !options.trainOn.isEmpty else {
      guard let kind = learned.first else { return [] }
      throw QueryError(.usage,
        "\(kind) compares through a trained projection. Train one on examples other than those compared (training "
          + "on the very rows being compared inflates the score): add --train-on SEL (e.g. --train-on "
          + "'model:seed*/*@train') to train it with this table, or use a stored one with --using NAME (show "
          + "projections lists them; `train \(kind) NAME on SEL...` makes one)")
    }
    return try Set(learned).sorted().map { kind in
      let train = try TrainOnProjections.statement(kind: kind, on: options.trainOn, options: options.training, in: store)
      return try projectionStep(train, measures: [kind], trainedOn: "--train-on")
    }
  }

  /// The table's example subset: from whichever selector gives one; both must agree when both do.
  static func subset(_ rows: ExampleSubset?, _ columns: ExampleSubset?) throws -> ExampleRowSubset? {
    if let rows, let columns, rows != columns {
      throw QueryError(.subset, "the two selectors ask for different example subsets (\(rows) and \(columns)); "
        + "a table compares one set of examples: give the subset once")
    }
    return try (rows ?? columns).map { try ProjectionTrainer.resolve($0) }
  }

  /// How the measures still to compute are computed, one step per group that shares a pass over the data.
  func routeSteps(
    _ measures: [(MeasureID, (any SimilarityMeasure)?)], request: TableRequest, rowCount: Int
  ) throws -> [RouteStep] {
    let layout = TableLayout(rows: request.rows, columns: request.columns)
    let n = Int64(rowCount)
    let width = { (tensors: [Int]) in Int64(tensors.reduce(0) { $0 + layout.tensors[$1].columnCount }) }
    let all = Array(layout.tensors.indices)
    let chunkBytes = { (rows: Int) in Int64(rows) * width(all) * 4 }
    var steps: [RouteStep] = []

    let statistics = measures.filter { $0.1 is any StatisticsMeasure }
    if !statistics.isEmpty {
      let gramless = statistics.filter { !($0.1 is any GramMeasure) }
      try TableLayout.checkRoute(request.route, gramless: gramless.map(\.0))
      let route = layout.statisticsRoute(
        request.route, gramCapable: gramless.isEmpty, rowCount: rowCount, budget: request.pairStatisticsBudget)
      let involved = Array(Set(layout.cells.flatMap { [$0.a, $0.b] })).sorted()
      if route == .grams {
        let widest = Int64(involved.map { layout.tensors[$0].columnCount }.max() ?? 0)
        steps.append(RouteStep(
          kind: .grams, measures: statistics.map(\.0), passes: 1, bytesRead: n * width(involved) * 4,
          memoryBytes: Int64(involved.count) * n * n * 8 + n * widest * 4))
      } else {
        let passes = layout.statisticsPasses(of: layout.cells, budget: request.pairStatisticsBudget)
        var bytesRead = n * width(all) * 4
        for pass in passes.dropFirst() { bytesRead += n * width(Array(Set(pass.flatMap { [$0.0, $0.1] }))) * 4 }
        let perLayer = all.reduce(Int64(0)) { $0 + Int64(layout.tensors[$1].columnCount * layout.tensors[$1].columnCount) * 8 }
        let largestPass = passes.map { $0.reduce(Int64(0)) { $0 + Int64(layout.pairStatisticsBytes($1)) } }.max() ?? 0
        // Float64 products (asked for by the CCA and Procrustes families) hold a Float64 copy of each chunk as well.
        let precision = statistics.compactMap { ($0.1 as? any StatisticsMeasure)?.productPrecision }.max() ?? .single
        let widened = precision == .double ? 2 * chunkBytes(request.chunkRows) : 0
        steps.append(RouteStep(
          kind: .features, measures: statistics.map(\.0), passes: passes.count, bytesRead: bytesRead,
          memoryBytes: perLayer + largestPass + chunkBytes(request.chunkRows) + widened, productPrecision: precision))
      }
    }
    // A learned measure not yet built is rowwise unless it is DeepCKA (whole layers).
    let rowwise = measures.filter { id, measure in
      measure.map { $0 is any RowwiseMeasure } ?? (id.name != "deepcka")
    }
    for (id, measure) in rowwise {
      let chunkRows = (measure as? any RowwiseMeasure)?.chunkRows ?? request.chunkRows
      steps.append(RouteStep(
        kind: .rowwise, measures: [id], passes: 1, bytesRead: n * width(all) * 4, memoryBytes: 2 * chunkBytes(chunkRows)))
    }
    let folded = measures.compactMap { id, measure in (measure as? any FoldedStatisticsMeasure).map { (id, $0) } }
    for group in TableLayout.foldGroups(folded.map(\.1)) {
      let foldCount = Int64(folded[group[0]].1.foldCount)
      let passes = layout.statisticsPasses(of: layout.cells, budget: request.pairStatisticsBudget / Int(foldCount))
      let involved = Array(Set(layout.cells.flatMap { [$0.a, $0.b] })).sorted()
      var bytesRead = n * width(involved) * 4
      for pass in passes.dropFirst() { bytesRead += n * width(Array(Set(pass.flatMap { [$0.0, $0.1] }))) * 4 }
      let perLayer = involved.reduce(Int64(0)) { $0 + Int64(layout.tensors[$1].columnCount * layout.tensors[$1].columnCount) * 8 }
      let largestPass = passes.map { $0.reduce(Int64(0)) { $0 + Int64(layout.pairStatisticsBytes($1)) } }.max() ?? 0
      steps.append(RouteStep(
        kind: .folds, measures: group.map { folded[$0].0 }, passes: passes.count, bytesRead: bytesRead,
        // The chunk, and its rows widened to Float64 for the products.
        memoryBytes: foldCount * (perLayer + largestPass) + 3 * chunkBytes(request.chunkRows)))
    }
    let whole = measures.filter { id, measure in
      !(measure is any StatisticsMeasure) && !(measure is any FoldedStatisticsMeasure) && !rowwise.contains { $0.0 == id }
    }
    if !whole.isEmpty {
      steps.append(RouteStep(
        kind: .whole, measures: whole.map(\.0), passes: 1, bytesRead: n * width(all) * 4,
        memoryBytes: 2 * n * width(all) * 4))
    }
    return steps
  }

  // MARK: Running

  /// The tables of `sim`, computed or read back (its projections trained first), without writing them anywhere:
  /// for the benchmarks, which score them.
  public func materialize(_ sim: SimStatement) throws -> MaterializedTables {
    let plan = try planSim(sim)
    for step in plan.projections { try carryOut(step) }
    return try TableMaterializer.run(
      request(for: plan), statement: sim.description, in: store, recompute: sim.options.recompute)
  }

  /// The executor's request for a plan whose projections are stored.
  func request(for plan: SimPlan) throws -> TableRequest {
    let names = plan.projectionNames
    let options = plan.statement.options
    var request = TableRequest(
      measures: try LearnedMeasures.measures(plan.statement.measures, in: store) { names[$0.name] },
      rows: plan.rows, columns: plan.columns)
    request.intersect = options.intersect
    request.threads = plan.threads
    request.route = options.route ?? .automatic
    request.subset = plan.subset
    request.alignment = plan.alignment
    return request
  }

  /// Trains what the plan trains, computes or reads back its tables, and writes them to the sink.
  func runSim(_ plan: SimPlan) throws {
    for step in plan.projections { try carryOut(step) }
    let names = plan.projectionNames
    let sim = plan.statement
    let request = try request(for: plan)
    let reduction = sim.options.reduce

    // ndjson streams each cell as it is computed; the cells read back follow at the end.
    let streamer = CellStreamer(request)
    let streamed = StreamedCells()
    var onCells: (@Sendable ([ComputedCell]) -> Void)?
    if plan.streamsCells {
      let sink = self.sink
      onCells = { cells in
        streamed.add(cells)
        sink.write(cells.map { streamer.line($0) }.joined())
      }
    }
    let run: MaterializedTables
    do {
      run = try TableMaterializer.run(
        request, statement: sim.description, in: store, recompute: sim.options.recompute, progress: sink.progress,
        onCells: onCells)
    } catch let error as StoreError where error.kind == .interrupted {
      throw Interruption.error(
        keeping: "the cells computed so far are stored; run the same statement again to complete the table")
    }
    if plan.streamsCells {
      for (m, table) in run.tables.enumerated() {
        var lines = ""
        for (i, row) in table.values.enumerated() {
          for (j, value) in row.enumerated() where !streamed.contains(m, i, j) {
            lines += streamer.line(ComputedCell(measure: m, row: i, column: j, value: value))
          }
        }
        if !lines.isEmpty { sink.write(lines) }
      }
    } else {
      sink.write(
        TableRenderer.render(run.tables, as: plan.format, reduction: reduction, colour: sink.colour, width: sink.width))
    }
    for note in UndefinedNotes.notes(for: run.tables) { sink.note(note) }
    if let heatmap = sim.options.heatmap {
      for (table, path) in HeatmapFiles.paths(for: run.tables, given: heatmap) {
        try HeatmapFiles.write(HeatmapSVG.render(table), to: path)
        sink.note("heatmap of \(table.measure) written to \(path)")
      }
    }
    if let first = run.tables.first {
      sink.note(
        String(
          format: "%d×%d table%@ on %d examples in %.2f s%@", first.rows.count, first.columns.count,
          run.tables.count > 1 ? " ×\(run.tables.count) measures" : "", first.exampleCount, first.seconds,
          run.tables.contains { $0.route == .grams } ? " (n×n Gram route)" : ""))
    }
    for note in Self.storageNotes(run) { sink.note(note) }
    for name in Set(names.values).sorted() {
      guard let stored = try store.projection(named: name),
        let note = try TrainingOverlap.note(stored, comparedBy: request, in: store)
      else { continue }
      sink.warning(note)
    }
    if let refusal = run.notStored, refusal.kind != .locked {
      // The table is written all the same; that it could not be kept (a read-only store, a full disk) is the
      // statement's failure. Another writer holding the store is not: the note says so.
      throw QueryError(.notStored, refusal.message + "; the table was computed but not stored")
    }
  }

  /// One line per table: read back, resumed or stored, and under which number.
  static func storageNotes(_ run: MaterializedTables) -> [String] {
    if let refusal = run.notStored {
      // Anything but a lock is reported as the statement's error instead.
      return refusal.kind != .locked ? [] : ["tables not stored: \(refusal.message)"]
    }
    return run.tables.indices.compactMap { m in
      guard let id = run.tableIDs[m] else { return nil }
      let measure = run.tables[m].measure
      if run.reused[m] { return "\(measure): read back stored table \(id) (--recompute to compute it again)" }
      if run.resumed[m] { return "\(measure): completed the interrupted table \(id)" }
      return "\(measure): stored as table \(id) (repstore table \(id) shows it again)"
    }
  }
}

/// The cells already written by ndjson streaming.
final class StreamedCells: @unchecked Sendable {
  private let lock = NSLock()
  private var cells = Set<[Int]>()

  func add(_ computed: [ComputedCell]) {
    lock.withLock { for cell in computed { cells.insert([cell.measure, cell.row, cell.column]) } }
  }

  func contains(_ measure: Int, _ row: Int, _ column: Int) -> Bool {
    lock.withLock { cells.contains([measure, row, column]) }
  }
}
