import Foundation
import Testing

/// An import big enough to take a few seconds in a debug build: `parts` float32 `.npy` files of `rows` × 256, imported
/// in one command as model `slow`, set `slow`, on one thread (`--threads 1`) at zstd level 3.
struct SlowImport {
  let scratch: Scratch
  let paths: [String]
  let matrices: [Matrix]

  init(_ scratch: Scratch, parts: Int = 3, rows: Int = 3_000, seed: UInt64 = 77) throws {
    self.scratch = scratch
    var paths: [String] = []
    var matrices: [Matrix] = []
    for part in 0..<parts {
      let matrix = Matrix.seeded(rows: rows, columns: 256, seed: seed + UInt64(part))
      paths.append(try scratch.writeNpy(matrix, to: "slow/part\(part).npy"))
      matrices.append(matrix)
    }
    self.paths = paths
    self.matrices = matrices
  }

  /// The tensors this import adds, as `MODEL/LAYER@SET`.
  var tensorNames: [String] { paths.indices.map { "slow/part\($0)@slow" } }

  var arguments: [String] {
    ["import"] + paths + ["--model", "slow", "--examples", "slow", "--threads", "1", "--level", "3"]
  }

  /// Starts the import in the background against `store` (the scratch store by default).
  func start(store: String? = nil, extra: [String] = []) throws -> RunningCommand {
    try scratch.start(arguments + extra + ["--store", store ?? scratch.store])
  }

  /// The text of the store's LOCK file: who holds (or last held) the writer lock.
  static func lockHolder(_ store: String) -> String {
    (try? String(contentsOfFile: store + "/LOCK", encoding: .utf8)) ?? ""
  }

  /// Waits until `command` holds the writer lock of `store` (its pid is in the LOCK file).
  static func waitForLock(_ command: RunningCommand, store: String, sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    let taken = RunningCommand.poll(timeout: 30) { lockHolder(store).hasPrefix("pid \(command.pid) on ") }
    try #require(
      taken, "pid \(command.pid) never took the lock; LOCK says '\(lockHolder(store))'", sourceLocation: sourceLocation)
  }
}
