import RepStore

/// The options of `sim`, typed. Unset options are `nil` (or `false` for flags) so the executor can apply its own
/// defaults, and the canonical text lists only what was given.
///
/// Written `--reduce argmax --intersect` or, in query text, `with reduce=argmax, intersect`; printed in the order of
/// `definitions`.
public struct SimOptions: Sendable, Equatable {
  /// `--reduce argmax|max|diag`: one cell per row instead of the whole table.
  public var reduce: TableReduction?
  /// `--using NAME`: compare the layers after a trained projection.
  public var projection: String?
  /// `--train-on SEL` (repeatable): the layers and examples a projection is trained on for this table's learned
  /// measures, as the selectors of a `train` statement.
  public var trainOn: [SelectorExpression] = []
  /// `--epochs`, `--positives` and the other options of `train`, for the projection `--train-on` trains.
  public var training = TrainingOverrides()
  /// `--intersect`: compare different example sets on their common keys.
  public var intersect = false
  /// `--format table|csv|tsv|json|ndjson`.
  public var format: TableFormat?
  /// `--heatmap FILE.svg`: also draw the table.
  public var heatmap: String?
  /// `--route auto|features|grams`: how statistics measures are computed.
  public var route: StatisticsRoute?
  /// `--recompute`: do not reuse a stored table.
  public var recompute = false
  /// `--threads N`: worker threads.
  public var threads: Int?

  /// No option set.
  public init() {}
}

/// How `--reduce` shrinks a table to one cell per row.
public enum TableReduction: String, Sendable, CaseIterable {
  /// The best-matching column of each row (largest value, or smallest for a distance): the layer-prediction decision.
  case argmax
  /// The best value of each row, without naming the column.
  case max
  /// The diagonal: row i against column i.
  case diag
}

extension SimOptions: StatementOptions {
  /// The options of `sim`, in canonical order.
  static var definitions: [OptionDefinition<SimOptions>] {
    [
      .choice("reduce", \.reduce),
      .text("using", \.projection, expecting: "a projection name"),
      .selectors("train-on", \.trainOn),
      .flag("intersect", \.intersect),
      .choice("format", \.format),
      .text("heatmap", \.heatmap, expecting: "an .svg file name", accepting: { $0.lowercased().hasSuffix(".svg") }),
      .choice("route", \.route),
      .flag("recompute", \.recompute),
      .integer("threads", \.threads, minimum: 1),
    ] + TrainingOverrides.definitions.map { $0.lifted(\.training) }
  }
}
