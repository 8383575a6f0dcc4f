import Foundation
import Testing

/// `rm`, `gc` and `verify`: removal by selector, space reclaimed without changing data, damage found and located, and
/// stores from a newer repstore refused.
@Suite("rm, gc and verify")
struct MaintenanceTests {
  static let digitsLayers = ["L1", "L2", "L3", "L4", "L5", "L6", "out"]

  /// A store holding the seven tensors of `data/digits/seed0_test.npz` as model seed0, set digits-test.
  static func digitsStore(_ scratch: Scratch) throws {
    try scratch.succeed(
      "import", PackageFiles.digits("seed0_test.npz"), "--model", "seed0", "--examples", "digits-test", "--keys",
      PackageFiles.digits("test.keys"))
  }

  @Test(
    "rm removes exactly what the selector picks; --dry-run removes nothing",
    arguments: [
      (selector: "seed0/L[2-4]", removed: ["L2", "L3", "L4"]),
      (selector: "model:seed0/L{1,6}", removed: ["L1", "L6"]),
      (selector: "seed0/L5..L9@digits-*", removed: ["L5", "L6"]),
      (selector: "seed?/o*", removed: ["out"]),
      (selector: "seed0", removed: ["L1", "L2", "L3", "L4", "L5", "L6", "out"]),
    ])
  func remove(selector: String, removed: [String]) throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      let before = try scratch.storeState()
      let notes = removed.map { "seed0/\($0)@digits-test" }

      let dry = try scratch.repstore("rm", selector, "--dry-run")
      #expect(dry.succeeded, "\(dry)")
      #expect(dry.stderrLines == notes.map { "would remove \($0)" })
      #expect(try scratch.storeState() == before)

      let done = try scratch.repstore("rm", selector)
      #expect(done.succeeded, "\(done)")
      #expect(done.stderrLines == notes.map { "removed \($0)" })
      let kept = Self.digitsLayers.filter { !removed.contains($0) }
      #expect(try scratch.tensorNames() == kept.map { "seed0/\($0)@digits-test" })
      // A set left without tensors goes too.
      let sets = try scratch.repstore("ls", "--sets", "--format", "tsv")
      #expect(sets.stdout.split(separator: "\n").count == (kept.isEmpty ? 1 : 2), "\(sets)")
      // The same selector now matches nothing: an error, and nothing changes.
      let again = try scratch.repstore("rm", selector)
      #expect(again.status == 1 && again.stderr.contains("matches no tensor"), "\(again)")
    }
  }

  @Test("gc shrinks the segments and later exports are bit-identical")
  func garbageCollection() throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      try scratch.writeNpy(Matrix.seeded(rows: 540, columns: 16, seed: 8), to: "extra.npy")
      try scratch.succeed(
        "import", scratch.path("extra.npy"), "--model", "extra", "--examples", "digits-test", "--keys",
        PackageFiles.digits("test.keys"))
      try scratch.succeed("rm", "seed0/L[1-4]", "-q")
      try scratch.succeed("rm", "extra", "-q")
      let sizesBefore = try scratch.segmentSizes()
      #expect(sizesBefore.count == 2)
      let unreferenced = try #require(try scratch.verifyReport().report?["unreferenced_bytes"] as? Int)
      #expect(unreferenced > 0)

      let collected = try scratch.succeed("gc")
      #expect(collected.stderr.hasSuffix(": 1 segment files deleted, 1 compacted\n"), "\(collected)")
      let sizesAfter = try scratch.segmentSizes()
      #expect(sizesAfter.count == 1)
      let totalBefore = sizesBefore.values.reduce(0, +)
      let totalAfter = sizesAfter.values.reduce(0, +)
      #expect(totalBefore - totalAfter == unreferenced, "before \(sizesBefore), after \(sizesAfter)")
      let listed = try scratch.listing()
      #expect(totalAfter == 8 + listed.reduce(0) { $0 + ($1["stored_bytes"] as? Int ?? 0) }, "magic + live blocks only")

      let (verified, report) = try scratch.verifyReport()
      #expect(verified.succeeded, "\(verified)")
      #expect(report?["unreferenced_bytes"] as? Int == 0)
      try scratch.succeed("export", "seed0/*", "-o", scratch.path("out"))
      let source = try readLayers(PackageFiles.digits("seed0_test.npz"))
      for layer in source where !["L1", "L2", "L3", "L4"].contains(layer.name) {
        #expect(
          try scratch.bytes("out/seed0/\(layer.name).npy")
            == npyFloat32(shape: [layer.rows, layer.columns], bits: layer.bits),
          "\(layer.name)")
      }
      // Nothing left to do: a second gc reclaims nothing and changes nothing.
      let before = try scratch.storeState()
      let idle = try scratch.succeed("gc")
      #expect(idle.stderr == "reclaimed 0 B: 0 segment files deleted, 0 compacted\n", "\(idle)")
      #expect(try scratch.storeState() == before)
    }
  }

  /// Flips one byte of a tensor's block (after the 8-byte segment header): verify exits 2 and says which tensor,
  /// block, file and byte; the other tensors still verify and export.
  @Test("a flipped byte in a segment is found and located", arguments: [0, 2, 6])
  func flippedByte(tensor index: Int) throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      let listed = try scratch.listing()
      let sizes = listed.map { $0["stored_bytes"] as? Int ?? 0 }
      // Blocks sit in import order (L1 ... out), one each, right after the segment's 8-byte magic.
      let blockStart = 8 + sizes.prefix(index).reduce(0, +)
      let segment = scratch.store + "/segments/000001.seg"
      try flipByte(in: segment, at: blockStart + sizes[index] / 2)

      let layer = Self.digitsLayers[index]
      let (verified, report) = try scratch.verifyReport()
      #expect(verified.status == 2 && !verified.wasSignaled, "\(verified)")
      #expect(report?["status"] as? String == "damaged")
      #expect(report?["problems"] as? Int == 1)
      #expect(verified.stderrLines.count == 1, "\(verified)")
      let expected =
        "repstore: \(scratch.store): tensor seed0/\(layer)@digits-test: block 0 (rows 0..<540, \(segment) byte \(blockStart)): "
      #expect(verified.stderrLines.first?.hasPrefix(expected) == true, "\(verified.stderr)")
      let table = try scratch.repstore("verify")
      #expect(table.status == 2 && table.stdout.hasPrefix("DAMAGED: 7 tensors, 7 blocks"), "\(table)")
      let quiet = try scratch.repstore("verify", "--quiet")
      #expect(quiet.status == 2 && quiet.stderr == verified.stderr && quiet.stdout.hasPrefix("DAMAGED"), "\(quiet)")

      let broken = try scratch.repstore("export", "seed0/\(layer)", "-o", scratch.path("broken.npy"))
      #expect(broken.status == 1 && broken.stderr.hasPrefix(expected), "\(broken)")
      #expect(!scratch.exists("broken.npy"), "a failed export leaves no file")
      let other = Self.digitsLayers[(index + 1) % 7]
      try scratch.succeed("export", "seed0/\(other)", "-o", scratch.path("fine.npy"))
    }
  }

  @Test(
    "damage in a later block of a multi-block tensor names that block",
    arguments: [(fromEnd: false, block: 0, rows: "0..<1747"), (fromEnd: true, block: 2, rows: "3494..<5000")])
  func flippedByteInLaterBlock(fromEnd: Bool, block: Int, rows: String) throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 5_000, columns: 300, seed: 9), to: "wide.npy")
      try scratch.succeed("import", scratch.path("wide.npy"), "--model", "w")
      let segment = scratch.store + "/segments/000001.seg"
      let size = try #require(try scratch.segmentSizes()["000001.seg"])
      try flipByte(in: segment, at: fromEnd ? size - 1 : 8 + 100)
      let verified = try scratch.repstore("verify")
      #expect(verified.status == 2, "\(verified)")
      #expect(verified.stderrLines.count == 1, "\(verified)")
      #expect(
        verified.stderr.hasPrefix(
          "repstore: \(scratch.store): tensor w/wide@default: block \(block) (rows \(rows), \(segment) byte "),
        "\(verified.stderr)")
    }
  }

  @Test("a deleted or truncated segment makes verify exit 2", arguments: [true, false])
  func missingSegment(deleted: Bool) throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      try scratch.writeNpy(Matrix.seeded(rows: 540, columns: 16, seed: 8), to: "extra.npy")
      try scratch.succeed(
        "import", scratch.path("extra.npy"), "--model", "extra", "--examples", "digits-test", "--keys",
        PackageFiles.digits("test.keys"))
      let segment = scratch.store + "/segments/000001.seg"
      if deleted {
        try FileManager.default.removeItem(atPath: segment)
      } else {
        let handle = try #require(FileHandle(forUpdatingAtPath: segment))
        try handle.truncate(atOffset: 1000)
        try handle.close()
      }
      let (verified, report) = try scratch.verifyReport()
      #expect(verified.status == 2, "\(verified)")
      #expect(report?["tensors"] as? Int == 8)
      let lines = verified.stderrLines
      if deleted {
        #expect(lines.count == 7, "\(verified)")
        #expect(lines.allSatisfy { $0.contains("000001.seg: segment file is missing") }, "\(verified)")
      } else {
        // L1's block fits in the first 1,000 bytes only in part; every later block starts past the end.
        #expect(lines.count == 7, "\(verified)")
        #expect(lines.allSatisfy { $0.contains("runs past the end (file is 1000 bytes)") }, "\(verified)")
      }
      #expect(!lines.contains { $0.contains("extra") }, "the other segment's tensor is fine")
      try scratch.succeed("export", "extra/extra", "-o", scratch.path("extra-out.npy"))
    }
  }

  @Test(
    "each tensor hit by a missing segment is named")
  func missingSegmentNamesTensors() throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      try FileManager.default.removeItem(atPath: scratch.store + "/segments/000001.seg")
      let verified = try scratch.repstore("verify")
      #expect(verified.status == 2)
      #expect(verified.stderrLines.count == 7)
      for layer in Self.digitsLayers {
        #expect(verified.stderrLines.contains { $0.contains("tensor seed0/\(layer)@digits-test: block 0") }, "\(layer)")
      }
    }
  }

  static let sqlite3: URL? = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/bin/sqlite3"].lazy
    .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }

  /// Needs the `sqlite3` command-line tool to add the migration row (the tests cannot link SQLite themselves); skipped
  /// where it is not installed (`apt-get install sqlite3`).
  @Test(
    "a store written by a newer repstore is refused by every command",
    .enabled(if: sqlite3 != nil, "needs the sqlite3 command-line tool, which is not installed"))
  func newerStore() throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      let sqlite3 = try #require(Self.sqlite3)
      let catalog = scratch.store + "/catalog.sqlite"
      let inserted = try scratch.runTool(
        sqlite3, [catalog, "INSERT INTO grdb_migrations (identifier) VALUES ('9999-from-the-future')"])
      try #require(inserted.succeeded, "\(inserted)")
      // sqlite3 closed the catalog last and deleted its -wal and -shm; the first reader makes them again, as SQLite
      // must to read a WAL database that a writer may be changing. Nothing else may appear.
      let catalogFiles = ["catalog.sqlite-shm", "catalog.sqlite-wal"]
      let filesBefore = try files(under: scratch.store).filter { !catalogFiles.contains($0) }

      try scratch.writeNpy(Matrix.seeded(rows: 540, columns: 2, seed: 1), to: "new.npy")
      let commands: [[String]] = [
        ["ls"], ["ls", "--sets"], ["verify"], ["export", "seed0/L1", "-o", scratch.path("x.npy")], ["rm", "seed0/L1"],
        ["gc"], ["import", scratch.path("new.npy"), "--model", "n", "--examples", "digits-test"],
      ]
      for command in commands {
        let result = try scratch.run(command + ["--store", scratch.store])
        #expect(result.status == 1 && !result.wasSignaled, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        let line = result.stderrLines.first ?? ""
        #expect(line.hasPrefix("repstore: \(catalog): this store was written by a newer repstore"), "\(line)")
        #expect(line.contains("9999-from-the-future"), "\(line)")
      }
      #expect(try files(under: scratch.store).filter { !catalogFiles.contains($0) } == filesBefore)
      let rows = try scratch.runTool(sqlite3, [catalog, "SELECT identifier FROM grdb_migrations ORDER BY identifier"])
      #expect(
        rows.stdout == "0001-initial\n0002-results\n0003-projections\n0004-benchmarks\n0005-digests\n9999-from-the-future\n",
        "\(rows)")
    }
  }
}

/// Inverts one bit of the byte at `offset` in the file at `path`.
func flipByte(in path: String, at offset: Int) throws {
  let handle = try #require(FileHandle(forUpdatingAtPath: path))
  defer { try? handle.close() }
  try handle.seek(toOffset: UInt64(offset))
  let byte = try #require(try handle.read(upToCount: 1)?.first)
  try handle.seek(toOffset: UInt64(offset))
  try handle.write(contentsOf: [byte ^ 0x10])
}
