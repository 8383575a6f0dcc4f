import ArgumentParser
import Foundation
import RepMeasures
import RepQuery
import RepStore

extension TableFormat: ExpressibleByArgument {}
extension StatisticsRoute: ExpressibleByArgument {}

extension Repstore {
  struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compute a similarity table: every layer of one selection against every layer of another.",
      discussion: """
        MEASURE is a measure id (see `repstore measures`), or several separated by commas; measures of the
        covariance family (cka, cka.debiased, cca.*, svcca*, pwcca*, procrustes*) share one pass over the data.
        Rows are compared only on the same example keys: if the two selections use different example sets the
        command fails and says how they differ, unless --intersect (common keys, in the first set's order).
        cka and cka.debiased alone take the n×n Gram route when the examples are much fewer than the features
        (say 500 sentences of 4,096-wide states); --route forces one.

        Output: an aligned matrix on a terminal (rows = first selection); --format csv|tsv gives one row per
        cell with the header a,b,value,reason,measure (a and b written MODEL/LAYER, undefined cells as NaN with
        their reason); json gives {measure, larger_is_similar, symmetric, rows, columns, cells: [{a, b, value,
        reason}]} (NaN as null; an array of such objects for several measures); ndjson one cell per line.
        --reduce argmax keeps, for each row, its best-matching column (the largest value, or the smallest for a
        distance): the layer-prediction decision.

        Examples:
          repstore sim cka model:a/L3 'model:b/*'
          repstore sim cka.debiased 'model:seed*/*' 'model:seed*/*' --format csv
          repstore sim cka,cca.mean 'seed0/*@digits-test' 'seed1/*@digits-test' --reduce argmax
          repstore sim 'rsa(rdm=euclidean,compare=pearson)' model:a/L1 model:b/L1 --format json
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("Measure id(s), comma-separated.", valueName: "measure"))
    var measure: String

    @Argument(help: ArgumentHelp("The table's rows.", valueName: "selector-a"))
    var left: String

    @Argument(help: ArgumentHelp("The table's columns.", valueName: "selector-b"))
    var right: String

    @Option(help: "Output format.")
    var format: TableFormat = .table

    @Option(help: ArgumentHelp("Keep one cell per row: its best-matching column.", valueName: "argmax"))
    var reduce: Reduction?

    @Flag(help: "Compare different example sets on their common keys.")
    var intersect = false

    @Option(help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp(
      "How cka and cka.debiased are computed: d×d feature statistics streamed in row chunks, or n×n Grams of whole "
        + "layers (cheaper when n is much smaller than d); auto picks the cheaper.", valueName: "auto|features|grams"))
    var route: StatisticsRoute = .automatic

    @Flag(help: "Compute again even when the store holds this table already.")
    var recompute = false

    @Flag(name: .shortAndLong, help: "No progress or notes on stderr.")
    var quiet = false

    enum Reduction: String, ExpressibleByArgument, CaseIterable { case argmax }

    /// The canonical statement stored with the tables.
    var statement: String {
      var words = ["sim", measure, left, right]
      if intersect { words.append("--intersect") }
      if route != .automatic { words += ["--route", route.rawValue] }
      return words.map(Self.quotedIfNeeded).joined(separator: " ")
    }

    static func quotedIfNeeded(_ word: String) -> String {
      word.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ? "'" + word.replacingOccurrences(of: "'", with: "\\'") + "'" : word
    }

    /// One line per table: read back, resumed or stored, and under which number.
    static func storageNotes(_ run: MaterializedTables) -> [String] {
      if let reason = run.notStoredReason { return ["tables not stored: \(reason)"] }
      return run.tables.indices.compactMap { m in
        guard let id = run.tableIDs[m] else { return nil }
        let measure = run.tables[m].measure
        if run.reused[m] { return "\(measure): read back stored table \(id) (--recompute to compute it again)" }
        if run.resumed[m] { return "\(measure): completed the interrupted table \(id)" }
        return "\(measure): stored as table \(id) (repstore table \(id) shows it again)"
      }
    }

    func run() throws {
      try reportingErrors {
        let measures = try MeasureRegistry.make(list: measure)
        let store = try storeOptions.open()
        var request = TableRequest(
          measures: measures, rows: try store.tensors(matching: Selector.parse(left)),
          columns: try store.tensors(matching: Selector.parse(right)))
        request.intersect = intersect
        request.threads = threads ?? defaultThreadCount
        request.route = route
        // ndjson streams each cell as it is computed; the cells read back follow at the end.
        let streaming = format == .ndjson && reduce == nil
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
          request, statement: statement, in: store, recompute: recompute,
          progress: TerminalProgress.ifTerminal(quiet: quiet), onCells: onCells)
        let tables = run.tables
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
          FileHandle.standardOutput.write(
            Data(TableRenderer.render(tables, as: format, bestOnly: reduce == .argmax).utf8))
        }
        if !quiet, let first = tables.first {
          printNote(
            String(
              format: "%d×%d table%@ on %d examples in %.2f s%@", first.rows.count, first.columns.count,
              tables.count > 1 ? " ×\(tables.count) measures" : "", first.exampleCount, first.seconds,
              tables.contains { $0.route == .grams } ? " (n×n Gram route)" : ""))
          for note in Self.storageNotes(run) { printNote(note) }
        }
      }
    }
  }
}

/// The cells already written by ndjson streaming.
private final class StreamedCells: @unchecked Sendable {
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
