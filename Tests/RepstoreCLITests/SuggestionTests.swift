import Foundation
import Testing

/// "Did you mean" for names typed in the wrong case: names are case-sensitive, but the suggestion ignores case, and a
/// name that differs only in case comes first.
@Suite("Suggestions")
struct SuggestionTests {
  /// The digits store of `SimTests.store`, a projection named `para-L6` and two auto-named ones.
  static func storeWithProjections(_ scratch: Scratch) throws {
    try SimTests.store(scratch)
    try scratch.succeed("train", "contrasim", "para-L6", "seed{0,1}/L1..L2@digits-test", "--epochs", "1", "-q")
    for epochs in ["1", "2"] {
      try scratch.succeed(
        "sim", "contrasim", "seed0/L1@digits-test", "seed1/L1@digits-test", "--train-on",
        "seed{0,1}/L1..L2@digits-test", "--epochs", epochs, "-q")
    }
  }

  @Test("--using with a projection name in the wrong case suggests the stored name, not every hash")
  func projectionName() throws {
    try withScratch { scratch in
      try Self.storeWithProjections(scratch)
      let wrongCase = try scratch.repstore(
        "sim", "contrasim", "seed0/L1@digits-test", "seed1/L1@digits-test", "--using", "para-l6")
      #expect(wrongCase.status == 1, "\(wrongCase)")
      #expect(wrongCase.stderr == """
        repstore: no projection named 'para-l6'; did you mean 'para-L6'? (`repstore projections` lists the 3 stored)

        """, "\(wrongCase)")
      let unknown = try scratch.repstore("query", "sim contrasim seed0/L1@digits-test seed1/L1@digits-test --using probe")
      #expect(unknown.stderr == """
        repstore: no projection named 'probe' (stored: 'para-L6' and 2 auto-named; `repstore projections` lists the 3 \
        stored)

        """, "\(unknown)")
    }
  }

  @Test("a measure in the wrong case is suggested alone")
  func measure() throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      for command in [
        ["sim", "CKA", "seed0/L1@digits-test", "seed1/L1@digits-test"],
        ["query", "sim Cka seed0/L1@digits-test seed1/L1@digits-test"],
      ] {
        let result = try scratch.run(command + ["--store", scratch.store])
        #expect(result.status == 1, "\(result)")
        let measure = command[0] == "sim" ? "CKA" : "Cka"
        #expect(result.stderr == """
          repstore: unknown measure '\(measure)'; did you mean cka? (`repstore measures` lists them)

          """, "\(result)")
      }
    }
  }

  static let wrongCase: [(selector: String, message: String)] = [
    ("Seed0/L1", "no model matches 'Seed0'; did you mean seed0? (models: seed0, seed1)"),
    ("SEED*/L1", "no model matches 'SEED*'; did you mean seed0, seed1? (models: seed0, seed1)"),
    ("seed0/OUT", "no layer matches 'OUT'; did you mean out? (layers: L1, L2, L3, L4, L5, L6, out)"),
    ("seed0/l1", "no layer matches 'l1'; did you mean L1? (layers: L1, L2, L3, L4, L5, L6, out)"),
    ("seed0/l7", "no layer matches 'l7'; did you mean L1, L2, L3? (layers: L1, L2, L3, L4, L5, L6, out)"),
  ]

  @Test("a model or layer in the wrong case is suggested first", arguments: wrongCase)
  func selector(selector: String, message: String) throws {
    try withScratch { scratch in
      try SimTests.store(scratch)
      let result = try scratch.repstore("ls", selector)
      #expect(result.status == 1, "\(result)")
      #expect(result.stderr.hasSuffix(": \(message)\n"), "\(result)")
    }
  }
}
