import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  /// `repstore train`: a `train` statement in argument form.
  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "train",
      abstract: "Train a projection for the learned measures (ContraSim, its distance form, DeepDot, DeepCKA).",
      discussion: """
        KIND is contrasim, contrasim.dist, deepdot or deepcka. The projection is an MLP (in → 512 → 256 → out, ReLU \
        between, unit-length rows), one per input width, trained with Adam and stored in the store under NAME \
        (`repstore projections` lists them, `repstore rm-projection` removes them). Positives: same-layer (the layers \
        of models that differ only in seed: layer l of each model is the positive of layer l of the others; the \
        default when the selectors span several models) or same-example (two selectors of one layer each, rows paired \
        by example key). Train on examples other than those you will compare (e.g. a train split, or @SET[0:1000]); \
        `sim` flags a comparison on the training examples.

        Inputs: with same-example positives each input tensor's columns are standardized by that tensor's own means \
        and deviations before the encoder (--no-standardize feeds raw rows, as the paper does); with same-layer \
        positives they are not (--standardize does it), because a layer's scale helps tell its depth. Raw transformer \
        states have column offsets many times their spread, and on them the contrastive loss can stay at the value of \
        an encoder that maps every row to one point. A run that stays there (or whose encoded rows lose their spread) \
        for three epochs is reported on stderr and recorded with the projection; `bench` marks its cells. Comparing \
        through a standardized projection standardizes each compared tensor by its own statistics (all its rows), so \
        it applies to any rows and to models never trained on.

        Examples:
          repstore train contrasim probe 'seed{0..3}/*@digits-train' --epochs 50
          repstore sim contrasim 'seed4/*@digits-test' 'seed5/*@digits-test' \\
            --using probe --reduce argmax
          repstore train contrasim en-de 'xlmr/L8@en' 'xlmr/L8@de' \\
            --positives same-example --negatives knn:10
          repstore train contrasim probe2 'seed{0..3}/*@digits-train' \\
            --epochs 200 --validation 0.1
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("contrasim, contrasim.dist, deepdot or deepcka.", valueName: "kind"))
    var kind: String

    @Argument(help: ArgumentHelp("The projection's name.", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("The layers to train on (or give them after --on).", valueName: "selector"))
    var selectors: [String] = []

    @Option(name: .customLong("on"), parsing: .upToNextOption, help: ArgumentHelp(
      "The layers to train on, as in the train statement: --on SEL [SEL...].", valueName: "selector"))
    var on: [String] = []

    func validate() throws {
      if selectors.isEmpty && on.isEmpty { throw ValidationError("name the layers to train on: SEL... or --on SEL...") }
    }

    @OptionGroup(title: "Training") var training: TrainingArguments
    @OptionGroup(title: "Training") var negatives: NegativesArgument

    @Flag(help: "Print the plan (layers, examples, every option with its default) instead of training.")
    var explain = false

    @Flag(name: .shortAndLong, help: "No progress or notes on stderr.")
    var quiet = false

    var statementArguments: [String] {
      ["train", kind, name, "on"] + selectors + on + training.words + negatives.words
    }

    func run() throws {
      try reportingErrors {
        let statement = try parseStatement(statementArguments)
        var session = try QuerySession(storeOptions, quiet: quiet)
        session.logEvery = training.logEvery
        try session.execute(explain ? .explain(statement) : statement)
      }
    }
  }
}
