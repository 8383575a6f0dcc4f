import Foundation
import Testing

/// Example sets bind every tensor's rows to ordered keys: the default set, `--keys` files, and the errors that stop
/// a tensor from joining a set it disagrees with.
@Suite("Example sets")
struct ExampleSetTests {
  /// `ls --sets --format json`, parsed.
  static func sets(_ scratch: Scratch) throws -> [[String: Any]] {
    let result = try scratch.repstore("ls", "--sets", "--format", "json")
    try #require(result.succeeded, "\(result)")
    return try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]])
  }

  @Test("without --examples and --keys: set 'default' with ordinal keys 0..n-1")
  func defaultSet() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 3, seed: 1), to: "a.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 5, seed: 2), to: "b.npy")
      try scratch.succeed("import", scratch.path("a.npy"), "--model", "m")
      try scratch.succeed("import", scratch.path("b.npy"), "--model", "m")
      let sets = try Self.sets(scratch)
      #expect(sets.count == 1)
      #expect(sets.first?["examples"] as? String == "default")
      #expect(sets.first?["rows"] as? Int == 4)
      #expect(sets.first?["keys"] as? String == "ordinal")
      #expect(sets.first?["tensors"] as? Int == 2)
      let table = try scratch.repstore("ls", "--sets")
      #expect(
        table.stdout.split(separator: "\n").dropFirst().map {
          $0.split(separator: " ").prefix(4).joined(separator: " ")
        } == ["default 4 ordinal 2"])
    }
  }

  @Test("the import line names the set; a defaulted set gets a hint to name it with --examples")
  func importNamesTheSet() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 3, seed: 1), to: "a.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 5, seed: 2), to: "runs/val/b.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 6, columns: 5, seed: 3), to: "runs/test/b.npy")
      let defaulted = try scratch.succeed("import", scratch.path("a.npy"), "--model", "m")
      #expect(defaulted.stderrLines.count == 2, "\(defaulted)")
      #expect(defaulted.stderrLines.first?.hasPrefix(
        "imported 1 tensor of set 'default' into \(scratch.store) (new store): ") == true, "\(defaulted)")
      #expect(defaulted.stderrLines.last == """
        no --examples given, so the set is 'default' (select it with @default); name the examples with --examples NAME
        """)
      let named = try scratch.succeed("import", scratch.path("a.npy"), "--model", "m", "--examples", "sents")
      #expect(named.stderrLines.count == 1 && named.stderr.hasPrefix("imported 1 tensor of set 'sents' into "),
              "\(named)")
      let captured = try scratch.succeed("import", scratch.path("runs/{examples}/b.npy"), "--model", "m2")
      #expect(captured.stderrLines.count == 1 && captured.stderr.hasPrefix("imported 2 tensors of sets 'test' and 'val' into "),
              "\(captured)")
      let replaced = try scratch.succeed("import", scratch.path("a.npy"), "--model", "m", "--replace")
      #expect(replaced.stderr.hasPrefix("imported 1 tensor of set 'default' (1 replaced) into "), "\(replaced)")
      #expect(try scratch.succeed("import", scratch.path("a.npy"), "--model", "q", "-q").stderr.isEmpty)
    }
  }

  static let missingSets: [(selector: String, message: String)] = [
    ("m/a@sents", "no example set matches 'sents'; m/a is only in set default (select it as m/a@default)"),
    ("m/a@Default", "no example set matches 'Default'; did you mean default? (m/a is only in set default)"),
    ("m2/b@train", "no example set matches 'train'; m2/b is in sets test, val"),
    ("m*/*@x", "no example set matches 'x'; the 3 tensors of m*/* are in sets default, test, val"),
  ]

  @Test("a selector whose set holds no such tensor says which sets do", arguments: missingSets)
  func missingSet(selector: String, message: String) throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 3, seed: 1), to: "a.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 5, seed: 2), to: "runs/val/b.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 6, columns: 5, seed: 3), to: "runs/test/b.npy")
      try scratch.succeed("import", scratch.path("a.npy"), "--model", "m", "-q")
      try scratch.succeed("import", scratch.path("runs/{examples}/b.npy"), "--model", "m2", "-q")
      for command in [["ls", selector], ["sim", "cka", selector, selector]] {
        let result = try scratch.run(command + ["--store", scratch.store])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr == "repstore: selector '\(try selectorText(selector))' matches no tensor in "
          + "\(scratch.store): \(message)\n", "\(result)")
      }
    }
  }

  /// The canonical text a message quotes a selector in: `model:` before it.
  private func selectorText(_ selector: String) throws -> String { "model:" + selector }

  @Test("--keys makes an explicit set; a second tensor with the same keys joins it")
  func explicitKeys() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 1), to: "a.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 4, seed: 2), to: "b.npy")
      try scratch.write("cat\ndog\nemu\n", to: "k.keys")
      try scratch.write("cat\ndog\nemu", to: "same.keys")
      try scratch.succeed(
        "import", scratch.path("a.npy"), "--model", "m", "--examples", "zoo", "--keys", scratch.path("k.keys"))
      try scratch.succeed(
        "import", scratch.path("b.npy"), "--model", "n", "--examples", "zoo", "--keys", scratch.path("same.keys"))
      let sets = try Self.sets(scratch)
      #expect(sets.map { $0["examples"] as? String } == ["zoo"])
      #expect(sets.first?["keys"] as? String == "explicit")
      #expect(sets.first?["rows"] as? Int == 3)
      #expect(sets.first?["tensors"] as? Int == 2)
      try scratch.succeed(
        "export", "model:n/b", "-o", scratch.path("b-out.npy"), "--keys-out", scratch.path("out.keys"))
      #expect(try scratch.bytes("out.keys") == Array("cat\ndog\nemu\n".utf8))
    }
  }

  @Test(
    "a keys file with CRLF line ends has one key per line")
  func crlfKeys() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 1), to: "a.npy")
      try scratch.write("cat\r\ndog\r\nemu\r\n", to: "k.keys")
      try scratch.succeed("import", scratch.path("a.npy"), "--model", "m", "--keys", scratch.path("k.keys"))
      try scratch.succeed("export", "m/a", "-o", scratch.path("a-out.npy"), "--keys-out", scratch.path("out.keys"))
      #expect(try scratch.bytes("out.keys") == Array("cat\ndog\nemu\n".utf8))
    }
  }

  struct Conflict: Sendable, CustomTestStringConvertible {
    var label: String
    /// Rows of the second file.
    var rows: Int
    /// Keys file text for the second import; nil for none (ordinal keys).
    var keys: String?
    var fragments: [String]
    /// The file the message names: "second.npy" or "second.keys".
    var file = "second.npy"
    var testDescription: String { label }
  }

  /// The first import puts 5 rows with keys k0..k4 into set 'shared'; the second import disagrees.
  static let conflicts: [Conflict] = [
    Conflict(label: "different n", rows: 6, keys: nil, fragments: ["has 6 rows but example set 'shared' has 5"]),
    Conflict(
      label: "different keys", rows: 5, keys: "k0\nk1\nk2\nX3\nk4\n",
      fragments: ["example keys differ from set 'shared' at row 3", "stored 'k3'", "given 'X3'"]),
    Conflict(
      label: "ordinal keys against explicit ones", rows: 5, keys: nil,
      fragments: ["example keys differ from set 'shared' at row 0", "stored 'k0'", "given '0'"]),
    Conflict(
      label: "same keys in another order", rows: 5, keys: "k0\nk1\nk2\nk4\nk3\n",
      fragments: ["at row 3", "stored 'k3'", "given 'k4'"]),
    Conflict(
      label: "keys file too short", rows: 5, keys: "k0\nk1\nk2\nk3\n",
      fragments: ["has 4 keys but", "second.npy has 5 rows"], file: "second.keys"),
    Conflict(
      label: "keys file too long", rows: 5, keys: "k0\nk1\nk2\nk3\nk4\nk5\n",
      fragments: ["has 6 keys but", "second.npy has 5 rows"], file: "second.keys"),
    Conflict(
      label: "duplicate key", rows: 5, keys: "k0\nk1\nk2\nk1\nk4\n", fragments: ["line 4: key 'k1' repeats line 2"],
      file: "second.keys"),
    Conflict(
      label: "empty line", rows: 5, keys: "k0\nk1\n\nk3\nk4\n", fragments: ["line 3: empty key"], file: "second.keys"),
    Conflict(
      label: "blank last line", rows: 5, keys: "k0\nk1\nk2\nk3\nk4\n\n", fragments: ["line 6: empty key"],
      file: "second.keys"),
  ]

  @Test("a tensor that disagrees with its set is refused, and the store is unchanged", arguments: conflicts)
  func conflict(_ c: Conflict) throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 5, columns: 2, seed: 1), to: "first.npy")
      try scratch.write("k0\nk1\nk2\nk3\nk4\n", to: "first.keys")
      try scratch.succeed(
        "import", scratch.path("first.npy"), "--model", "m", "--examples", "shared", "--keys",
        scratch.path("first.keys"))
      try scratch.writeNpy(Matrix.seeded(rows: c.rows, columns: 3, seed: 2), to: "second.npy")
      var arguments = ["import", scratch.path("second.npy"), "--model", "n", "--examples", "shared"]
      if let keys = c.keys {
        try scratch.write(keys, to: "second.keys")
        arguments += ["--keys", scratch.path("second.keys")]
      }
      let before = try scratch.storeState()
      let result = try scratch.run(arguments + ["--store", scratch.store])
      #expect(result.status == 1 && !result.wasSignaled, "\(result)")
      #expect(result.stderrLines.count == 1, "\(result)")
      let line = result.stderrLines.first ?? ""
      #expect(line.hasPrefix("repstore: \(scratch.path(c.file)): "), "\(line)")
      for fragment in c.fragments { #expect(line.contains(fragment), "\(fragment) not in: \(line)") }
      #expect(try scratch.storeState() == before)
    }
  }

  @Test("two files of one import with different n in one set are refused, naming both")
  func disagreementWithinOneImport() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 5, columns: 2, seed: 1), to: "a.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 7, columns: 2, seed: 2), to: "b.npy")
      let result = try scratch.repstore("import", scratch.path("a.npy"), scratch.path("b.npy"), "--model", "m")
      #expect(result.status == 1)
      #expect(
        result.stderr.hasPrefix("repstore: \(scratch.path("b.npy")): has 7 rows but \(scratch.path("a.npy")) has 5"),
        "\(result)")
      #expect(!scratch.exists(scratch.store))
    }
  }

  @Test("replacing every tensor of a set with new keys redefines the set")
  func redefineByReplacing() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 1), to: "a.npy")
      try scratch.write("x\ny\nz\n", to: "new.keys")
      try scratch.succeed("import", scratch.path("a.npy"), "--model", "m")
      let refused = try scratch.repstore(
        "import", scratch.path("a.npy"), "--model", "m", "--keys", scratch.path("new.keys"))
      #expect(refused.status == 1, "\(refused)")
      try scratch.succeed(
        "import", scratch.path("a.npy"), "--model", "m", "--keys", scratch.path("new.keys"), "--replace")
      let sets = try Self.sets(scratch)
      #expect(sets.map { $0["keys"] as? String } == ["explicit"])
      try scratch.succeed("export", "m/a", "-o", scratch.path("a-out.npy"), "--keys-out", scratch.path("out.keys"))
      #expect(try scratch.bytes("out.keys") == Array("x\ny\nz\n".utf8))
    }
  }
}
