import Foundation
import Testing

@testable import RepStore

// The catalog's migrations: which are applied at open, and refusing a store written by a newer repstore.

@Suite("Catalog migrations")
struct CatalogMigrationTests {
  private static func appliedIdentifiers(_ store: Store) throws -> [String] {
    try store.catalog.read { db in
      try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
    }
  }

  @Test("a fresh store has applied exactly Migrations.all, in order")
  func freshStoreMigrations() throws {
    let folder = try TemporaryFolder()
    let (store, created) = try Store.openOrCreate(at: folder.storePath)
    #expect(created)
    let expected = Migrations.all.map(\.identifier)
    #expect(expected.first == "0001-initial")
    #expect(expected == expected.sorted())
    #expect(try CatalogMigrationTests.appliedIdentifiers(store) == expected)
    let tables = try store.catalog.read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    }
    #expect(tables == [
      "benchmark_runs", "benchmark_scores", "blocks", "digests", "example_keys", "example_sets", "models",
      "projection_layers", "projections", "result_axes", "result_cells", "result_tables", "retired_blocks", "store_info",
      "tensors",
    ])
    #expect(try store.catalog.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") } == 1)
    #expect(try store.catalog.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
  }

  @Test("reopening a store applies nothing twice")
  func reopenKeepsMigrations() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 3, columns: 2, seed: 1))], into: folder.storePath, folder: folder)
    for _ in 0..<2 {
      let store = try Store.open(at: folder.storePath)
      #expect(try CatalogMigrationTests.appliedIdentifiers(store) == Migrations.all.map(\.identifier))
      #expect(try store.allTensors().count == 1)
    }
  }

  @Test("an empty catalog file reads as an empty store, unchanged, and is migrated by the first write")
  func emptyCatalogIsMigratedByTheFirstWrite() throws {
    let folder = try TemporaryFolder()
    _ = try folder.file("store.repstore/segments/.keep")
    let catalog = folder.storePath + "/catalog.sqlite"
    #expect(FileManager.default.createFile(atPath: catalog, contents: Data()))
    do {
      let store = try Store.open(at: folder.storePath)
      #expect(try store.allTensors() == [])
      #expect(try store.resultTables().isEmpty)
      #expect(try CatalogMigrationTests.appliedIdentifiers(store) == [])
    }
    // Only the READERS lock file is made, in a folder this process may write.
    let files = fileListing(folder.storePath).filter { !$0.key.hasPrefix("segments/") }
    #expect(files == ["catalog.sqlite": 0, "READERS": 0])
    try importMatrices([("m", "L1", .finite(rows: 3, columns: 2, seed: 4))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    #expect(try CatalogMigrationTests.appliedIdentifiers(store) == Migrations.all.map(\.identifier))
    #expect(try store.allTensors().count == 1)
  }

  @Test("a catalog at schema 0001 is read without being migrated: the later tables read as empty")
  func oldCatalogIsReadUnmigrated() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 3, columns: 2, seed: 5))], into: folder.storePath, folder: folder)
    try CatalogMigrationTests.rollBackToInitialSchema(folder.storePath)
    let catalogBytes = try Data(contentsOf: URL(fileURLWithPath: folder.storePath + "/catalog.sqlite"))
    do {
      let store = try Store.open(at: folder.storePath)
      #expect(try CatalogMigrationTests.appliedIdentifiers(store) == ["0001-initial"])
      #expect(try store.allTensors().map(\.layer) == ["L1"])
      #expect(try store.resultTables().isEmpty)
      #expect(try store.resultTable(inputsDigest: "none") == nil)
      #expect(try store.projection(named: "p") == nil)
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: folder.storePath + "/catalog.sqlite")) == catalogBytes)

    // The first write migrates, and this process then reads the real tables, not the empty stand-ins.
    let store = try Store.open(at: folder.storePath)
    let header = ResultTableHeader(
      statement: "sim cka m/L1 m/L1", measure: "cka", largerIsSimilar: true, isSymmetric: true, inputsDigest: "d",
      codeVersion: "test", route: nil, examples: "default", exampleCount: 3, rows: [], columns: [])
    let id = try store.createResultTable(header)
    #expect(try CatalogMigrationTests.appliedIdentifiers(store) == Migrations.all.map(\.identifier))
    #expect(try store.resultTables().map(\.header.id) == [id])
    // What the first repstore wrote is sealed as the migration finds it.
    #expect(try store.verify(catalogOnly: true).problems == [])
    #expect(try store.catalog.read { db in try CatalogDigests.stored(db, .tensor).count } == 1)
  }

  /// Drops what migrations after 0001 added, as if the store had been written by the first repstore.
  static func rollBackToInitialSchema(_ storePath: String) throws {
    let store = try Store.open(at: storePath)
    try store.catalog.write { db in
      for table in [
        "benchmark_scores", "benchmark_runs", "projection_layers", "projections", "result_cells", "result_axes",
        "result_tables", "digests", "retired_blocks",
      ] {
        try db.execute(sql: "DROP TABLE \(table)")
      }
      try db.execute(sql: "DELETE FROM store_info WHERE key = 'digests'")
      try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier <> '0001-initial'")
    }
  }

  @Test("a store with a migration this build does not know is refused as newer", arguments: ["open", "import"])
  func newerStoreIsRefused(_ entry: String) throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 3, columns: 2, seed: 2))], into: folder.storePath, folder: folder)
    do {
      let store = try Store.open(at: folder.storePath)
      try store.catalog.write { db in
        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999-from-the-future')")
      }
    }
    let before = fileListing(folder.storePath).keys.sorted()
    let error = try storeError {
      switch entry {
      case "open": _ = try Store.open(at: folder.storePath)
      default:
        try importMatrices([("m", "L2", .finite(rows: 3, columns: 2, seed: 3))], into: folder.storePath, folder: folder)
      }
    }
    #expect(error.kind == .newerStore)
    #expect(error.message.contains("newer repstore"), "\(error)")
    #expect(error.message.contains("unknown catalog migrations: 9999-from-the-future"), "\(error)")
    #expect(error.message.hasPrefix(folder.storePath + "/catalog.sqlite: "), "\(error)")
    // The store is neither migrated nor removed.
    #expect(fileListing(folder.storePath).keys.sorted() == before)
    #expect(Store.exists(at: folder.storePath))
  }

  @Test("opening a folder without a catalog says there is no store")
  func noStore() throws {
    let folder = try TemporaryFolder()
    let error = try storeError { _ = try Store.open(at: folder.path + "/absent") }
    #expect(error.kind == .noStore)
    #expect(error.message.hasPrefix(folder.path + "/absent: no repstore store here"), "\(error)")
    #expect(!FileManager.default.fileExists(atPath: folder.path + "/absent"))
  }
}
