import Foundation
import Testing

/// `ls`: selectors with patterns and ranges over the shipped digits data, natural order, the table, CSV, TSV and JSON
/// forms, and the errors for selectors that match nothing or do not parse.
@Suite("Selectors and listings")
struct ListingTests {
  static let columns =
    "model,layer,examples,rows,columns,source_dtype,stored_bytes,raw_bytes,ratio,blocks,digest,source,imported_at"
  static let widths = ["L1": 40, "L2": 40, "L3": 40, "L4": 40, "L5": 40, "L6": 40, "out": 10]

  /// seed0, seed1 and seed2 on the test split (set digits-test), and seed0 on the train split (set digits-train).
  static func digitsStore(_ scratch: Scratch) throws {
    for seed in ["seed0", "seed1", "seed2"] {
      try scratch.succeed(
        "import", PackageFiles.digits("\(seed)_test.npz"), "--model", seed, "--examples", "digits-test", "--keys",
        PackageFiles.digits("test.keys"), "-q")
    }
    try scratch.succeed(
      "import", PackageFiles.digits("seed0_train.npz"), "--model", "seed0", "--examples", "digits-train", "--keys",
      PackageFiles.digits("train.keys"), "-q")
  }

  static func names(_ models: [String], _ layers: [String], _ set: String = "digits-test") -> [String] {
    models.flatMap { model in layers.map { "\(model)/\($0)@\(set)" } }
  }

  static let selections: [(selector: String, tensors: [String])] = [
    ("model:seed{0,1}/L2..L4@digits-test", names(["seed0", "seed1"], ["L2", "L3", "L4"])),
    ("seed{0,1}/L2..L4@digits-test", names(["seed0", "seed1"], ["L2", "L3", "L4"])),
    (
      "seed*/out",
      ["seed0/out@digits-test", "seed0/out@digits-train", "seed1/out@digits-test", "seed2/out@digits-test"]
    ),
    ("seed[12]/L6", names(["seed1", "seed2"], ["L6"])),
    ("seed[!0]/L1", names(["seed1", "seed2"], ["L1"])),
    ("seed0/*@digits-train", names(["seed0"], ["L1", "L2", "L3", "L4", "L5", "L6", "out"], "digits-train")),
    ("seed2", names(["seed2"], ["L1", "L2", "L3", "L4", "L5", "L6", "out"])),
    ("*/L5..L9@*-test", names(["seed0", "seed1", "seed2"], ["L5", "L6"])),
    ("seed?/L?@digits-train", names(["seed0"], ["L1", "L2", "L3", "L4", "L5", "L6"], "digits-train")),
    ("model:seed1/{out,L1}", names(["seed1"], ["L1", "out"])),
  ]

  @Test("selectors pick exactly these tensors, in natural order", arguments: selections)
  func selectors(selector: String, tensors: [String]) throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      #expect(try scratch.listing(selector).map(tensorName) == tensors)
    }
  }

  @Test("CSV, TSV and JSON carry every column, the same values, and JSON numbers as numbers")
  func machineFormats() throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      let selector = "model:seed{0,1}/L2..L4@digits-test"
      let csv = try scratch.repstore("ls", selector, "--format", "csv")
      let tsv = try scratch.repstore("ls", selector, "--format", "tsv")
      #expect(csv.succeeded && tsv.succeeded)
      let csvLines = csv.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      let tsvLines = tsv.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      #expect(csvLines.first == Self.columns)
      #expect(tsvLines.first == Self.columns.replacingOccurrences(of: ",", with: "\t"))
      #expect(csvLines.count == 1 + 6 + 1 && csvLines.last == "", "header, six rows, final newline")
      #expect(tsvLines.count == csvLines.count)

      let json = try scratch.listing(selector)
      #expect(json.count == 6)
      let columnNames = Self.columns.split(separator: ",").map(String.init)
      for (index, row) in json.enumerated() {
        #expect(Set(row.keys) == Set(columnNames))
        let csvFields = csvLines[index + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let tsvFields = tsvLines[index + 1].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        #expect(csvFields == tsvFields)
        #expect(csvFields.count == columnNames.count)
        for (name, field) in zip(columnNames, csvFields) {
          #expect("\(row[name] ?? "missing")" == field, "\(name) of row \(index)")
        }
        for name in ["rows", "columns", "stored_bytes", "raw_bytes", "blocks"] {
          #expect(row[name] is Int, "\(name) is \(type(of: row[name]))")
        }
        for name in ["model", "layer", "examples", "source_dtype", "digest", "source", "imported_at"] {
          #expect(row[name] is String, "\(name) is \(type(of: row[name]))")
        }
        let layer = row["layer"] as? String ?? ""
        let rows = try #require(row["rows"] as? Int)
        let columns = try #require(row["columns"] as? Int)
        let stored = try #require(row["stored_bytes"] as? Int)
        let raw = try #require(row["raw_bytes"] as? Int)
        #expect(rows == 540)
        #expect(columns == Self.widths[layer])
        #expect(raw == rows * columns * 4)
        #expect(stored > 0 && stored < raw, "digits activations compress")
        let ratio = try #require(row["ratio"] as? Double)
        #expect(abs(ratio - Double(stored) / Double(raw)) < 1e-12)
        #expect(row["blocks"] as? Int == 1)
        #expect(row["source_dtype"] as? String == "float32")
        let digest = row["digest"] as? String ?? ""
        #expect(digest.count == 16 && digest.allSatisfy(\.isHexDigit), "\(digest)")
        let model = row["model"] as? String ?? ""
        #expect(row["source"] as? String == PackageFiles.digits("\(model)_test.npz") + ":\(layer)")
        let importedAt = row["imported_at"] as? String ?? ""
        #expect(ISO8601DateFormatter().date(from: importedAt) != nil, "\(importedAt)")
      }
      // Models differ only in their seed, so every tensor's content, and digest, differs.
      #expect(Set(json.map { $0["digest"] as? String ?? "" }).count == 6)
    }
  }

  @Test("the table: header, aligned rows, totals")
  func table() throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      let table = try scratch.repstore("ls", "seed1")
      #expect(table.succeeded)
      let lines = table.stdout.split(separator: "\n").map(String.init)
      #expect(lines.count == 1 + 7 + 1)
      #expect(lines.first == "MODEL  LAYER  EXAMPLES     ROWS  COLS  DTYPE     STORED      RAW  RATIO")
      #expect(
        lines.dropFirst().dropLast().map { $0.split(separator: " ").prefix(6).joined(separator: " ") }
          == ["L1", "L2", "L3", "L4", "L5", "L6", "out"].map {
            "seed1 \($0) digits-test 540 \(Self.widths[$0]!) float32"
          })
      #expect(lines.last?.hasPrefix("7 tensors in 1 model: ") == true, "\(lines.last ?? "")")
      #expect(
        lines.last?.contains("540 KB raw") == true,
        "540 rows × 250 columns × 4 bytes = 540,000 bytes: \(lines.last ?? "")")
      let empty = try withScratch { other -> CommandResult in
        try other.writeNpy(Matrix.seeded(rows: 1, columns: 1, seed: 1), to: "x.npy")
        try other.succeed("import", other.path("x.npy"), "--model", "m")
        try other.succeed("rm", "m")
        return try other.repstore("ls")
      }
      #expect(
        empty.stdout
          == "MODEL  LAYER  EXAMPLES  ROWS  COLS  DTYPE  STORED  RAW  RATIO\n0 tensors in 0 models: 0 B stored, 0 B raw (0.00)\n",
        "\(empty)")
    }
  }

  @Test("CSV quotes, TSV escapes and JSON encodes names with commas, quotes and non-ASCII letters")
  func escaping() throws {
    try withScratch { scratch in
      let path = try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 1), to: "dir, \"q\"/x.npy")
      try scratch.succeed("import", path, "--model", "r, \"v2\"", "--layer", "ü l")
      let csv = try scratch.repstore("ls", "--format", "csv")
      let row = csv.stdout.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
      #expect(row.hasPrefix("\"r, \"\"v2\"\"\",ü l,default,3,2,float32,"), "\(row)")
      #expect(row.contains(",\"\(path.replacingOccurrences(of: "\"", with: "\"\""))\","), "\(row)")
      let tsv = try scratch.repstore("ls", "--format", "tsv")
      #expect(
        tsv.stdout.split(separator: "\n").dropFirst().first?.hasPrefix("r, \"v2\"\tü l\tdefault\t3\t2\t") == true,
        "\(tsv)")
      let json = try scratch.listing("model:r, \"v2\"/ü l")
      #expect(json.first?["model"] as? String == "r, \"v2\"")
      #expect(json.first?["layer"] as? String == "ü l")
      #expect(json.first?["source"] as? String == path)
    }
  }

  @Test("names sort numerically: L2 before L10")
  func naturalOrder() throws {
    try withScratch { scratch in
      let matrix = Matrix.seeded(rows: 2, columns: 2, seed: 1)
      let keys = ["L10", "emb", "L2", "L1", "L9", "L100", "L02x"]
      try scratch.write(npzFile(keys.map { ($0, matrix) }), to: "layers.npz")
      try scratch.succeed("import", scratch.path("layers.npz"), "--model", "m10")
      try scratch.succeed("import", scratch.path("layers.npz"), "--model", "m9")
      let expectedLayers = ["L1", "L2", "L02x", "L9", "L10", "L100", "emb"]
      #expect(
        try scratch.listing().map { "\($0["model"]!)/\($0["layer"]!)" }
          == expectedLayers.map { "m9/\($0)" } + expectedLayers.map { "m10/\($0)" })
      let table = try scratch.repstore("ls", "m10/L2..L10")
      #expect(
        table.stdout.split(separator: "\n").dropFirst().dropLast().map { $0.split(separator: " ")[1] }
          == ["L2", "L9", "L10"])
    }
  }

  static let misses: [(selector: String, message: String)] = [
    ("seed9", "no model matches 'seed9'; did you mean seed0, seed1, seed2?"),
    ("sed1/L1", "no model matches 'sed1'; did you mean seed1?"),
    ("seed0/L7", "no layer matches 'L7'; did you mean L1, L2, L3? (layers: L1, L2, L3, L4, L5, L6, out)"),
    ("seed1/ot", "no layer matches 'ot'; did you mean out?"),
    (
      "seed0/L1@digits-val",
      "no example set matches 'digits-val'; did you mean digits-train? (seed0/L1 is in sets digits-test, digits-train)"
    ),
    ("resnet", "no model matches 'resnet' (models: seed0, seed1, seed2)"),
  ]

  @Test("a selector that matches nothing exits 1 and suggests near names", arguments: misses)
  func noMatch(selector: String, message: String) throws {
    try withScratch { scratch in
      try Self.digitsStore(scratch)
      for command in [["ls"], ["export", "-o", scratch.path("x.npy")], ["rm"]] {
        let result = try scratch.run(command + [selector, "--store", scratch.store])
        #expect(result.status == 1 && !result.wasSignaled, "\(result)")
        #expect(result.stderrLines.count == 1)
        let line = result.stderrLines.first ?? ""
        #expect(line.hasPrefix("repstore: selector '"), "\(line)")
        #expect(line.contains("matches no tensor in \(scratch.store): \(message)"), "\(line)")
      }
    }
  }

  static let malformed: [(selector: String, message: String)] = [
    ("seed0/{L1", "selector 'seed0/{L1': column 6: unclosed '{'"),
    ("a/b/c", "selector 'a/b/c': column 3: unexpected second '/'"),
    ("", "selector '': column 0: empty selector"),
    ("seed0/", "selector 'seed0/': column 6: empty layer pattern after '/'"),
    ("a@s/L1", "selector 'a@s/L1': column 3: unexpected '/' after '@' (the layer comes before the example set)"),
    ("x/[z-a]", "selector 'x/[z-a]': column 3: reversed character range 'z-a'"),
    ("x/L2..M5", "selector 'x/L2..M5': column 6: range bounds 'L2' and 'M5' have different prefixes"),
  ]

  @Test("a malformed selector is reported with its column", arguments: malformed)
  func malformedSelector(selector: String, message: String) throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 2, columns: 2, seed: 1), to: "x.npy")
      try scratch.succeed("import", scratch.path("x.npy"), "--model", "x", "--layer", "L2")
      for command in [["ls"], ["export", "-o", scratch.path("x.npy")], ["rm"]] {
        let result = try scratch.run(command + [selector, "--store", scratch.store])
        #expect(result.status == 1 && !result.wasSignaled, "\(result)")
        #expect(result.stderr == "repstore: \(message)\n", "\(result)")
      }
    }
  }
}
