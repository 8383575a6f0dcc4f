import ArgumentParser
import Foundation
import RepMeasures
import RepQuery
import RepStore

extension TableFormat: ExpressibleByArgument {}
extension StatisticsRoute: ExpressibleByArgument {}
extension TableReduction: ExpressibleByArgument {}

extension Repstore {
  struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sim",
      abstract: "Compute a similarity table: every layer of one selection against every layer of another.",
      discussion: """
        MEASURE is a measure id (see `repstore measures`), or several separated by commas; measures of the covariance \
        family (cka, cka.debiased, cca.*, svcca*, pwcca*, procrustes*) share one pass over the data. Rows are compared \
        only on the same example keys: if the two selections use different example sets the command fails and says how \
        they differ, unless --intersect (common keys, in the first set's order). cka and cka.debiased alone take the \
        n×n Gram route when the examples are much fewer than the features (say 500 sentences of 4,096-wide states); \
        --route forces one.

        Output: an aligned matrix on a terminal (rows = first selection); --format csv|tsv gives one row per cell with \
        the header a,b,value,reason,measure (a and b written MODEL/LAYER, undefined cells as NaN with their reason); \
        json gives {measure, larger_is_similar, symmetric, rows, columns, cells: [{a, b, value, reason}]} (NaN as \
        null; an array of such objects for several measures); ndjson one cell per line. --reduce argmax keeps, for \
        each row, its best-matching column (the largest value, or the smallest for a distance): the layer-prediction \
        decision.

        The learned measures (contrasim, contrasim.dist, deepdot, deepcka) compare through a trained projection: \
        --using NAME names a stored one (`repstore projections` lists them); --train-on SEL trains one first, on other \
        examples than those compared (training on the compared rows inflates the score), with the training options \
        below.

        Examples:
          repstore sim cka model:a/L3 'model:b/*'
          repstore sim cka.debiased 'model:seed*/*' 'model:seed*/*' --format csv
          repstore sim cka,cca.mean 'seed0/*@digits-test' 'seed1/*@digits-test' \\
            --reduce argmax
          repstore sim 'rsa(rdm=euclidean,compare=pearson)' model:a/L1 model:b/L1 \\
            --format json
          repstore sim contrasim 'seed0/*@digits-test' 'seed1/*@digits-test' \\
            --train-on 'seed{0..3}/*@digits-train'
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("Measure id(s), comma-separated.", valueName: "measure"))
    var measure: String

    @Argument(help: ArgumentHelp("The table's rows (a selector, optionally with @SET[a:b] or @SET[keys=FILE]).",
                                 valueName: "selector-a"))
    var left: String

    @Argument(help: ArgumentHelp("The table's columns.", valueName: "selector-b"))
    var right: String

    @OptionGroup var layout: TableLayoutOptions

    @Flag(help: "Compare different example sets on their common keys.")
    var intersect = false

    @Option(help: ArgumentHelp("Also draw the table as an SVG heatmap (one file per measure).", valueName: "file.svg"))
    var heatmap: String?

    @Option(help: ArgumentHelp(
      "The trained projection that contrasim, contrasim.dist, deepdot and deepcka compare through.",
      valueName: "name"))
    var using: String?

    @Option(name: .customLong("train-on"), help: ArgumentHelp(
      "Train the projection of contrasim, contrasim.dist, deepdot or deepcka on these layers first (repeatable; "
        + "stored under a name derived from what it is trained on, and reused when asked again).",
      valueName: "selector"))
    var trainOn: [String] = []

    @OptionGroup(title: "Training (with --train-on)") var training: TrainingArguments
    @OptionGroup(title: "Training (with --train-on)") var negatives: NegativesArgument

    @Option(help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp(
      "How cka and cka.debiased are computed: d×d feature statistics streamed in row chunks, or n×n Grams of whole "
        + "layers (cheaper when n is much smaller than d); auto picks the cheaper.", valueName: "auto|features|grams"))
    var route: StatisticsRoute = .automatic

    @Flag(help: "Compute again even when the store holds this table already.")
    var recompute = false

    @Flag(help: ArgumentHelp(
      "Print the plan (projections to train or reuse, tables to read back or compute, routes, passes, bytes read "
        + "and held) instead of running it."))
    var explain = false

    @Flag(name: .shortAndLong, help: "No progress or notes on stderr.")
    var quiet = false

    /// The command line as the query language reads it: `sim MEASURE SEL SEL --option value ...`.
    var statementArguments: [String] {
      var words = ["sim", measure, left, right]
      if layout.format != .table { words += ["--format", layout.format.rawValue] }
      if let reduce = layout.reduce { words += ["--reduce", reduce.rawValue] }
      if intersect { words.append("--intersect") }
      if let heatmap { words += ["--heatmap", heatmap] }
      if let using { words += ["--using", using] }
      for selector in trainOn { words += ["--train-on", selector] }
      words += training.words + negatives.words
      if let threads { words += ["--threads", String(threads)] }
      if route != .automatic { words += ["--route", route.rawValue] }
      if recompute { words.append("--recompute") }
      return words
    }

    func run() throws {
      try reportingErrors {
        // The arguments go through the query language's grammar, like `repstore query`.
        let statement = try parseStatement(statementArguments)
        var session = try QuerySession(storeOptions, quiet: quiet)
        session.logEvery = training.logEvery
        try session.execute(explain ? .explain(statement) : statement)
      }
    }
  }
}

/// How a similarity table is written: `sim` and `table N` take the same two options.
struct TableLayoutOptions: ParsableArguments {
  @Option(help: "Output format.")
  var format: TableFormat = .table

  @Option(help: ArgumentHelp(
    "argmax (or max): each row's best-matching column; diag: the cells (i, i) only.", valueName: "argmax|max|diag"))
  var reduce: TableReduction?
}
