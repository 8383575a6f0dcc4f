import Foundation
import RepLearning
import RepMeasures
import RepStore

/// What both benchmarks share: building their measures, training (or finding) the projections of the learned ones,
/// the inputs digest that finds a stored run, and storing a run.
enum BenchmarkSupport {
  /// The version of the benchmarks' decision rules, part of every run's inputs digest. bench-2: a measure undefined
  /// on every input scores no decisions (n/a) instead of all of them wrong.
  static let codeVersion = "bench-2"

  /// The learned baselines and ContraSim, added to a benchmark's default measures when it has training examples.
  static let learnedDefaults = ["deepdot", "deepcka", "contrasim"].map { MeasureID(name: $0) }

  /// The learned measures among `ids` need training examples: a clear error when there are none.
  static func requireTraining(_ ids: [MeasureID], hasTraining: Bool, option: String) throws {
    guard !hasTraining, let learned = ids.first(where: { LearnedMeasures.names.contains($0.name) }) else { return }
    throw QueryError(.usage, 
      "\(learned) compares through a trained projection: give \(option) (examples other than the test ones; "
        + "training on the compared rows inflates the score)")
  }

  /// XXH64 over the statement, the code version, the tensors' content digests and key digests, and the
  /// projections' ids.
  static func inputsDigest(
    statement: String, tensors: [TensorInfo], projections: [String: String], in store: Store
  ) throws -> String {
    var lines = ["code \(codeVersion)", statement]
    lines += InputsDigest.lines(tensors, keyDigests: try InputsDigest.keyDigests(in: store))
    for (measure, name) in projections.sorted(by: { $0.key < $1.key }) {
      lines.append("projection \(measure) \(name) \(try store.projection(named: name)?.id ?? 0)")
    }
    return InputsDigest.hash(lines)
  }

  /// How many of the test examples the projections would train on: the examples of `train` (aligned on their
  /// keys, with its subset, as training aligns them) among those of `test` (with `testSubset`). Zero is the rule;
  /// otherwise a clear error unless `allowed`, when it returns the note to print with the result.
  static func checkOverlap(
    train: [SelectorExpression], test: [TensorInfo], testSubset: ExampleSubset?, allowed: Bool, in store: Store
  ) throws -> String? {
    let trainTensors = try train.flatMap { try store.tensors(matching: $0.selector) }
    guard let firstTrain = trainTensors.first, let firstTest = test.first else { return nil }
    let trainSubset = try train.compactMap(\.subset).first.map { try ProjectionTrainer.resolve($0) }
    let trained = TrainedExamples(
      try ExampleAlignment.align(trainTensors, in: store, intersect: true, subset: trainSubset), firstTensor: firstTrain)
    let testAlignment = try ExampleAlignment.align(
      test, in: store, intersect: true, subset: try testSubset.map { try ProjectionTrainer.resolve($0) })
    let overlap = try trained.overlap(with: TrainedExamples(testAlignment, firstTensor: firstTest), in: store)
    guard overlap > 0 else { return nil }
    let what = "the projections train on \(overlap) of the \(testAlignment.rowCount) test examples"
    guard allowed else {
      throw QueryError(.trainTestOverlap, 
        what + ": their scores would be inflated. Train on other examples than the test ones (another example set, "
          + "or another [a:b] range), or give --allow-overlap to run anyway")
    }
    return what + " (--allow-overlap): their scores are inflated"
  }

  /// The keys of `projections` (as in `BenchmarkResult.projections`) whose projection collapsed in training.
  static func collapsed(_ projections: [String: String], in store: Store) throws -> Set<String> {
    var keys: Set<String> = []
    for (key, name) in projections {
      if try store.projection(named: name)?.collapse != nil { keys.insert(key) }
    }
    return keys
  }

  /// Completes a computed run: marks its collapsed projections, says the overlap allowed, times it, and stores it
  /// unless another process is writing to the store or the store is read-only (said in a note). Any other failure to
  /// store it (I/O, the catalog) is an error.
  static func finish(
    _ computed: BenchmarkResult, overlap: String?, started: Date, inputsDigest: String, in store: Store
  ) throws -> BenchmarkResult {
    var result = computed
    result.collapsed = try collapsed(result.projections, in: store)
    if let overlap { result.notes.append(overlap) }
    result.seconds = Date().timeIntervalSince(started)
    let lock: WriterLock
    do {
      lock = try store.lockForWriting(wait: false, purpose: "storing a benchmark run")
    } catch let error as StoreError where error.kind == .locked || error.kind == .readOnly {
      result.notes.append("not stored: \(error)")
      return result
    }
    defer { _ = lock }
    result.runID = try store.saveBenchmarkRun(result.stored(inputsDigest: inputsDigest))
    return result
  }
}
