import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// One writer at a time (others fail at once with status 75, or wait with `--wait`); readers work during a write and
/// see only committed tensors.
///
/// The slow import is frozen with SIGSTOP once it holds the lock (or has written data), so what the other commands
/// meet does not depend on how fast this machine is.
@Suite("Locks and readers")
struct ConcurrencyTests {
  /// A store holding m/kept (7 × 5, set `default`) and the matrix it came from.
  static func makeStore(_ scratch: Scratch) throws -> Matrix {
    let kept = Matrix.seeded(rows: 7, columns: 5, seed: 1)
    try scratch.writeNpy(kept, to: "kept.npy")
    try scratch.succeed("import", scratch.path("kept.npy"), "--model", "m")
    return kept
  }

  @Test("while an import holds the lock, import, rm and gc fail at once with status 75 naming its pid")
  func writersAreRefused() throws {
    try withScratch { scratch in
      _ = try Self.makeStore(scratch)
      try scratch.writeNpy(Matrix.seeded(rows: 7, columns: 3, seed: 2), to: "other.npy")
      let slow = try SlowImport(scratch)
      let writer = try slow.start()
      defer {
        writer.send(SIGKILL)
        writer.wait()
      }
      try SlowImport.waitForLock(writer, store: scratch.store)
      writer.send(SIGSTOP)
      let before = try scratch.storeState()

      let attempts: [[String]] = [
        ["import", scratch.path("other.npy"), "--model", "n"], ["rm", "m/kept"], ["gc"],
      ]
      for arguments in attempts {
        let started = Date()
        // The writer is stopped for good: a command that waited for it would never end. The bound only tells
        // "gave up" from "waited", with room for a debug build on a busy machine.
        let result = try scratch.run(arguments + ["--store", scratch.store], timeout: 120)
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 75 && !result.wasSignaled, "\(result)")
        #expect(seconds < 60, "\(arguments[0]) took \(seconds) s to give up")
        #expect(result.stderrLines.count == 1, "\(result)")
        let line = result.stderrLines.first ?? ""
        #expect(line.hasPrefix("repstore: \(scratch.store): store is locked by pid \(writer.pid) on "), "\(line)")
        #expect(line.contains("(import of 3 files)") && line.contains("--wait"), "\(line)")
      }
      #expect(try scratch.storeState() == before)

      // The kernel drops the lock of a killed writer: the next writer gets in.
      writer.send(SIGKILL)
      writer.wait()
      try scratch.succeed("import", scratch.path("other.npy"), "--model", "n")
      #expect(try scratch.tensorNames() == ["m/kept@default", "n/other@default"])
    }
  }

  @Test("with --wait a second import blocks until the first ends, then both land")
  func waitForTheWriter() throws {
    try withScratch { scratch in
      _ = try Self.makeStore(scratch)
      let other = Matrix.seeded(rows: 7, columns: 3, seed: 2)
      try scratch.writeNpy(other, to: "other.npy")
      let slow = try SlowImport(scratch)
      let first = try slow.start()
      defer {
        first.send(SIGKILL)
        first.wait()
      }
      try SlowImport.waitForLock(first, store: scratch.store)
      first.send(SIGSTOP)

      let second = try scratch.startRepstore("import", scratch.path("other.npy"), "--model", "n", "--wait")
      defer {
        second.send(SIGKILL)
        second.wait()
      }
      usleep(700_000)
      #expect(second.isRunning, "the waiting import did not wait: \(second.wait())")
      #expect(try scratch.tensorNames() == ["m/kept@default"])

      first.send(SIGCONT)
      let firstResult = first.wait()
      let secondResult = second.wait()
      #expect(firstResult.succeeded, "\(firstResult)")
      #expect(secondResult.succeeded, "\(secondResult)")
      #expect(try scratch.tensorNames() == ["m/kept@default", "n/other@default"] + slow.tensorNames)
      try scratch.succeed("export", "n/other", "-o", scratch.path("other-out.npy"))
      #expect(try scratch.bytes("other-out.npy") == other.npyBytes)
      try scratch.succeed("verify")
    }
  }

  /// gc deletes segment files only when no reader holds the store: without --wait it gives up with status 75, with
  /// --wait it waits for the reader, which reads on undisturbed.
  @Test("gc waits for readers before deleting segments")
  func garbageCollectionWaitsForReaders() throws {
    try withScratch { scratch in
      let big = Matrix.seeded(rows: 5_000, columns: 300, seed: 4)
      try scratch.writeNpy(big, to: "big.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 5_000, columns: 2, seed: 5), to: "small.npy")
      try scratch.succeed("import", scratch.path("big.npy"), scratch.path("small.npy"), "--model", "m")
      try scratch.succeed("rm", "m/small", "-q")

      let output = scratch.path("big-out.npy")
      let reader = try scratch.startRepstore("export", "m/big", "-o", output)
      defer {
        reader.send(SIGKILL)
        reader.wait()
      }
      // The export writes to OUTPUT.partial-PID from its first byte on: from then on it is reading blocks.
      let reading = RunningCommand.poll(timeout: 30) {
        FileManager.default.fileExists(atPath: output + ".partial-\(reader.pid)")
      }
      reader.send(SIGSTOP)
      try #require(reading, "the export never started writing: \(reader.isRunning ? "running" : "\(reader.wait())")")

      let refused = try scratch.repstore("gc")
      #expect(refused.status == 75, "\(refused)")
      #expect(
        refused.stderr
          == "repstore: \(scratch.store): other processes are reading the store; retry later or pass --wait\n")
      let waiting = try scratch.startRepstore("gc", "--wait")
      usleep(700_000)
      #expect(waiting.isRunning, "gc --wait did not wait for the reader: \(waiting.wait())")

      reader.send(SIGCONT)
      let exported = reader.wait()
      #expect(exported.succeeded, "\(exported)")
      #expect(try scratch.bytes(output) == big.npyBytes)
      let collected = waiting.wait()
      #expect(collected.succeeded, "\(collected)")
      let (verified, report) = try scratch.verifyReport()
      #expect(verified.succeeded, "\(verified)")
      #expect(report?["unreferenced_bytes"] as? Int == 0)
      try scratch.succeed("export", "m/big", "-o", scratch.path("again.npy"))
      #expect(try scratch.bytes("again.npy") == big.npyBytes)
    }
  }

  @Test("ls, verify and export work during an import and see only committed tensors")
  func readersDuringAWrite() throws {
    try withScratch { scratch in
      let kept = try Self.makeStore(scratch)
      let base = try scratch.listing()
      let segmentsBefore = Set(try scratch.segmentSizes().keys)
      let slow = try SlowImport(scratch)
      let writer = try slow.start()
      defer {
        writer.send(SIGKILL)
        writer.wait()
      }
      // Freeze the writer once it has appended blocks to a new segment: mid-import, lock held, data on disk.
      let writing = RunningCommand.poll(timeout: 60) {
        ((try? scratch.segmentSizes()) ?? [:]).contains { !segmentsBefore.contains($0.key) && $0.value > 8 }
      }
      writer.send(SIGSTOP)
      try #require(writing, "the import never wrote a block: \(writer.isRunning ? "running" : "\(writer.wait())")")

      #expect(try scratch.listing().map(fingerprint) == base.map(fingerprint))
      let (verified, report) = try scratch.verifyReport()
      #expect(verified.succeeded, "\(verified)")
      #expect(report?["tensors"] as? Int == 1)
      #expect((report?["unreferenced_bytes"] as? Int ?? 0) > 0, "the import's blocks are not referenced yet")
      try scratch.succeed("export", "m/kept", "-o", scratch.path("kept-out.npy"))
      #expect(try scratch.bytes("kept-out.npy") == kept.npyBytes)
      let sets = try scratch.repstore("ls", "--sets", "--format", "csv")
      #expect(
        sets.stdout.split(separator: "\n").map { $0.split(separator: ",").prefix(4).joined(separator: ",") }
          == ["examples,rows,keys,tensors", "default,7,ordinal,1"], "\(sets)")

      writer.send(SIGCONT)
      let finished = writer.wait()
      #expect(finished.succeeded, "\(finished)")
      #expect(try scratch.tensorNames() == ["m/kept@default"] + slow.tensorNames)
      try scratch.succeed("export", "slow/part1", "-o", scratch.path("part1.npy"))
      #expect(try scratch.bytes("part1.npy") == slow.matrices[1].npyBytes)
    }
  }
}
