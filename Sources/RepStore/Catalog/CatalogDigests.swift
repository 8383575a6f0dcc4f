import Foundation
import GRDB

/// A kind of catalog object that carries a digest in the `digests` table, and the rows that digest covers.
///
/// The digest is XXH64 over the object's rows as SQLite returns them (each value tagged with its storage class), from
/// the queries below in order. It is written in the transaction that writes the object, from what that transaction
/// wrote, and checked when the object is read and by `verify`: a flipped bit, an edited value, a lost or added row of
/// the object all change it. A table's cells arrive a batch at a time, so they are covered by the wrapping sum of one
/// XXH64 per cell instead, which a batch updates without reading the others.
enum DigestedObject: String, CaseIterable, Sendable {
  /// A tensor's row with its model's and example set's names.
  case tensor
  /// A tensor's block rows (live, or retired until `gc`).
  case blocks
  /// An example set's row; its keys are covered by the row's `keys_digest`.
  case exampleSet = "example_set"
  /// A projection's row and its layers' weights.
  case projection
  /// A benchmark run and its scores.
  case benchmarkRun = "benchmark_run"
  /// A result table's row (but the seconds it took, which grow as it is computed) and its axes.
  case resultTable = "result_table"
  /// A result table's cells, as a sum.
  case resultCells = "result_cells"

  /// The queries whose rows make up the object: the first column is the object's id, rows come ordered by it.
  fileprivate var parts: [(select: String, id: String, order: String)] {
    switch self {
    case .tensor:
      return [(
        """
        SELECT t.id, m.name, t.layer, s.name, t.row_count, t.column_count, t.source_dtype, t.source, t.digest,
          t.raw_bytes, t.stored_bytes, t.imported_at
        FROM tensors t JOIN models m ON m.id = t.model_id JOIN example_sets s ON s.id = t.example_set_id
        """, "t.id", "t.id"
      )]
    case .blocks:
      let columns = "tensor_id, block_index, row_start, row_count, segment, byte_offset, stored_length, raw_length, checksum"
      return [(
        "SELECT * FROM (SELECT \(columns) FROM blocks UNION ALL SELECT \(columns) FROM retired_blocks)", "tensor_id",
        "tensor_id, block_index"
      )]
    case .exampleSet:
      return [("SELECT id, name, row_count, key_kind, keys_digest, created_at FROM example_sets", "id", "id")]
    case .projection:
      return [
        ("SELECT id, name, kind, statement, options, trained_on, losses, seconds, created_at FROM projections", "id", "id"),
        (
          """
          SELECT projection_id, input_width, layer_index, row_count, column_count, weights, bias FROM projection_layers
          """, "projection_id", "projection_id, input_width, layer_index"
        ),
      ]
    case .benchmarkRun:
      return [
        (
          """
          SELECT id, kind, statement, inputs_digest, examples, chance, projections, created_at, seconds
          FROM benchmark_runs
          """, "id", "id"
        ),
        (
          """
          SELECT run_id, measure, measure_position, subject, subject_position, correct, total FROM benchmark_scores
          """, "run_id", "run_id, measure_position, subject_position"
        ),
      ]
    case .resultTable:
      return [
        (
          """
          SELECT id, statement, measure, larger_is_similar, symmetric, inputs_digest, code_version, route, examples,
            example_count, row_count, column_count, complete, created_at FROM result_tables
          """, "id", "id"
        ),
        (
          "SELECT table_id, axis, position, model, layer, example_set, tensor_digest FROM result_axes", "table_id",
          "table_id, axis, position"
        ),
      ]
    case .resultCells:
      return [("SELECT table_id, row, col, value, reason FROM result_cells", "table_id", "table_id, row, col")]
    }
  }

  /// Cells are summed, every other object hashed in order.
  fileprivate var isSum: Bool { self == .resultCells }

  /// How a problem names the object.
  func described(id: Int64, name: String?) -> String {
    let named = name.map { "\($0) (id \(id))" } ?? "\(id)"
    switch self {
    case .tensor: return "tensor \(named)"
    case .blocks: return "block list of tensor \(named)"
    case .exampleSet: return "example set \(named)"
    case .projection: return "projection \(named)"
    case .benchmarkRun: return "benchmark run \(id)"
    case .resultTable: return "result table \(id)"
    case .resultCells: return "cells of result table \(id)"
    }
  }
}

/// Computing, writing and checking the digests of `DigestedObject`s.
enum CatalogDigests {
  /// Whether the catalog's objects carry digests: every catalog since migration 0005 does. A catalog read without
  /// that migration (an older store on a read-only mount) has none to check.
  static func isSealed(_ db: Database) throws -> Bool {
    if try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'digests'") != nil { return true }
    return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM digests)") ?? false
  }

  /// The digest of object `id` as its rows are now; the digest of no rows when it has none.
  static func compute(_ db: Database, _ object: DigestedObject, id: Int64) throws -> String {
    try computeAll(db, object, id: id)[id] ?? emptyDigest(object)
  }

  /// The digest of every object of a kind that has rows, by id (or of one object, when `id` is given).
  static func computeAll(_ db: Database, _ object: DigestedObject, id: Int64? = nil) throws -> [Int64: String] {
    var hashers: [Int64: XXH64Hasher] = [:]
    var sums: [Int64: UInt64] = [:]
    for part in object.parts {
      let filter = id == nil ? "" : " WHERE \(part.id) = ?"
      let rows = try Row.fetchCursor(
        db, sql: part.select + filter + " ORDER BY " + part.order, arguments: id.map { [$0] } ?? [])
      while let row = try rows.next() {
        let owner: Int64 = row[0]
        if object.isSum {
          var hasher = XXH64Hasher()
          hash(row, into: &hasher)
          sums[owner, default: 0] &+= hasher.finalize()
        } else {
          hash(row, into: &hashers[owner, default: XXH64Hasher()])
        }
      }
      // Parts are kept apart, so that a row cannot move from one part to the next unseen.
      for owner in hashers.keys { hashers[owner]!.update(byte: 0xFF) }
    }
    if object.isSum { return sums.mapValues(\.hexDigest) }
    return hashers.mapValues { $0.finalize().hexDigest }
  }

  /// The digest of an object without rows in any part (an empty table's cells, a tensor without blocks).
  static func emptyDigest(_ object: DigestedObject) -> String {
    if object.isSum { return UInt64(0).hexDigest }
    var hasher = XXH64Hasher()
    for _ in object.parts { hasher.update(byte: 0xFF) }
    return hasher.finalize().hexDigest
  }

  /// Writes object `id`'s digest from its rows as this transaction sees them.
  static func seal(_ db: Database, _ object: DigestedObject, id: Int64) throws {
    try store(db, object, id: id, digest: compute(db, object, id: id))
  }

  static func store(_ db: Database, _ object: DigestedObject, id: Int64, digest: String) throws {
    try db.execute(
      sql: "INSERT OR REPLACE INTO digests (object, id, digest) VALUES (?, ?, ?)",
      arguments: [object.rawValue, id, digest])
  }

  static func forget(_ db: Database, _ object: DigestedObject, id: Int64) throws {
    try db.execute(sql: "DELETE FROM digests WHERE object = ? AND id = ?", arguments: [object.rawValue, id])
  }

  /// The stored digests of a kind, by id.
  static func stored(_ db: Database, _ object: DigestedObject) throws -> [Int64: String] {
    var result: [Int64: String] = [:]
    for row in try Row.fetchAll(db, sql: "SELECT id, digest FROM digests WHERE object = ?", arguments: [object.rawValue]) {
      result[row[0]] = row[1]
    }
    return result
  }

  /// Adds `delta` to the sum that covers table `id`'s cells (a cell added: its hash; a cell replaced: new − old).
  static func addToCellSum(_ db: Database, table id: Int64, _ delta: UInt64) throws {
    let current = try String.fetchOne(
      db, sql: "SELECT digest FROM digests WHERE object = ? AND id = ?",
      arguments: [DigestedObject.resultCells.rawValue, id]
    ).flatMap { UInt64($0, radix: 16) } ?? 0
    try store(db, .resultCells, id: id, digest: (current &+ delta).hexDigest)
  }

  /// The hash one cell adds to its table's sum, as `computeAll` hashes the cell's row.
  static func cellHash(table: Int64, row: Int, column: Int, value: Double?, reason: String?) -> UInt64 {
    var hasher = XXH64Hasher()
    let values: [DatabaseValue] = [
      table.databaseValue, row.databaseValue, column.databaseValue, value?.databaseValue ?? .null,
      reason?.databaseValue ?? .null,
    ]
    hash(values, into: &hasher)
    return hasher.finalize()
  }

  /// Throws when object `id` does not match its stored digest (in a sealed catalog, a missing digest too).
  /// - Parameter name: how the error names the object (a tensor's `model/layer@set`).
  static func check(_ db: Database, _ object: DigestedObject, id: Int64, name: String? = nil, catalogPath: String)
    throws
  {
    guard try isSealed(db) else { return }
    let stored = try String.fetchOne(
      db, sql: "SELECT digest FROM digests WHERE object = ? AND id = ?", arguments: [object.rawValue, id])
    let computed = try compute(db, object, id: id)
    guard stored != computed else { return }
    throw StoreError.damagedCatalog(
      path: catalogPath, object: object.described(id: id, name: name),
      detail: stored == nil ? "has no digest" : "does not match its digest")
  }

  /// Every mismatch of a kind: objects whose rows do not match their digest, objects without a digest, digests
  /// without an object. Empty for a catalog that is not sealed.
  static func problems(_ db: Database, _ object: DigestedObject, names: [Int64: String] = [:]) throws -> [String] {
    guard try isSealed(db) else { return [] }
    let computed = try computeAll(db, object)
    let stored = try stored(db, object)
    var problems: [String] = []
    for id in Set(computed.keys).union(stored.keys).sorted() {
      let have = computed[id] ?? emptyDigest(object)
      guard let want = stored[id] else {
        problems.append("\(object.described(id: id, name: names[id])) has no digest")
        continue
      }
      if have == want { continue }
      // A digest whose object has no rows left: the object (or, for blocks, all its block rows) was lost.
      let lost = computed[id] == nil && object != .resultCells
      problems.append("\(object.described(id: id, name: names[id])) \(lost ? "is missing" : "does not match its digest")")
    }
    return problems
  }

  /// Seals every object of every kind (a catalog migrated from before digests).
  static func sealAll(_ db: Database) throws {
    for object in DigestedObject.allCases {
      for (id, digest) in try computeAll(db, object) { try store(db, object, id: id, digest: digest) }
    }
    // Tables created before cells were counted, still without cells, have a sum of zero.
    for id in try Int64.fetchAll(db, sql: "SELECT id FROM result_tables") {
      try db.execute(
        sql: "INSERT OR IGNORE INTO digests (object, id, digest) VALUES (?, ?, ?)",
        arguments: [DigestedObject.resultCells.rawValue, id, emptyDigest(.resultCells)])
    }
    try db.execute(sql: "INSERT OR REPLACE INTO store_info (key, value) VALUES ('digests', 'sealed')")
  }

  /// Hashes a row's values, each tagged with its storage class (so that 1, 1.0, "1" and x'01' all differ).
  private static func hash(_ row: Row, into hasher: inout XXH64Hasher) {
    hash(row.databaseValues, into: &hasher)
  }

  private static func hash(_ values: some Sequence<DatabaseValue>, into hasher: inout XXH64Hasher) {
    for value in values {
      switch value.storage {
      case .null: hasher.update(byte: 0)
      case .int64(let integer):
        hasher.update(byte: 1)
        hasher.update(integer: UInt64(bitPattern: integer))
      case .double(let double):
        hasher.update(byte: 2)
        hasher.update(integer: double.bitPattern)
      case .string(let text):
        hasher.update(byte: 3)
        var text = text
        text.withUTF8 { bytes in
          hasher.update(integer: UInt64(bytes.count))
          hasher.update(UnsafeRawBufferPointer(bytes))
        }
      case .blob(let data):
        hasher.update(byte: 4)
        hasher.update(integer: UInt64(data.count))
        data.withUnsafeBytes { hasher.update($0) }
      }
    }
    hasher.update(byte: 0xFE)
  }
}

extension XXH64Hasher {
  fileprivate mutating func update(byte: UInt8) {
    withUnsafeBytes(of: byte) { update($0) }
  }

  fileprivate mutating func update(integer: UInt64) {
    withUnsafeBytes(of: integer.littleEndian) { update($0) }
  }
}

extension StoreError {
  /// A catalog object no longer matches its digest (or lost it): the catalog was damaged after it was written.
  static func damagedCatalog(path: String, object: String, detail: String) -> StoreError {
    StoreError(
      .corrupt, path: path,
      detail: "catalog: \(object) \(detail); the catalog is damaged (run repstore verify)")
  }
}

extension Catalog {
  /// Throws for the first of these objects that does not match its digest. A few are checked one by one, many with
  /// one pass over the kind.
  func requireIntact(_ db: Database, _ object: DigestedObject, ids: [Int64], names: [Int64: String] = [:]) throws {
    guard !ids.isEmpty, try CatalogDigests.isSealed(db) else { return }
    if ids.count <= 32 {
      for id in ids { try CatalogDigests.check(db, object, id: id, name: names[id], catalogPath: path) }
      return
    }
    let computed = try CatalogDigests.computeAll(db, object)
    let stored = try CatalogDigests.stored(db, object)
    for id in ids where (computed[id] ?? CatalogDigests.emptyDigest(object)) != stored[id] {
      throw StoreError.damagedCatalog(
        path: path, object: object.described(id: id, name: names[id]),
        detail: stored[id] == nil ? "has no digest" : "does not match its digest")
    }
  }

  /// Throws unless the keys read for `set` are the ones its `keys_digest` was computed from.
  func requireKeys(_ keys: [String], of set: ExampleSetInfo) throws {
    let digest = set.keyKind == .ordinal ? ExampleKeys.ordinal(count: set.rowCount).digest : ExampleKeys.explicit(keys).digest
    if digest == set.keysDigest && keys.count == set.rowCount { return }
    throw StoreError.damagedCatalog(
      path: path, object: DigestedObject.exampleSet.described(id: set.id, name: set.name),
      detail: "has keys that do not match its keys_digest")
  }
}
