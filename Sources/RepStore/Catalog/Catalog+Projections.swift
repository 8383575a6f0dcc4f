import Foundation
import GRDB

extension Store {
  /// Stores a projection under its name. Call with the writer lock held.
  /// - Throws: `StoreError(.invalidInput)` when a projection of that name exists.
  @discardableResult
  public func saveProjection(_ projection: StoredProjection) throws -> Int64 {
    try catalog.write { db in
      if try Int64.fetchOne(db, sql: "SELECT id FROM projections WHERE name = ?", arguments: [projection.name]) != nil {
        throw StoreError.invalidInput(
          path: nil, detail: "a projection named '\(projection.name)' exists already; choose another name")
      }
      let losses = "[" + projection.losses.map { $0.isFinite ? String($0) : "null" }.joined(separator: ",") + "]"
      try db.execute(
        sql: """
          INSERT INTO projections (name, kind, statement, options, trained_on, losses, seconds, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          projection.name, projection.kind, projection.statement, projection.optionsJSON, projection.trainedOnJSON,
          losses, projection.seconds, Catalog.timestamp(),
        ])
      let id = db.lastInsertedRowID
      for layer in projection.layers {
        try db.execute(
          sql: """
            INSERT INTO projection_layers
              (projection_id, input_width, layer_index, row_count, column_count, weights, bias)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            id, layer.inputWidth, layer.index, layer.rowCount, layer.columnCount, Self.blob(layer.weights),
            Self.blob(layer.bias),
          ])
      }
      try CatalogDigests.seal(db, .projection, id: id)
      return id
    }
  }

  /// The projection named `name`, with its layers; nil if there is none.
  public func projection(named name: String) throws -> StoredProjection? {
    try catalog.read { db in
      guard let row = try Row.fetchOne(db, sql: "SELECT * FROM projections WHERE name = ?", arguments: [name]) else {
        return nil
      }
      try catalog.requireIntact(db, .projection, ids: [row["id"]], names: [row["id"]: name])
      return try Self.projection(db, row, withLayers: true)
    }
  }

  /// Every stored projection, oldest first, without their weights.
  public func projections() throws -> [StoredProjection] {
    try catalog.read { db in
      let rows = try Row.fetchAll(db, sql: "SELECT * FROM projections ORDER BY id")
      try catalog.requireIntact(db, .projection, ids: rows.map { $0["id"] }, names: Dictionary(rows.map { ($0["id"], $0["name"]) }, uniquingKeysWith: { first, _ in first }))
      return try rows.map { try Self.projection(db, $0, withLayers: false) }
    }
  }

  /// Deletes the projections `ids` (rows, layers, digests) and the result tables `tables` in one transaction: the
  /// tables that compare through them go with them, or none of it does. Call with the writer lock held.
  /// - Throws: `StoreError(.invalidInput)` when one of the projections is gone already (another writer removed it).
  public func removeProjections(ids: [Int64], withTables tables: [Int64] = []) throws {
    try catalog.write { db in
      for id in ids {
        try db.execute(sql: "DELETE FROM projection_layers WHERE projection_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM projections WHERE id = ?", arguments: [id])
        guard db.changesCount > 0 else {
          throw StoreError.invalidInput(path: nil, detail: "projection \(id) was removed by another process meanwhile")
        }
        try CatalogDigests.forget(db, .projection, id: id)
      }
      for table in tables { _ = try Catalog.deleteResultTable(db, id: table) }
    }
  }

  private static func projection(_ db: Database, _ row: Row, withLayers: Bool) throws -> StoredProjection {
    let id: Int64 = row["id"]
    var layers: [StoredProjection.Layer] = []
    if withLayers {
      layers = try Row.fetchAll(
        db, sql: "SELECT * FROM projection_layers WHERE projection_id = ? ORDER BY input_width, layer_index",
        arguments: [id]
      ).map { layer in
        StoredProjection.Layer(
          inputWidth: layer["input_width"], index: layer["layer_index"], rowCount: layer["row_count"],
          columnCount: layer["column_count"], weights: floats(layer["weights"]), bias: floats(layer["bias"]))
      }
    }
    let lossText: String = row["losses"]
    let losses = (try? JSONSerialization.jsonObject(with: Data(lossText.utf8)) as? [Any])?.map {
      ($0 as? NSNumber)?.doubleValue ?? .nan
    } ?? []
    var projection = StoredProjection(
      name: row["name"], kind: row["kind"], statement: row["statement"], optionsJSON: row["options"],
      trainedOnJSON: row["trained_on"], losses: losses, seconds: row["seconds"], layers: layers)
    projection.id = id
    projection.createdAt = row["created_at"]
    return projection
  }

  /// Little-endian Float32 bytes (every platform repstore runs on is little-endian).
  private static func blob(_ values: [Float]) -> Data {
    values.withUnsafeBytes { Data($0) }
  }

  private static func floats(_ data: Data) -> [Float] {
    let count = data.count / MemoryLayout<Float>.size
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      _ = data.copyBytes(to: buffer)
      initialized = count
    }
  }
}
