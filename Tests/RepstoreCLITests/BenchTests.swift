import Foundation
import Testing

/// `repstore bench` end to end on the shipped digits networks: six MLPs that differ only in seed.
@Suite("Benchmarks from the command line") struct BenchTests {
  /// Imports the train and test activations of seeds 0 to 5.
  static func store(_ scratch: Scratch, seeds: ClosedRange<Int> = 0 ... 5) throws {
    for seed in seeds {
      for split in ["train", "test"] {
        try scratch.succeed(
          "import", PackageFiles.digits("seed\(seed)_\(split).npz"), "--model", "seed\(seed)", "--examples",
          "digits-\(split)", "--keys", PackageFiles.digits("\(split).keys"), "-q")
      }
    }
  }

  /// CSV rows `measure,subject,correct,total,accuracy,chance,collapsed` as (measure, subject) → (correct, total,
  /// chance, collapsed).
  static func rows(_ csv: String) -> [String: (correct: Int, total: Int, chance: Double, collapsed: Bool)] {
    var rows: [String: (Int, Int, Double, Bool)] = [:]
    for line in csv.split(separator: "\n").dropFirst() {
      let fields = line.split(separator: ",").map(String.init)
      guard fields.count == 7, let correct = Int(fields[2]), let total = Int(fields[3]), let chance = Double(fields[5]),
        let collapsed = Bool(fields[6])
      else { continue }
      rows[fields[0] + "|" + fields[1]] = (correct, total, chance, collapsed)
    }
    return rows
  }

  @Test("""
    layer prediction: ContraSim trained on the train split of seeds 0-3 predicts every layer on the test split; \
    linear CKA does not; the unseen seeds are reported; a second run reads the stored run back
    """)
  func layerPrediction() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let arguments = [
        "bench", "layer-prediction", "--models", "seed*/L*", "--test-examples", "digits-test", "--measures",
        "cka,dot,contrasim", "--train-models", "seed{0..3}", "--train-examples", "digits-train", "--epochs", "15",
        "--batch", "256", "--lr", "0.001",
      ]
      let svg = scratch.path + "/lp.svg"
      let first = try scratch.succeed(arguments + ["--format", "csv", "--heatmap", svg])
      let rows = Self.rows(first.stdout)
      #expect(first.stdout.hasPrefix("measure,pair,correct,total,accuracy,chance,collapsed\n"), "\(first)")
      // Seeds 0-3 were trained on (their train split); the decisions are on the test split.
      #expect(rows["contrasim|seed0 vs seed1"]?.correct == 6 && rows["contrasim|seed2 vs seed3"]?.correct == 6,
              "\(first)")
      // Measured: linear CKA 2/6, 2/6, 1/6 (chance 1/6).
      let cka = try #require(rows["cka|all"])
      #expect(cka.total == 18 && cka.correct < 12 && abs(cka.chance - 1.0 / 6) < 1e-5, "\(first)")
      // Seeds 4 and 5 were never trained on: reported, whatever the figure (measured: 2/6).
      let unseen = try #require(rows["contrasim|seed4 vs seed5"])
      #expect(unseen.total == 6 && unseen.correct <= 6)
      #expect(first.stderr.contains("training projection 'contrasim-") && first.stderr.contains("stored as benchmark run"),
              "\(first)")
      let picture = try String(contentsOfFile: svg, encoding: .utf8)
      // Three measures × (three pairs + all).
      #expect(picture.components(separatedBy: "class=\"cell\"").count - 1 == 12)

      let again = try scratch.succeed(arguments)
      #expect(again.stderr.contains("read back benchmark run") && !again.stderr.contains("training projection"),
              "\(again)")
      #expect(again.stdout.contains("chance 16.7%") && again.stdout.contains("contrasim"), "\(again)")
      let json = try scratch.succeed(arguments + ["--format", "json", "-q"])
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json)")
      #expect(object["benchmark"] as? String == "layer-prediction" && (object["measures"] as? [Any])?.count == 3)
      #expect((object["projections"] as? [String: String])?["contrasim"]?.hasPrefix("contrasim-") == true)

      let runs = try scratch.succeed("bench", "runs", "--format", "csv")
      #expect(runs.stdout.split(separator: "\n").count == 2 && runs.stdout.contains("\n1,layer-prediction,"), "\(runs)")
      let listed = try scratch.succeed("query", "show benchmarks", "--format", "csv")
      #expect(listed.stdout == runs.stdout, "\(listed)")
      let shown = try scratch.succeed("bench", "show", "1", "--format", "csv")
      #expect(shown.stdout == first.stdout, "bench show prints what the run printed: \(shown)")

      let noTraining = try scratch.run(
        ["bench", "layer-prediction", "--models", "seed*/L*", "--test-examples", "digits-test", "--measures",
         "contrasim", "--store", scratch.store])
      // A learned measure without its training examples is a usage error (EX_USAGE, as for a missing option).
      #expect(noTraining.status == 64 && noTraining.stderr.contains("--train-examples"), "\(noTraining)")
      let oneModel = try scratch.run(
        ["bench", "layer-prediction", "--models", "seed0", "--test-examples", "digits-test", "--store", scratch.store])
      #expect(oneModel.status == 1 && oneModel.stderr.contains("only 1 model"), "\(oneModel)")
    }
  }

  @Test("""
    retrieval between two models' layers: CKA finds the paired rows among random sets, hard (kNN) negatives bring \
    it down, a trained ContraSim keeps finding them
    """)
  func retrieval() throws {
    try withScratch { scratch in
      try Self.store(scratch, seeds: 0 ... 1)
      let views = ["bench", "retrieval", "--query", "seed0/L{1,2}@digits-test", "--target", "seed1/L{1,2}@digits-test"]
      let random = Self.rows(try scratch.succeed(views + ["--measures", "cka,dot", "--format", "csv", "-q"]).stdout)
      // Measured: CKA 67/67 at L1 and L2 against random sets; 540 examples make 67 sets of 8.
      #expect(random["cka|L1"]?.total == 67 && random["cka|L1"]!.correct >= 60, "\(random)")
      #expect(abs((random["cka|L1"]?.chance ?? 0) - 1.0 / 11) < 1e-5)
      let hard = try scratch.succeed(
        views + ["--measures", "cka,contrasim", "--negatives", "knn", "--train-examples", "digits-train", "--epochs",
                 "20", "--batch", "256", "--lr", "0.001", "--format", "csv"])
      let rows = Self.rows(hard.stdout)
      // Measured: CKA 40/67 and 22/67, ContraSim 67/67 and 66/67.
      for layer in ["L1", "L2"] {
        let (cka, contrasim) = (try #require(rows["cka|\(layer)"]), try #require(rows["contrasim|\(layer)"]))
        #expect(cka.correct < random["cka|\(layer)"]!.correct, "\(layer): \(hard)")
        #expect(contrasim.correct >= 60 && contrasim.correct > cka.correct, "\(layer): \(hard)")
      }
      #expect(hard.stderr.contains("contrasim compared through projections L1 contrasim-"), "\(hard)")
      let mismatch = try scratch.run(
        ["bench", "retrieval", "--query", "seed0/L1@digits-test", "--target", "seed1/L2@digits-test", "--store",
         scratch.store])
      #expect(mismatch.status == 1 && mismatch.stderr.contains("the same layers"), "\(mismatch)")
    }
  }
}
