import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `kill -9` at any moment of an import or a `gc` leaves a store that verifies, lists whole imports only, and loses
/// nothing it had; `gc` reclaims what the killed processes left behind.
@Suite("Crash safety")
struct CrashSafetyTests {
  /// `count` fractions of a run spread over `0 ..< 1`: one seeded draw in each of `count` equal slices, so every phase
  /// of the process (opening, planning, writing blocks, syncing, committing, exiting) gets hit, repeatably.
  static func fractions(count: Int, seed: UInt64) -> [Double] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { slice in
      (Double(slice) + Double.random(in: 0..<1, using: &generator)) / Double(count)
    }
  }

  /// How long a run takes, as kills should see it: measured once, then shortened by a quarter each time a run
  /// finishes before its kill. The measured run can be slowed by other tests on a busy machine; the runs after it
  /// then finish sooner, and kills aimed at the measured timeline would mostly land after the end.
  struct Span {
    var seconds: Double
    mutating func runFinished() { seconds *= 0.75 }
  }

  /// Sleeps for `seconds`.
  static func sleep(_ seconds: Double) {
    if seconds > 0 { usleep(useconds_t(seconds * 1_000_000)) }
  }

  @Test("kill -9 during imports: verify passes, whole imports or nothing, gc reclaims the leftovers")
  func killDuringImport() throws {
    try withScratch { scratch in
      let kept = Matrix.seeded(rows: 7, columns: 5, seed: 1)
      try scratch.writeNpy(kept, to: "kept.npy")
      try scratch.succeed("import", scratch.path("kept.npy"), "--model", "m")
      let base = try scratch.listing()
      let slow = try SlowImport(scratch)

      // One full run: how long an import takes here, and what it lists when it completes.
      let started = Date()
      let full = try slow.start().wait()
      let duration = Date().timeIntervalSince(started)
      try #require(full.succeeded, "\(full)")
      let complete = try scratch.listing()
      #expect(complete.count == base.count + slow.paths.count)
      try scratch.succeed("rm", "model:slow/*", "-q")

      var killed = 0
      var span = Span(seconds: duration)
      for (attempt, fraction) in Self.fractions(count: 14, seed: 0xC0FFEE).enumerated() {
        let delay = fraction * span.seconds
        let run = try slow.start()
        Self.sleep(delay)
        run.send(SIGKILL)
        let result = run.wait()
        if result.wasSignaled {
          killed += 1
        } else {
          #expect(result.succeeded, "attempt \(attempt): \(result)")
          span.runFinished()
        }

        let (verified, report) = try scratch.verifyReport()
        #expect(verified.succeeded, "attempt \(attempt) (killed after \(delay) s): \(verified)")
        #expect(report?["status"] as? String == "ok", "attempt \(attempt)")
        let listed = try scratch.listing()
        let names = listed.map(tensorName)
        if names == base.map(tensorName) {
          #expect(listed.map(fingerprint) == base.map(fingerprint), "attempt \(attempt): the old tensors changed")
        } else {
          // The import committed before the kill: all of it, with the digests of the full run.
          #expect(names == complete.map(tensorName), "attempt \(attempt) (killed after \(delay) s): \(names)")
          #expect(
            listed.map { $0["digest"] as? String } == complete.map { $0["digest"] as? String }, "attempt \(attempt)")
          try scratch.succeed("rm", "model:slow/*", "-q")
        }
      }
      // Most attempts must really have been cut short, or this test proves little. (Not all: on a busy machine some
      // runs are faster than the one measured, and the last slices of the delays reach its commit.)
      #expect(
        killed >= 6,
        "only \(killed) of 14 imports were killed (a full import took \(duration) s; kills aimed at \(span.seconds) s)")

      let leftover = try #require(try scratch.verifyReport().report?["unreferenced_bytes"] as? Int)
      #expect(leftover > 0, "killed and removed imports leave unreferenced segment bytes")
      let collected = try scratch.succeed("gc")
      #expect(collected.stderr.hasPrefix("reclaimed "), "\(collected)")
      let (verified, report) = try scratch.verifyReport()
      #expect(verified.succeeded, "\(verified)")
      #expect(report?["unreferenced_bytes"] as? Int == 0)
      #expect(report?["tensors"] as? Int == base.count)
      let segments = try scratch.segmentSizes()
      #expect(segments.count == 1, "only the segment of m/kept is left: \(segments)")
      try scratch.succeed("export", "m/kept", "-o", scratch.path("kept-out.npy"))
      #expect(try scratch.bytes("kept-out.npy") == kept.npyBytes)
    }
  }

  @Test("kill -9 during gc: verify passes, the remaining tensors export bit-identical, the next gc finishes the job")
  func killDuringGarbageCollection() throws {
    try withScratch { scratch in
      // Six tensors in one segment and one in another; removing three of the six and the lone one leaves a
      // segment for gc to compact and one to delete.
      let matrices = (0..<6).map { Matrix.seeded(rows: 2_000, columns: 64, seed: 40 + UInt64($0)) }
      let paths = try matrices.enumerated().map { try scratch.writeNpy($0.element, to: "g/t\($0.offset).npy") }
      try scratch.run(["import"] + paths + ["--model", "g", "--store", scratch.store]).expectSuccess()
      try scratch.writeNpy(Matrix.seeded(rows: 2_000, columns: 8, seed: 50), to: "lone.npy")
      try scratch.succeed("import", scratch.path("lone.npy"), "--model", "lone")
      try scratch.succeed("rm", "model:g/t[024]", "-q")
      try scratch.succeed("rm", "model:lone/*", "-q")
      let remaining = try scratch.tensorNames()
      #expect(remaining == ["g/t1@default", "g/t3@default", "g/t5@default"])
      let dirty = try #require(try scratch.verifyReport().report?["unreferenced_bytes"] as? Int)
      #expect(dirty > 0)

      // Identical copies of the dirty store: one to time a whole gc, one per kill.
      let delayCount = 8
      let copies = try (0...delayCount).map { index -> String in
        let copy = scratch.path("copy\(index).repstore")
        try FileManager.default.copyItem(atPath: scratch.store, toPath: copy)
        return copy
      }
      let started = Date()
      let whole = try scratch.run(["gc", "--store", copies[0]])
      let duration = Date().timeIntervalSince(started)
      #expect(whole.succeeded, "\(whole)")
      #expect(whole.stderr.contains("1 segment files deleted, 1 compacted"), "\(whole)")

      var killed = 0
      // Delays spread over most of one gc's time; a machine busy with other work can still let some runs finish,
      // so the test asks for a few kills, not all (the stores are checked either way).
      var span = Span(seconds: duration * 0.8)
      for (index, fraction) in Self.fractions(count: delayCount, seed: 0x6C).enumerated() {
        let delay = fraction * span.seconds
        let store = copies[index + 1]
        let run = try scratch.start(["gc", "--store", store])
        Self.sleep(delay)
        run.send(SIGKILL)
        if run.wait().wasSignaled { killed += 1 } else { span.runFinished() }

        let verified = try scratch.run(["verify", "--store", store])
        #expect(verified.succeeded, "copy \(index + 1) (killed after \(delay) s): \(verified)")
        let out = scratch.path("out\(index)")
        let exported = try scratch.run(["export", "g/*", "-o", out, "--store", store])
        #expect(exported.succeeded, "\(exported)")
        #expect(try files(under: out) == ["g/t1.npy", "g/t3.npy", "g/t5.npy"])
        for tensor in [1, 3, 5] {
          #expect(
            try scratch.bytes(out + "/g/t\(tensor).npy") == matrices[tensor].npyBytes, "copy \(index + 1): g/t\(tensor)"
          )
        }
        let again = try scratch.run(["gc", "--store", store])
        #expect(again.succeeded, "\(again)")
        let report = try scratch.run(["verify", "--format", "json", "--store", store])
        #expect(report.succeeded, "\(report)")
        #expect(report.stdout.contains("\"unreferenced_bytes\": 0,"), "copy \(index + 1): \(report.stdout)")
      }
      #expect(
        killed >= 2, "only \(killed) of \(delayCount) gc runs were killed (a whole gc took \(duration) s)")
    }
  }
}

/// `MODEL/LAYER@SET` of a row of `ls --format json`.
func tensorName(_ row: [String: Any]) -> String {
  "\(row["model"] ?? "?")/\(row["layer"] ?? "?")@\(row["examples"] ?? "?")"
}

/// What identifies a stored tensor's content and history in `ls --format json`.
func fingerprint(_ row: [String: Any]) -> String {
  ["model", "layer", "examples", "rows", "columns", "digest", "stored_bytes", "blocks", "source", "imported_at"]
    .map { "\(row[$0] ?? "-")" }.joined(separator: " ")
}

extension CommandResult {
  /// Records an issue unless the run succeeded.
  func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(succeeded, "\(self)", sourceLocation: sourceLocation)
  }
}
