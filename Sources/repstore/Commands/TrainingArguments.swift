import ArgumentParser
import RepLearning

/// The defaults the help shows: `TrainingOptions`' own.
private let defaults = TrainingOptions()

/// `0` rather than `0.0`.
private func shown<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) -> String {
  value == value.rounded() ? String(Int(value)) : String(value)
}

/// The options of a training run, shared by `repstore train` and `repstore sim --train-on`; they become the `--name
/// value` words of a `train` (or `sim`) statement, which the query language checks.
struct TrainingArguments: ParsableArguments {
  @Option(help: ArgumentHelp(
    "same-layer (layer l of each model is the positive of layer l of the others; the default across several models) "
      + "or same-example (two selectors of one layer each, rows paired by example key).", valueName: "kind"))
  var positives: String?

  @Option(help: "Passes over the training examples (default: \(defaults.epochs)).")
  var epochs: Int?

  @Option(help: "Examples per batch (default: \(defaults.batchSize)).")
  var batch: Int?

  @Option(help: "Adam's learning rate (default: \(defaults.learningRate)).")
  var lr: Double?

  @Option(name: .customLong("weight-decay"), help: "L2 weight decay (default: \(shown(defaults.weightDecay))).")
  var weightDecay: Double?

  @Option(help: ArgumentHelp(
    "The contrastive loss's temperature (default: \(shown(TrainingOptions.contrastiveTemperature)); "
      + "\(shown(TrainingOptions.distanceTemperature)) for contrasim.dist)."))
  var temperature: Double?

  @Option(name: .customLong("out-dim"), help: "Width of the encoded rows (default: \(defaults.outputDimension)).")
  var outputDimension: Int?

  @Option(help: "Seed of the initialisation, the batch order and the held-out split (default: \(defaults.seed)).")
  var seed: UInt64?

  @Option(help: ArgumentHelp(
    "Hold out this fraction of the examples; stop when their loss has not improved for \(defaults.patience) epochs "
      + "and keep the "
      + "best epoch's encoders.", valueName: "fraction"))
  var validation: Double?

  @Flag(inversion: .prefixedNo, help: ArgumentHelp(
    "Standardize each input tensor's columns by its own means and deviations before the encoder (default: on for "
      + "same-example positives, off for same-layer). Raw transformer states have column offsets many times their "
      + "spread, which can leave contrastive training at its collapsed loss; the paper feeds raw states."))
  var standardize: Bool?

  @Option(
    name: .customLong("log-every"),
    help: ArgumentHelp(
      "Also print a line every N epochs (without it: a live line on a terminal; the first epoch and a summary "
        + "otherwise).", valueName: "N"))
  var logEvery: Int?

  func validate() throws {
    if let logEvery, logEvery < 1 { throw ValidationError("--log-every must be at least 1") }
  }

  /// The options as statement words, e.g. `["--epochs", "20"]` (not --log-every, which changes only what is shown).
  var words: [String] {
    var words: [String] = []
    if let positives { words += ["--positives", positives] }
    if let epochs { words += ["--epochs", String(epochs)] }
    if let batch { words += ["--batch", String(batch)] }
    if let lr { words += ["--lr", String(lr)] }
    if let weightDecay { words += ["--weight-decay", String(weightDecay)] }
    if let temperature { words += ["--temperature", String(temperature)] }
    if let outputDimension { words += ["--out-dim", String(outputDimension)] }
    if let seed { words += ["--seed", String(seed)] }
    if let validation { words += ["--validation", String(validation)] }
    if let standardize { words.append(standardize ? "--standardize" : "--no-standardize") }
    return words
  }
}

/// Where the negatives of same-example training come from; a group of its own so that `bench retrieval`, whose
/// `--negatives` chooses the benchmark's candidates, can offer it as `--train-negatives`.
struct NegativesArgument: ParsableArguments {
  @Option(help: ArgumentHelp(
    "batch (the other examples of the batch; the default) or knn:K (batches of each example's K nearest "
      + "neighbours in the raw space: hard negatives; same-example only).", valueName: "batch|knn:K"))
  var negatives: String?

  var words: [String] { negatives.map { ["--negatives", $0] } ?? [] }
}
