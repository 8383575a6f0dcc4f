import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `repstore query`: the statements of docs/query-language.md, statement files, and their failures.
@Suite("The query language from the command line") struct QueryTests {
  /// Every line of the ```query blocks of docs/query-language.md.
  static func documentedStatements() throws -> [String] {
    let file = PackageFiles.root.appendingPathComponent("docs/query-language.md")
    let text = try String(contentsOf: file, encoding: .utf8)
    var statements: [String] = []
    var inBlock = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") {
        inBlock = line == "```query"
        continue
      }
      if inBlock && !line.trimmingCharacters(in: .whitespaces).isEmpty { statements.append(String(line)) }
    }
    return statements
  }

  @Test("every example of docs/query-language.md runs and succeeds")
  func documentedExamples() throws {
    let statements = try Self.documentedStatements()
    #expect(statements.count >= 10)
    try withScratch { scratch in
      try SimTests.store(scratch)
      for statement in statements {
        let result = try scratch.run(["query", statement, "--store", scratch.store])
        #expect(result.status == 0, "\(statement): \(result)")
        #expect(!result.stdout.isEmpty || statement.hasPrefix("show projections"), "\(statement)")
      }
      // The heatmap example wrote a well-formed SVG with one cell per pair (L1..L6 × L1..L6).
      let svg = try Data(contentsOf: URL(fileURLWithPath: scratch.path("cka-seed0-seed1.svg")))
      let counter = CellCounter()
      let parser = XMLParser(data: svg)
      parser.delegate = counter
      #expect(parser.parse(), "the heatmap parses as XML")
      #expect(counter.cells == 36, "\(counter.cells) cells")
    }
  }

  @Test("a statement file continues past a failure and reports it; --fail-fast stops; exit 0 only if all succeed")
  func statementFiles() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let script = try scratch.write(
        """
        # two good statements around two bad ones
        show models
        sim cka seed0/L1@digits-test nosuchmodel/L1@digits-test
        sim cka seed0/L1@digits-test seed1/L1..L2@digits-test --format csv; drop table 42
        show tables
        """, to: "analysis.rsq")
      let all = try scratch.run(["query", "-f", script, "--store", scratch.store])
      #expect(all.status == 1)
      #expect(all.stdout.contains("seed0") && all.stdout.contains("a,b,value,reason,measure"), "\(all)")
      #expect(all.stdout.contains("sim cka model:seed0/L1@digits-test"), "show tables ran last: \(all)")
      #expect(all.stderr.contains("statement 2 (line 3)") && all.stderr.contains("nosuchmodel"), "\(all)")
      #expect(all.stderr.contains("statement 4 (line 4): no stored table 42"), "\(all)")
      #expect(all.stderr.contains("2 of 5 statements failed"), "\(all)")

      let stopped = try scratch.run(["query", "-f", script, "--fail-fast", "--store", scratch.store])
      #expect(stopped.status == 1 && !stopped.stdout.contains("a,b,value"), "\(stopped)")

      let good = try scratch.run(
        ["query", "show examples; show measures", "--store", scratch.store, "--format", "csv"])
      #expect(good.status == 0 && good.stdout.contains("digits-test") && good.stdout.contains("cka.debiased"), "\(good)")
    }
  }

  @Test("a statement file that is not UTF-8 is refused in one line naming the file and the byte")
  func invalidUTF8() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let script = try scratch.write(Array("show models\nsim cka a".utf8) + [0xFF] + Array(" b\n".utf8), to: "bad.rsq")
      let result = try scratch.run(["query", "-f", script, "--store", scratch.store])
      #expect(result.status == 1 && result.stdout.isEmpty, "\(result)")
      #expect(result.stderrLines == ["repstore: \(script): not UTF-8 text: invalid byte 0xFF at byte 21 (statements are "
        + "UTF-8)"], "\(result)")
    }
  }

  @Test("syntax errors point at the column with a caret; sim arguments parse through the same grammar")
  func syntaxErrors() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let bad = try scratch.run(["query", "sim cka seed0/L1 seed1/L1 with reduce=argmx", "--store", scratch.store])
      #expect(bad.status == 1)
      let lines = bad.stderr.split(separator: "\n").map(String.init)
      #expect(lines.count == 3, "\(bad)")
      #expect(lines.first == "repstore: sim cka seed0/L1 seed1/L1 with reduce=argmx")
      // The caret stands under the 'a' of 'argmx' on the line above.
      let caret = lines[1].firstIndex(of: "^").map { lines[1].distance(from: lines[1].startIndex, to: $0) }
      #expect(caret == "repstore: sim cka seed0/L1 seed1/L1 with reduce=".count, "\(bad)")
      #expect(lines.last?.contains("did you mean 'argmax'") == true, "\(bad)")

      let subset = try scratch.succeed("sim", "cka", "seed0/L1@digits-test[0:100]", "seed1/L1@digits-test", "--format",
                                       "json")
      #expect(subset.stdout.contains("\"example_count\": 100"), "\(subset)")
      let badSelector = try scratch.run(["sim", "cka", "seed0/{L1", "seed1/L1", "--store", scratch.store])
      #expect(badSelector.status != 0 && badSelector.stderr.contains("^"), "\(badSelector)")
      let stray = try scratch.run(["sim", "cka", "seed0/L1", "seed1/L1", "--epochs", "3", "--store", scratch.store])
      #expect(stray.status == 64 && stray.stderr.contains("--train-on"), "a usage error: \(stray)")
    }
  }

  @Test("train stores a projection; sim contrasim --using compares through it and flags its training examples")
  func trainAndCompare() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      try scratch.succeed(
        "import", PackageFiles.digits("seed1_train.npz"), "--model", "seed1", "--examples", "digits-train", "--keys",
        PackageFiles.digits("train.keys"), "-q")
      let train = try scratch.succeed(
        "train", "contrasim", "probe", "seed{0,1}/L*@digits-train", "--epochs", "2", "--batch", "256", "--lr", "0.001",
        "--seed", "3")
      // Not a terminal: the first epoch (the pace), then one summary line; no line per epoch.
      #expect(train.stderr.contains("epoch 1/2: loss") && !train.stderr.contains("epoch 2/2")
        && train.stderr.contains("trained 'probe': 2 epochs in ") && train.stderr.contains("projection 'probe' stored"),
        "\(train)")
      let listed = try scratch.run(["query", "show projections", "--format", "csv", "--store", scratch.store])
      #expect(listed.stdout.split(separator: "\n").count == 2
        && listed.stdout.contains("\nprobe,contrasim,no,seed0 seed1,L1 L2 L3 L4 L5 L6,digits-train,1257,same-layer,2,,"),
              "\(listed)")
      let test = try scratch.succeed(
        "sim", "contrasim", "seed0/L*@digits-test", "seed1/L*@digits-test", "--using", "probe", "--format", "csv")
      let values = test.stdout.split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: ",")[2]) }
      #expect(values.count == 36 && values.allSatisfy { $0 >= -1 && $0 <= 1 }, "\(test)")
      #expect(!test.stderr.contains("inflated"), "\(test)")
      let onTraining = try scratch.succeed(
        "sim", "contrasim", "seed0/L1@digits-train", "seed1/L1@digits-train", "--using", "probe")
      #expect(onTraining.stderr.contains("was trained on 1257 of the 1257 examples compared"), "\(onTraining)")
      let wrongWidth = try scratch.run(
        ["sim", "contrasim", "seed0/out@digits-test", "seed1/out@digits-test", "--using", "probe", "--store",
         scratch.store])
      // Every hidden layer is 40 wide, so the projection has one encoder, for 40, and none for the 10 logits.
      #expect(wrongWidth.status == 1 && wrongWidth.stderr.contains("rows of 40 values, not 10"), "\(wrongWidth)")
      let missing = try scratch.run(["sim", "deepdot", "seed0/L1@digits-test", "seed1/L1@digits-test", "--store",
                                     scratch.store])
      #expect(missing.status == 64 && missing.stderr.contains("--using NAME"), "a usage error: \(missing)")
      let again = try scratch.run(["train", "contrasim", "probe", "seed{0,1}/L*@digits-train", "--store", scratch.store])
      #expect(again.status == 1 && again.stderr.contains("exists already"), "\(again)")

      // A held-out tenth of the examples: its loss is reported each epoch and recorded with the projection.
      let held = try scratch.succeed(
        "train", "contrasim", "held", "--on", "seed{0,1}/L*@digits-train", "--epochs", "3", "--batch", "256", "--lr", "0.001",
        "--validation", "0.1", "--log-every", "1")
      #expect(held.stderr.contains("epoch 3/3: loss") && held.stderr.contains(", held-out ")
        && held.stderr.contains("the lowest held-out loss"), "\(held)")
      let tooFew = try scratch.run(["train", "contrasim", "few", "seed{0,1}/L*@digits-train[0:10]", "--validation",
                                    "0.05", "--store", scratch.store])
      #expect(tooFew.status == 1 && tooFew.stderr.contains("holds out 1"), "\(tooFew)")
    }
  }

  @Test("""
    layer prediction on the digits networks: ContraSim trained on the train split gets every layer of the test \
    split; linear CKA does not
    """)
  func layerPrediction() throws {
    try withScratch { scratch in
      for seed in 0 ..< 4 {
        for split in ["train", "test"] {
          try scratch.succeed(
            "import", PackageFiles.digits("seed\(seed)_\(split).npz"), "--model", "seed\(seed)", "--examples",
            "digits-\(split)", "--keys", PackageFiles.digits("\(split).keys"), "-q")
        }
      }
      // The projection is trained by the first sim that asks for it (--train-on) and reused by the second.
      let training = ["--train-on", "seed{0..3}/L*@digits-train", "--epochs", "15", "--batch", "256", "--lr", "0.001"]
      /// Layers of A whose best match in B (argmax) is the same layer.
      func correct(_ measure: String, _ a: Int, _ b: Int) throws -> Int {
        let result = try scratch.succeed(
          ["sim", measure, "seed\(a)/L*@digits-test", "seed\(b)/L*@digits-test", "--reduce", "argmax", "--format",
           "csv", "-q"] + (measure == "contrasim" ? training : []))
        return result.stdout.split(separator: "\n").dropFirst().filter { line in
          let fields = line.split(separator: ",")
          return fields.count > 1 && fields[0].split(separator: "/").last == fields[1].split(separator: "/").last
        }.count
      }
      // Measured: ContraSim 6/6 on both pairs; linear CKA 2/6 and 2/6 (chance is 1/6).
      #expect(try correct("contrasim", 0, 1) == 6 && correct("contrasim", 2, 3) == 6)
      let listed = try scratch.succeed("query", "show projections", "--format", "csv")
      #expect(listed.stdout.split(separator: "\n").count == 2 && listed.stdout.contains("\ncontrasim-"), "\(listed)")
      let reused = try scratch.succeed(
        ["sim", "contrasim", "seed0/L1@digits-test", "seed2/L1@digits-test"] + training)
      #expect(reused.stderr.contains("trained earlier on the same --train-on layers"), "\(reused)")
      let both = try scratch.run(
        ["sim", "contrasim", "seed0/L1@digits-test", "seed2/L1@digits-test", "--using", "x", "--store", scratch.store]
          + training)
      #expect(both.status == 64 && both.stderr.contains("not both"), "\(both)")
      #expect(try correct("cka", 0, 1) + correct("cka", 2, 3) < 12)
    }
  }

  @Test("drop table removes a stored table; show tables lists what is left")
  func dropTable() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      try scratch.succeed("sim", "cka", "seed0/L1@digits-test", "seed1/L1@digits-test")
      try scratch.succeed("sim", "dot", "seed0/L1@digits-test", "seed1/L1@digits-test")
      let dropped = try scratch.run(["query", "drop table 1; show tables", "--format", "csv", "--store", scratch.store])
      #expect(dropped.status == 0, "\(dropped)")
      let rows = dropped.stdout.split(separator: "\n")
      #expect(rows.count == 2 && rows[1].hasPrefix("2,dot,"), "\(dropped)")
    }
  }
}

/// Counts the heatmap's cell rectangles.
private final class CellCounter: NSObject, XMLParserDelegate {
  var cells = 0
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    if elementName == "rect" && attributes["class"] == "cell" { cells += 1 }
  }
}
