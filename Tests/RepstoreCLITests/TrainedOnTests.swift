import Foundation
import Testing

/// A projection records the examples it trained on; comparing through it warns when the compared rows overlap them
/// (with the count) and is silent otherwise, and a benchmark refuses to train on its test rows unless told to.
@Suite("Examples trained on")
struct TrainedOnTests {
  /// The docstring and code views of the shipped text test split, 200 examples with keys, as example set `s`.
  static func store(_ scratch: Scratch) throws {
    for model in ["minilm-doc", "minilm-code"] {
      try scratch.succeed(
        "import", PackageFiles.text("\(model)_test.npz"), "--model", model, "--examples", "s", "--keys",
        PackageFiles.text("test.keys"), "-q")
    }
  }

  @Test("sim through a projection trained on s[0:100]: silent on s[100:200], counts the overlap on s[50:150]")
  func simWarnsOnOverlapOnly() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      try scratch.succeed(
        "train", "contrasim", "p", "minilm-doc/L6@s[0:100]", "minilm-code/L6@s[0:100]", "--positives", "same-example",
        "--epochs", "2", "-q")
      let heldOut = try scratch.succeed("sim", "contrasim", "minilm-doc/L6@s[100:200]", "minilm-code/L6@s[100:200]",
                                        "--using", "p")
      #expect(!heldOut.stderr.contains("inflated"), "\(heldOut)")
      let overlapping = try scratch.succeed("sim", "contrasim", "minilm-doc/L6@s[50:150]", "minilm-code/L6@s[50:150]",
                                            "--using", "p")
      #expect(overlapping.stderr.contains("projection 'p' was trained on 50 of the 100 examples compared"),
              "\(overlapping)")
      // The same examples through another example set with the same keys count too: keys name the examples.
      try scratch.succeed(
        "import", PackageFiles.text("minilm-code_test.npz"), "--model", "other", "--examples", "t", "--keys",
        PackageFiles.text("test.keys"), "-q")
      let sameKeys = try scratch.succeed("sim", "contrasim", "other/L6@t[0:10]", "other/L6@t[0:10]", "--using", "p")
      #expect(sameKeys.stderr.contains("was trained on 10 of the 10 examples compared"), "\(sameKeys)")
    }
  }

  @Test("bench refuses training examples that overlap the test rows, unless --allow-overlap, which says so")
  func benchRefusesOverlap() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let arguments = [
        "bench", "retrieval", "--query", "minilm-doc/L6@s[100:200]", "--target", "minilm-code/L6@s[100:200]",
        "--measures", "dot,contrasim", "--epochs", "2",
      ]
      let refused = try scratch.run(arguments + ["--train-examples", "s", "--store", scratch.store])
      #expect(refused.status == 1, "\(refused)")
      #expect(refused.stderr.contains("the projections train on 100 of the 100 test examples"), "\(refused)")
      #expect(refused.stderr.contains("--allow-overlap"), "\(refused)")
      let disjoint = try scratch.succeed(arguments + ["--train-examples", "s[0:100]"])
      #expect(!disjoint.stderr.contains("test examples"), "\(disjoint)")
      let allowed = try scratch.succeed(arguments + ["--train-examples", "s", "--allow-overlap"])
      #expect(allowed.stderr.contains("train on 100 of the 100 test examples (--allow-overlap)"), "\(allowed)")
      // Closed-form measures train nothing: no check.
      try scratch.succeed(Array(arguments.prefix(6)) + ["--measures", "dot", "--train-examples", "s"])
    }
  }
}
