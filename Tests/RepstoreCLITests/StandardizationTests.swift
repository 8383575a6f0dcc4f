import Foundation
import Testing

/// ContraSim on real transformer states: a sentence's mean-pooled and [CLS] states (all-MiniLM-L6-v2, data/text) are
/// two views of one example whose raw [CLS] columns sit far from zero. Fed raw, training stays at the collapsed loss
/// and the run says so; standardized (the default for same-example training), it finds every pair.
@Suite("Standardized inputs and collapse")
struct StandardizationTests {
  static func store(_ scratch: Scratch) throws {
    for model in ["minilm-doc", "minilm-doc-cls"] {
      for split in ["train", "test"] {
        try scratch.succeed(
          "import", PackageFiles.text("\(model)_\(split).npz"), "--model", model, "--examples", "text-\(split)",
          "--keys", PackageFiles.text("\(split).keys"), "-q")
      }
    }
  }

  @Test("""
    mean vs [CLS] retrieval at L4 with kNN negatives: the default finds the pairs; --no-standardize collapses, \
    is reported, and bench marks its cells
    """)
  func meanVersusCLS() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let arguments = [
        "bench", "retrieval", "--query", "minilm-doc/L4@text-test", "--target", "minilm-doc-cls/L4@text-test",
        "--negatives", "knn", "--measures", "dot,contrasim", "--train-examples", "text-train", "--epochs", "30",
        "--batch", "128", "--lr", "0.001", "--format", "csv",
      ]
      // Measured (release build, seeds 0-2): 25/25 standardized; raw 11, 14 and 3 of 25, collapsed from epoch 2.
      let standardized = try scratch.succeed(arguments)
      let rows = BenchTests.rows(standardized.stdout)
      let contrasim = try #require(rows["contrasim|L4"], "\(standardized)")
      #expect(contrasim.total == 25 && contrasim.correct >= 24 && !contrasim.collapsed, "\(standardized)")
      #expect(rows["dot|L4"]?.correct ?? 25 < 10, "raw dot products fail here (measured 3/25): \(standardized)")
      #expect(!standardized.stderr.contains("collapsed"), "\(standardized)")

      let raw = try scratch.succeed(arguments + ["--no-standardize"])
      let collapsed = try #require(BenchTests.rows(raw.stdout)["contrasim|L4"], "\(raw)")
      #expect(collapsed.collapsed && collapsed.correct < 20, "\(raw)")
      #expect(raw.stderr.contains("training looks collapsed: since epoch "), "\(raw)")
      #expect(raw.stderr.contains("collapsed in training: since epoch "), "\(raw)")
      #expect(raw.stderr.contains("--standardize"), "\(raw)")
      let table = try scratch.succeed(Array(arguments.dropLast(2)) + ["--no-standardize"])
      #expect(table.stdout.contains("* through a projection whose training collapsed"), "\(table)")

      // The projections say how they were trained.
      let listing = try scratch.succeed("query", "show projections", "--format", "csv")
      let lines = listing.stdout.split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
      let header = try #require(lines.first)
      let inputs = try #require(header.firstIndex(of: "inputs"))
      let flag = try #require(header.firstIndex(of: "collapsed"))
      #expect(Set(lines.dropFirst().map { "\($0[inputs]) \($0[flag])" }) == ["standardized no", "raw yes"],
              "\(listing)")
    }
  }
}
