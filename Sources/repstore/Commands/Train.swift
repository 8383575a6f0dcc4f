import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  /// `repstore train`: a `train` statement in argument form.
  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train a projection for the learned measures (ContraSim, its distance form, DeepDot, DeepCKA).",
      discussion: """
        KIND is contrasim, contrasim.dist, deepdot or deepcka. The projection is an MLP (in → 512 → 256 → out,
        ReLU between, unit-length rows), one per input width, trained with Adam and stored in the store under NAME.
        Positives: same-layer (the layers of models that differ only in seed: layer l of each model is the
        positive of layer l of the others; the default when the selectors span several models) or same-example
        (two selectors of one layer each, rows paired by example key). Train on examples other than those you will
        compare (e.g. a train split, or @SET[0:1000]); `sim` flags a comparison on the training examples.

        Examples:
          repstore train contrasim probe 'seed{0..3}/*@digits-train' --epochs 50
          repstore sim contrasim 'seed4/*@digits-test' 'seed5/*@digits-test' --using probe --reduce argmax
          repstore train contrasim en-de 'xlmr/L8@en' 'xlmr/L8@de' --positives same-example --batch 512
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("contrasim, contrasim.dist, deepdot or deepcka.", valueName: "kind"))
    var kind: String

    @Argument(help: ArgumentHelp("The projection's name.", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("The layers to train on.", valueName: "selector"))
    var selectors: [String]

    @Option(help: ArgumentHelp("same-layer or same-example.", valueName: "kind"))
    var positives: String?

    @Option(help: "Passes over the training examples (default 50).")
    var epochs: Int?

    @Option(help: "Examples per batch (default 1024).")
    var batch: Int?

    @Option(help: "Adam's learning rate (default 1e-4).")
    var lr: Double?

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay (default 0).")
    var weightDecay: Double?

    @Option(help: "The contrastive loss's temperature (default 0.07; 1 for contrasim.dist).")
    var temperature: Double?

    @Option(name: .customLong("out-dim"), help: "Width of the encoded rows (default 128).")
    var outDim: Int?

    @Option(help: "Seed of the initialisation and the batch order (default 0).")
    var seed: UInt64?

    @Flag(name: .shortAndLong, help: "No progress or notes on stderr.")
    var quiet = false

    var statementArguments: [String] {
      var words = ["train", kind, name, "on"] + selectors
      if let positives { words += ["--positives", positives] }
      if let epochs { words += ["--epochs", String(epochs)] }
      if let batch { words += ["--batch", String(batch)] }
      if let lr { words += ["--lr", String(lr)] }
      if let weightDecay { words += ["--weight-decay", String(weightDecay)] }
      if let temperature { words += ["--temperature", String(temperature)] }
      if let outDim { words += ["--out-dim", String(outDim)] }
      if let seed { words += ["--seed", String(seed)] }
      return words
    }

    func run() throws {
      try reportingErrors {
        let statement: QueryStatement
        do { statement = try QueryParser.parseArguments(statementArguments) } catch let error as QuerySyntaxError {
          throw ValidationError(error.caretDiagnostic)
        }
        try StatementRunner(storePath: storeOptions.path, quiet: quiet).run(statement)
      }
    }
  }
}
