import Foundation
import Testing

/// `repstore sim` and `repstore measures` end to end, on the shipped digits activations.
@Suite("Similarity tables from the command line") struct SimTests {
  /// seed0 and seed1 on the test split, plus seed0 on the train split (another example set).
  static func store(_ scratch: Scratch) throws {
    for seed in ["seed0", "seed1"] {
      try scratch.succeed(
        "import", PackageFiles.digits("\(seed)_test.npz"), "--model", seed, "--examples", "digits-test", "--keys",
        PackageFiles.digits("test.keys"), "-q")
    }
    try scratch.succeed(
      "import", PackageFiles.digits("seed0_train.npz"), "--model", "seed0", "--examples", "digits-train", "--keys",
      PackageFiles.digits("train.keys"), "-q")
  }

  @Test("--explain and explain print the plan and compute, train and store nothing")
  func explain() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let plan = try scratch.succeed("sim", "cka,dot", "seed0/*@digits-test", "seed1/*@digits-test", "--explain")
      #expect(plan.stdout.hasPrefix("""
        plan: sim cka,dot model:seed0/*@digits-test model:seed1/*@digits-test
        examples: 540 (digits-test)
        table: 7 × 7 layers, 49 cells per measure
        measure cka: compute
        measure dot: compute
        route features (cka): 1 pass,
        """), "\(plan)")
      let trainPlan = try scratch.succeed(
        "query", "explain train contrasim p on seed0/*@digits-test seed1/*@digits-test --epochs 5")
      #expect(trainPlan.stdout.contains(
        "projection p: train, contrasim on 2 models × 7 layers, 540 examples (digits-test), same-layer positives, "
          + "5 epochs of 1024, lr 0.0001, out-dim 128, seed 0, inputs raw\n"), "\(trainPlan)")
      // Nothing was stored: the real run stores table 1, and no projection exists.
      let run = try scratch.succeed("sim", "cka", "seed0/L1@digits-test", "seed1/L1@digits-test")
      #expect(run.stderr.contains("cka: stored as table 1"), "\(run)")
      let projections = try scratch.succeed("query", "show projections")
      #expect(projections.stdout.isEmpty && projections.stderr.contains("no projections yet"), "\(projections)")
    }
  }

  @Test("CSV has a,b,value first and one row per cell; JSON parses with direction and cells")
  func formats() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let csv = try scratch.succeed("sim", "cka", "seed0/L*@digits-test", "seed1/L1..L3@digits-test", "--format", "csv")
      let lines = csv.stdout.split(separator: "\n")
      #expect(lines.first == "a,b,value,reason,measure")
      #expect(lines.count == 1 + 6 * 3)
      #expect(lines[1].hasPrefix("seed0/L1,seed1/L1,0.7699"), "linear CKA of the first layers; numpy says 0.76990378")
      let json = try scratch.succeed("sim", "cka.debiased,procrustes", "seed0/L1@digits-test", "seed1/L*@digits-test",
                                     "--format", "json")
      let tables = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [[String: Any]])
      #expect(tables.map { $0["measure"] as? String } == ["cka.debiased", "procrustes"])
      #expect(tables.map { $0["larger_is_similar"] as? Bool } == [true, false])
      #expect((tables[0]["cells"] as? [[String: Any]])?.count == 6)
      let ndjson = try scratch.succeed("sim", "cka", "seed0/L1@digits-test", "seed1/L*@digits-test", "--format", "ndjson")
      #expect(ndjson.stdout.split(separator: "\n").count == 6)
    }
  }

  @Test("--reduce argmax keeps one best column per row, and a distance picks its smallest")
  func argmax() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let best = try scratch.succeed(
        "sim", "cka,procrustes", "seed0/L*@digits-test", "seed1/L*@digits-test", "--reduce", "argmax", "--format", "csv")
      let rows = best.stdout.split(separator: "\n").dropFirst().map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
      #expect(rows.count == 12)
      let full = try scratch.succeed("sim", "procrustes", "seed0/L1@digits-test", "seed1/L*@digits-test", "--format", "csv")
      let values = full.stdout.split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: ",")[2]) }
      let smallest = try #require(rows.first { $0[0] == "seed0/L1" && $0[4] == "procrustes" })
      #expect(Double(smallest[2]) == values.min())
    }
  }

  @Test("different example sets are refused with how they differ; --intersect compares the common keys")
  func exampleSets() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let refused = try scratch.repstore("sim", "cka", "seed0/L1@digits-train", "seed1/L1@digits-test")
      #expect(refused.status == 1)
      #expect(refused.stderr.contains("'digits-train' (1257 rows) and 'digits-test' (540 rows) share 0 keys"), "\(refused)")
      let none = try scratch.repstore("sim", "cka", "seed0/L1@digits-train", "seed1/L1@digits-test", "--intersect")
      #expect(none.status == 1)
      #expect(none.stderr.contains("no key in common"), "\(none)")
    }
  }

  @Test("unknown measures, bad parameters and widths that must match are one-line errors", arguments: [
    (["sim", "ckaa", "seed0/L1@digits-test", "seed1/L1@digits-test"], "did you mean cka", Int32(1)),
    (["sim", "cka.rbf(treshold=1)", "seed0/L1@digits-test", "seed1/L1@digits-test"], "unknown; cka.rbf takes threshold",
     1),
    (["sim", "mknn(k=0)", "seed0/L1@digits-test", "seed1/L1@digits-test"], "parameter 'k'", 1),
    (["sim", "dot", "seed0/L1@digits-test", "seed1/out@digits-test"], "dot: width mismatch: X has 40 columns, Y has 10",
     1),
    // An option that the measures cannot follow is a usage error, refused while planning.
    (["sim", "cka,cca.mean", "seed0/L1@digits-test", "seed1/L1@digits-test", "--route", "grams"],
     "cca.mean has no Gram form", 64),
  ])
  func errors(arguments: [String], fragment: String, status: Int32) throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let result = try scratch.run(arguments + ["--store", scratch.store])
      #expect(result.status == status, "\(result)")
      #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("repstore: ") && result.stderr.contains(fragment),
              "\(result)")
    }
  }

  @Test("--route grams and --route features give the same table, and JSON names the route")
  func routes() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      var values: [String: [Double]] = [:]
      for route in ["grams", "features"] {
        let json = try scratch.succeed("sim", "cka", "seed0/L*@digits-test", "seed1/L*@digits-test", "--format", "json",
                                       "--route", route)
        let table = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        #expect(table["route"] as? String == route)
        values[route] = (table["cells"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? Double }
        #expect(json.stderr.contains("Gram route") == (route == "grams"), "\(json)")
      }
      #expect(values["grams"]?.count == 36)
      for (g, f) in zip(values["grams"] ?? [], values["features"] ?? []) { #expect(abs(g - f) <= 1e-6 * abs(f)) }
    }
  }

  @Test("sim stores its table: asked again it is read back; repstore tables and table N show it")
  func materialized() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let arguments = ["sim", "cka,procrustes", "seed0/L*@digits-test", "seed1/L1..L2@digits-test", "--format", "csv"]
      let first = try scratch.succeed(arguments)
      #expect(first.stderr.contains("cka: stored as table 1") && first.stderr.contains("procrustes: stored as table 2"),
              "\(first)")
      let second = try scratch.succeed(arguments)
      #expect(second.stdout == first.stdout)
      #expect(second.stderr.contains("cka: read back stored table 1"), "\(second)")
      let listing = try scratch.succeed("tables", "--format", "csv")
      let lines = listing.stdout.split(separator: "\n")
      #expect(lines.count == 3 && lines[1].hasPrefix("1,cka,6×2,12/12,complete,"), "\(listing)")
      let shown = try scratch.succeed("table", "1", "--format", "csv")
      #expect(first.stdout.hasPrefix(shown.stdout))
      let missing = try scratch.repstore("table", "9", "--store", scratch.store)
      #expect(missing.status != 0 && missing.stderr.contains("no stored table 9 (stored: 1, 2)"), "\(missing)")
      let again = try scratch.succeed(arguments + ["--recompute"])
      #expect(again.stderr.contains("stored as table 3"), "\(again)")
    }
  }

  @Test("repstore measures lists every measure with direction and definition")
  func measures() throws {
    try withScratch { scratch in
      let listed = try scratch.succeed("measures", "--format", "csv")
      let lines = listed.stdout.split(separator: "\n")
      #expect(lines.first == "id,larger_is_similar,symmetric,range,invariances,definition")
      for id in ["cka", "cka.debiased", "cka.rbf(threshold=1.0)", "cca.mean", "svcca(var=0.99)", "pwcca", "procrustes",
                 "rsa(rdm=correlation,compare=spearman)", "mknn(k=10)", "dot", "norm", "pwcca.contrasim",
                 "mknn.jaccard(k=10)", "mknn.rank(k=10)", "mknn.second_order(k=10)", "cknna(k=10)"] {
        #expect(lines.contains { $0.hasPrefix(id.contains(",") ? "\"\(id)\"," : "\(id),") }, "\(id)")
      }
    }
  }
}
