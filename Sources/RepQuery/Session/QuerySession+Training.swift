import Foundation
import RepLearning
import RepStore

extension QuerySession {
  /// A `train` statement resolved against the store: its tensors, examples and every option.
  public func planTraining(_ train: TrainStatement) throws -> TrainingPlan {
    let objective = try ProjectionTrainer.objective(train.kind)
    let selections = try train.selectors.map { try store.tensors(matching: $0.selector) }
    let tensors = selections.flatMap { $0 }
    let models = tensors.map(\.model).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let positives = ProjectionTrainer.positives(train.options, modelCount: models.count)
    let subsets = train.selectors.compactMap(\.subset)
    guard Set(subsets.map(\.description)).count <= 1 else {
      throw QueryError(.subset, "the selectors ask for different example subsets; give the subset once")
    }
    let subset = try subsets.first.map { try ProjectionTrainer.resolve($0) }
    let alignment = tensors.isEmpty
      ? nil : try ExampleAlignment.align(tensors, in: store, intersect: true, subset: subset)
    return TrainingPlan(
      statement: train, options: train.options.resolved(objective: objective, positives: positives),
      positives: positives, selections: selections, models: models, subset: subset,
      exampleCount: alignment?.rowCount ?? 0, examples: alignment?.description ?? "")
  }

  /// The projection `train` describes, ready for a plan: reused when an earlier run stored it, trained otherwise.
  func projectionStep(_ train: TrainStatement, measures: [String], trainedOn option: String) throws -> ProjectionStep {
    let stored = try store.projection(named: train.name) != nil
    return ProjectionStep(
      measures: measures, name: train.name, action: stored ? .reuse : .train,
      training: try planTraining(train), trainedOnOption: option)
  }

  /// Makes sure the step's projection is stored: says so when an earlier run stored it, trains it otherwise.
  func carryOut(_ step: ProjectionStep) throws {
    guard let training = step.training else { return }
    if try store.projection(named: step.name) != nil {
      sink.note("using projection '\(step.name)', trained earlier on the same \(step.trainedOnOption) layers")
      return
    }
    sink.note("training projection '\(step.name)': \(training.statement)")
    do {
      try storeTrained(training)
    } catch let error as StoreError where error.kind == .interrupted {
      throw Interruption.error(
        keeping: "no projection was stored; the same command trains it again and carries on where the table stopped")
    }
  }

  /// Makes sure the projection `train` describes is stored (a benchmark's training): the same path as `sim
  /// --train-on`.
  public func ensureProjection(_ train: TrainStatement, trainedOn option: String) throws {
    try carryOut(projectionStep(train, measures: [train.kind], trainedOn: option))
  }

  /// Trains the plan's projection and stores it, holding the store's writer lock meanwhile.
  ///
  /// `keepingInterrupted` (a `train` statement): Ctrl-C stops at the end of the batch and stores the best or last
  /// finished epoch's encoders, recorded as interrupted, then throws the interruption (exit 130) saying so.
  @discardableResult
  func storeTrained(_ training: TrainingPlan, keepingInterrupted: Bool = false) throws -> StoredProjection {
    let train = training.statement
    let lock = try store.lockForWriting(wait: false, purpose: "storing a trained projection")
    defer { _ = lock }
    TrainingMemory.keepFreedMemoryForReuse()
    let result: ProjectionTrainer.Result
    do {
      defer { sink.status("") }
      result = try ProjectionTrainer.train(
        training, in: store, progress: epochReporter(name: train.name, epochs: training.options.epochs),
        keepingInterrupted: keepingInterrupted)
    }
    try store.saveProjection(result.projection)
    let losses = result.projection.losses
    if let first = losses.first, let last = losses.last {
      sink.note(String(format: "trained '%@': %d epoch%@ in %@, loss %.5f → %.5f", train.name, losses.count,
                       losses.count == 1 ? "" : "s", Self.durationText(result.projection.seconds), first, last))
    }
    if result.wasInterrupted {
      throw Interruption.error(
        keeping: "projection '\(train.name)' is stored with the encoders of epoch \(result.keptEpoch ?? result.epochsRun) "
          + "(\(result.epochsRun) of \(training.options.epochs) epochs ran) and marked as interrupted")
    }
    if let collapse = result.collapse {
      sink.warning("warning: projection '\(train.name)' collapsed in training: \(collapse); its scores say little. "
        + "Try: " + CollapseDiagnosis.remedy)
    }
    if let kept = result.keptEpoch {
      sink.note("kept the encoders of epoch \(kept) of \(result.epochsRun), the lowest held-out loss"
        + (result.epochsRun < training.options.epochs
          ? "; stopped early, no better for \(result.patience) epochs" : ""))
    }
    return result.projection
  }

  /// What training says as it goes. On a terminal: one live line (epoch, loss, held-out loss, time left). Otherwise
  /// (a log, a pipe, a notebook): the first epoch, so the pace is known, and a line every `logEvery` epochs when
  /// asked. Collapse is always said; the summary comes from `storeTrained`.
  func epochReporter(name: String, epochs: Int) -> (EpochReport) -> Void {
    let (sink, logEvery) = (self.sink, self.logEvery)
    var collapsed = false
    var seconds = 0.0
    return { report in
      seconds += report.seconds
      let heldOut = report.validationLoss.map { String(format: ", held-out %.5f", $0) } ?? ""
      let line = String(format: "epoch %d/%d: loss %.5f%@ (%.2f s, %.0f examples/s)", report.epoch, epochs, report.loss,
                        heldOut, report.seconds, Double(report.examples) / max(report.seconds, 1e-9))
      if report.epoch == 1 && !sink.showsStatus || logEvery.map({ report.epoch % $0 == 0 }) == true {
        sink.note(line)
      }
      if sink.showsStatus {
        let left = seconds / Double(report.epoch) * Double(epochs - report.epoch)
        sink.status("training '\(name)': " + line + ", " + Self.durationText(left) + " left")
      }
      // Said once when it starts, and again if the run leaves it.
      if let collapse = report.collapse, !collapsed {
        sink.note("training looks collapsed: \(collapse)")
      } else if report.collapse == nil && collapsed {
        sink.note("training has left the collapsed loss")
      }
      collapsed = report.collapse != nil
    }
  }

  /// "45 s", "3 min 20 s", "2 h 05 min".
  static func durationText(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    if whole < 60 { return "\(whole) s" }
    if whole < 3600 { return "\(whole / 60) min \(String(format: "%02d", whole % 60)) s" }
    return "\(whole / 3600) h \(String(format: "%02d", whole % 3600 / 60)) min"
  }
}
