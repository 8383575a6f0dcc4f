import GRDB

extension Migrations {
  /// Makes a catalog that lacks some migrations readable without changing it: each table the pending migrations
  /// add is created empty, with its indexes, in the connection's TEMP schema, where unqualified names are looked up
  /// first; a read-only connection may write there. The next writing command migrates the file itself.
  ///
  /// What the migrations add is learned by applying them all to an empty in-memory database and comparing its
  /// schema with the catalog's. Only added tables and indexes can be stood in for: a migration that changed a
  /// table the catalog has (its SQL differs) is refused.
  /// - Parameter path: the catalog file, for messages.
  /// - Returns: the tables created, in creation order; empty when the catalog is up to date.
  /// - Throws: `StoreError(.catalog)` naming the table that cannot be stood in for.
  static func emulatePending(_ db: Database, catalogPath path: String) throws -> [String] {
    let migrator = migrator
    guard try !migrator.hasCompletedMigrations(db) else { return [] }
    let complete = try DatabaseQueue()
    try migrator.migrate(complete)
    let wanted = try complete.read { db in
      try Row.fetchAll(
        db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
    }
    var present: [String: String] = [:]
    for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM main.sqlite_master WHERE sql IS NOT NULL") {
      present[row["name"]] = row["sql"]
    }
    // The temp schema lives in memory: nothing is written beside the catalog, nor in /tmp.
    try db.execute(sql: "PRAGMA temp_store = MEMORY")
    var created: [String] = []
    for object in wanted {
      let type: String = object["type"], name: String = object["name"], sql: String = object["sql"]
      if name.hasPrefix("sqlite_") { continue }  // made by SQLite itself (sqlite_sequence)
      if let existing = present[name] {
        guard existing == sql || name.hasPrefix("grdb_") else {
          throw StoreError.catalog(
            path: path,
            detail: "table \(name) predates a pending migration that changes it; "
              + "run a command that writes to the store (import, gc) to migrate it")
        }
        continue
      }
      switch type {
      case "table" where sql.hasPrefix("CREATE TABLE "):
        try db.execute(sql: "CREATE TEMP TABLE " + sql.dropFirst("CREATE TABLE ".count))
        created.append(name)
      case "index" where created.contains(object["tbl_name"]):
        // An unqualified index on a temp table goes to the temp schema.
        try db.execute(sql: sql)
      case "index":
        continue  // a new index on an existing table: reads are right without it
      default:
        throw StoreError.catalog(path: path, detail: "cannot stand in for the \(type) \(name) of a pending migration")
      }
    }
    return created
  }
}
