import RepLearning
import RepStore

/// What `sim MEASURE A B --train-on SEL…` trains before it compares: for each learned measure of the statement, the
/// `train` statement of that kind over the `--train-on` selectors with the sim statement's training options, stored
/// under a name made from what it trains on (kind, selectors, options, the trained tensors' content digests and any
/// key list's keys), so that asking the same question again reuses the projection instead of training anew, and
/// replacing a trained tensor trains a new one.
package enum TrainOnProjections {
  /// Changes whenever a training default changes (2: inputs standardized by default for same-example positives).
  static let recipe = 2

  /// The `train` statement that `--train-on` implies for the learned measure `kind`, with its derived name
  /// (`contrasim-5f1c09a2e4b7d3c8`).
  ///
  /// - Throws: when a selector matches nothing or a key list cannot be read.
  package static func statement(kind: String, for sim: SimStatement, in store: Store) throws -> TrainStatement {
    try statement(kind: kind, on: sim.options.trainOn, options: sim.options.training, in: store)
  }

  /// The `train` statement of `kind` on `selectors` with `options`, named from what it trains on.
  package static func statement(
    kind: String, on selectors: [SelectorExpression], options: TrainingOverrides, in store: Store
  ) throws -> TrainStatement {
    var statement = TrainStatement(kind: kind, name: "-", selectors: selectors, options: options)
    // The recipe's defaults are part of what is trained: projections named before a default changed are not reused.
    var identity = [statement.description, "recipe \(recipe)"]
    for expression in selectors {
      identity += try store.tensors(matching: expression.selector).map {
        "\($0.model)/\($0.layer)@\($0.exampleSet)#\($0.digest)"
      }
      if let subset = expression.subset, case .keys(let keys, _) = try ProjectionTrainer.resolve(subset) {
        identity.append("keys " + keys.joined(separator: "\n"))
      }
    }
    let digest = Array(identity.joined(separator: "\n").utf8).withUnsafeBytes { XXH64.hash($0) }
    let hex = String(digest, radix: 16)
    statement.name = "\(kind)-" + String(repeating: "0", count: 16 - hex.count) + hex
    return statement
  }
}
