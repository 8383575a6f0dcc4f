import Foundation
import RepMeasures
import RepStore

/// The layer-prediction benchmark (spec §4.1): models that differ only in seed, the same layers each; for a pair of
/// models (A, B) and each layer of A, is the layer of B that the measure finds most similar the same layer? A pair's
/// score is its right decisions out of A's layers; chance is 1/L for L layers.
///
/// Pairs are disjoint by default, as in the paper ((m0, m1), (m2, m3), … in the store's model order, an odd model
/// left out); `all` takes every pair A < B. Only A → B is scored. Ties go to the first layer of B (numpy's argmax),
/// and a NaN never wins. Every table is a stored similarity table (computed once, read back when asked again); the
/// learned measures compare through a projection trained with same-layer positives on `train` (other examples than
/// the test ones).
public struct LayerPredictionBenchmark: Sendable {
  public enum Pairs: String, Sendable, CaseIterable {
    /// (m0, m1), (m2, m3), …
    case disjoint
    /// Every pair m_i, m_j with i < j.
    case all
  }

  /// Every model's layers on the test examples, e.g. `model:seed*/L*@digits-test`.
  public var test: SelectorExpression
  /// The layers and examples the learned measures' projections train on, e.g. `model:seed{0..3}/L*@digits-train`.
  public var train: [SelectorExpression] = []
  public var measures: [MeasureID]
  /// Options of the projections' training (`--positives same-layer` unless given).
  public var training = TrainingOverrides()
  public var pairs = Pairs.disjoint
  public var threads = defaultThreadCount
  /// Compute every table and score again, even when the store holds this run.
  public var recompute = false
  /// Run even when the training examples overlap the test ones (the overlap is said with the result).
  public var allowOverlap = false

  /// The measures compared when none are named: the closed-form ones the paper reports, and the learned ones when
  /// there are training examples.
  public static func defaultMeasures(learned: Bool) -> [MeasureID] {
    ["cka", "cka.debiased", "pwcca"].map { MeasureID(name: $0) } + [MeasureID(name: "svcca", parameters: ["var": "0.99"])]
      + ["dot", "norm"].map { MeasureID(name: $0) } + (learned ? BenchmarkSupport.learnedDefaults : [])
  }

  public init(test: SelectorExpression, measures: [MeasureID]) {
    self.test = test
    self.measures = measures
  }

  /// The canonical command, stored with the run and part of its digest: `bench layer-prediction SEL --measures …`.
  public var description: String {
    (["bench", "layer-prediction", CanonicalText.token(test), "--measures",
      CanonicalText.token(measures.map(\.description).joined(separator: ","))]
      + train.flatMap { ["--train-on", CanonicalText.token($0)] } + ["--pairs", pairs.rawValue]
      + training.canonicalTokens).joined(separator: " ")
  }

  /// Runs the benchmark through `session` (its projections trained there when not stored yet, a note per pair), or
  /// reads back a stored run of the same benchmark over the same data.
  public func run(in session: QuerySession) throws -> BenchmarkResult {
    let store = session.store
    let statement = description
    let started = Date()
    let tensors = try store.tensors(matching: test.selector)
    let models = tensors.map(\.model).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    guard models.count >= 2 else {
      throw QueryError(.shape, "layer prediction compares models: \(test) matches only \(models.count) model")
    }
    let layersOf = Dictionary(grouping: tensors, by: \.model)
    let layerNames = layersOf[models[0]]!.map(\.layer)
    guard layerNames.count >= 2 else {
      throw QueryError(.shape, "layer prediction needs at least two layers per model; \(models[0]) has \(layerNames)")
    }
    for model in models where layersOf[model]!.map(\.layer) != layerNames {
      throw QueryError(.shape, 
        "layer prediction needs the same layers in every model: \(models[0]) has "
          + "\(layerNames.joined(separator: ",")), \(model) has \(layersOf[model]!.map(\.layer).joined(separator: ","))")
    }
    let pairs: [(Int, Int)] =
      switch self.pairs {
      case .disjoint: stride(from: 0, to: models.count - 1, by: 2).map { ($0, $0 + 1) }
      case .all: models.indices.flatMap { a in (a + 1 ..< models.count).map { (a, $0) } }
      }

    // The learned measures' projections, trained now unless stored by an earlier run.
    try BenchmarkSupport.requireTraining(measures, hasTraining: !train.isEmpty, option: "--train-examples")
    var options = training
    options.positives = options.positives ?? .sameLayer
    var projections: [String: String] = [:]
    let overlap = measures.contains { LearnedMeasures.names.contains($0.name) }
      ? try BenchmarkSupport.checkOverlap(
        train: train, test: tensors, testSubset: test.subset, allowed: allowOverlap, in: store)
      : nil
    for id in measures where LearnedMeasures.names.contains(id.name) {
      let statement = try TrainOnProjections.statement(kind: id.name, on: train, options: options, in: store)
      try session.ensureProjection(statement, trainedOn: "--train-examples")
      projections[id.description] = statement.name
    }

    let digest = try BenchmarkSupport.inputsDigest(
      statement: statement, tensors: tensors, projections: projections, in: store)
    if !recompute, let stored = try store.benchmarkRun(inputsDigest: digest) {
      var result = BenchmarkResult(stored, subjectTitle: "pair")
      result.collapsed = try BenchmarkSupport.collapsed(projections, in: store)
      return result
    }

    // One request for the closed-form measures (they share a pass over the data), one per learned measure.
    let groups: [[Int]] =
      [measures.indices.filter { projections[measures[$0].description] == nil }].filter { !$0.isEmpty }
      + measures.indices.filter { projections[measures[$0].description] != nil }.map { [$0] }
    var scores = [[BenchmarkResult.Score]](
      repeating: [BenchmarkResult.Score](repeating: .init(correct: 0, total: 0), count: pairs.count),
      count: measures.count)
    var exampleCount = 0
    var examples = ""
    // Rows of A whose cells were all undefined (NaN), per measure: no decision, counted wrong; and why.
    var undecided = [Int](repeating: 0, count: measures.count)
    var reasons = [Set<String>](repeating: [], count: measures.count)
    for (p, (a, b)) in pairs.enumerated() {
      let rows = layersOf[models[a]]!
      var pairUndecided = [Int](repeating: 0, count: measures.count)
      for group in groups {
        var sim = SimStatement(
          measures: group.map { measures[$0] }, rows: test.narrowed(toModel: models[a]),
          columns: test.narrowed(toModel: models[b]))
        sim.options.projection = projections[measures[group[0]].description]
        sim.options.threads = threads
        sim.options.recompute = recompute
        let run = try session.materialize(sim)
        for (k, table) in run.tables.enumerated() {
          let correct = table.bestMatches().filter { match in
            match.column.map { table.columns[$0].layer == table.rows[match.row].layer } ?? false
          }.count
          scores[group[k]][p] = .init(correct: correct, total: rows.count)
          for match in table.bestMatches() where match.column == nil {
            pairUndecided[group[k]] += 1
            reasons[group[k]].formUnion(table.values[match.row].compactMap(\.reason))
          }
          exampleCount = table.exampleCount
          examples = table.examples
        }
      }
      for m in measures.indices { undecided[m] += pairUndecided[m] }
      // Whether an all-NaN pair is n/a or counted wrong is known only once every pair is done.
      session.sink.note("\(models[a]) vs \(models[b]): "
        + measures.indices.map { m in
          "\(measures[m]) "
            + (pairUndecided[m] == rows.count ? "all NaN" : "\(scores[m][p].correct)/\(scores[m][p].total)")
        }.joined(separator: ", "))
    }
    // A measure undefined on every row of every pair made no decision at all: it has no score (n/a), not 0%.
    let decisions = pairs.count * layerNames.count
    let undefined = measures.indices.filter { undecided[$0] == decisions }
    for m in undefined { scores[m] = scores[m].map { _ in .init(correct: 0, total: 0) } }
    var result = BenchmarkResult(
      kind: "layer-prediction", statement: statement, subjectTitle: "pair", examples: examples,
      exampleCount: exampleCount, measures: measures.map(\.description),
      subjects: pairs.map { "\(models[$0.0]) vs \(models[$0.1])" }, scores: scores,
      chance: 1 / Double(layerNames.count), projections: projections)
    if models.count % 2 == 1 && self.pairs == .disjoint {
      result.notes.append("\(models.last!) has no partner in disjoint pairs and is left out (--pairs all takes it)")
    }
    for (m, count) in undecided.enumerated() where count > 0 && !undefined.contains(m) {
      result.notes.append("\(measures[m]): every cell undefined (NaN) for \(count) layer(s), counted wrong")
    }
    result.notes += UndefinedNotes.lines(
      undefined.map { UndefinedNotes.Entry(measure: measures[$0], reasons: reasons[$0], rowCount: exampleCount) },
      what: BenchmarkResult.undefinedNote)
    return try BenchmarkSupport.finish(
      result, overlap: overlap, started: started, inputsDigest: digest, in: store)
  }
}
