import Foundation
import GRDB

/// The SQLite catalog (`catalog.sqlite`, WAL mode): the only source of truth for what a store holds.
///
/// Two connections, one job each. `read` goes through a read-only connection opened with the catalog: it never
/// migrates, checkpoints or syncs, so listing a store or reading a stored table back changes nothing on disk, and
/// works where this process cannot write. The writable connection (synchronous=FULL, migrations) opens on the first
/// `write`, which writers make under the store's writer lock. Readers see a consistent snapshot while a writer
/// commits (WAL); only one process writes at a time.
///
/// SQLite deletes `-wal` and `-shm` when the last connection closes with the right to checkpoint. The writable
/// connection checkpoints and closes first, so the read-only one is last and the two files stay, the WAL emptied: the
/// next reader finds them and creates nothing, and a reader that cannot write the folder can still open the catalog
/// (what SQLITE_FCNTL_PERSIST_WAL would give, without reaching under GRDB). Only where another program (an older
/// repstore, the sqlite3 shell) closed the catalog last does the first reader make them again, as SQLite must to read
/// a WAL database that a writer may change. GRDB types do not leave this folder: the rest of the store speaks
/// `TensorInfo`, `ExampleSetInfo` and `BlockInfo`.
// @unchecked: `writer` and `emulatedTables` change only under `writerLock`; the connections serialize their own use.
final class Catalog: @unchecked Sendable {
  let path: String
  private let reader: DatabaseQueue
  /// Thrown by `write` on a store this process cannot write.
  private let writeRefusal: StoreError?
  private let writerLock = NSLock()
  private var writer: DatabaseQueue?
  /// Empty stand-ins on the read connection for the tables of migrations the file has not had yet.
  private var emulatedTables: [String] = []

  /// Opens the catalog for reading; a missing file is created (and migrated) when the store may be written.
  /// - Parameter writeRefusal: why the store cannot be written (nil when it can), thrown by `write`.
  /// - Throws: `StoreError(.newerStore)` when the file was written by a newer repstore; `.catalog` otherwise.
  init(path: String, writeRefusal: StoreError?) throws {
    self.path = path
    self.writeRefusal = writeRefusal
    do {
      if writeRefusal == nil && !FileManager.default.fileExists(atPath: path) {
        // A read-only connection cannot create the file: a new store opens its writer first.
        writer = try Catalog.openWriter(path: path)
      }
      reader = try DatabaseQueue(
        path: Catalog.readerFileName(path, isWritable: writeRefusal == nil), configuration: Catalog.readerConfiguration)
      emulatedTables = try reader.inDatabase { db in
        try Catalog.refuseNewerStore(db, path: path)
        return try Migrations.emulatePending(db, catalogPath: path)
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.catalog(error, path: path, while: "open")
    }
  }

  deinit {
    if let writer {
      // Empty the WAL into the file, without waiting for readers of other processes (the next writer does it
      // then), and close before the read connection, which keeps -wal and -shm (see the type's doc).
      try? writer.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA busy_timeout = 0")
        try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
      }
      try? writer.close()
    }
    try? reader.close()
  }

  /// Runs `body` in a read transaction (a consistent snapshot), mapping database errors to `StoreError`.
  func read<T>(_ body: (Database) throws -> T) throws -> T {
    do { return try reader.read(body) } catch let error as StoreError { throw error } catch {
      throw StoreError.catalog(error, path: path, while: "read")
    }
  }

  /// Runs `body` in one write transaction: all of it commits or none of it does.
  /// - Throws: the store's `.readOnly` error when this process cannot write it.
  func write<T>(_ body: (Database) throws -> T) throws -> T {
    do { return try writable().write(body) } catch let error as StoreError { throw error } catch {
      throw StoreError.catalog(error, path: path, while: "write")
    }
  }

  /// The writable connection, opened (and the schema migrated) on first use.
  private func writable() throws -> DatabaseQueue {
    if let writeRefusal { throw writeRefusal }
    writerLock.lock()
    defer { writerLock.unlock() }
    if let writer { return writer }
    let opened = try Catalog.openWriter(path: path)
    if !emulatedTables.isEmpty {
      // The migration made the real tables; the stand-ins would hide them from this process's reads.
      try reader.inDatabase { db in
        for table in emulatedTables.reversed() {
          try db.execute(sql: "DROP TABLE temp.\(table.quotedDatabaseIdentifier)")
        }
      }
      emulatedTables = []
    }
    writer = opened
    return opened
  }

  private static var readerConfiguration: Configuration {
    var configuration = Configuration()
    configuration.readonly = true
    // A writer's checkpoint or the recovery of a crashed one holds the catalog for a moment.
    configuration.busyMode = .timeout(30)
    return configuration
  }

  /// The name the read connection opens. SQLite opens a WAL database read-only only if its `-wal` and `-shm`
  /// files exist or can be created (sqlite.org/wal.html, "Read-Only Databases"). In a folder this process cannot
  /// write, when they are absent, no WAL holds anything: the file alone is the database and is opened as a URI with
  /// `immutable=1` (no locks, no shared memory). Debian's SQLite is built with SQLITE_USE_URI, so GRDB's
  /// `sqlite3_open_v2` takes `file:` names as URIs.
  private static func readerFileName(_ path: String, isWritable: Bool) -> String {
    if isWritable { return path }
    // stat(2), not FileManager.attributesOfItem, which also looks up the owner's name in /etc/passwd.
    var info = stat()
    let walByteCount: Int? = stat(path + "-wal", &info) == 0 ? Int(info.st_size) : nil
    let hasSharedMemory = access(path + "-shm", F_OK) == 0
    if (walByteCount != nil && hasSharedMemory) || (walByteCount ?? 0) > 0 { return path }
    // In a URI path, only %, ? and # are special.
    let escaped = path.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "%?#").inverted) ?? path
    return "file:\(escaped)?immutable=1"
  }

  /// Opens the writable connection and brings the schema up to date.
  private static func openWriter(path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    configuration.prepareDatabase { db in
      // WAL, so that readers keep their snapshot while the writer commits. Set here rather than with GRDB's
      // `journalMode = .wal`, whose set-up runs after this block and lowers synchronous to NORMAL.
      try db.execute(sql: "PRAGMA journal_mode = WAL")
      // A commit must survive power loss, not only a crash of the process.
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try queue.inDatabase { db in try refuseNewerStore(db, path: path) }
    let migrator = Migrations.migrator
    if try queue.read({ db in try !migrator.hasCompletedMigrations(db) }) {
      try migrator.migrate(queue)
    }
    return queue
  }

  /// Throws `.newerStore` when the catalog has migrations this build does not know.
  private static func refuseNewerStore(_ db: Database, path: String) throws {
    let migrator = Migrations.migrator
    let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
    guard !unknown.isEmpty else { return }
    throw StoreError.newerStore(catalogPath: path, unknownMigrations: unknown)
  }

  static func timestamp(_ date: Date = Date()) -> String {
    date.formatted(.iso8601)
  }

  /// Records when and by what the store was created (once: later calls change nothing).
  func recordCreation(by creator: String) throws {
    try write { db in
      try db.execute(
        sql: "INSERT OR IGNORE INTO store_info (key, value) VALUES ('created_at', ?), ('created_by', ?)",
        arguments: [Catalog.timestamp(), creator])
    }
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

  /// A row of `SELECT tensorColumns`, read by position in the order of `tensorColumns`: looking columns up by name
  /// (case-insensitively, for every row) made reading 1,000 tensors cost more than the query.
  static func tensor(from row: Row) -> TensorInfo {
    TensorInfo(
      id: row[0], model: row[1], layer: row[2], exampleSet: row[3], rowCount: row[4], columnCount: row[5],
      sourceDType: row[6], source: row[7], digest: row[8], rawByteCount: row[9], storedByteCount: row[10],
      importedAt: row[11], blockCount: row[12])
  }

  /// Every tensor in the catalog, in no particular order.
  static func allTensors(_ db: Database) throws -> [TensorInfo] {
    try Array(Row.fetchCursor(db, sql: "SELECT \(tensorColumns)").map(tensor(from:)))
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

  /// A tensor's blocks, or, for a tensor replaced or removed since the reader listed it, the blocks it had (kept
  /// until `gc`, which waits for readers).
  static func retainedBlocks(_ db: Database, tensorID: Int64) throws -> [BlockInfo] {
    let live = try blocks(db, tensorID: tensorID)
    guard live.isEmpty else { return live }
    return try Row.fetchAll(
      db,
      sql: """
        SELECT block_index, row_start, row_count, segment, byte_offset, stored_length, raw_length, checksum
        FROM retired_blocks WHERE tensor_id = ? ORDER BY block_index
        """, arguments: [tensorID]
    ).map(blockInfo(from:))
  }

  static func blockInfo(from row: Row) -> BlockInfo {
    BlockInfo(
      index: row["block_index"], rowStart: row["row_start"], rowCount: row["row_count"],
      segment: row["segment"], byteOffset: row["byte_offset"], storedLength: row["stored_length"],
      rawLength: row["raw_length"], checksum: UInt64(bitPattern: row["checksum"]))
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
    // One result may hold several lines ("*** in database main ***" and then what is wrong): a problem per line.
    var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
      .flatMap { $0.split(whereSeparator: \.isNewline).map(String.init) }
      .filter { !$0.hasPrefix("*** in database") }
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
    try writeCounted { db in
      for id in replacing { try Catalog.retireTensor(db, id: id) }
      var setIDs: [String: Int64] = [:]
      for set in sets {
        if set.redefines, let old = try Catalog.exampleSet(db, named: set.name) {
          try db.execute(sql: "DELETE FROM example_sets WHERE id = ?", arguments: [old.id])
          try CatalogDigests.forget(db, .exampleSet, id: old.id)
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
        try CatalogDigests.seal(db, .exampleSet, id: id)
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
          throw StoreError.catalog(
            path: path, detail: "internal: no id for model '\(tensor.model)' or set '\(tensor.exampleSet)'")
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
        try CatalogDigests.seal(db, .tensor, id: tensorID)
        try CatalogDigests.seal(db, .blocks, id: tensorID)
      }
      try Catalog.dropUnused(db)
    }
  }

  /// Deletes tensors in one transaction, then models and example sets left empty.
  func removeTensors(ids: [Int64]) throws {
    try writeCounted { db in
      for id in ids { try Catalog.retireTensor(db, id: id) }
      try Catalog.dropUnused(db)
    }
  }

  /// Deletes a tensor's row; its blocks move to `retired_blocks`, with their digest, so that a reader that listed the
  /// tensor before can still read it, until `gc`.
  static func retireTensor(_ db: Database, id: Int64) throws {
    try db.execute(sql: "INSERT OR IGNORE INTO retired_blocks SELECT * FROM blocks WHERE tensor_id = ?", arguments: [id])
    try db.execute(sql: "DELETE FROM tensors WHERE id = ?", arguments: [id])
    try CatalogDigests.forget(db, .tensor, id: id)
  }

  /// Forgets the retired blocks: called by `gc` while no reader holds the store, before it deletes segment files.
  func forgetRetiredBlocks() throws {
    try write { db in
      try db.execute(
        sql: "DELETE FROM digests WHERE object = ? AND id IN (SELECT tensor_id FROM retired_blocks)",
        arguments: [DigestedObject.blocks.rawValue])
      try db.execute(sql: "DELETE FROM retired_blocks")
    }
  }

  /// Models and example sets that no tensor uses are removed, so a later import may reuse their names freely.
  static func dropUnused(_ db: Database) throws {
    try db.execute(sql: "DELETE FROM models WHERE id NOT IN (SELECT model_id FROM tensors)")
    for id in try Int64.fetchAll(
      db, sql: "SELECT id FROM example_sets WHERE id NOT IN (SELECT example_set_id FROM tensors)")
    {
      try db.execute(sql: "DELETE FROM example_sets WHERE id = ?", arguments: [id])
      try CatalogDigests.forget(db, .exampleSet, id: id)
    }
  }

  /// Points blocks at their new place after `gc` copied them to another segment.
  func moveBlocks(_ moves: [(tensorID: Int64, index: Int, segment: Int, byteOffset: Int64)]) throws {
    try writeCounted { db in
      let statement = try db.makeStatement(
        sql: "UPDATE blocks SET segment = ?, byte_offset = ? WHERE tensor_id = ? AND block_index = ?")
      for move in moves {
        try statement.execute(arguments: [move.segment, move.byteOffset, move.tensorID, move.index])
      }
      for tensorID in Set(moves.map(\.tensorID)) { try CatalogDigests.seal(db, .blocks, id: tensorID) }
    }
  }

  /// Shrinks the catalog file after large deletions.
  func vacuum() throws {
    do {
      try writable().writeWithoutTransaction { db in
        try db.execute(sql: "VACUUM")
        try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
      }
    } catch let error as StoreError { throw error } catch {
      throw StoreError.catalog(error, path: path, while: "vacuum")
    }
  }
}

// MARK: - Errors

extension StoreError {
  /// The catalog at `path` failed during `operation` ("open", "read", "write", "vacuum"); a GRDB `DatabaseError`
  /// keeps its SQLite result code in `sqliteCode`.
  static func catalog(_ error: any Error, path: String, while operation: String) -> StoreError {
    guard let database = error as? DatabaseError else {
      return StoreError(.catalog, path: path, detail: "\(operation) failed: \(error)")
    }
    // GRDB's description adds the statement, which may be pages of SQL: the code and SQLite's message say enough.
    let code = database.resultCode
    let isDamaged = code == .SQLITE_CORRUPT || code == .SQLITE_NOTADB
    return StoreError(
      .catalog, path: path, detail: isDamaged ? "catalog: the file is damaged (run repstore verify)" : "catalog",
      operation: operation, sqliteCode: database.extendedResultCode.rawValue,
      sqliteMessage: "SQLite error \(code.rawValue): \(database.message ?? "unknown")")
  }
}
