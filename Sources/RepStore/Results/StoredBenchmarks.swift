import Foundation

/// A benchmark run as the catalog keeps it: what was asked, over which data, and the decisions it counted.
public struct StoredBenchmarkRun: Sendable, Equatable {
  /// The decisions of one measure on one subject (a model pair, or a layer).
  public struct Score: Sendable, Equatable {
    public var measure: String
    public var subject: String
    public var correct: Int
    public var total: Int

    public init(measure: String, subject: String, correct: Int, total: Int) {
      (self.measure, self.subject, self.correct, self.total) = (measure, subject, correct, total)
    }
  }

  /// Catalog id (never reused); 0 before it is stored.
  public var id: Int64 = 0
  /// `layer-prediction` or `retrieval`.
  public var kind: String
  /// The canonical benchmark statement.
  public var statement: String
  /// XXH64 over the statement, the code version and every input tensor's content digest.
  public var inputsDigest: String
  /// The examples the decisions were made on.
  public var examples: String
  /// The accuracy of a random guess.
  public var chance: Double
  /// Measure id → the projection it compared through (learned measures only).
  public var projections: [String: String]
  /// Measures in order, each with its subjects in order.
  public var scores: [Score]
  public var seconds: Double
  public var createdAt = ""

  public init(
    kind: String, statement: String, inputsDigest: String, examples: String, chance: Double,
    projections: [String: String], scores: [Score], seconds: Double
  ) {
    (self.kind, self.statement, self.inputsDigest, self.examples) = (kind, statement, inputsDigest, examples)
    (self.chance, self.projections, self.scores, self.seconds) = (chance, projections, scores, seconds)
  }
}
