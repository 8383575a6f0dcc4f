import Foundation
import Testing

/// `repstore projections` (and `show projections`): what each projection was trained on, whether its name was
/// derived, the tables that use it; `repstore rm-projection` (and `drop projection`): refused while tables compare
/// through it, unless --force, with the catalog's digests consistent after.
@Suite("Projections")
struct ProjectionTests {
  /// `SuggestionTests.storeWithProjections`: `para-L6` trained by `train`, two auto-named ones trained by `sim
  /// --train-on` (tables 1 and 2), all on seed0 and seed1's L1 and L2 of digits-test.
  static func store(_ scratch: Scratch) throws { try SuggestionTests.storeWithProjections(scratch) }

  /// `repstore projections --format json`, parsed.
  static func projections(_ scratch: Scratch) throws -> [[String: Any]] {
    let result = try scratch.repstore("projections", "--format", "json")
    try #require(result.succeeded, "\(result)")
    return try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]])
  }

  @Test("projections lists kind, auto-naming, what each trained on and the tables that use it")
  func listing() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let listed = try Self.projections(scratch)
      #expect(listed.count == 3)
      #expect(listed.map { $0["name"] as? String == "para-L6" } == [true, false, false])
      #expect(listed.map { $0["auto"] as? String } == ["no", "yes", "yes"])
      #expect(listed.map { $0["tables"] as? String } == ["", "1", "2"])
      #expect(listed.map { $0["epochs"] as? Int } == [1, 1, 2])
      for projection in listed {
        #expect(projection["kind"] as? String == "contrasim")
        #expect(projection["models"] as? String == "seed0 seed1")
        #expect(projection["layers"] as? String == "L1 L2")
        #expect(projection["examples"] as? String == "digits-test")
        #expect(projection["rows"] as? Int == 540)
        #expect(projection["positives"] as? String == "same-layer")
        #expect((projection["statement"] as? String)?.hasPrefix("train contrasim ") == true)
        #expect((projection["created"] as? String)?.hasSuffix("Z") == true)
      }
      let names = listed.compactMap { $0["name"] as? String }
      #expect(names.dropFirst().allSatisfy { $0.hasPrefix("contrasim-") && $0.count == 26 }, "\(names)")

      // The table for people: the same rows, layer runs short, without the detail columns.
      let table = try scratch.succeed("projections")
      let lines = table.stdout.split(separator: "\n").map(String.init)
      #expect(lines.count == 4)
      #expect(lines[0].split(separator: " ") == [
        "NAME", "KIND", "AUTO", "MODELS", "LAYERS", "EXAMPLES", "ROWS", "POSITIVES", "EPOCHS", "TABLES", "CREATED",
      ])
      #expect(lines[1].hasPrefix("para-L6 ") && lines[1].contains(" no    seed0 seed1  L1 L2   digits-test"),
              "\(table)")
      // `show projections` is the same listing, in every format.
      #expect(try scratch.succeed("query", "show projections").stdout == table.stdout)
      for format in ["csv", "tsv", "json"] {
        #expect(try scratch.succeed("query", "show projections", "--format", format).stdout
          == scratch.succeed("projections", "--format", format).stdout, "\(format)")
      }
    }
  }

  @Test("an empty store says how to make one; csv has the header")
  func empty() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let table = try scratch.succeed("projections")
      #expect(table.stdout.isEmpty)
      #expect(table.stderr.hasPrefix("no projections yet: "), "\(table)")
      #expect(try scratch.succeed("projections", "--format", "csv").stdout
        == "name,kind,auto,models,layers,examples,rows,positives,epochs,tables,created,final_loss,collapsed,"
          + "interrupted,inputs,seed,seconds,statement\n")
    }
  }

  @Test("rm-projection refuses while tables compare through it; --force removes them too; verify passes")
  func removal() throws {
    try withScratch { scratch in
      try Self.store(scratch)
      let auto = try Self.projections(scratch).compactMap { $0["name"] as? String }.dropFirst()
      let before = try scratch.storeState()
      let refused = try scratch.repstore("rm-projection", "contrasim-*")
      #expect(refused.status == 1, "\(refused)")
      #expect(refused.stderr == """
        repstore: stored tables 1, 2 compare through projections \(auto.map { "'\($0)'" }.joined(separator: ", ")); \
        pass --force to remove them with the projections, or drop them first (drop table N)

        """, "\(refused)")
      let dry = try scratch.succeed("rm-projection", "contrasim-*", "--force", "--dry-run")
      #expect(dry.stderrLines == [
        "would drop table 1 (contrasim(using=\(auto.first!)))", "would drop table 2 (contrasim(using=\(auto.last!)))",
      ] + auto.map { "would drop projection '\($0)'" }, "\(dry)")
      #expect(try scratch.storeState() == before)

      let forced = try scratch.succeed("rm-projection", "contrasim-*", "--force")
      #expect(forced.stderrLines.count == 4 && forced.stderrLines.last == "dropped projection '\(auto.last!)'",
              "\(forced)")
      #expect(try Self.projections(scratch).map { $0["name"] as? String } == ["para-L6"])
      #expect(try scratch.succeed("tables", "--format", "csv").stdout.split(separator: "\n").count == 1)
      let verified = try scratch.succeed("verify", "--catalog-only")
      #expect(verified.stdout.hasPrefix("ok: "), "\(verified)")

      // The statement form, for a projection no table uses; a name that matches nothing suggests.
      let missing = try scratch.repstore("query", "drop projection para-l6")
      #expect(missing.stderr == """
        repstore: no projection named 'para-l6'; did you mean 'para-L6'? (`repstore projections` lists it)

        """, "\(missing)")
      let dropped = try scratch.succeed("query", "drop projection para-L6")
      #expect(dropped.stderr == "dropped projection 'para-L6'\n", "\(dropped)")
      #expect(try scratch.succeed("projections", "--format", "csv").stdout.split(separator: "\n").count == 1)
      #expect(try scratch.succeed("verify", "--catalog-only").status == 0)
      // The same training asked again trains anew and stores a new table.
      let again = try scratch.succeed(
        "sim", "contrasim", "seed0/L1@digits-test", "seed1/L1@digits-test", "--train-on",
        "seed{0,1}/L1..L2@digits-test", "--epochs", "1")
      #expect(again.stderr.contains("training projection '\(auto.first!)'"), "\(again)")
      #expect(try scratch.succeed("verify", "--catalog-only").status == 0)
    }
  }
}
