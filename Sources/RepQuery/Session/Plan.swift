import RepLearning
import RepMath
import RepMeasures
import RepStore

/// What running a statement will do, decided before anything is computed: `QuerySession.plan(_:)` makes it,
/// `QuerySession.run(_:)` carries it out, and `explain` prints it (`PlanText`).
public struct Plan: Sendable {
  /// The statement planned.
  public var statement: QueryStatement
  public var action: Action

  public enum Action: Sendable {
    /// A similarity table per measure.
    case sim(SimPlan)
    /// A projection to train and store.
    case train(TrainingPlan)
    case show(ShowStatement)
    case dropTable(Int)
    /// Projections to remove, with the stored tables that compare through them.
    case dropProjections(ProjectionDropPlan)
    /// The plan of another statement, printed instead of run.
    indirect case explain(Plan)
  }
}

/// The plan of a `sim` statement.
public struct SimPlan: Sendable {
  public var statement: SimStatement
  public var rows: [TensorInfo]
  public var columns: [TensorInfo]
  /// How the compared examples line up; the executor uses it as planned.
  public var alignment: ExampleAlignment
  public var subset: ExampleRowSubset?
  /// The projections of the learned measures, before any table is computed.
  public var projections: [ProjectionStep]
  /// One per measure, in the statement's order.
  public var tables: [TableStep]
  /// How the cells still to compute are computed, one entry per group of measures that share a pass.
  public var routes: [RouteStep]
  public var format: TableFormat
  /// Whether cells are written as they are computed (ndjson without a reduction).
  public var streamsCells: Bool
  public var threads: Int

  /// The learned measure → projection name.
  public var projectionNames: [String: String] {
    Dictionary(projections.flatMap { step in step.measures.map { ($0, step.name) } }, uniquingKeysWith: { a, _ in a })
  }
}

/// A projection a plan compares through.
public struct ProjectionStep: Sendable {
  public enum Action: Sendable, Equatable {
    /// A stored projection the statement names (`--using`).
    case use
    /// Trained by an earlier run of the same training (`--train-on`, a benchmark's training examples).
    case reuse
    /// To train and store before the tables.
    case train
  }

  /// The learned measures (names) that compare through it.
  public var measures: [String]
  public var name: String
  public var action: Action
  /// The training that makes it (nil for `--using`).
  public var training: TrainingPlan?
  /// The option that gave the training layers, for notes: `--train-on` or `--train-examples`.
  public var trainedOnOption: String
}

/// A `train` statement resolved against the store.
public struct TrainingPlan: Sendable {
  public var statement: TrainStatement
  /// Every option, the defaults of `TrainingOptions` filled in.
  public var options: TrainingOptions
  public var positives: PositivePairs
  /// The tensors of each selector, in the statement's order.
  public var selections: [[TensorInfo]]
  public var models: [String]
  /// The examples trained on (before any hold-out).
  public var subset: ExampleRowSubset?
  public var exampleCount: Int
  public var examples: String

  /// Every tensor trained on.
  public var tensors: [TensorInfo] { selections.flatMap { $0 } }
}

/// What happens to one measure's table.
public struct TableStep: Sendable {
  public enum Status: Sendable, Equatable {
    /// A complete stored table with the same inputs: read back, nothing computed.
    case readBack(table: Int64)
    /// An interrupted stored table: only its missing cells are computed.
    case resume(table: Int64, storedCells: Int)
    /// Computed and stored as a new table.
    case compute
    /// Its projection is trained first; whether a table is stored for it is known after.
    case afterTraining
  }

  public var measure: MeasureID
  public var status: Status
}

/// One way of computing cells, with what it reads and holds.
public struct RouteStep: Sendable, Equatable {
  public enum Kind: String, Sendable {
    /// d×d feature statistics of every layer and pair, accumulated in row chunks (CKA, the CCA family, Procrustes).
    case features
    /// The n×n centered Gram of each layer, formed once (linear and debiased CKA when n ≪ d).
    case grams
    /// Running sums over row chunks (dot, norm, minibatch CKA, the projected measures).
    case rowwise
    /// d×d statistics of every layer and pair on each of K contiguous folds of the rows (cross-validated ridge).
    case folds
    /// Whole layers in memory (kernels, neighbours, RSA, DeepCKA).
    case whole
  }

  public var kind: Kind
  public var measures: [MeasureID]
  /// Passes over the data (more than one when the pair statistics exceed the memory budget).
  public var passes: Int
  /// Float32 bytes read from the store, decompressed.
  public var bytesRead: Int64
  /// The largest working memory the route holds at once (statistics, Grams or matrices, and chunk buffers).
  public var memoryBytes: Int64
  /// For the feature route, the precision of the chunk products: `.double` when a measure asks for it (the
  /// CCA and Procrustes families), which costs about twice the product time.
  public var productPrecision: ProductPrecision = .single
}
