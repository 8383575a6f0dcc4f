import Foundation
import RepMeasures
import RepStore

/// What a benchmark counted: for each measure and each subject (a model pair in layer prediction, a layer in
/// retrieval), how many of its decisions were right.
public struct BenchmarkResult: Sendable {
  /// Right decisions out of all.
  public struct Score: Sendable, Equatable {
    public var correct: Int
    public var total: Int

    public init(correct: Int, total: Int) { (self.correct, self.total) = (correct, total) }

    /// correct / total; NaN without a decision.
    public var accuracy: Double { total > 0 ? Double(correct) / Double(total) : .nan }
  }

  /// `layer-prediction` or `retrieval`.
  public var kind: String
  /// The canonical command, stored with the run.
  public var statement: String
  /// What the subjects are, for headers: `pair` or `layer`.
  public var subjectTitle: String
  /// The examples the decisions were made on (`digits-test`, 540 examples).
  public var examples: String
  public var exampleCount: Int
  public var measures: [String]
  public var subjects: [String]
  /// `scores[m][s]`: measure m on subject s.
  public var scores: [[Score]]
  /// The accuracy of a random guess.
  public var chance: Double
  /// Measure → the projection it compared through (learned measures only).
  public var projections: [String: String]
  /// The keys of `projections` whose projection collapsed in training (`CollapseDiagnosis`): their cells say little.
  public var collapsed: Set<String> = []
  /// Notes for people (models left out of the pairs, and the like).
  public var notes: [String] = []
  public var seconds = 0.0
  /// The catalog id of the stored run, and whether it was read back rather than computed.
  public var runID: Int64?
  public var reused = false

  public init(
    kind: String, statement: String, subjectTitle: String, examples: String, exampleCount: Int, measures: [String],
    subjects: [String], scores: [[Score]], chance: Double, projections: [String: String]
  ) {
    (self.kind, self.statement, self.subjectTitle) = (kind, statement, subjectTitle)
    (self.examples, self.exampleCount, self.measures, self.subjects) = (examples, exampleCount, measures, subjects)
    (self.scores, self.chance, self.projections) = (scores, chance, projections)
  }

  /// Whether measure m's decisions on subject s came through a collapsed projection (one projection per measure in
  /// layer prediction, one per measure and layer in retrieval).
  public func isCollapsed(_ measure: Int, _ subject: Int) -> Bool {
    collapsed.contains(measures[measure]) || collapsed.contains("\(measures[measure]) \(subjects[subject])")
  }

  /// Whether any of measure m's decisions came through a collapsed projection.
  public func isCollapsed(_ measure: Int) -> Bool { subjects.indices.contains { isCollapsed(measure, $0) } }

  /// All of a measure's decisions pooled: its overall accuracy.
  public func overall(_ measure: Int) -> Score {
    scores[measure].reduce(Score(correct: 0, total: 0)) { Score(correct: $0.correct + $1.correct, total: $0.total + $1.total) }
  }

  /// Whether measure m made no decision at all: undefined (NaN) on every input, so it has no score (n/a), not 0%.
  public func isUndefined(_ measure: Int) -> Bool { overall(measure).total == 0 }

  /// What the note about such measures says, before their reasons.
  static let undefinedNote = "no decisions, shown as n/a: undefined (NaN) on every input"
}

// MARK: Stored runs

extension BenchmarkResult {
  /// The run as the catalog keeps it.
  func stored(inputsDigest: String) -> StoredBenchmarkRun {
    let scores = measures.indices.flatMap { m in
      subjects.indices.map { s in
        StoredBenchmarkRun.Score(
          measure: measures[m], subject: subjects[s], correct: self.scores[m][s].correct, total: self.scores[m][s].total)
      }
    }
    return StoredBenchmarkRun(
      kind: kind, statement: statement, inputsDigest: inputsDigest, examples: "\(examples) (\(exampleCount))",
      chance: chance, projections: projections, scores: scores, seconds: seconds)
  }

  /// A stored run, as it was printed when it was computed.
  public init(_ run: StoredBenchmarkRun) {
    self.init(run, subjectTitle: run.kind == "retrieval" ? "layer" : "pair")
  }

  /// A result read back from the catalog.
  init(_ run: StoredBenchmarkRun, subjectTitle: String) {
    let measures = run.scores.map(\.measure).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let subjects = run.scores.map(\.subject).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    var scores = [[Score]](repeating: [Score](repeating: Score(correct: 0, total: 0), count: subjects.count),
                           count: measures.count)
    for score in run.scores {
      scores[measures.firstIndex(of: score.measure)!][subjects.firstIndex(of: score.subject)!] =
        Score(correct: score.correct, total: score.total)
    }
    // "digits-test (540)"
    let parts = run.examples.split(separator: " (")
    let count = parts.count == 2 ? Int(parts[1].dropLast()) ?? 0 : 0
    self.init(
      kind: run.kind, statement: run.statement, subjectTitle: subjectTitle, examples: String(parts.first ?? ""),
      exampleCount: count, measures: measures, subjects: subjects, scores: scores, chance: run.chance,
      projections: run.projections)
    seconds = run.seconds
    runID = run.id
    reused = true
    // The reasons are not stored with the run; the table shows n/a as it did when the run was computed.
    let undefined = measures.indices.filter(isUndefined).map { measures[$0] }
    if !undefined.isEmpty {
      notes.append(undefined.joined(separator: ", ") + ": " + Self.undefinedNote + " when the run was computed")
    }
  }
}
