import RepMeasures
import RepStore

/// One statement of the query language, as parsed: the syntax tree the planner works from.
///
/// The same statement can be written as query text (`repstore query 'sim cka a/* b/* with reduce=argmax'`), in a
/// statement file, or as command-line arguments (`repstore sim cka 'a/*' 'b/*' --reduce argmax`); all three parse
/// to equal values. `description` is the canonical text, and parsing it gives an equal value.
///
/// Parsing checks syntax and value types only: that a measure or projection exists, or that a selector matches
/// anything, is for the planner, which has the store.
///
/// ## Topics
/// - `QueryParser`: text, scripts and arguments to statements.
/// - `SimStatement`, `TrainStatement`, `ShowStatement`, `DropTableStatement`, `DropProjectionStatement`: one per verb
///   (two for `drop`).
/// - `SelectorExpression`: a selector with an optional example subset.
public enum QueryStatement: Sendable, Equatable, CustomStringConvertible {
  /// `sim MEASURES SEL SEL [options]`: a similarity table.
  case sim(SimStatement)
  /// `train KIND NAME on SEL [SEL …] [options]`: learn a projection.
  case train(TrainStatement)
  /// `show SUBJECT [SEL]`: list what the store holds.
  case show(ShowStatement)
  /// `drop table N`: delete a stored table.
  case dropTable(DropTableStatement)
  /// `drop projection NAME [NAME …] [--force]`: delete stored projections.
  case dropProjection(DropProjectionStatement)
  /// `explain sim …` or `explain train …`: the plan of the statement, printed instead of run.
  indirect case explain(QueryStatement)

  /// The canonical text, e.g. `sim cka model:a/* model:b/* --reduce argmax`.
  public var description: String {
    switch self {
    case .sim(let statement): statement.description
    case .train(let statement): statement.description
    case .show(let statement): statement.description
    case .dropTable(let statement): statement.description
    case .dropProjection(let statement): statement.description
    case .explain(let statement): "explain " + statement.description
    }
  }
}

/// `sim MEASURES SEL SEL [options]`: every layer the first selector picks against every layer of the second, under
/// each measure.
public struct SimStatement: Sendable, Equatable, CustomStringConvertible {
  /// The measures, in the order written; at least one. Not yet checked against the registry.
  public var measures: [MeasureID]
  /// The table's rows.
  public var rows: SelectorExpression
  /// The table's columns.
  public var columns: SelectorExpression
  /// `--reduce`, `--format` and the rest.
  public var options: SimOptions

  /// Creates a statement; `measures` must not be empty (a statement without a measure cannot be written).
  public init(measures: [MeasureID], rows: SelectorExpression, columns: SelectorExpression,
              options: SimOptions = SimOptions()) {
    precondition(!measures.isEmpty, "a sim statement needs at least one measure")
    self.measures = measures
    self.rows = rows
    self.columns = columns
    self.options = options
  }

  /// `sim cka,cca.mean model:a/* model:b/* --format csv`.
  public var description: String {
    let measureList = measures.map { CanonicalText.token($0.description) }.joined(separator: ",")
    return CanonicalText.statement(["sim", measureList, CanonicalText.token(rows), CanonicalText.token(columns)],
                                   options: options)
  }
}

/// `train KIND NAME on SEL [SEL …] [options]`: learn a projection of kind `kind` (e.g. `contrasim`), stored as
/// `name`, from the selected layers. The kind and options are read generically here; what they mean is the
/// trainer's business.
public struct TrainStatement: Sendable, Equatable, CustomStringConvertible {
  /// What to train, e.g. `contrasim`.
  public var kind: String
  /// The name the result is stored under, later given to `sim … --using NAME`.
  public var name: String
  /// The layers to train on, in the order written; at least one.
  public var selectors: [SelectorExpression]
  /// `--epochs`, `--positives` and the rest.
  public var options: TrainingOverrides

  /// Creates a statement; `selectors` must not be empty.
  public init(kind: String, name: String, selectors: [SelectorExpression], options: TrainingOverrides = TrainingOverrides()) {
    precondition(!selectors.isEmpty, "a train statement needs at least one selector")
    self.kind = kind
    self.name = name
    self.selectors = selectors
    self.options = options
  }

  /// `train contrasim probe1 on model:seed*/L3@train --epochs 20`.
  public var description: String {
    CanonicalText.statement(
      ["train", CanonicalText.token(kind), CanonicalText.token(name), "on"] + selectors.map(CanonicalText.token),
      options: options)
  }
}

/// `show SUBJECT [SEL]`: a listing of one kind of thing the store holds, optionally narrowed by a selector.
public struct ShowStatement: Sendable, Equatable, CustomStringConvertible {
  /// What to list.
  public var subject: ShowSubject
  /// Which of them, or `nil` for all.
  public var selector: SelectorExpression?

  /// Creates a statement.
  public init(_ subject: ShowSubject, selector: SelectorExpression? = nil) {
    self.subject = subject
    self.selector = selector
  }

  /// `show layers model:a/*`.
  public var description: String {
    (["show", subject.rawValue] + (selector.map { [CanonicalText.token($0)] } ?? [])).joined(separator: " ")
  }
}

/// What `show` lists.
public enum ShowSubject: String, Sendable, CaseIterable {
  /// The stored models.
  case models
  /// The stored layers (model, layer, example set, shape).
  case layers
  /// The example sets and their row counts.
  case examples
  /// The stored similarity tables, numbered for `drop table N`.
  case tables
  /// The trained projections: what each was trained on, whether its name was derived, the tables that use it.
  case projections
  /// The measures the registry knows, with their parameters.
  case measures
  /// The stored benchmark runs (`repstore bench`).
  case benchmarks
}

/// `drop table N`: delete stored table number N.
public struct DropTableStatement: Sendable, Equatable, CustomStringConvertible {
  /// The table's number, as `show tables` lists it; positive.
  public var tableNumber: Int

  /// Creates a statement; `tableNumber` must be positive.
  public init(tableNumber: Int) {
    precondition(tableNumber > 0, "table numbers start at 1")
    self.tableNumber = tableNumber
  }

  /// `drop table 3`.
  public var description: String { "drop table \(tableNumber)" }
}
