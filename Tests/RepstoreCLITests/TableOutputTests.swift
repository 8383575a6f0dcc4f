import Foundation
import Testing

/// How tables and benchmarks are shown: short labels and folding for people, the diagonal alone, a note with the way
/// out when a measure is undefined everywhere, n/a instead of a fake 0%, and example sets that are one in all but name.
@Suite("Tables and benchmarks as shown") struct TableOutputTests {
  /// The docstring and code views of the shipped text test split: 200 examples, layers L0..L6, 384 wide.
  static func textStore(_ scratch: Scratch) throws {
    for model in ["doc", "code"] {
      try scratch.succeed(
        "import", PackageFiles.text("minilm-\(model)_test.npz"), "--model", model, "--examples", "text-test", "--keys",
        PackageFiles.text("test.keys"), "-q")
    }
  }

  /// The stderr lines that contain `fragment`.
  static func lines(_ text: String, containing fragment: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { $0.contains(fragment) }
  }

  @Test("sim of CCA measures at n < 2·d: the NaN table, and one note on stderr with what works there")
  func undefinedEverywhere() throws {
    try withScratch { scratch in
      try Self.textStore(scratch)
      let nan = try scratch.succeed("sim", "cca.mean,pwcca", "doc/*@text-test", "code/*@text-test")
      let rows = nan.stdout.split(separator: "\n").filter { $0.split(separator: " ").filter { $0 == "NaN" }.count == 7 }
      #expect(rows.count == 2 * 7 && !nan.stdout.contains("0."), "\(nan)")
      #expect(Self.lines(nan.stderr, containing: "NaN") == [
        "cca.mean, pwcca: every cell is NaN (n too small: rank X + rank Y ≥ n, canonical correlations are "
          + "trivially 1); svcca(k=20) or cka work with n < 2·d"
      ], "\(nan)")
      // What it suggests works, and a defined table says nothing of the kind.
      let suggested = try scratch.succeed("sim", "svcca(k=20),cka", "doc/*@text-test", "code/*@text-test")
      #expect(!suggested.stdout.contains("NaN") && !suggested.stderr.contains("NaN"), "\(suggested)")
    }
  }

  @Test("""
    bench layer-prediction with its defaults at n < 2·d: pwcca and svcca(var=0.99) are n/a, never 0%, with one \
    note; bench show and the heatmap show the same
    """)
  func benchUndefinedMeasures() throws {
    try withScratch { scratch in
      try Self.textStore(scratch)
      let svg = scratch.path("lp.svg")
      let arguments = ["bench", "layer-prediction", "--models", "{doc,code}", "--test-examples", "text-test[0:100]"]
      let first = try scratch.succeed(arguments + ["--heatmap", svg])
      let table = first.stdout.split(separator: "\n").map(String.init)
      for measure in ["pwcca", "svcca(var=0.99)"] {
        let row = try #require(table.first { $0.hasPrefix(measure + " ") }, "\(first)")
        #expect(row.split(separator: " ").dropFirst().map(String.init) == ["n/a", "n/a"], "\(first)")
      }
      #expect(table.first { $0.hasPrefix("cka ") }?.contains("/7") == true, "\(first)")
      #expect(Self.lines(first.stderr, containing: "n/a:") == [
        "pwcca, svcca(var=0.99): no decisions, shown as n/a: undefined (NaN) on every input (n too small: "
          + "rank X + rank Y ≥ n, canonical correlations are trivially 1); svcca(k=20) or cka work with n < 2·d"
      ], "\(first)")
      // Per pair, while running: all NaN (whether that is n/a or counted wrong is known at the end).
      #expect(first.stderr.contains("code vs doc: cka "), "\(first)")
      #expect(first.stderr.contains("pwcca all NaN, svcca(var=0.99) all NaN"), "\(first)")
      #expect(!first.stderr.contains("counted wrong"), "\(first)")

      let csv = BenchTests.rows(try scratch.succeed(arguments + ["--format", "csv", "-q"]).stdout)
      #expect(csv["pwcca|all"]?.total == 0 && csv["pwcca|code vs doc"]?.total == 0 && csv["cka|all"]?.total == 7)
      let json = try scratch.succeed(arguments + ["--format", "json", "-q"])
      #expect(
        json.stdout.contains("{\"measure\": \"pwcca\", \"correct\": 0, \"total\": 0, \"accuracy\": null"), "\(json)")

      // Stored: shown again as it was.
      let shown = try scratch.succeed("bench", "show", "1")
      #expect(shown.stdout == first.stdout, "\(shown)")
      #expect(shown.stderr.contains(
        "pwcca, svcca(var=0.99): no decisions, shown as n/a: undefined (NaN) on every input when the run was computed"),
        "\(shown)")

      // The heatmap hatches the n/a cells (two measures: the pair and all) and says what hatching and colours mean.
      let picture = try String(contentsOfFile: svg, encoding: .utf8)
      let hatched = picture.components(separatedBy: "fill=\"url(#repstore-nan-hatch)\"").count - 1
      #expect(hatched == 4 + 1, "four cells and the legend's swatch")
      #expect(picture.contains(">n/a: no decisions (undefined on every input)<"))
      #expect(picture.contains(">accuracy </tspan>") && picture.contains(">(right decisions / all)</tspan>"))
      #expect(!picture.contains("more similar"))
    }
  }

  @Test("bench retrieval: a measure undefined on every set of 8 rows is n/a too, with what works on 8 rows")
  func retrievalUndefinedMeasure() throws {
    try withScratch { scratch in
      try Self.textStore(scratch)
      let result = try scratch.succeed(
        "bench", "retrieval", "--query", "doc/L5..L6@text-test", "--target", "code/L5..L6@text-test", "--measures",
        "cka,pwcca")
      let row = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("pwcca ") }, "\(result)")
      #expect(row.split(separator: " ").dropFirst() == ["n/a", "n/a", "n/a"], "\(result)")
      #expect(Self.lines(result.stderr, containing: "n/a:") == [
        "pwcca: no decisions, shown as n/a: undefined (NaN) on every input (n too small: rank X + rank Y ≥ "
          + "n, canonical correlations are trivially 1); svcca(k=3) or cka work with n < 2·d"
      ], "\(result)")
    }
  }

  @Test("--reduce diag prints the diagonal alone, one line or row per pair, in every format")
  func diagonal() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let arguments = ["sim", "cka", "seed0/L*@digits-test", "seed1/L*@digits-test", "--reduce", "diag", "-q"]
      let csv = try scratch.succeed(arguments + ["--format", "csv"])
      let rows = csv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
      #expect(rows.map { [$0[0], $0[1]] } == (1...6).map { ["seed0/L\($0)", "seed1/L\($0)"] }, "\(csv)")
      #expect(rows[0][2].hasPrefix("0.7699"), "linear CKA of the first layers; numpy says 0.76990378")
      let tsv = try scratch.succeed(arguments + ["--format", "tsv"])
      #expect(tsv.stdout == csv.stdout.replacingOccurrences(of: ",", with: "\t"))
      let json = try scratch.succeed(arguments + ["--format", "json"])
      let object = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
      #expect((object["cells"] as? [[String: Any]])?.count == 6 && (object["rows"] as? [String])?.count == 6)
      let text = try scratch.succeed(arguments)
      let lines = text.stdout.split(separator: "\n")
      #expect(lines.count == 7 && lines[0].hasPrefix("seed0/L1  vs  seed1/L1  0.7699"), "\(text)")
      for output in [csv, tsv, json, text] {
        #expect(!output.stdout.contains("NaN") && !output.stdout.contains("null"), "\(output)")
      }
    }
  }

  @Test("""
    a 7×7 table of two models: layer names as labels under one caption line; folded to COLUMNS, or one line per \
    cell when not even one column fits; csv the same whatever COLUMNS says
    """)
  func wideTables() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let arguments = ["sim", "cka", "seed0/*@digits-test", "seed1/*@digits-test", "-q"]
      let plain = try scratch.succeed(arguments)
      let lines = plain.stdout.split(separator: "\n").map(String.init)
      #expect(lines[0] == "rows seed0/{layer}, columns seed1/{layer}", "\(plain)")
      #expect(lines[1] == "         L1      L2      L3      L4      L5      L6     out", "\(plain)")
      #expect(lines[2].hasPrefix("L1   0.7699  "), "\(plain)")
      #expect(lines.allSatisfy { $0.count <= 80 }, "\(plain)")
      let values = { (text: String) in
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { Double($0) != nil && $0.contains(".") }
          .sorted()
      }
      #expect(values(plain.stdout).count == 49)

      let folded = try scratch.run(arguments + ["--store", scratch.store], environment: ["COLUMNS": "40"])
      let grid = folded.stdout.split(separator: "\n").filter {
        $0.hasPrefix(" ") || $0.hasPrefix("L") || $0.hasPrefix("out")
      }
      #expect(grid.count == 2 * 8 && grid.allSatisfy { $0.count <= 40 }, "\(folded)")
      #expect(values(folded.stdout) == values(plain.stdout), "\(folded)")

      let long = try scratch.run(arguments + ["--store", scratch.store], environment: ["COLUMNS": "10"])
      let cells = long.stdout.split(separator: "\n").dropFirst().prefix(49)
      #expect(cells.first == "L1   L1   0.7699" && cells.last?.hasPrefix("out  out  ") == true, "\(long)")
      #expect(values(long.stdout) == values(plain.stdout), "\(long)")

      let csv = try scratch.succeed(arguments + ["--format", "csv"])
      let narrowCSV = try scratch.run(
        arguments + ["--format", "csv", "--store", scratch.store], environment: ["COLUMNS": "10"])
      #expect(narrowCSV.stdout == csv.stdout && csv.stdout.contains("\nseed0/L1,seed1/L1,0.7699"))
    }
  }

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
