import Foundation
import GRDB

extension Store {
  /// Stores a benchmark run and returns its id. Call with the writer lock held.
  @discardableResult
  public func saveBenchmarkRun(_ run: StoredBenchmarkRun) throws -> Int64 {
    let projections = try String(
      decoding: JSONSerialization.data(withJSONObject: run.projections, options: [.sortedKeys]), as: UTF8.self)
    return try catalog.write { db in
      try db.execute(
        sql: """
          INSERT INTO benchmark_runs
            (kind, statement, inputs_digest, examples, chance, projections, created_at, seconds)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          run.kind, run.statement, run.inputsDigest, run.examples, run.chance, projections, Catalog.timestamp(),
          run.seconds,
        ])
      let id = db.lastInsertedRowID
      let measures = run.scores.map(\.measure).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      let subjects = run.scores.map(\.subject).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      for score in run.scores {
        try db.execute(
          sql: """
            INSERT INTO benchmark_scores
              (run_id, measure, measure_position, subject, subject_position, correct, total)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            id, score.measure, measures.firstIndex(of: score.measure)!, score.subject,
            subjects.firstIndex(of: score.subject)!, score.correct, score.total,
          ])
      }
      try CatalogDigests.seal(db, .benchmarkRun, id: id)
      return id
    }
  }

  /// The latest run with this inputs digest, with its scores; nil if there is none.
  public func benchmarkRun(inputsDigest: String) throws -> StoredBenchmarkRun? {
    try catalog.read { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM benchmark_runs WHERE inputs_digest = ? ORDER BY id DESC LIMIT 1",
        arguments: [inputsDigest]
      ).map { row in
        try catalog.requireIntact(db, .benchmarkRun, ids: [row["id"]])
        return try Self.benchmarkRun(db, row)
      }
    }
  }

  /// Every stored run, oldest first, with its scores.
  public func benchmarkRuns() throws -> [StoredBenchmarkRun] {
    try catalog.read { db in
      let rows = try Row.fetchAll(db, sql: "SELECT * FROM benchmark_runs ORDER BY id")
      try catalog.requireIntact(db, .benchmarkRun, ids: rows.map { $0["id"] })
      return try rows.map { try Self.benchmarkRun(db, $0) }
    }
  }

  private static func benchmarkRun(_ db: Database, _ row: Row) throws -> StoredBenchmarkRun {
    let id: Int64 = row["id"]
    let scores = try Row.fetchAll(
      db, sql: "SELECT * FROM benchmark_scores WHERE run_id = ? ORDER BY measure_position, subject_position",
      arguments: [id]
    ).map {
      StoredBenchmarkRun.Score(measure: $0["measure"], subject: $0["subject"], correct: $0["correct"], total: $0["total"])
    }
    let projectionText: String = row["projections"]
    let projections = (try? JSONSerialization.jsonObject(with: Data(projectionText.utf8))) as? [String: String] ?? [:]
    var run = StoredBenchmarkRun(
      kind: row["kind"], statement: row["statement"], inputsDigest: row["inputs_digest"], examples: row["examples"],
      chance: row["chance"], projections: projections, scores: scores, seconds: row["seconds"])
    run.id = id
    run.createdAt = row["created_at"]
    return run
  }
}
