import Foundation
import RepFormats
import Testing

#if canImport(Glibc)
  import Glibc
#endif

// Rows wider than the target block size: each is a block of its own, which import, export and verify stream through
// zstd, so that a row costs about its own size in memory, and whose stored bits come back exactly.

/// Runs `repstore arguments` (with `--store`) and returns its exit status and its peak resident memory in bytes.
///
/// Not `wait4`'s `ru_maxrss` of a child spawned from here: `posix_spawn` starts the child on this process's memory map
/// (vfork), and at `exec` Linux folds that map's high-water mark into the child's `ru_maxrss`, so the figure would be
/// this test process's own peak whenever that is larger (it is, in a full test run). A small Python process forks
/// instead: the child starts from Python's few megabytes, the same for every command measured, and Python reports
/// the child's `ru_maxrss`.
private func peakMemory(_ arguments: [String], in scratch: Scratch) throws -> (status: Int32, bytes: Int) {
  let binary = try Repstore.binary().path
  let script = """
    import os, sys
    pid = os.fork()
    if pid == 0:
        null = os.open("/dev/null", os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.execv(sys.argv[1], sys.argv[1:])
    _, status, usage = os.wait4(pid, 0)
    print(usage.ru_maxrss)
    sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
    """
  let argv = (["/usr/bin/env", "python3", "-c", script, binary] + arguments + ["--store", scratch.store]).map { strdup($0) }
    + [nil]
  let envp = Repstore.cleanEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
  defer { (argv + envp).forEach { free($0) } }
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, scratch.path(".runs/peak.stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  posix_spawn_file_actions_addopen(&actions, 2, scratch.path(".runs/peak.stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  var pid: pid_t = 0
  let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
  try #require(spawned == 0, "posix_spawn failed: \(spawned)")
  var status: Int32 = 0
  while waitpid(pid, &status, 0) < 0 {
    try #require(errno == EINTR, "waitpid failed: errno \(errno)")
  }
  let exited = status & 0x7F == 0
  let code = exited ? (status >> 8) & 0xFF : -1
  if code != 0 {
    Issue.record("repstore \(arguments.joined(separator: " ")) -> \(status): \((try? scratch.bytes(".runs/peak.stderr")).map { String(decoding: $0, as: UTF8.self) } ?? "")")
  }
  let printed = (try? scratch.bytes(".runs/peak.stdout")).map { String(decoding: $0, as: UTF8.self) } ?? ""
  let kibibytes = try #require(Int(printed.trimmingCharacters(in: .whitespacesAndNewlines)), "peak: '\(printed)'")
  return (code, kibibytes * 1024)  // Linux reports KiB
}

@Suite("Huge rows")
struct HugeRowTests {
  /// A 48 MB row: far above the 8 MiB where blocks stream, small enough for a debug build to move quickly.
  static let columns = 12_000_000

  @Test("import, export and verify of a huge row peak at about one row above a small one's")
  func memoryPerRow() throws {
    try withScratch { scratch in
      let row = Matrix.seeded(rows: 1, columns: Self.columns, seed: 21)
      try scratch.writeNpy(row, to: "huge.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 1, columns: 16, seed: 22), to: "tiny.npy")
      let rowBytes = Self.columns * 4
      // Each command is measured against the same command on a 64-byte tensor, so that what is compared is only
      // what the row costs (the process, its libraries and the catalog cost the same in both).
      func expectRowSized(_ name: String, small: (status: Int32, bytes: Int), huge: (status: Int32, bytes: Int)) {
        #expect(small.status == 0 && huge.status == 0, "\(name)")
        let growth = huge.bytes - small.bytes
        let comment = "\(name): peak \(huge.bytes >> 20) MiB against \(small.bytes >> 20) MiB for a tiny tensor, "
          + "\(growth >> 20) MiB for a \(rowBytes >> 20) MiB row"
        #expect(growth * 10 <= rowBytes * 12, Comment(rawValue: comment))
      }
      let importSmall = try peakMemory(["import", scratch.path("tiny.npy"), "--model", "small", "--layer", "row", "-q"], in: scratch)
      // `verify` reads every tensor: measured with the small one alone, then with the huge one as well.
      let verifySmall = try peakMemory(["verify", "--quiet", "--threads", "2"], in: scratch)
      let importHuge = try peakMemory(["import", scratch.path("huge.npy"), "--model", "big", "--layer", "row", "-q"], in: scratch)
      expectRowSized("import", small: importSmall, huge: importHuge)
      let exportSmall = try peakMemory(["export", "small/row", "--output", scratch.path("tiny-out.npy"), "--quiet"], in: scratch)
      let exportHuge = try peakMemory(["export", "big/row", "--output", scratch.path("huge-out.npy"), "--quiet"], in: scratch)
      expectRowSized("export", small: exportSmall, huge: exportHuge)
      expectRowSized("verify", small: verifySmall, huge: try peakMemory(["verify", "--quiet", "--threads", "2"], in: scratch))
      // Compared outside #expect, which would print both arrays whole.
      let exportedExactly = try scratch.bytes("huge-out.npy") == row.npyBytes
      #expect(exportedExactly)
    }
  }

  @Test("huge blocks of float32, float16, bfloat16 and float64 sources round-trip through export")
  func sourceTypes() throws {
    try withScratch { scratch in
      // 2 rows of 2,200,000 columns: 8.8 MB rows as Float32, so every block streams.
      let rows = 2, columns = 2_200_000, count = rows * columns
      let values = Matrix.seeded(rows: rows, columns: columns, seed: 5).values
      let f16 = values.map { Float16($0).bitPattern }
      let bf16 = values.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
      let f64 = values.map { Double($0) / 3 }
      func bytes<T>(_ array: [T]) -> [UInt8] { array.withUnsafeBytes { Array($0) } }  // a little-endian host
      let sizes = [count * 4, count * 2, count * 2, count * 8]
      var offsets = [0]
      for size in sizes { offsets.append(offsets.last! + size) }
      let header =
        "{" + zip(["f", "h", "b", "d"], ["F32", "F16", "BF16", "F64"]).enumerated().map { index, names in
          #""\#(names.0)":{"dtype":"\#(names.1)","shape":[\#(rows),\#(columns)],"#
            + #""data_offsets":[\#(offsets[index]),\#(offsets[index + 1])]}"#
        }.joined(separator: ",") + "}"
      let data = bytes(values) + bytes(f16) + bytes(bf16) + bytes(f64)
      try scratch.write(safetensorsFile(json: header, data: data), to: "types.safetensors")

      try scratch.succeed("import", scratch.path("types.safetensors"), "--model", "st")
      try scratch.succeed("export", "model:st/*", "-o", scratch.path("out"))
      try scratch.succeed("verify")

      let expected: [(layer: String, bits: [UInt32])] = [
        ("f", values.map(\.bitPattern)),
        ("h", f16.map { Float(Float16(bitPattern: $0)).bitPattern }),
        ("b", bf16.map { UInt32($0) << 16 }),
        ("d", f64.map { Float($0).bitPattern }),
      ]
      for (layer, bits) in expected {
        let exportedExactly = try scratch.bytes("out/st/\(layer).npy") == npyFloat32(shape: [rows, columns], bits: bits)
        #expect(exportedExactly, "\(layer)")
      }
      let blocks = try scratch.listing().map { "\($0["layer"]!):\($0["blocks"] ?? "?")" }
      #expect(blocks == ["b:2", "d:2", "f:2", "h:2"])
    }
  }
}
