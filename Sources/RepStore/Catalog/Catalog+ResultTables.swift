import Foundation
import GRDB

extension Store {
  /// The most recent table with this inputs digest and code version, with its cells; nil if there is none.
  public func resultTable(inputsDigest: String) throws -> ResultTable? {
    try catalog.read { db in
      guard
        let id = try Int64.fetchOne(
          db, sql: "SELECT id FROM result_tables WHERE inputs_digest = ? ORDER BY id DESC LIMIT 1",
          arguments: [inputsDigest])
      else { return nil }
      return try checkedResultTable(db, id: id)
    }
  }

  /// Table `id` with its cells, or nil.
  public func resultTable(id: Int64) throws -> ResultTable? {
    try catalog.read { db in try checkedResultTable(db, id: id) }
  }

  /// Table `id`, its axes and cells checked against their digests.
  private func checkedResultTable(_ db: Database, id: Int64) throws -> ResultTable? {
    guard let table = try Catalog.resultTable(db, id: id) else { return nil }
    try catalog.requireIntact(db, .resultTable, ids: [id])
    try catalog.requireIntact(db, .resultCells, ids: [id])
    return table
  }

  /// Every stored table, oldest first, with its cell count and staleness.
  public func resultTables() throws -> [ResultTableSummary] {
    try catalog.read { db in
      let current = Dictionary(
        try Catalog.allTensors(db).map { ("\($0.model)\u{0}\($0.layer)\u{0}\($0.exampleSet)", $0.digest) },
        uniquingKeysWith: { first, _ in first })
      let ids = try Int64.fetchAll(db, sql: "SELECT id FROM result_tables ORDER BY id")
      try catalog.requireIntact(db, .resultTable, ids: ids)
      return try ids.compactMap { id in
        guard let header = try Catalog.resultHeader(db, id: id) else { return nil }
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM result_cells WHERE table_id = ?", arguments: [id])
        let stale = (header.rows + header.columns).contains { entry in
          current["\(entry.model)\u{0}\(entry.layer)\u{0}\(entry.exampleSet)"] != entry.tensorDigest
        }
        return ResultTableSummary(header: header, storedCellCount: count ?? 0, isStale: stale)
      }
    }
  }

  /// Stores a new, empty table and returns its id. Call with the writer lock held.
  public func createResultTable(_ header: ResultTableHeader) throws -> Int64 {
    try catalog.write { db in
      try db.execute(
        sql: """
          INSERT INTO result_tables (statement, measure, larger_is_similar, symmetric, inputs_digest, code_version,
            route, examples, example_count, row_count, column_count, complete, created_at, seconds)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0)
          """,
        arguments: [
          header.statement, header.measure, header.largerIsSimilar, header.isSymmetric, header.inputsDigest,
          header.codeVersion, header.route, header.examples, header.exampleCount, header.rows.count,
          header.columns.count, Catalog.timestamp(),
        ])
      let id = db.lastInsertedRowID
      for (axis, entries) in [("row", header.rows), ("column", header.columns)] {
        for (position, entry) in entries.enumerated() {
          try db.execute(
            sql: """
              INSERT INTO result_axes (table_id, axis, position, model, layer, example_set, tensor_digest)
              VALUES (?, ?, ?, ?, ?, ?, ?)
              """,
            arguments: [id, axis, position, entry.model, entry.layer, entry.exampleSet, entry.tensorDigest])
        }
      }
      try CatalogDigests.seal(db, .resultTable, id: id)
      try CatalogDigests.store(db, .resultCells, id: id, digest: CatalogDigests.emptyDigest(.resultCells))
      return id
    }
  }

  /// Adds cells to table `id` in one transaction (a cell stored twice keeps the later value), and the compute time
  /// they took. Call with the writer lock held.
  public func addResultCells(_ cells: [ResultCell], toTable id: Int64, seconds: Double = 0) throws {
    try catalog.write { db in
      var delta: UInt64 = 0
      for cell in cells {
        if let old = try Row.fetchOne(
          db, sql: "SELECT value, reason FROM result_cells WHERE table_id = ? AND row = ? AND col = ?",
          arguments: [id, cell.row, cell.column])
        {
          delta &-= CatalogDigests.cellHash(
            table: id, row: cell.row, column: cell.column, value: old["value"], reason: old["reason"])
        }
        try db.execute(
          sql: "INSERT OR REPLACE INTO result_cells (table_id, row, col, value, reason) VALUES (?, ?, ?, ?, ?)",
          arguments: [id, cell.row, cell.column, cell.value, cell.reason])
        delta &+= CatalogDigests.cellHash(
          table: id, row: cell.row, column: cell.column, value: cell.value, reason: cell.reason)
      }
      try CatalogDigests.addToCellSum(db, table: id, delta)
      try db.execute(sql: "UPDATE result_tables SET seconds = seconds + ? WHERE id = ?", arguments: [seconds, id])
    }
  }

  /// Records what only the computation knows: the route taken and the examples compared.
  public func updateResultTable(id: Int64, route: String?, examples: String, exampleCount: Int) throws {
    try catalog.write { db in
      try db.execute(
        sql: "UPDATE result_tables SET route = ?, examples = ?, example_count = ? WHERE id = ?",
        arguments: [route, examples, exampleCount, id])
      try CatalogDigests.seal(db, .resultTable, id: id)
    }
  }

  /// Marks table `id` complete when all its cells are stored; returns whether it is.
  @discardableResult
  public func completeResultTable(id: Int64) throws -> Bool {
    try catalog.write { db in
      try db.execute(
        sql: """
          UPDATE result_tables SET complete = 1 WHERE id = ?
            AND (SELECT COUNT(*) FROM result_cells WHERE table_id = ?) = row_count * column_count
          """,
        arguments: [id, id])
      try CatalogDigests.seal(db, .resultTable, id: id)
      return try Bool.fetchOne(db, sql: "SELECT complete FROM result_tables WHERE id = ?", arguments: [id]) ?? false
    }
  }

  /// Deletes table `id` and its cells; returns whether it existed. Call with the writer lock held.
  @discardableResult
  public func dropResultTable(id: Int64) throws -> Bool {
    try catalog.write { db in try Catalog.deleteResultTable(db, id: id) }
  }
}

extension Catalog {
  /// Deletes table `id`, its axes, cells and digests in the caller's transaction; returns whether it existed.
  static func deleteResultTable(_ db: Database, id: Int64) throws -> Bool {
    try db.execute(sql: "DELETE FROM result_cells WHERE table_id = ?", arguments: [id])
    try db.execute(sql: "DELETE FROM result_axes WHERE table_id = ?", arguments: [id])
    try db.execute(sql: "DELETE FROM result_tables WHERE id = ?", arguments: [id])
    let existed = db.changesCount > 0
    try CatalogDigests.forget(db, .resultTable, id: id)
    try CatalogDigests.forget(db, .resultCells, id: id)
    return existed
  }

  static func resultHeader(_ db: Database, id: Int64) throws -> ResultTableHeader? {
    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM result_tables WHERE id = ?", arguments: [id]) else {
      return nil
    }
    var axes: [String: [ResultAxisEntry]] = ["row": [], "column": []]
    for entry in try Row.fetchAll(
      db, sql: "SELECT * FROM result_axes WHERE table_id = ? ORDER BY axis, position", arguments: [id])
    {
      axes[entry["axis"], default: []].append(
        ResultAxisEntry(
          model: entry["model"], layer: entry["layer"], exampleSet: entry["example_set"],
          tensorDigest: entry["tensor_digest"]))
    }
    var header = ResultTableHeader(
      statement: row["statement"], measure: row["measure"], largerIsSimilar: row["larger_is_similar"],
      isSymmetric: row["symmetric"], inputsDigest: row["inputs_digest"], codeVersion: row["code_version"],
      route: row["route"], examples: row["examples"], exampleCount: row["example_count"], rows: axes["row"] ?? [],
      columns: axes["column"] ?? [])
    header.id = id
    header.isComplete = row["complete"]
    header.createdAt = row["created_at"]
    header.seconds = row["seconds"]
    return header
  }

  static func resultTable(_ db: Database, id: Int64) throws -> ResultTable? {
    guard let header = try resultHeader(db, id: id) else { return nil }
    let cells = try Row.fetchAll(
      db, sql: "SELECT row, col, value, reason FROM result_cells WHERE table_id = ? ORDER BY row, col",
      arguments: [id]
    ).map { ResultCell(row: $0["row"], column: $0["col"], value: $0["value"], reason: $0["reason"]) }
    return ResultTable(header: header, cells: cells)
  }
}
