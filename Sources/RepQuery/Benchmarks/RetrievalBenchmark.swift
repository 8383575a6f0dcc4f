import Foundation
import RepLearning
import RepMath
import RepMeasures
import RepStore

/// The paired-retrieval benchmark of the multilingual and image–caption protocols (spec §4.2, §4.3): two views of
/// the same examples (a sentence and its translation, an image and its caption, a docstring and its code), per
/// layer. The examples are cut into consecutive sets of `setSize` (an incomplete last set is dropped); for each
/// set, the query view's rows Q are compared with the target view's rows of the same examples (the positive) and
/// with `candidates` other sets of target rows (the negatives); the decision is right when the positive scores
/// strictly better than every negative. Chance is 1/(candidates + 1).
///
/// Negatives: `random` draws each negative set's rows uniformly, with replacement, from the target rows outside the
/// set (the reference may draw the positive's own rows); `knn` takes, for negative j, the j-th nearest neighbour (exact
/// L2 in the target view's raw space at that layer, the row itself excluded) of each row of the set: hard
/// negatives. A NaN positive is a wrong decision and a NaN negative beats nothing; ties are wrong (the reference
/// counts a tie as right, which rewards a constant measure).
///
/// The learned measures compare through one projection per layer, trained with same-example positives on the two
/// views at that layer on `trainExamples`.
public struct RetrievalBenchmark: Sendable {
  public enum Negatives: String, Sendable, CaseIterable {
    case random
    case knn
  }

  /// The query view's layers on the test examples, e.g. `model:minilm-doc/*@text-test`.
  public var query: SelectorExpression
  /// The target view's layers, the same layer names, on the same examples.
  public var target: SelectorExpression
  public var measures: [MeasureID]
  public var setSize = 8
  public var candidates = 10
  public var negatives = Negatives.random
  /// Seed of the random negatives.
  public var seed: UInt64 = 0
  /// The example set the learned measures' projections train on (both views, each layer).
  public var trainExamples: ExampleSetExpression?
  /// Options of the projections' training (`--positives same-example`).
  public var training = TrainingOverrides()
  public var recompute = false
  /// Run even when the training examples overlap the test ones (the overlap is said with the result).
  public var allowOverlap = false

  /// The measures compared when none are named: the closed-form ones, and the learned ones when there are training
  /// examples.
  public static func defaultMeasures(learned: Bool) -> [MeasureID] {
    ["cka", "cka.debiased", "dot", "norm"].map { MeasureID(name: $0) } + (learned ? BenchmarkSupport.learnedDefaults : [])
  }

  public init(query: SelectorExpression, target: SelectorExpression, measures: [MeasureID]) {
    (self.query, self.target, self.measures) = (query, target, measures)
  }

  /// The canonical command, stored with the run and part of its digest: `bench retrieval --query SEL …`.
  public var description: String {
    var trainingTokens = training
    trainingTokens.negatives = nil
    return (["bench", "retrieval", "--query", CanonicalText.token(query), "--target", CanonicalText.token(target),
             "--measures", CanonicalText.token(measures.map(\.description).joined(separator: ",")),
             "--set-size", "\(setSize)", "--candidates", "\(candidates)", "--negatives", negatives.rawValue,
             "--sample-seed", "\(seed)"]
      + (trainExamples.map { ["--train-examples", CanonicalText.token($0.description)] } ?? [])
      + trainingTokens.canonicalTokens + (training.negatives.map { ["--train-negatives", $0.description] } ?? []))
      .joined(separator: " ")
  }

  /// Runs the benchmark through `session` (its projections trained there when not stored yet, a note per layer), or
  /// reads back a stored run of the same benchmark over the same data.
  public func run(in session: QuerySession) throws -> BenchmarkResult {
    let store = session.store
    let statement = description
    let started = Date()
    guard setSize >= 2, candidates >= 1 else {
      throw QueryError(.shape, "retrieval needs sets of at least 2 rows and at least 1 candidate")
    }
    let queries = try store.tensors(matching: query.selector)
    let targets = try store.tensors(matching: target.selector)
    guard Set(queries.map(\.model)).count == 1, Set(targets.map(\.model)).count == 1 else {
      throw QueryError(.shape, "--query and --target each select the layers of one model (one view)")
    }
    guard queries.map(\.layer) == targets.map(\.layer) else {
      throw QueryError(.shape, 
        "the two views need the same layers: \(queries.map(\.layer).joined(separator: ",")) against "
          + targets.map(\.layer).joined(separator: ","))
    }
    try BenchmarkSupport.requireTraining(measures, hasTraining: trainExamples != nil, option: "--train-examples")

    // One projection per learned measure and layer.
    var options = training
    options.positives = .sameExample
    var projections: [String: String] = [:]
    // A layer's two views at the training examples.
    let trainingSelectors = { (q: TensorInfo, t: TensorInfo) in
      [q, t].map { tensor in
        SelectorExpression(
          Selector(model: NamePattern(exactly: tensor.model), layer: NamePattern(exactly: tensor.layer),
                   exampleSet: self.trainExamples?.pattern),
          subset: self.trainExamples?.subset)
      }
    }
    var overlap: String?
    if measures.contains(where: { LearnedMeasures.names.contains($0.name) }), let q = queries.first,
      let t = targets.first
    {
      overlap = try BenchmarkSupport.checkOverlap(
        train: trainingSelectors(q, t), test: [q, t], testSubset: query.subset, allowed: allowOverlap, in: store)
    }
    for (q, t) in zip(queries, targets) {
      for id in measures where LearnedMeasures.names.contains(id.name) {
        let selectors = trainingSelectors(q, t)
        let statement = try TrainOnProjections.statement(kind: id.name, on: selectors, options: options, in: store)
        try session.ensureProjection(statement, trainedOn: "--train-examples")
        projections["\(id) \(q.layer)"] = statement.name
      }
    }
    let digest = try BenchmarkSupport.inputsDigest(
      statement: statement, tensors: queries + targets, projections: projections, in: store)
    if !recompute, let stored = try store.benchmarkRun(inputsDigest: digest) {
      var result = BenchmarkResult(stored, subjectTitle: "layer")
      result.collapsed = try BenchmarkSupport.collapsed(projections, in: store)
      return result
    }

    let subset = try query.subset.map { try ProjectionTrainer.resolve($0) }
    var scores = [[BenchmarkResult.Score]](
      repeating: [BenchmarkResult.Score](repeating: .init(correct: 0, total: 0), count: queries.count),
      count: measures.count)
    var examples = ""
    var exampleCount = 0
    // Decisions whose positive was undefined (NaN), per measure, with the reasons given.
    var undefined = [(count: Int, reasons: Set<String>)](repeating: (0, []), count: measures.count)
    for (l, (q, t)) in zip(queries, targets).enumerated() {
      let (matrices, alignment) = try TensorLoading.load([q, t], in: store, subset: subset)
      let (x, y) = (matrices[0], matrices[1])
      let n = alignment.rowCount
      guard n >= setSize + (negatives == .knn ? candidates : 1) else {
        throw QueryError(.shape, "\(n) examples are too few for sets of \(setSize) with \(candidates) candidates")
      }
      (examples, exampleCount) = (alignment.description, n)
      let sets = (0 ..< n / setSize).map { Array($0 * setSize ..< ($0 + 1) * setSize) }
      let negativeSets = try self.negativeSets(for: sets, targets: y, layer: l)
      let layerMeasures = try LearnedMeasures.measures(measures, in: store) { projections["\($0) \(q.layer)"] }
      // Each view standardized by its whole stored tensor, for the projections trained on standardized rows.
      var standardized: (Matrix, Matrix)?
      var layerUndefined = [Int](repeating: 0, count: measures.count)
      for (m, measure) in layerMeasures.enumerated() {
        var (x, y) = (x, y)
        if (measure as? any StandardizedInputMeasure)?.standardizesInputs == true {
          if standardized == nil {
            let shared = TensorStandardizations.shared
            standardized = (
              try shared.standardization(of: q, in: store).apply(x), try shared.standardization(of: t, in: store).apply(y)
            )
          }
          (x, y) = standardized!
        }
        var correct = 0
        for (s, rows) in sets.enumerated() {
          let anchors = x.selectingRows(rows)
          let positive = try measure.similarity(anchors, y.selectingRows(rows))
          guard positive.isDefined else {
            layerUndefined[m] += 1
            undefined[m] = (undefined[m].count + 1, undefined[m].reasons.union([positive.reason ?? "not a number"]))
            continue
          }
          let beaten = try negativeSets[s].allSatisfy { negativeRows in
            let negative = try measure.similarity(anchors, y.selectingRows(negativeRows))
            guard negative.isDefined else { return true }
            return measure.properties.largerIsMoreSimilar
              ? positive.value > negative.value : positive.value < negative.value
          }
          if beaten { correct += 1 }
        }
        scores[m][l] = .init(correct: correct, total: sets.count)
      }
      session.sink.note("\(q.layer): " + measures.indices.map { m in
        // Whether an all-NaN layer is n/a or counted wrong is known only once every layer is done.
        "\(measures[m]) "
          + (layerUndefined[m] == sets.count ? "all NaN" : "\(scores[m][l].correct)/\(scores[m][l].total)")
      }.joined(separator: ", "))
    }
    // A measure undefined on every positive set of every layer made no decision at all: n/a, not 0%.
    let undefinedEverywhere = measures.indices.filter { m in
      undefined[m].count > 0 && undefined[m].count == scores[m].reduce(0) { $0 + $1.total }
    }
    for m in undefinedEverywhere { scores[m] = scores[m].map { _ in .init(correct: 0, total: 0) } }
    var result = BenchmarkResult(
      kind: "retrieval", statement: statement, subjectTitle: "layer", examples: examples, exampleCount: exampleCount,
      measures: measures.map(\.description), subjects: queries.map(\.layer), scores: scores,
      chance: 1 / Double(candidates + 1), projections: projections)
    for (m, entry) in undefined.enumerated() where entry.count > 0 && !undefinedEverywhere.contains(m) {
      result.notes.append(
        "\(measures[m]): undefined on \(entry.count) of \(scores[m].reduce(0) { $0 + $1.total }) positive sets"
          + " (\(entry.reasons.sorted().joined(separator: "; "))), counted wrong")
    }
    // The sets are the rows each measure saw: what a remedy must work with.
    result.notes += UndefinedNotes.lines(
      undefinedEverywhere.map {
        UndefinedNotes.Entry(measure: measures[$0], reasons: undefined[$0].reasons, rowCount: setSize)
      },
      what: BenchmarkResult.undefinedNote)
    return try BenchmarkSupport.finish(
      result, overlap: overlap, started: started, inputsDigest: digest, in: store)
  }

  /// For each set, its `candidates` negative sets of target rows.
  func negativeSets(for sets: [[Int]], targets: Matrix, layer: Int) throws -> [[[Int]]] {
    let n = targets.rows
    switch negatives {
    case .random:
      var generator = SplitMixGenerator(seed: seed &+ UInt64(layer) &* 0x9E37_79B9_7F4A_7C15)
      return sets.map { rows in
        let (start, count) = (rows[0], rows.count)
        return (0 ..< candidates).map { _ in
          rows.map { _ in
            // Uniform over the rows outside this (contiguous) set.
            let draw = Int.random(in: 0 ..< n - count, using: &generator)
            return draw >= start ? draw + count : draw
          }
        }
      }
    case .knn:
      let neighbours = try NearestNeighbours.selfSearch(targets, k: candidates)
      return sets.map { rows in
        let nearest = rows.map { Array(neighbours.indices(ofQuery: $0)) }
        return (0 ..< candidates).map { j in nearest.map { $0[j] } }
      }
    }
  }
}
