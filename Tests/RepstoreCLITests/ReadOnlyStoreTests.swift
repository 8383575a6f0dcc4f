import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Reads never write: `ls`, `export`, `verify`, `tables`, `table N`, `query 'show …'` and a `sim` whose table is
/// stored leave every byte and modification time of the store as they were, and work on a store this process cannot
/// write (a folder of another user, a read-only mount). A command that must write there fails with status 1 and
/// `read-only store: PATH (WHY)`; a new `sim` still prints its table.
///
/// The tests run as root, for whom `chmod a-w` stops nothing: the read-only folder is read as user nobody through
/// `setpriv`, and the read-only mount is made in a private mount namespace with `unshare`.
@Suite("Read-only stores")
struct ReadOnlyStoreTests {
  static let isRoot = geteuid() == 0
  static let setpriv = executable("setpriv")
  static let unshare = executable("unshare")
  static let sqlite3 = executable("sqlite3")

  /// Whether a read-only bind mount can be made here (root, util-linux's `unshare`, and a sandbox that allows it).
  static let readOnlyMountWorks: Bool = {
    guard isRoot, let unshare else { return false }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repstore-mount-\(UUID().uuidString)")
    guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil else {
      return false
    }
    defer { try? FileManager.default.removeItem(at: folder) }
    let probe = Process()
    probe.executableURL = unshare
    probe.arguments = [
      "--mount", "sh", "-c", #"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && ! touch "$1/x" 2>/dev/null"#,
      "sh", folder.path,
    ]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return false }
    probe.waitUntilExit()
    return probe.terminationStatus == 0
  }()

  /// A store of models a and b (layers L1..L3, 40 examples of 6 features) and the stored table 1 (`sim cka a/* b/*`).
  static func makeStore(_ scratch: Scratch) throws {
    for model in ["a", "b"] {
      for layer in 1...3 {
        let seed = UInt64(layer + (model == "a" ? 0 : 10))
        try scratch.writeNpy(Matrix.seeded(rows: 40, columns: 6, seed: seed), to: "in/\(model)/L\(layer).npy")
      }
      try scratch.succeed("import", scratch.path("in/\(model)/{layer}.npy"), "--model", model, "-q")
    }
    let stored = try scratch.succeed("sim", "cka", "a/*", "b/*")
    #expect(stored.stderr.contains("stored as table 1"), "\(stored)")
  }

  /// What reading commands are run against a store, and what each must print. `out` is a folder anyone may write.
  static func readingCommands(out: String) -> [(arguments: [String], check: (CommandResult) -> Bool)] {
    [
      (["ls"], { $0.stdout.contains("6 tensors in 2 models") }),
      (["ls", "--sets", "--format", "csv"], { $0.stdout.contains("default,40,ordinal,6") }),
      (["tables"], { $0.stdout.contains("sim cka model:a/* model:b/*") }),
      (["table", "1", "--format", "csv"], { $0.stdout.split(separator: "\n").count == 10 }),
      (["sim", "cka", "a/*", "b/*"], { $0.stderr.contains("read back stored table 1") }),
      (["query", "show tables; show models"], { $0.stdout.contains("cka") }),
      (["export", "a/L2", "-o", out + "/L2-\(UUID().uuidString).npy"], { $0.stderr.contains("exported 1 tensor") }),
      (["verify"], { $0.stdout.hasPrefix("ok: 6 tensors") }),
      (["measures"], { $0.stdout.contains("cka") }),
    ]
  }

  /// A folder anyone may write to, for exports run as nobody.
  static func sharedOutputFolder(_ scratch: Scratch) throws -> String {
    let out = scratch.path("out")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    #expect(chmod(out, 0o777) == 0)
    return out
  }

  // MARK: - Without privileges

  @Test("ls, tables, table N, export, verify and a stored sim change no byte, time or file of the store")
  func readsNeverWrite() throws {
    try withScratch { scratch in
      try Self.makeStore(scratch)
      let out = try Self.sharedOutputFolder(scratch)
      // A writer leaves SQLite's -wal (emptied) and -shm in place, so that readers need create nothing.
      let before = FolderSnapshot(scratch.store, contentIgnored: ["catalog.sqlite-shm"])
      #expect(before.entries["catalog.sqlite-wal"]?.size == 0, "\(before)")
      #expect(before.entries["catalog.sqlite-shm"] != nil, "\(before)")
      for (arguments, check) in Self.readingCommands(out: out) {
        let result = try scratch.run(arguments + ["--store", scratch.store])
        #expect(result.succeeded && check(result), "\(result)")
      }
      // The shared-memory file's bytes and time are SQLite's (the first connection to open it rebuilds it); that it
      // was there before is checked above.
      let after = FolderSnapshot(scratch.store, contentIgnored: ["catalog.sqlite-shm"])
      #expect(after == before, "\(after.differences(from: before))")
    }
  }

  @Test(
    "a store at catalog schema 0001 is read without being migrated, and migrated by the next import",
    .enabled(if: sqlite3 != nil, "needs the sqlite3 command-line tool (apt-get install sqlite3)"))
  func oldSchemaIsReadUnmigrated() throws {
    try withScratch { scratch in
      let sqlite3 = try #require(Self.sqlite3)
      let catalog = scratch.store + "/catalog.sqlite"
      try scratch.writeNpy(Matrix.seeded(rows: 9, columns: 4, seed: 1), to: "x.npy")
      try scratch.succeed("import", scratch.path("x.npy"), "--model", "m", "-q")
      let rolledBack = try scratch.runTool(
        sqlite3,
        [
          catalog,
          """
          DROP TABLE benchmark_scores; DROP TABLE benchmark_runs; DROP TABLE projection_layers;
          DROP TABLE projections; DROP TABLE result_cells; DROP TABLE result_axes; DROP TABLE result_tables;
          DROP TABLE digests; DROP TABLE retired_blocks; DELETE FROM store_info WHERE key = 'digests';
          DELETE FROM grdb_migrations WHERE identifier <> '0001-initial';
          """,
        ])
      try #require(rolledBack.succeeded, "\(rolledBack)")
      let schema = "SELECT identifier FROM grdb_migrations ORDER BY identifier; SELECT COUNT(*) FROM sqlite_master;"
      let oldSchema = try scratch.runTool(sqlite3, [catalog, schema]).stdout
      #expect(oldSchema.hasPrefix("0001-initial\n"), "\(oldSchema)")

      #expect(try scratch.tensorNames() == ["m/x@default"])
      let tables = try scratch.repstore("tables")
      #expect(tables.succeeded && tables.stderr.contains("no stored tables yet"), "\(tables)")
      let show = try scratch.repstore("query", "show tables; show projections; show benchmarks")
      #expect(show.succeeded, "\(show)")
      #expect(try scratch.runTool(sqlite3, [catalog, schema]).stdout == oldSchema)

      try scratch.writeNpy(Matrix.seeded(rows: 9, columns: 4, seed: 2), to: "y.npy")
      try scratch.succeed("import", scratch.path("y.npy"), "--model", "m", "-q")
      let migrated = try scratch.runTool(
        sqlite3, [catalog, "SELECT identifier FROM grdb_migrations ORDER BY identifier"])
      #expect(
        migrated.stdout == "0001-initial\n0002-results\n0003-projections\n0004-benchmarks\n0005-digests\n", "\(migrated)")
      #expect(try scratch.repstore("verify", "--catalog-only").succeeded)
      let sim = try scratch.succeed("sim", "cka", "m/x", "m/y")
      #expect(sim.stderr.contains("stored as table 1"), "\(sim)")
    }
  }

  // MARK: - A folder this user cannot write

  /// Runs `repstore arguments --store STORE` as user nobody (uid 65534, no groups), for whom `chmod a-w` holds.
  static func runAsNobody(_ scratch: Scratch, _ arguments: [String]) throws -> CommandResult {
    let setpriv = try #require(Self.setpriv)
    return try scratch.runTool(
      setpriv,
      ["--reuid=65534", "--regid=65534", "--clear-groups", try Repstore.binary().path] + arguments
        + ["--store", scratch.store])
  }

  @Test(
    "a folder this user cannot write is read, unchanged; writing commands say it is read-only",
    .enabled(if: isRoot, "needs root, to run repstore as user nobody"),
    .enabled(if: setpriv != nil, "needs setpriv (util-linux)"),
    arguments: ["as a writer left it", "without -wal, -shm or READERS"])
  func readOnlyFolder(_ layout: String) throws {
    try withScratch { scratch in
      try Self.makeStore(scratch)
      let out = try Self.sharedOutputFolder(scratch)
      if layout != "as a writer left it" {
        // As an older repstore or another SQLite client leaves a store: SQLite cannot make these files here, so
        // the catalog is opened immutable, and no reader lock is taken (no writer can delete anything either).
        for name in ["catalog.sqlite-wal", "catalog.sqlite-shm", "READERS"] {
          try FileManager.default.removeItem(atPath: scratch.store + "/" + name)
        }
      }
      let chmod = try scratch.runTool(URL(fileURLWithPath: "/bin/chmod"), ["-R", "a-w", scratch.store])
      try #require(chmod.succeeded, "\(chmod)")
      defer { _ = try? scratch.runTool(URL(fileURLWithPath: "/bin/chmod"), ["-R", "u+w", scratch.store]) }
      let before = FolderSnapshot(scratch.store)

      for (arguments, check) in Self.readingCommands(out: out) {
        let result = try Self.runAsNobody(scratch, arguments)
        #expect(result.succeeded && check(result), "\(result)")
      }
      try Self.expectWritersRefused(scratch, why: "folder not writable by uid 65534") {
        try Self.runAsNobody(scratch, $0)
      }
      let after = FolderSnapshot(scratch.store)
      #expect(after == before, "\(after.differences(from: before))")
    }
  }

  // MARK: - A read-only mount

  /// Runs `repstore arguments --store STORE` with the store bind-mounted read-only over itself, in a mount namespace
  /// of its own (the mount goes away with the process).
  static func runOnReadOnlyMount(_ scratch: Scratch, _ arguments: [String]) throws -> CommandResult {
    let unshare = try #require(Self.unshare)
    let script = #"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@""#
    return try scratch.runTool(
      unshare,
      ["--mount", "sh", "-c", script, "sh", scratch.store, try Repstore.binary().path] + arguments
        + ["--store", scratch.store])
  }

  @Test(
    "a store on a read-only mount is read, unchanged; writing commands say it is read-only",
    .enabled(if: readOnlyMountWorks, "needs root and a sandbox where `unshare --mount` may bind-mount read-only"))
  func readOnlyMount() throws {
    try withScratch { scratch in
      try Self.makeStore(scratch)
      let out = try Self.sharedOutputFolder(scratch)
      let before = FolderSnapshot(scratch.store)
      for (arguments, check) in Self.readingCommands(out: out) {
        let result = try Self.runOnReadOnlyMount(scratch, arguments)
        #expect(result.succeeded && check(result), "\(result)")
      }
      try Self.expectWritersRefused(scratch, why: "read-only file system") { try Self.runOnReadOnlyMount(scratch, $0) }
      let after = FolderSnapshot(scratch.store)
      #expect(after == before, "\(after.differences(from: before))")
    }
  }

  /// import, rm, gc and train fail with status 1 and one line; a new table is printed, then the same line says it
  /// was not stored (for `sim` and `query 'sim …'`).
  static func expectWritersRefused(
    _ scratch: Scratch, why: String, sourceLocation: SourceLocation = #_sourceLocation,
    run: ([String]) throws -> CommandResult
  ) throws {
    let refusal = "repstore: read-only store: \(scratch.store) (\(why))"
    let writers: [[String]] = [
      ["import", scratch.path("in/a/L1.npy"), "--model", "c"], ["rm", "a/L1"], ["gc"],
      ["train", "contrasim", "p", "a/*", "--epochs", "1"],
    ]
    for arguments in writers {
      let result = try run(arguments)
      #expect(result.status == 1 && !result.wasSignaled, "\(result)", sourceLocation: sourceLocation)
      #expect(result.stderr == refusal + "\n", "\(result)", sourceLocation: sourceLocation)
    }
    for arguments in [["sim", "cka.debiased", "a/L1", "b/*"], ["query", "sim cka.debiased a/L1 b/*"]] {
      let result = try run(arguments)
      #expect(result.status == 1 && !result.wasSignaled, "\(result)", sourceLocation: sourceLocation)
      // The table is printed (short labels: the models in its caption line, the layers in its rows and columns).
      #expect(
        result.stdout.hasPrefix("rows a/{layer}, columns b/{layer}\n") && result.stdout.contains("L3"), "\(result)",
        sourceLocation: sourceLocation)
      #expect(
        result.stderrLines.last == refusal + "; the table was computed but not stored", "\(result)",
        sourceLocation: sourceLocation)
    }
  }
}

/// The programs these tests drive, found on the usual paths.
private func executable(_ name: String) -> URL? {
  ["/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"].lazy.map { URL(fileURLWithPath: $0 + name) }
    .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// Every file and folder under a store with what any write changes: size, modification time (ns) and, for files,
/// a content hash.
struct FolderSnapshot: Equatable {
  struct Entry: Equatable {
    var size: Int64
    var modified: Int64
    var hash: UInt64
  }
  var entries: [String: Entry] = [:]

  /// - Parameter contentIgnored: files whose presence counts, not their bytes or time.
  init(_ root: String, contentIgnored: Set<String> = []) {
    var names = [""]
    names += (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
    for name in names {
      let path = name.isEmpty ? root : root + "/" + name
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      if contentIgnored.contains(name) {
        entries[name] = Entry(size: 0, modified: 0, hash: 0)
        continue
      }
      let isFile = (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG)
      let bytes = isFile ? [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()) : []
      entries[name] = Entry(
        size: isFile ? Int64(info.st_size) : 0,
        modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec), hash: fnv1a(bytes))
    }
  }

  /// The entries that differ, for failure messages (`""` is the store folder itself).
  func differences(from other: FolderSnapshot) -> String {
    func text(_ entry: Entry?) -> String { entry.map { "\($0)" } ?? "absent" }
    return Set(entries.keys).union(other.entries.keys).sorted().compactMap { name in
      entries[name] == other.entries[name] ? nil : "'\(name)': \(text(other.entries[name])) -> \(text(entries[name]))"
    }.joined(separator: "; ")
  }
}
