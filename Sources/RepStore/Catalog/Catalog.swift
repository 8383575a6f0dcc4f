import Foundation
import GRDB

/// The SQLite catalog (`catalog.sqlite`, WAL mode): the only source of truth for what a store holds.
///
/// Readers see a consistent snapshot while a writer works; only one process writes at a time (the store's
/// writer lock guarantees it). GRDB types do not leave this folder: the rest of the store speaks
/// `TensorInfo`, `ExampleSetInfo` and `BlockInfo`.
final class Catalog: Sendable {
  private let pool: DatabasePool
  let path: String

  /// Opens the catalog, applying pending migrations.
  /// - Throws: `StoreError(.newerStore)` when the file was written by a newer repstore; `.catalog` otherwise.
  init(path: String) throws {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    configuration.prepareDatabase { db in
      // A commit must survive power loss, not only a crash of the process.
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
      let migrator = Migrations.migrator
      let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
      if superseded {
        let unknown = try pool.read { db in
          try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
        }
        throw StoreError(
          .newerStore,
          "\(path): this store was written by a newer repstore (unknown catalog migrations: "
            + "\(unknown.joined(separator: ", "))); upgrade repstore to open it")
      }
      if try pool.read({ db in try !migrator.hasCompletedMigrations(db) }) {
        try migrator.migrate(pool)
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.catalog, "\(path): \(error)")
    }
  }

  /// Runs `body` in a read transaction (a consistent snapshot), mapping database errors to `StoreError`.
  func read<T>(_ body: (Database) throws -> T) throws -> T {
    do { return try pool.read(body) } catch let error as StoreError { throw error } catch {
      throw StoreError(.catalog, "\(path): \(error)")
    }
  }

  /// Runs `body` in one write transaction: all of it commits or none of it does.
  func write<T>(_ body: (Database) throws -> T) throws -> T {
    do { return try pool.write(body) } catch let error as StoreError { throw error } catch {
      throw StoreError(.catalog, "\(path): \(error)")
    }
  }

  static func timestamp(_ date: Date = Date()) -> String {
    date.formatted(.iso8601)
  }
}

// MARK: - Queries

extension Catalog {
  static let tensorColumns = """
    t.id, m.name AS model, t.layer, s.name AS example_set, t.row_count, t.column_count, t.source_dtype,
    t.source, t.digest, t.raw_bytes, t.stored_bytes, t.imported_at,
    (SELECT COUNT(*) FROM blocks b WHERE b.tensor_id = t.id) AS block_count
    FROM tensors t JOIN models m ON m.id = t.model_id JOIN example_sets s ON s.id = t.example_set_id
    """

  static func tensor(from row: Row) -> TensorInfo {
    TensorInfo(
      id: row["id"], model: row["model"], layer: row["layer"], exampleSet: row["example_set"],
      rowCount: row["row_count"], columnCount: row["column_count"], sourceDType: row["source_dtype"],
      source: row["source"], digest: row["digest"], rawByteCount: row["raw_bytes"],
      storedByteCount: row["stored_bytes"], importedAt: row["imported_at"], blockCount: row["block_count"])
  }

  /// Every tensor in the catalog, in no particular order.
  static func allTensors(_ db: Database) throws -> [TensorInfo] {
    try Row.fetchAll(db, sql: "SELECT \(tensorColumns)").map(tensor(from:))
  }

  static func blocks(_ db: Database, tensorID: Int64) throws -> [BlockInfo] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT block_index, row_start, row_count, segment, byte_offset, stored_length, raw_length, checksum
        FROM blocks WHERE tensor_id = ? ORDER BY block_index
        """, arguments: [tensorID]
    ).map { row in
      BlockInfo(
        index: row["block_index"], rowStart: row["row_start"], rowCount: row["row_count"],
        segment: row["segment"], byteOffset: row["byte_offset"], storedLength: row["stored_length"],
        rawLength: row["raw_length"], checksum: UInt64(bitPattern: row["checksum"]))
    }
  }

  static func exampleSet(from row: Row) -> ExampleSetInfo {
    ExampleSetInfo(
      id: row["id"], name: row["name"], rowCount: row["row_count"],
      keyKind: ExampleSetInfo.KeyKind(rawValue: row["key_kind"]) ?? .explicit, keysDigest: row["keys_digest"],
      tensorCount: row["tensor_count"])
  }

  static let exampleSetColumns = """
    s.id, s.name, s.row_count, s.key_kind, s.keys_digest,
    (SELECT COUNT(*) FROM tensors t WHERE t.example_set_id = s.id) AS tensor_count FROM example_sets s
    """

  static func exampleSets(_ db: Database) throws -> [ExampleSetInfo] {
    try Row.fetchAll(db, sql: "SELECT \(exampleSetColumns)").map(exampleSet(from:))
  }

  static func exampleSet(_ db: Database, named name: String) throws -> ExampleSetInfo? {
    try Row.fetchOne(db, sql: "SELECT \(exampleSetColumns) WHERE s.name = ?", arguments: [name]).map(exampleSet(from:))
  }

  /// The keys of an explicit set in order; ordinal sets produce "0" ..< "n".
  static func exampleKeys(_ db: Database, of set: ExampleSetInfo) throws -> [String] {
    switch set.keyKind {
    case .ordinal: return (0..<set.rowCount).map(String.init)
    case .explicit:
      return try String.fetchAll(
        db, sql: "SELECT key FROM example_keys WHERE set_id = ? ORDER BY ordinal", arguments: [set.id])
    }
  }

  /// Stored bytes that live blocks occupy, per segment number.
  static func liveBytesBySegment(_ db: Database) throws -> [Int: Int64] {
    var result: [Int: Int64] = [:]
    for row in try Row.fetchAll(db, sql: "SELECT segment, SUM(stored_length) AS bytes FROM blocks GROUP BY segment") {
      result[row["segment"]] = row["bytes"]
    }
    return result
  }

  /// Blocks stored in one segment, with their tensor, in file order.
  static func blocks(_ db: Database, inSegment segment: Int) throws -> [(tensorID: Int64, block: BlockInfo)] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT tensor_id, block_index, row_start, row_count, segment, byte_offset, stored_length, raw_length, checksum
        FROM blocks WHERE segment = ? ORDER BY byte_offset
        """, arguments: [segment]
    ).map { row in
      (
        row["tensor_id"],
        BlockInfo(
          index: row["block_index"], rowStart: row["row_start"], rowCount: row["row_count"],
          segment: row["segment"], byteOffset: row["byte_offset"], storedLength: row["stored_length"],
          rawLength: row["raw_length"], checksum: UInt64(bitPattern: row["checksum"]))
      )
    }
  }

  static func integrityProblems(_ db: Database) throws -> [String] {
    var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
    for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
      problems.append("foreign key violation in table \(row[0] as String? ?? "?") rowid \(row[1] as Int64? ?? -1)")
    }
    return problems
  }
}

// MARK: - Changes

/// An example set an import adds, or refers to when it already exists.
struct NewExampleSet {
  var name: String
  var rowCount: Int
  var keyKind: ExampleSetInfo.KeyKind
  var keysDigest: String
  /// The keys to insert for a new explicit set; nil for ordinal sets.
  var keys: [String]?
  /// The set exists but all its tensors are being replaced: drop it and insert it anew.
  var redefines = false
}

/// A tensor an import adds: its metadata and the blocks already written and synced to segments.
struct NewTensor {
  var model: String
  var layer: String
  var exampleSet: String
  var rowCount: Int
  var columnCount: Int
  var sourceDType: String
  var source: String
  var digest: String
  var blocks: [BlockInfo]
}

extension Catalog {
  /// Inserts example sets, models, tensors and blocks in one transaction. Tensors listed in `replacing`
  /// are deleted first (their blocks become garbage for `gc`).
  func commitImport(sets: [NewExampleSet], tensors: [NewTensor], replacing: [Int64]) throws {
    let now = Catalog.timestamp()
    try write { db in
      for id in replacing {
        try db.execute(sql: "DELETE FROM tensors WHERE id = ?", arguments: [id])
      }
      var setIDs: [String: Int64] = [:]
      for set in sets {
        if set.redefines {
          try db.execute(sql: "DELETE FROM example_sets WHERE name = ?", arguments: [set.name])
        }
        if let existing = try Catalog.exampleSet(db, named: set.name) {
          setIDs[set.name] = existing.id
          continue
        }
        try db.execute(
          sql: """
            INSERT INTO example_sets (name, row_count, key_kind, keys_digest, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [set.name, set.rowCount, set.keyKind.rawValue, set.keysDigest, now])
        let id = db.lastInsertedRowID
        setIDs[set.name] = id
        if let keys = set.keys {
          let statement = try db.makeStatement(
            sql: "INSERT INTO example_keys (set_id, ordinal, key) VALUES (?, ?, ?)")
          for (ordinal, key) in keys.enumerated() {
            try statement.execute(arguments: [id, ordinal, key])
          }
        }
      }
      let insertBlock = try db.makeStatement(
        sql: """
          INSERT INTO blocks (tensor_id, block_index, row_start, row_count, segment, byte_offset, stored_length,
                              raw_length, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      for tensor in tensors {
        try db.execute(
          sql: "INSERT INTO models (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
          arguments: [tensor.model, now])
        let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [tensor.model])
        guard let modelID, let setID = setIDs[tensor.exampleSet] else {
          throw StoreError(.catalog, "internal: no id for model '\(tensor.model)' or set '\(tensor.exampleSet)'")
        }
        let raw = tensor.blocks.reduce(Int64(0)) { $0 + Int64($1.rawLength) }
        let stored = tensor.blocks.reduce(Int64(0)) { $0 + Int64($1.storedLength) }
        try db.execute(
          sql: """
            INSERT INTO tensors (model_id, layer, example_set_id, row_count, column_count, source_dtype, source,
                                 digest, raw_bytes, stored_bytes, imported_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            modelID, tensor.layer, setID, tensor.rowCount, tensor.columnCount, tensor.sourceDType, tensor.source,
            tensor.digest, raw, stored, now,
          ])
        let tensorID = db.lastInsertedRowID
        for block in tensor.blocks {
          try insertBlock.execute(arguments: [
            tensorID, block.index, block.rowStart, block.rowCount, block.segment, block.byteOffset,
            block.storedLength, block.rawLength, Int64(bitPattern: block.checksum),
          ])
        }
      }
      try Catalog.dropUnused(db)
    }
  }

  /// Deletes tensors (and their block rows) in one transaction, then models and example sets left empty.
  func removeTensors(ids: [Int64]) throws {
    try write { db in
      for id in ids { try db.execute(sql: "DELETE FROM tensors WHERE id = ?", arguments: [id]) }
      try Catalog.dropUnused(db)
    }
  }

  /// Models and example sets that no tensor uses are removed, so a later import may reuse their names freely.
  static func dropUnused(_ db: Database) throws {
    try db.execute(sql: "DELETE FROM models WHERE id NOT IN (SELECT model_id FROM tensors)")
    try db.execute(sql: "DELETE FROM example_sets WHERE id NOT IN (SELECT example_set_id FROM tensors)")
  }

  /// Points blocks at their new place after `gc` copied them to another segment.
  func moveBlocks(_ moves: [(tensorID: Int64, index: Int, segment: Int, byteOffset: Int64)]) throws {
    try write { db in
      let statement = try db.makeStatement(
        sql: "UPDATE blocks SET segment = ?, byte_offset = ? WHERE tensor_id = ? AND block_index = ?")
      for move in moves {
        try statement.execute(arguments: [move.segment, move.byteOffset, move.tensorID, move.index])
      }
    }
  }

  /// Shrinks the catalog file after large deletions.
  func vacuum() throws {
    do {
      try pool.barrierWriteWithoutTransaction { db in
        try db.execute(sql: "VACUUM")
        try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
      }
    } catch { throw StoreError(.catalog, "\(path): \(error)") }
  }
}
