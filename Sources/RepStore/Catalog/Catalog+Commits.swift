import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif

/// Commits that a catalog lost. A commit that changes which tensors exist (import, rm, gc) is counted in the catalog
/// (`store_info.generation`) and, once committed, in `COMMITS` beside it. A catalog that counts fewer commits than
/// that file lost transactions it had committed: its `-wal` was deleted after a crash, or an older copy of it was
/// put back. Without this the store would silently be what it was before those imports or removals.
extension Catalog {
  static let commitsFileName = "COMMITS"

  private var commitsFilePath: String { (path as NSString).deletingLastPathComponent + "/" + Catalog.commitsFileName }

  /// `write`, counting the commit in the catalog and then in `COMMITS`.
  func writeCounted<T>(_ body: (Database) throws -> T) throws -> T {
    var generation: Int64 = 0
    let result = try write { db in
      let result = try body(db)
      generation = try Catalog.generation(db) + 1
      try db.execute(
        sql: "INSERT OR REPLACE INTO store_info (key, value) VALUES ('generation', ?)", arguments: [String(generation)])
      return result
    }
    try recordCommits(generation)
    return result
  }

  /// The commits the catalog has counted (0 before the first, and in stores from before counting).
  static func generation(_ db: Database) throws -> Int64 {
    try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'generation'").flatMap { Int64($0) } ?? 0
  }

  /// The count the store recorded last, read before any catalog snapshot (the file never runs ahead of a commit).
  func recordedCommits() -> Int64? {
    guard let text = try? String(contentsOfFile: commitsFilePath, encoding: .utf8) else { return nil }
    return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// A one-line problem when the catalog counts fewer commits than the store recorded, else nil.
  func lostCommitsProblem(recorded: Int64?) throws -> String? {
    guard let recorded else { return nil }
    let counted = try read { db in try Catalog.generation(db) }
    guard counted < recorded else { return nil }
    return "catalog: lost \(recorded - counted) committed change\(recorded - counted == 1 ? "" : "s") "
      + "(it counts \(counted) commits, the store made \(recorded)): catalog.sqlite-wal was deleted after a crash, "
      + "or an older copy of the catalog was put back"
  }

  /// Replaces `COMMITS` atomically (a new file renamed over it) and durably.
  private func recordCommits(_ generation: Int64) throws {
    let target = commitsFilePath
    let temporary = target + ".new"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StoreError.io(call: "open", path: temporary) }
    let bytes = Array("\(generation)\n".utf8)
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    let synced = fsync(fd) == 0
    close(fd)
    guard written == bytes.count, synced else { throw StoreError.io(call: "write", path: temporary) }
    guard rename(temporary, target) == 0 else { throw StoreError.io(call: "rename", path: target) }
  }
}
