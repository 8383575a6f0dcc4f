import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C (SIGINT) in the middle of a computation: the command stops at the next cell and exits 130, says what it
/// kept, and the kept cells are not computed again.
@Suite("Interruption") struct InterruptionTests {
  /// The stored cells of table 1 (`tables --format csv`: "3/49" → 3), nil before the table exists.
  static func storedCells(_ scratch: Scratch) throws -> Int? {
    let listing = try scratch.repstore("tables", "--format", "csv")
    guard let row = listing.stdout.split(separator: "\n").dropFirst().first else { return nil }
    return row.split(separator: ",")[3].split(separator: "/").first.flatMap { Int($0) }
  }

  @Test("SIGINT during sim: exit 130 within a cell, the cells so far kept, and the next run completes the table")
  func simKeepsCellsAndResumes() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      // 49 whole-layer kernel cells on 1,257 examples: seconds of work, one stored cell at a time.
      let sim = ["sim", "cka.rbf", "seed0/*@digits-train", "seed0/*@digits-train", "--threads", "1", "--format", "csv"]
      let running = try scratch.start(sim + ["--store", scratch.store])
      // Freeze it as soon as a cell is stored, so that the signal lands in the middle of the table on any machine.
      var stored: Int?
      while running.isRunning, (stored ?? 0) == 0 {
        stored = try Self.storedCells(scratch)
        if (stored ?? 0) == 0 { usleep(20_000) }
      }
      running.send(SIGSTOP)
      let before = try Self.storedCells(scratch) ?? 0
      running.send(SIGINT)
      running.send(SIGCONT)
      let stopped = running.wait(timeout: 120)
      guard stopped.status == 130 else {
        // It finished between the last poll and the stop: nothing to learn from this run.
        #expect(stopped.status == 0 && before == 49, "\(stopped)")
        return
      }
      #expect(stopped.stderr.contains("interrupted; the cells computed so far are stored; run the same statement "
        + "again to complete the table"), "\(stopped)")
      let kept = try #require(try Self.storedCells(scratch))
      #expect(kept >= before && kept < 49, "\(kept) cells kept")
      let resumed = try scratch.succeed(Array(sim.dropLast(2)))
      #expect(resumed.stderr.contains("completed the interrupted table 1"), "\(resumed)")
      #expect(try Self.storedCells(scratch) == 49)
    }
  }
}
