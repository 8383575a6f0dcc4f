import Foundation
import Testing

@testable import RepStore

// PathPattern.expand over a temporary tree: placeholders, globs, classes, hidden files, consistency of repeated
// placeholders, errors, and natural order of the results.

/// The tree every case expands over (relative paths; a trailing `/` makes a folder).
private let treeEntries: [String] = [
  "models/m1/L1.npy", "models/m1/L2.npy", "models/m1/L10.npy", "models/m1/emb.npy", "models/m1/notes.txt",
  "models/m1/.L5.npy", "models/m2/L1.npy", "models/m2/L3.npy", "models/m10/L1.npy", "models/.hidden/L1.npy",
  "sets/a/x.npy", "sets/b/x.npy", "sets/c/x.npy", "sets/d/x.npy",
  "same/p/p_x.npy", "same/q/p_x.npy", "same/q/q_x.npy",
  "under/a_b/a_b_c.npy", "under/a/a_b.npy",
  "dirs/L1.npy/", "dirs/f.npy",
  "rep/abxab.npy", "rep/abxac.npy",
]

private func makeTree() throws -> TemporaryFolder {
  let folder = try TemporaryFolder("PathPattern")
  for entry in treeEntries {
    if entry.hasSuffix("/") {
      try FileManager.default.createDirectory(atPath: folder.path + "/" + entry, withIntermediateDirectories: true)
    } else {
      try Data(entry.utf8).write(to: URL(fileURLWithPath: folder.file(entry)))
    }
  }
  return folder
}

/// A pattern (relative to the tree) and the files it must find, in order, with their captures.
struct ExpansionCase: Sendable, CustomTestStringConvertible {
  var pattern: String
  var matches: [(path: String, captures: [String: String])]
  var testDescription: String { pattern }
}

private func expands(_ pattern: String, _ paths: [String], captures: [[String: String]]? = nil) -> ExpansionCase {
  ExpansionCase(pattern: pattern, matches: paths.enumerated().map { ($0.element, captures?[$0.offset] ?? [:]) })
}

private let expansionTable: [ExpansionCase] = [
  expands(
    "models/{model}/{layer}.npy",
    [
      "models/m1/L1.npy", "models/m1/L2.npy", "models/m1/L10.npy", "models/m1/emb.npy", "models/m2/L1.npy",
      "models/m2/L3.npy", "models/m10/L1.npy",
    ],
    captures: [
      ["model": "m1", "layer": "L1"], ["model": "m1", "layer": "L2"], ["model": "m1", "layer": "L10"],
      ["model": "m1", "layer": "emb"], ["model": "m2", "layer": "L1"], ["model": "m2", "layer": "L3"],
      ["model": "m10", "layer": "L1"],
    ]),
  expands("models/*/L1.npy", ["models/m1/L1.npy", "models/m2/L1.npy", "models/m10/L1.npy"]),
  expands("models/m?/L1.npy", ["models/m1/L1.npy", "models/m2/L1.npy"]),
  expands("models/m1/L[1-2].npy", ["models/m1/L1.npy", "models/m1/L2.npy"]),
  expands("models/m1/L[!2]*.npy", ["models/m1/L1.npy", "models/m1/L10.npy"]),
  expands("models/m1/[!L]*", ["models/m1/emb.npy", "models/m1/notes.txt"]),
  expands(
    "models/m1/*",
    ["models/m1/L1.npy", "models/m1/L2.npy", "models/m1/L10.npy", "models/m1/emb.npy", "models/m1/notes.txt"]),
  expands("models/m1/.*", ["models/m1/.L5.npy"]),
  expands("models/.*/{layer}.npy", ["models/.hidden/L1.npy"], captures: [["layer": "L1"]]),
  expands("models/.hidden/L1.npy", ["models/.hidden/L1.npy"]),
  expands("sets/[a-c]/x.npy", ["sets/a/x.npy", "sets/b/x.npy", "sets/c/x.npy"]),
  expands("sets/{examples}/x.npy", ["sets/a/x.npy", "sets/b/x.npy", "sets/c/x.npy", "sets/d/x.npy"],
    captures: [["examples": "a"], ["examples": "b"], ["examples": "c"], ["examples": "d"]]),
  expands("same/{model}/{model}_x.npy", ["same/p/p_x.npy", "same/q/q_x.npy"], captures: [["model": "p"], ["model": "q"]]),
  expands(
    "under/{model}/{model}_{layer}.npy", ["under/a/a_b.npy", "under/a_b/a_b_c.npy"],
    captures: [["model": "a", "layer": "b"], ["model": "a_b", "layer": "c"]]),
  expands("rep/{layer}x{layer}.npy", ["rep/abxab.npy"], captures: [["layer": "ab"]]),
  expands("dirs/*", ["dirs/f.npy"]),
  expands("models/m1/{layer}.n?y", ["models/m1/L1.npy", "models/m1/L2.npy", "models/m1/L10.npy", "models/m1/emb.npy"],
    captures: [["layer": "L1"], ["layer": "L2"], ["layer": "L10"], ["layer": "emb"]]),
]

@Suite("Path patterns")
struct PathPatternTests {
  @Test("PathPattern.expand", arguments: expansionTable)
  func expand(_ testCase: ExpansionCase) throws {
    let tree = try makeTree()
    let found = try PathPattern.expand(tree.path + "/" + testCase.pattern)
    let expected = testCase.matches.map { PathMatch(path: tree.path + "/" + $0.path, captures: $0.captures) }
    #expect(found.map(\.path) == expected.map(\.path))
    #expect(found == expected)
  }

  @Test(
    "PathPattern.expand errors",
    arguments: [
      ("models/{foo}/x.npy", "unknown placeholder {foo}; use {model}, {layer} or {examples}"),
      ("models/m1/{Layer}.npy", "unknown placeholder {Layer}; use {model}, {layer} or {examples}"),
      ("models/*/nothing.npy", "no file matches this pattern"),
      ("absent/{model}.npy", "no file matches this pattern"),
      ("models/m1/L[1.npy", "unclosed '[' in path pattern"),
      ("models/m1", "no file matches this pattern"),
    ])
  func expandErrors(pattern: String, fragment: String) throws {
    let tree = try makeTree()
    let full = tree.path + "/" + pattern
    let error = try storeError { _ = try PathPattern.expand(full) }
    #expect(error.kind == .invalidInput)
    #expect(error.message == "\(full): \(fragment)", "\(error)")
  }

  @Test(
    "PathPattern.isPattern",
    arguments: [
      ("dumps/{model}/{layer}.npy", true), ("dumps/*.npy", true), ("dumps/L?.npy", true), ("dumps/L[12].npy", true),
      ("dumps/{examples}.npz", true), ("dumps/a.npy", false), ("dumps/{foo}.npy", true), ("dumps/{a,b}.npy", false),
    ])
  func isPattern(text: String, expected: Bool) {
    #expect(PathPattern.isPattern(text) == expected)
  }
}

/// Matching one component visits each (token, position, captures) state at most once: a pattern of many `*` costs
/// tokens × positions states, not the exponential number of ways to split the name among them.
@Suite("Path pattern matching cost") struct PathPatternCostTests {
  @Test("many stars: no more states than tokens × positions, matched or not")
  func stars() throws {
    let matcher = try ComponentMatcher(String(repeating: "*a", count: 10) + "*b", pattern: "p")  // 22 tokens
    let name = String(repeating: "a", count: 60)
    var steps = 0
    #expect(matcher.match(name, given: [:], steps: &steps) == nil)
    #expect(steps <= 23 * 61, "\(steps) states")
    steps = 0
    #expect(matcher.match(name + "b", given: [:], steps: &steps) == [:])
    #expect(steps <= 23 * 62, "\(steps) states")
  }

  @Test("a placeholder before the stars multiplies the states by its splits, no more")
  func placeholderAndStars() throws {
    let matcher = try ComponentMatcher("{model}" + String(repeating: "*a", count: 8) + "*b", pattern: "p")  // 18 tokens
    let name = String(repeating: "a", count: 40)
    var steps = 0
    #expect(matcher.match(name, given: [:], steps: &steps) == nil)
    #expect(steps <= 40 * 19 * 41, "\(steps) states")
    let matching = "x" + String(repeating: "a", count: 8) + "b"
    #expect(matcher.match(matching, given: ["model": "x"]) == ["model": "x"])
    #expect(matcher.match(matching, given: ["model": "y"]) == nil)
  }
}
