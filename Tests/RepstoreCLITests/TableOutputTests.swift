import Foundation
import Testing

/// How tables and benchmarks are shown: short labels and folding for people, the diagonal alone, a note with the way
/// out when a measure is undefined everywhere, n/a instead of a fake 0%, and example sets that are one in all but name.
@Suite("Tables and benchmarks as shown") struct TableOutputTests {
  @Test("""
    two example sets with the same keys in the same order compare as they are; in another order, the message says \
    where they first differ
    """)
  func sameKeysAnotherSet() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      try scratch.succeed(
        "import", PackageFiles.digits("seed1_test.npz"), "--model", "again", "--examples", "copy", "--keys",
        PackageFiles.digits("test.keys"), "-q")
      let same = try scratch.succeed("sim", "cka", "seed0/L1@digits-test", "seed1/L1@digits-test", "--format", "csv")
      let across = try scratch.succeed("sim", "cka", "seed0/L1@digits-test", "again/L1@copy", "--format", "csv")
      let value = { (csv: String) in
        csv.split(separator: "\n").dropFirst().first?.split(separator: ",").dropFirst(2).first
      }
      #expect(value(across.stdout) != nil && value(across.stdout) == value(same.stdout), "\(across)")
      #expect(across.stdout.contains("seed0/L1@digits-test,again/L1@copy,"), "\(across)")
      #expect(across.stderr.contains("on 540 examples"), "\(across)")

      let keys = try String(contentsOfFile: PackageFiles.digits("test.keys"), encoding: .utf8)
        .split(separator: "\n").map(String.init)
      let reversed = try scratch.write(keys.reversed().joined(separator: "\n") + "\n", to: "reversed.keys")
      try scratch.succeed(
        "import", PackageFiles.digits("seed1_test.npz"), "--model", "turned", "--examples", "reversed", "--keys",
        reversed, "-q")
      let refused = try scratch.repstore("sim", "cka", "seed0/L1@digits-test", "turned/L1@reversed")
      #expect(refused.status == 1, "\(refused)")
      #expect(refused.stderr.contains(
        "'digits-test' and 'reversed' hold the same 540 keys in a different order (row 0: '\(keys[0])' in "
          + "'digits-test', '\(keys[keys.count - 1])' in 'reversed')"), "\(refused)")
    }
  }
}
