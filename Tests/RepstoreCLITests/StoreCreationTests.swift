import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Two first imports of one store path: the store is built out of sight and appears only when its first import
/// commits, so a second import never imports into a store that the first one then deletes.
@Suite("Store creation")
struct StoreCreationTests {
  /// The lock file a first import holds beside the store, and the text of who holds it.
  static func creationHolder(_ scratch: Scratch) -> String {
    (try? String(contentsOfFile: scratch.path(".store.repstore.repstore-lock"), encoding: .utf8)) ?? ""
  }

  /// What a first import may leave beside the store: nothing but the store itself.
  static func hiddenEntries(_ scratch: Scratch) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".store.repstore") }
  }

  @Test("a first import that fails late while a second one waits: the second creates the store and keeps its data")
  func failedFirstImportDoesNotTakeTheSecondOnesStore() throws {
    try withScratch { scratch in
      let slow = try SlowImport(scratch, parts: 2)
      var bad = Matrix.seeded(rows: 3_000, columns: 256, seed: 9)
      bad.values[bad.values.count - 1] = .nan
      let badPath = try scratch.writeNpy(bad, to: "slow/zz-nan.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 7, columns: 5, seed: 1), to: "kept.npy")

      // The failing import pauses before removing what it built, the window in which a store used to vanish.
      let first = try scratch.start(
        slow.arguments + [badPath, "--store", scratch.store],
        environment: ["REPSTORE_FAULT_DELAY_MS": "remove-created-store:1500"])
      let holding = RunningCommand.poll(timeout: 60) { Self.creationHolder(scratch).hasPrefix("pid \(first.pid) on ") }
      try #require(holding, "the first import never took the creation lock")
      let second = try scratch.startRepstore("import", scratch.path("kept.npy"), "--model", "m", "--wait")

      let failed = first.wait(timeout: 600)
      let succeeded = second.wait(timeout: 600)
      #expect(failed.status == 1 && failed.stderrLines.count == 1, "\(failed)")
      #expect(failed.stderr.contains("zz-nan.npy") && failed.stderr.contains("--allow-nonfinite"), "\(failed)")
      #expect(succeeded.status == 0, "\(succeeded)")
      #expect(succeeded.stderr.contains("(new store)"), "\(succeeded)")
      #expect(try scratch.tensorNames() == ["m/kept@default"])
      #expect(try Self.hiddenEntries(scratch) == [])
      #expect(try scratch.repstore("verify").status == 0)
    }
  }

  @Test("while a first import builds the store, another exits 75 naming it; a killed one leaves nothing in the way")
  func secondImportIsRefusedAndAKilledOneIsCleanedUp() throws {
    try withScratch { scratch in
      let slow = try SlowImport(scratch)
      try scratch.writeNpy(Matrix.seeded(rows: 7, columns: 5, seed: 1), to: "kept.npy")
      let first = try slow.start()
      defer {
        first.send(SIGKILL)
        first.wait()
      }
      // The lock is taken before the hidden folder is made: wait for both, or the kill may come between them.
      let holding = RunningCommand.poll(timeout: 60) {
        Self.creationHolder(scratch).hasPrefix("pid \(first.pid) on ")
          && ((try? Self.hiddenEntries(scratch)) ?? []).contains { $0.hasPrefix(".store.repstore.repstore-new-") }
      }
      try #require(holding, "the first import never took the creation lock and made its hidden folder")
      first.send(SIGSTOP)

      let refused = try scratch.repstore("import", scratch.path("kept.npy"), "--model", "m")
      #expect(refused.status == 75 && refused.stderrLines.count == 1, "\(refused)")
      #expect(
        refused.stderr.hasPrefix("repstore: \(scratch.store): another import is creating this store (pid \(first.pid) on ")
          && refused.stderr.contains("--wait"), "\(refused)")
      // Nothing is a store until the first import commits.
      #expect(!scratch.exists(scratch.store))
      #expect(try scratch.repstore("ls").status != 0)

      first.send(SIGKILL)
      first.wait()
      #expect(try Self.hiddenEntries(scratch).contains { $0.hasPrefix(".store.repstore.repstore-new-") })
      let created = try scratch.succeed("import", scratch.path("kept.npy"), "--model", "m")
      #expect(created.stderr.contains("(new store)"), "\(created)")
      #expect(try scratch.tensorNames() == ["m/kept@default"])
      #expect(try Self.hiddenEntries(scratch) == [])
    }
  }

  @Test("a first import into an existing empty folder keeps the folder and its mode")
  func firstImportIntoAnEmptyFolder() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 7, columns: 5, seed: 1), to: "kept.npy")
      try FileManager.default.createDirectory(atPath: scratch.store, withIntermediateDirectories: false)
      #expect(chmod(scratch.store, 0o750) == 0)
      var before = stat()
      #expect(stat(scratch.store, &before) == 0)
      try scratch.succeed("import", scratch.path("kept.npy"), "--model", "m")
      var after = stat()
      #expect(stat(scratch.store, &after) == 0)
      #expect(after.st_ino == before.st_ino && after.st_mode == before.st_mode)
      #expect(try scratch.tensorNames() == ["m/kept@default"])
      #expect(try Self.hiddenEntries(scratch) == [])
    }
  }
}
