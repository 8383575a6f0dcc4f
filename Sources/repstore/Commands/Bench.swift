import ArgumentParser
import Foundation
import RepMeasures
import RepQuery
import RepStore

extension LayerPredictionBenchmark.Pairs: ExpressibleByArgument {}
extension RetrievalBenchmark.Negatives: ExpressibleByArgument {}

extension Repstore {
  /// `repstore bench`: the ContraSim paper's benchmarks over the store's layers.
  struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "bench",
      abstract: "Run the benchmarks that tell similarity measures apart: layer prediction and paired retrieval.",
      discussion: """
        Each prints a table of right decisions per measure (and chance), writes csv, tsv, json or ndjson with --format \
        and an SVG heatmap of accuracies with --heatmap. Runs are stored: the same benchmark over the same data is \
        read back (--recompute computes it again), and every similarity table it computed is a stored table. The \
        learned measures (contrasim, contrasim.dist, deepdot, deepcka) train their projections on --train-examples \
        (stored, and reused by later runs with the same training); training examples that overlap the test ones are \
        refused unless --allow-overlap.

        Examples:
          repstore bench layer-prediction --models 'seed*/L*' \\
            --test-examples digits-test --train-examples digits-train
          repstore bench retrieval --query 'minilm-doc/*@text-test' \\
            --target 'minilm-code/*@text-test' --negatives knn \\
            --train-examples text-train
          repstore bench runs
        """,
      subcommands: [LayerPrediction.self, Retrieval.self, Runs.self, Show.self])
  }
}

extension Repstore.Bench {
  /// Output and run options shared by both benchmarks.
  struct Output: ParsableArguments {
    @Option(help: "Output format.")
    var format: TableFormat = .table

    @Option(help: ArgumentHelp("Also draw the accuracies as an SVG heatmap.", valueName: "file.svg"))
    var heatmap: String?

    @Flag(help: "Compute again even when the store holds this run.")
    var recompute = false

    @Flag(name: .customLong("allow-overlap"), help: ArgumentHelp(
      "Run even when the learned measures' training examples include test examples (refused by default: their "
        + "scores would be inflated)."))
    var allowOverlap = false

    @Flag(name: .shortAndLong, help: "No progress or notes on stderr.")
    var quiet = false

    func validate() throws {
      if let heatmap, !heatmap.lowercased().hasSuffix(".svg") {
        throw ValidationError("--heatmap expects an .svg file name, got '\(heatmap)'")
      }
    }

    /// Prints the result, writes its heatmap, and says where it came from.
    func show(_ result: BenchmarkResult) throws {
      FileHandle.standardOutput.write(Data(BenchmarkRenderer.render(result, as: format).utf8))
      if let heatmap {
        try HeatmapFiles.write(BenchmarkRenderer.heatmap(result), to: heatmap)
        if !quiet { printNote("heatmap written to \(heatmap)") }
      }
      guard !quiet else { return }
      // "contrasim: projection contrasim-96cc…" or, one per layer, "contrasim: L1 contrasim-449a…, L2 …".
      let byMeasure = Dictionary(grouping: result.projections.sorted { $0.key < $1.key }) {
        String($0.key.split(separator: " ").first ?? "")
      }
      for (measure, entries) in byMeasure.sorted(by: { $0.key < $1.key }) {
        let list = entries.map { entry in
          (entry.key.split(separator: " ").dropFirst().first.map { "\($0) " } ?? "") + entry.value
        }
        printNote("\(measure) compared through projection\(list.count > 1 ? "s" : "") " + list.joined(separator: ", "))
      }
      for note in result.notes { printNote(note) }
      if let id = result.runID {
        printNote(String(format: "%@ run %lld in %.1f s", result.reused ? "read back benchmark" : "stored as benchmark",
                         id, result.seconds))
      }
    }
  }

  /// Runs a benchmark through a session on the store (its projections trained when not stored yet, progress on
  /// stderr) and shows the result.
  static func execute(
    _ storeOptions: StoreOptions, output: Output, logEvery: Int?, _ run: (QuerySession) throws -> BenchmarkResult
  ) throws {
    var session = try QuerySession(storeOptions, quiet: output.quiet)
    session.logEvery = logEvery
    try output.show(run(session))
  }

  /// The measure ids given, or the benchmark's defaults.
  static func measureIDs(_ given: String?, defaults: [MeasureID]) throws -> [MeasureID] {
    guard let given else { return defaults }
    return try parse { () throws(QuerySyntaxError) in try QueryParser.parseMeasures(given) }
  }

  static func parse<T>(_ body: () throws(QuerySyntaxError) -> T) throws -> T {
    do { return try body() } catch { throw ValidationError(error.caretDiagnostic) }
  }

  struct LayerPrediction: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "layer-prediction",
      abstract: "For pairs of models that differ only in seed: does each measure find the same layer?",
      discussion: """
        For each pair of models (A, B) and each layer of A, the decision is right when the layer of B that the measure \
        finds most similar (argmax; the smallest for a distance; ties to the first) is the same layer. Pairs are \
        disjoint by default ((m0, m1), (m2, m3), … in the store's order); --pairs all takes every pair. Chance is 1/L \
        for L layers.

        Examples:
          repstore bench layer-prediction --models 'seed*' --test-examples digits-test
          repstore bench layer-prediction --models 'seed*/L*' \\
            --test-examples digits-test --measures cka,dot,contrasim \\
            --train-models 'seed{0..3}' --train-examples digits-train --epochs 30
          repstore bench layer-prediction --models 'seed*' \\
            --test-examples digits-test --format csv --heatmap lp.svg
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp(
      "The models (and optionally their layers), e.g. 'seed*' or 'model:seed*/L*'.", valueName: "selector"))
    var models: String

    @Option(name: .customLong("test-examples"), help: ArgumentHelp(
      "The example set the decisions are made on (a subset too: digits-test[0:300]).", valueName: "set"))
    var testExamples: String?

    @Option(help: ArgumentHelp(
      "Comma-separated measure ids (default: cka,cka.debiased,pwcca,svcca(var=0.99),dot,norm, and deepdot, deepcka "
        + "and contrasim when --train-examples is given).", valueName: "ids"))
    var measures: String?

    @Option(name: .customLong("train-models"), help: ArgumentHelp(
      "The models whose layers the learned measures train on (default: --models).", valueName: "selector"))
    var trainModels: String?

    @Option(name: .customLong("train-examples"), help: ArgumentHelp(
      "The example set the learned measures train on (other examples than the test ones).", valueName: "set"))
    var trainExamples: String?

    @Option(help: "disjoint or all.")
    var pairs: LayerPredictionBenchmark.Pairs = .disjoint

    @Option(help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
    var threads: Int?

    @OptionGroup(title: "Training (learned measures)") var training: TrainingArguments
    @OptionGroup var output: Output

    func run() throws {
      try reportingErrors {
        let examples = try testExamples.map { argument in
          try Repstore.Bench.parse { () throws(QuerySyntaxError) in try QueryParser.parseExampleSet(argument) }
        }
        let modelLayers = try Repstore.Bench.parse { () throws(QuerySyntaxError) in
          try QueryParser.parseSelector(models)
        }
        let test = modelLayers.withExamples(examples)
        let ids = try Repstore.Bench.measureIDs(
          measures, defaults: LayerPredictionBenchmark.defaultMeasures(learned: trainExamples != nil))
        var benchmark = LayerPredictionBenchmark(test: test, measures: ids)
        if let trainExamples {
          let set = try Repstore.Bench.parse { () throws(QuerySyntaxError) in
            try QueryParser.parseExampleSet(trainExamples)
          }
          var train = try trainModels.map { argument in
            try Repstore.Bench.parse { () throws(QuerySyntaxError) in try QueryParser.parseSelector(argument) }
          } ?? modelLayers
          // Training models given without layers take those of --models: seed{0..3} with seed*/L* → seed{0..3}/L*.
          if train.selector.layer == .any { train.selector.layer = test.selector.layer }
          benchmark.train = [train.withExamples(set)]
        }
        benchmark.training = try Repstore.Bench.trainingOverrides(training.words)
        benchmark.pairs = pairs
        benchmark.threads = threads ?? defaultThreadCount
        benchmark.recompute = output.recompute
        benchmark.allowOverlap = output.allowOverlap
        try Repstore.Bench.execute(storeOptions, output: output, logEvery: training.logEvery) {
          try benchmark.run(in: $0)
        }
      }
    }
  }

  struct Retrieval: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "retrieval",
      abstract: "Per layer: does each measure pick a set of paired rows over sets of other rows?",
      discussion: """
        The query and target are two views of the same examples (two models, or one model's states for two inputs: a \
        sentence and its translation, an image and its caption, a docstring and its code), with the same layer names, \
        on the same example keys. The examples are cut into consecutive sets of --set-size; each set's query rows are \
        compared with its own target rows (the positive) and with --candidates other sets of target rows; the decision \
        is right when the positive scores strictly best. Negatives: random (uniform draws from the rows outside the \
        set) or knn (the j-th nearest neighbours, exact L2 in the target view at that layer: hard negatives). Chance \
        is 1/(candidates + 1). The learned measures train one projection per layer with same-example positives on \
        --train-examples.

        Examples:
          repstore bench retrieval --query 'minilm-doc/*@text-test' \\
            --target 'minilm-code/*@text-test'
          repstore bench retrieval --query 'minilm-doc/*@text-test' \\
            --target 'minilm-code/*@text-test' --negatives knn \\
            --measures cka.debiased,dot,contrasim --train-examples text-train \\
            --epochs 30
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The query view's layers on the test examples.", valueName: "selector"))
    var query: String

    @Option(help: ArgumentHelp("The target view's layers (the same layer names).", valueName: "selector"))
    var target: String

    @Option(help: ArgumentHelp(
      "Comma-separated measure ids (default: cka,cka.debiased,dot,norm, and deepdot, deepcka and contrasim when "
        + "--train-examples is given).", valueName: "ids"))
    var measures: String?

    @Option(name: .customLong("set-size"), help: "Rows per set.")
    var setSize = 8

    @Option(help: "Negative sets per decision.")
    var candidates = 10

    @Option(help: "random or knn.")
    var negatives: RetrievalBenchmark.Negatives = .random

    @Option(name: .customLong("sample-seed"), help: "Seed of the random negatives.")
    var sampleSeed: UInt64 = 0

    @Option(name: .customLong("train-examples"), help: ArgumentHelp(
      "The example set the learned measures train on (both views, each layer).", valueName: "set"))
    var trainExamples: String?

    @Option(name: .customLong("train-negatives"), help: ArgumentHelp(
      "Negatives of the projections' training: batch (default) or knn:K.", valueName: "batch|knn:K"))
    var trainNegatives: String?

    @OptionGroup(title: "Training (learned measures)") var training: TrainingArguments
    @OptionGroup var output: Output

    func run() throws {
      try reportingErrors {
        let (q, t) = try Repstore.Bench.parse { () throws(QuerySyntaxError) in
          (try QueryParser.parseSelector(query), try QueryParser.parseSelector(target))
        }
        let ids = try Repstore.Bench.measureIDs(
          measures, defaults: RetrievalBenchmark.defaultMeasures(learned: trainExamples != nil))
        var benchmark = RetrievalBenchmark(query: q, target: t, measures: ids)
        benchmark.setSize = setSize
        benchmark.candidates = candidates
        benchmark.negatives = negatives
        benchmark.seed = sampleSeed
        benchmark.trainExamples = try trainExamples.map { argument in
          try Repstore.Bench.parse { () throws(QuerySyntaxError) in try QueryParser.parseExampleSet(argument) }
        }
        benchmark.training = try Repstore.Bench.trainingOverrides(
          training.words + (trainNegatives.map { ["--negatives", $0] } ?? []))
        benchmark.recompute = output.recompute
        benchmark.allowOverlap = output.allowOverlap
        try Repstore.Bench.execute(storeOptions, output: output, logEvery: training.logEvery) {
          try benchmark.run(in: $0)
        }
      }
    }
  }

  /// `repstore bench runs`: the stored runs.
  struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "runs",
      abstract: "List the benchmark runs stored in the store.",
      discussion: """
        Examples:
          repstore bench runs
          repstore bench runs --format csv
          repstore bench show 2 --format json
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Output format.")
    var format: ListingFormat = .table

    func run() throws {
      try reportingErrors {
        let listing = try Listings.benchmarkRuns(storeOptions.open())
        if format == .table && listing.rows.isEmpty {
          printNote("no stored benchmark runs yet: `repstore bench layer-prediction` and `bench retrieval` store theirs")
          return
        }
        FileHandle.standardOutput.write(Data(listing.render(format).utf8))
      }
    }
  }

  /// `repstore bench show N`: one stored run, re-read.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a stored benchmark run again, in any output format.",
      discussion: """
        N is the run's number from `repstore bench runs` or the note the benchmark printed.

        Examples:
          repstore bench show 1
          repstore bench show 1 --format csv --heatmap run1.svg
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The run's number.", valueName: "n"))
    var id: Int64

    @OptionGroup var output: Output

    func run() throws {
      try reportingErrors {
        let store = try storeOptions.open()
        guard let run = try store.benchmarkRuns().first(where: { $0.id == id }) else {
          throw ValidationError("no benchmark run \(id) in this store (`repstore bench runs` lists them)")
        }
        try output.show(BenchmarkResult(run))
      }
    }
  }

  /// Training options given as `train` option words, checked by the query language.
  static func trainingOverrides(_ words: [String]) throws -> TrainingOverrides {
    try parse { () throws(QuerySyntaxError) in try QueryParser.parseTrainingOverrides(words) }
  }
}
