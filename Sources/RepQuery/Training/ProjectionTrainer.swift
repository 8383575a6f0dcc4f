import Foundation
import RepLearning
import RepMath
import RepStore

/// Runs a `train` statement: loads the layers it names, trains a projection, and returns it ready to store.
///
/// - `--positives same-layer` (the default when the selectors span several models): the models differ only in seed;
///   layer l of each is the positive of layer l of the others (layer prediction). Every model must have the same
///   layers.
/// - `--positives same-example`: two selectors of one layer each; row i of one and row i of the other are the same
///   example (a sentence and its translation, an image and its caption), aligned by example key.
/// Training reads only the examples the selectors give (their example sets, or the `[a:b]` / `[keys=…]` subsets).
package enum ProjectionTrainer {
  /// A trained projection ready to store, and how its training ended.
  package struct Result: Sendable {
    package var projection: StoredProjection
    /// The epoch whose encoders were kept when examples were held out (the lowest held-out loss); nil otherwise.
    package var keptEpoch: Int?
    /// The epochs run (fewer than asked for when the held-out loss stopped improving).
    package var epochsRun: Int
    /// Epochs without a better held-out loss that stop training.
    package var patience: Int
    /// Set when the kept encoders come from a collapsed stretch of the run.
    package var collapse: CollapseDiagnosis?
    /// Set when Ctrl-C or SIGTERM stopped the run: `keptEpoch` (or the last of `epochsRun`) holds what was kept.
    package var wasInterrupted = false
  }

  /// Trains the projection a plan describes (`QuerySession.planTraining`: tensors, examples, every option).
  ///
  /// Interrupted (Ctrl-C, SIGTERM) after at least one epoch ended and with `keepingInterrupted`, the result holds the
  /// best or last finished epoch's encoders, marked as interrupted; otherwise an interruption throws and keeps
  /// nothing.
  package static func train(
    _ plan: TrainingPlan, in store: Store, progress: ((EpochReport) -> Void)? = nil, keepingInterrupted: Bool = false
  ) throws -> Result {
    let statement = plan.statement
    let (groups, tensors, models, positives, options) =
      (plan.selections, plan.tensors, plan.models, plan.positives, plan.options)

    let (matrices, alignment) = try TensorLoading.load(tensors, in: store, subset: plan.subset)
    let held = Int((options.validationFraction * Double(alignment.rowCount)).rounded())
    if options.validationFraction > 0 && (held < 2 || alignment.rowCount - held < 2) {
      throw QueryError(
        .shape, "--validation \(CanonicalText.number(options.validationFraction)) of \(alignment.rowCount) examples holds out "
          + "\(held): both the held-out and the training part need at least two examples")
    }
    let started = Date()
    let trained: TrainedProjection
    switch positives {
    case .sameExample:
      guard groups.count == 2, groups.allSatisfy({ $0.count == 1 }) else {
        throw QueryError(.shape, PositivesMessages.sameExample(
          layerCounts: groups.map(\.count), defaulted: statement.options.positives == nil))
      }
      var batchOrder: ((Int) -> [[Int]])?
      if case .nearestNeighbors(let k) = statement.options.negatives {
        // Hard negatives: each example's nearest neighbours in the first side's space, as the encoder sees it,
        // share its batch.
        let neighbours = try NearestNeighbours.selfSearch(
          ContraSimTraining.prepared(matrices[0], options), k: min(k, matrices[0].rows - 1))
        let batches = HardNegativeBatches(neighbours: neighbours, size: options.batchSize, seed: options.seed)
        batchOrder = { batches.batches(epoch: $0) }
      }
      trained = ContraSimTraining.trainPairedRows(
        matrices[0], matrices[1], options: options, batchOrder: batchOrder, progress: progress,
        shouldStop: { Interruption.isRequested })
    case .sameLayer:
      if case .nearestNeighbors = statement.options.negatives {
        throw QueryError(
          .usage, "--negatives knn:K applies to same-example training; with same-layer positives the other layers are the "
            + "negatives")
      }
      let layerNames = tensors.filter { $0.model == models[0] }.map(\.layer)
      var byModel: [[Matrix]] = []
      for model in models {
        let indices = tensors.indices.filter { tensors[$0].model == model }
        guard indices.map({ tensors[$0].layer }) == layerNames else {
          throw QueryError(.shape, 
            "--positives same-layer needs the same layers in every model: \(models[0]) has "
              + "\(layerNames.joined(separator: ",")), \(model) has "
              + indices.map { tensors[$0].layer }.joined(separator: ","))
        }
        byModel.append(indices.map { matrices[$0] })
      }
      guard models.count >= 2, layerNames.count >= 2 else {
        throw QueryError(.shape, PositivesMessages.sameLayer(
          models: models.count, layers: layerNames.count, layerCounts: groups.map(\.count),
          defaulted: statement.options.positives == nil))
      }
      for l in layerNames.indices where Set(byModel.map { $0[l].columns }).count > 1 {
        throw QueryError(.shape, "layer \(layerNames[l]) has different widths in different models")
      }
      trained = ContraSimTraining.trainSameLayer(
        byModel, options: options, progress: progress, shouldStop: { Interruption.isRequested })
    }
    // Ctrl-C or SIGTERM ended training: kept only when asked for and an epoch had ended.
    if trained.wasInterrupted, !keepingInterrupted || trained.epochs.isEmpty {
      throw Interruption.error(keeping: trained.epochs.isEmpty ? "no epoch had ended; nothing was stored" : "nothing was stored")
    }
    let provenance = ProjectionProvenance(
      alignment: alignment, tensors: tensors, positives: positives, options: options, trained: trained)
    let stored = StoredProjection(
      name: statement.name, kind: options.objective.rawValue, statement: statement.description,
      optionsJSON: RecordedTrainingOptions(options).json, trainedOnJSON: provenance.json, losses: trained.epochs.map(\.loss),
      seconds: Date().timeIntervalSince(started), layers: trained.projection.storedLayers)
    return Result(
      projection: stored, keptEpoch: trained.validationRows.isEmpty && !trained.wasInterrupted ? nil : trained.keptEpoch,
      epochsRun: trained.epochs.count, patience: options.patience, collapse: trained.collapse,
      wasInterrupted: trained.wasInterrupted)
  }

  /// The objective a kind of projection names (`contrasim`, `deepdot`, …).
  static func objective(_ kind: String) throws -> TrainingOptions.Objective {
    guard let objective = TrainingOptions.Objective(rawValue: kind) else {
      let kinds = TrainingOptions.Objective.allCases.map(\.rawValue).joined(separator: ", ")
      throw QueryError(.notFound, "train \(kind): unknown kind; repstore trains \(kinds)")
    }
    return objective
  }

  /// The positives of a training run: as given, or same-layer across several models and same-example within one.
  package static func positives(_ options: TrainingOverrides, modelCount: Int) -> PositivePairs {
    options.positives ?? (modelCount > 1 ? .sameLayer : .sameExample)
  }

  /// Whether inputs are standardized when the statement does not say: for same-example positives, where raw
  /// transformer states (column offsets many times their spread) left the contrastive loss at its collapsed value
  /// (docs/benchmarks.md).
  package static func standardizesByDefault(_ positives: PositivePairs) -> Bool {
    positives == .sameExample
  }

  /// A subset of the language resolved against the file system (a key list is read).
  package static func resolve(_ subset: ExampleSubset) throws -> ExampleRowSubset {
    switch subset {
    case .rows(let lower, let upper): return .rows(lowerBound: lower, upperBound: upper)
    case .keys(let file):
      let text: String
      do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
        let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
        throw QueryError(.subset, "\(file): cannot read the key list (\(reason))", path: file)
      }
      let keys = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
      guard !keys.isEmpty else { throw QueryError(.subset, "\(file): the key list is empty", path: file) }
      return .keys(keys, source: file)
    }
  }
}

/// Whole tensors in memory, rows aligned by example key.
package enum TensorLoading {
  /// The tensors' matrices over their common examples (in the first tensor's order), optionally a subset of them.
  package static func load(
    _ tensors: [TensorInfo], in store: Store, subset: ExampleRowSubset?
  ) throws -> (matrices: [Matrix], alignment: ExampleAlignment) {
    let alignment = try ExampleAlignment.align(tensors, in: store, intersect: true, subset: subset)
    let rowIndices = alignment.rowIndices.map { indices in tensors.map { indices[$0.exampleSet] ?? [] } }
    let reader = try AlignedRowReader(store: store, tensors: tensors, rowIndices: rowIndices)
    var matrices = tensors.map { Matrix(rows: alignment.rowCount, columns: $0.columnCount) }
    let buffers = tensors.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.chunkRows * $0.columnCount) }
    defer { for buffer in buffers { buffer.deallocate() } }
    var filled = 0
    while true {
      let rows = try reader.nextChunk(into: buffers)
      if rows == 0 { break }
      for (t, buffer) in buffers.enumerated() {
        let width = tensors[t].columnCount
        matrices[t].storage.withUnsafeMutableBufferPointer { storage in
          (storage.baseAddress! + filled * width).update(from: buffer.baseAddress!, count: rows * width)
        }
      }
      filled += rows
    }
    return (matrices, alignment)
  }
}
