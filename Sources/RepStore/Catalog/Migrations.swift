import GRDB

/// The catalog's schema history: `schema/NNNN-name.sql`, embedded in the binary, applied in order at open.
/// A shipped file is never edited; a change is a new file added here.
enum Migrations {
  static let all: [(identifier: String, sql: [UInt8])] = [
    ("0001-initial", PackageResources._001_initial_sql),
    ("0002-results", PackageResources._002_results_sql),
    ("0003-projections", PackageResources._003_projections_sql),
    ("0004-benchmarks", PackageResources._004_benchmarks_sql),
    ("0005-digests", PackageResources._005_digests_sql),
  ]

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    for migration in all {
      let sql = String(decoding: migration.sql, as: UTF8.self)
      migrator.registerMigration(migration.identifier) { db in
        try db.execute(sql: sql)
        // What was written before digests existed is sealed as it is found.
        if migration.identifier == "0005-digests" { try CatalogDigests.sealAll(db) }
      }
    }
    return migrator
  }
}
