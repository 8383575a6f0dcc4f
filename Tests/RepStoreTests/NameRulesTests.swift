import Foundation
import Testing

@testable import RepStore

// NameRules: which model, layer and example-set names the store accepts, and that every accepted name can be
// written as a selector and selects exactly itself.

/// A name and, when it is refused, a fragment of the reason.
struct NameCase: Sendable, CustomTestStringConvertible {
  var name: String
  var problem: String?
  var testDescription: String {
    let shown = name.unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    return "'\(shown)' \(problem.map { "refused: \($0)" } ?? "accepted")"
  }
}

private func ok(_ name: String) -> NameCase { NameCase(name: name, problem: nil) }
private func refused(_ name: String, _ problem: String) -> NameCase { NameCase(name: name, problem: problem) }

private let acceptedNames: [NameCase] = [
  ok("gpt2"), ok("L10"), ok("emb.out"), ok("a-b_c"), ok("a b"), ok("model:a"), ok("a:b"), ok("x=1,y=2"), ok("seed!"),
  ok("modèle"), ok("日本語"), ok("🙂"), ok("e\u{301}"), ok("L2.5"), ok("a.b.c"), ok("."), ok("a."), ok("#1"),
  ok("(L3)"), ok("~a"), ok("a'b\"c"), ok("1"),
]

private let refusedNames: [NameCase] = [
  refused("", "is empty"),
  refused("a/b", "contains '/'"), refused("/", "contains '/'"), refused("a@b", "contains '@'"),
  refused("L*", "contains '*'"), refused("L?", "contains '?'"), refused("L[1]", "contains '['"),
  refused("L]", "contains ']'"), refused("{a,b}", "contains '{'"), refused("a}", "contains '}'"),
  refused("a\\b", "contains '\\'"),
  refused("a\tb", "control character"), refused("a\nb", "control character"), refused("a\u{0}b", "control character"),
  refused("\u{7F}", "control character"), refused("a\u{85}", "control character"), refused("a\r\nb", "control character"),
  refused(" a", "starts or ends with white space"), refused("a ", "starts or ends with white space"),
  refused("\u{A0}a", "starts or ends with white space"), refused("a\u{3000}", "starts or ends with white space"),
  // A selector reads `..` as a numeric range, so such a name would select other tensors instead of itself.
  refused("L2..L7", "'..'"), refused("a..b", "'..'"), refused("..", "'..'"), refused("...", "'..'"), refused("1..3", "'..'"),
  refused(String(repeating: "é", count: 128), "256 bytes long (at most 255)"),
]

@Suite("Name rules")
struct NameRulesTests {
  @Test("a refused name is quoted on one line, long ones elided")
  func quoting() {
    #expect(NameRules.quoted("gpt2") == "'gpt2'")
    #expect(NameRules.quoted("a\nb") == "\"a\\nb\"")
    #expect(NameRules.quoted(String(repeating: "x", count: 300)) == "'" + String(repeating: "x", count: 64) + "…'")
  }

  @Test("projection names: the store's rules, and no white space or measure-id punctuation")
  func projectionNames() {
    #expect(NameRules.projectionProblem(with: "contrasim-96cc1f0a") == nil)
    #expect(NameRules.projectionProblem(with: "x y") == "contains white space")
    #expect(NameRules.projectionProblem(with: "p(1)")?.contains("contains '('") == true)
    #expect(NameRules.projectionProblem(with: "a/b")?.contains("contains '/'") == true)
  }

  @Test("NameRules.problem", arguments: acceptedNames + refusedNames)
  func problem(_ testCase: NameCase) {
    let problem = NameRules.problem(with: testCase.name)
    if let expected = testCase.problem {
      #expect(problem?.contains(expected) == true, "\(problem ?? "accepted")")
    } else {
      #expect(problem == nil)
    }
  }

  @Test("an accepted name, written as a selector, selects itself and nothing else", arguments: acceptedNames)
  func acceptedNameIsSelectable(_ testCase: NameCase) throws {
    let name = testCase.name
    let selector = try Selector.parse("model:\(name)/\(name)@\(name)")
    #expect(selector.matches(model: name, layer: name, exampleSet: name))
    for other in ["L1", "L3", name + "x", "x" + name, "gpt2"] where other != name {
      #expect(!selector.matches(model: other, layer: name, exampleSet: name), "model \(other)")
      #expect(!selector.matches(model: name, layer: other, exampleSet: name), "layer \(other)")
    }
  }

  @Test(
    "import refuses a bad model, layer or example-set name and says which",
    arguments: [
      ("m/x", "L1", "s", "model name 'm/x' contains '/'"),
      ("m", "L 1 ", "s", "layer name 'L 1 ' starts or ends with white space"),
      ("m", "L1", "", "example set name '' is empty"),
      ("m", "L3..L5", "s", "layer name 'L3..L5'"),
    ])
  func importRefusesBadNames(model: String, layer: String, exampleSet: String, fragment: String) throws {
    let folder = try TemporaryFolder()
    let path = try TestMatrix.finite(rows: 2, columns: 2, seed: 1).writeNpy(to: folder.file("input.npy"))
    let error = try storeError {
      _ = try Store.importDumps(
        [ImportSource(path: path, model: model, layer: layer, exampleSet: exampleSet)], intoStoreAt: folder.storePath)
    }
    #expect(error.kind == .invalidInput)
    #expect(error.message.contains(fragment), "\(error)")
    #expect(!FileManager.default.fileExists(atPath: folder.storePath))
  }
}
