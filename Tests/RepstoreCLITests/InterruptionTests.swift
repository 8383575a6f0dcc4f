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

  @Test("SIGINT during train: it stops at the end of the batch, stores the last finished epoch as interrupted, exits 130")
  func trainKeepsTheLastFinishedEpoch() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      try scratch.succeed(
        "import", PackageFiles.digits("seed1_train.npz"), "--model", "seed1", "--examples", "digits-train", "--keys",
        PackageFiles.digits("train.keys"), "-q")
      let train = [
        "train", "contrasim", "probe", "seed0/L1..L3@digits-train", "seed1/L1..L3@digits-train", "--epochs", "400",
        "--batch", "64", "--log-every", "1", "--store", scratch.store,
      ]
      let running = try scratch.start(train)
      let started = RunningCommand.poll(timeout: 300) { running.stderrSoFar.contains("epoch 2/400") }
      try #require(started, "training never reached its second epoch: \(running.stderrSoFar)")
      running.send(SIGINT)
      let stopped = running.wait(timeout: 300)
      #expect(stopped.status == 130 && !stopped.wasSignaled, "\(stopped)")
      let kept = stopped.stderr.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count
      #expect(
        stopped.stderrLines.last == "repstore: interrupted; projection 'probe' is stored with the encoders of epoch "
          + "\(kept) (\(kept) of 400 epochs ran) and marked as interrupted", "\(stopped)")
      let listing = try scratch.repstore("query", "show projections", "--format", "json")
      let rows = try #require(try JSONSerialization.jsonObject(with: listing.stdoutData) as? [[String: Any]])
      #expect(rows.count == 1 && rows.first?["epochs"] as? Int == kept, "\(listing)")
      #expect(rows.first?["interrupted"] as? String == "after \(kept) of 400 epochs", "\(listing)")
      let through = try scratch.repstore("sim", "contrasim", "seed0/L1@digits-test", "seed1/L1@digits-test", "--using", "probe")
      #expect(through.succeeded, "\(through)")
    }
  }
}
