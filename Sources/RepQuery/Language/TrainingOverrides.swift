import RepLearning

/// What a `train` statement (or `sim --train-on`, or a benchmark) sets of a training run's options; unset options
/// are `nil` and take the defaults of `TrainingOptions` (RepLearning), which are written there and nowhere else
/// (`resolved(objective:positives:)` applies them).
///
/// Written `--epochs 20 --lr 0.001` or, in query text, `with epochs=20, lr=0.001`; printed in the order of
/// `definitions`. Only types and ranges are checked here; whether a kind of projection uses an option is not.
public struct TrainingOverrides: Sendable, Equatable {
  /// `--positives same-layer|same-example`: which pairs count as matching.
  public var positives: PositivePairs?
  /// `--negatives batch|knn:K`: where non-matching pairs come from.
  public var negatives: NegativeSampling?
  /// `--epochs N`, N ≥ 1.
  public var epochs: Int?
  /// `--lr X`, the learning rate, X > 0.
  public var learningRate: Double?
  /// `--batch N`, examples per step, N ≥ 1.
  public var batchSize: Int?
  /// `--seed N`, N ≥ 0: every random choice of the run follows from it.
  public var seed: UInt64?
  /// `--out-dim N`, the projection's output width, N ≥ 1.
  public var outputDimension: Int?
  /// `--weight-decay X`, X ≥ 0.
  public var weightDecay: Double?
  /// `--temperature X`, of the contrastive softmax, X > 0.
  public var temperature: Double?
  /// `--validation X`, the fraction of examples held out, 0 ≤ X < 1.
  public var validationFraction: Double?
  /// `--standardize` / `--no-standardize`: whether each input tensor's columns are standardized by its own means and
  /// deviations before the encoder (`ColumnStandardization`); nil leaves it to the objective's default.
  public var standardize: Bool?

  /// No option set.
  public init() {}
}

/// Which pairs `--positives` treats as matching.
public enum PositivePairs: String, Sendable, CaseIterable {
  /// The same layer of different models on the same example.
  case sameLayer = "same-layer"
  /// Any two selected layers on the same example.
  case sameExample = "same-example"
}

/// Where `--negatives` draws non-matching pairs from.
public enum NegativeSampling: Sendable, Equatable, CustomStringConvertible {
  /// The other examples of the batch: `batch`.
  case batch
  /// The `k` nearest other examples, hard negatives: `knn:K`, k ≥ 1.
  case nearestNeighbors(k: Int)

  /// Reads `batch` or `knn:K`; `nil` for anything else.
  init?(_ text: String) {
    if text == "batch" {
      self = .batch
    } else if text.hasPrefix("knn:"), let k = Int(text.dropFirst(4)), k >= 1 {
      self = .nearestNeighbors(k: k)
    } else {
      return nil
    }
  }

  /// `batch` or `knn:K`.
  public var description: String {
    switch self {
    case .batch: "batch"
    case .nearestNeighbors(let k): "knn:\(k)"
    }
  }
}

extension TrainingOverrides: StatementOptions {
  /// The options of `train`, in canonical order.
  static var definitions: [OptionDefinition<TrainingOverrides>] {
    let valued: [OptionDefinition<TrainingOverrides>] = [
      .choice("positives", \.positives),
      .value("negatives", \.negatives, expecting: "batch or knn:K with K a positive integer",
             read: NegativeSampling.init, write: \.description),
      .integer("epochs", \.epochs, minimum: 1),
      .number("lr", \.learningRate, expecting: "a positive number", accepting: { $0 > 0 }),
      .integer("batch", \.batchSize, minimum: 1),
      .value("seed", \.seed, expecting: "a non-negative integer", read: { UInt64($0) }, write: { String($0) }),
      .integer("out-dim", \.outputDimension, minimum: 1),
      .number("weight-decay", \.weightDecay, expecting: "a number of at least 0", accepting: { $0 >= 0 }),
      .number("temperature", \.temperature, expecting: "a positive number", accepting: { $0 > 0 }),
      .number("validation", \.validationFraction, expecting: "a fraction from 0 up to (not including) 1",
              accepting: { 0 <= $0 && $0 < 1 }),
    ]
    return valued + OptionDefinition.flags("standardize", \.standardize)
  }
}

extension TrainingOverrides {
  /// The full options of a run: these overrides over `TrainingOptions`' defaults, with input standardization
  /// following `positives` unless set (`ProjectionTrainer.standardizesByDefault`).
  public func resolved(objective: TrainingOptions.Objective, positives: PositivePairs) -> TrainingOptions {
    var options = TrainingOptions()
    options.objective = objective
    if let epochs { options.epochs = epochs }
    if let batchSize { options.batchSize = batchSize }
    if let learningRate { options.learningRate = Float(learningRate) }
    if let weightDecay { options.weightDecay = Float(weightDecay) }
    options.temperature = temperature
    if let outputDimension { options.outputDimension = outputDimension }
    if let seed { options.seed = seed }
    if let validationFraction { options.validationFraction = validationFraction }
    options.standardizeInputs = standardize ?? ProjectionTrainer.standardizesByDefault(positives)
    return options
  }
}
