import Testing

import RepStore

/// One row of the matching table: a selector, a tensor's names, and whether the selector picks it.
struct MatchCase: Sendable, CustomTestStringConvertible {
  var selector: String
  var model: String
  var layer: String
  var exampleSet: String
  var isMatch: Bool
  var testDescription: String { "\(selector) \(isMatch ? "~" : "!~") (\(model), \(layer), \(exampleSet))" }
}

private func row(_ selector: String, _ model: String, _ layer: String, _ exampleSet: String, _ isMatch: Bool)
  -> MatchCase
{
  MatchCase(selector: selector, model: model, layer: layer, exampleSet: exampleSet, isMatch: isMatch)
}

/// A row whose example set is "val".
private func row(_ selector: String, _ model: String, _ layer: String, _ isMatch: Bool) -> MatchCase {
  row(selector, model, layer, "val", isMatch)
}

/// One row of the error table: malformed text, the column of the offending character, a fragment of the message.
struct ErrorCase: Sendable, CustomTestStringConvertible {
  var selector: String
  var column: Int
  var fragment: String
  var testDescription: String { "'\(selector)' fails at \(column): \(fragment)" }
}

private func bad(_ selector: String, _ column: Int, _ fragment: String) -> ErrorCase {
  ErrorCase(selector: selector, column: column, fragment: fragment)
}

private let matchTable: [MatchCase] = [
  // Parts, prefix, defaults.
  row("a/L3", "a", "L3", true),
  row("model:a/L3", "a", "L3", true),
  row("a/L3", "a", "L4", false),
  row("a/L3", "b", "L3", false),
  row("a/L3", "ab", "L3", false),
  row("a", "a", "emb", true),
  row("model:a", "a", "L7", true),
  row("*", "anything", "at.all", "any", true),
  row("a/L3@val", "a", "L3", "val", true),
  row("a/L3@val", "a", "L3", "train", false),
  row("a@val", "a", "L9", "val", true),
  row("a@val", "a", "L9", "test", false),
  row("model:model:a", "model:a", "L1", true),
  row("model:a", "model:a", "L1", false),
  row("A/L3", "a", "L3", false),
  row("a/l3", "a", "L3", false),
  row("a/ L3", "a", " L3", true),
  row("a/ L3", "a", "L3", false),
  row("modèle/couche*", "modèle", "couche1", true),
  // `*`.
  row("gpt*/L3", "gpt2", "L3", true),
  row("gpt*/L3", "gpt", "L3", true),
  row("gpt*/L3", "xgpt", "L3", false),
  row("*2/*", "gpt2", "whatever", true),
  row("a/*.out", "a", "h3.out", true),
  row("a/*.out", "a", "h3.outx", false),
  row("a/*a*a*b", "a", "aXaYb", true),
  row("a/*a*a*b", "a", "aab", true),
  row("a/*a*a*b", "a", "ab", false),
  row("a/**", "a", "L1", true),
  row("a/*a*a*a*a*b", "a", "aaaa", false),
  // `?`.
  row("a/L?", "a", "L3", true),
  row("a/L?", "a", "L10", false),
  row("a/L?", "a", "L", false),
  row("a/??", "a", "é1", true),
  // Character classes.
  row("a/L[123]", "a", "L2", true),
  row("a/L[123]", "a", "L4", false),
  row("a/L[1-3]", "a", "L3", true),
  row("a/L[!1-3]", "a", "L3", false),
  row("a/L[!1-3]", "a", "L4", true),
  row("a/L[^1-3]", "a", "L5", true),
  row("a/[a-cx]1", "a", "x1", true),
  row("a/h[-.]1", "a", "h-1", true),
  row("a/h[-.]1", "a", "h.1", true),
  row("a/h[-.]1", "a", "h_1", false),
  row("a/L[\\]]", "a", "L]", true),
  row("a/[[]", "a", "[", true),
  row("a/[a-z]*", "a", "emb", true),
  row("a/[a-z]*", "a", "Emb", false),
  row("a/L[0-9][0-9]", "a", "L10", true),
  row("a/L[0-9][0-9]", "a", "L1", false),
  // Alternation.
  row("{a,b}/L1", "b", "L1", true),
  row("{a,b}/L1", "c", "L1", false),
  row("{seed*,base}/L1", "seed42", "L1", true),
  row("{seed*,base}/L1", "base", "L1", true),
  row("{seed*,base}/L1", "basex", "L1", false),
  row("a/L{1,2}{a,b}", "a", "L2b", true),
  row("a/L{1,2}{a,b}", "a", "L3a", false),
  row("a/{L{1,2},emb}", "a", "emb", true),
  row("a/{L{1,2},emb}", "a", "L2", true),
  row("a/{L{1,2},emb}", "a", "L3", false),
  row("a/L3{,.out}", "a", "L3", true),
  row("a/L3{,.out}", "a", "L3.out", true),
  row("a/{x}", "a", "x", true),
  // Numeric ranges in braces.
  row("a/layer{1..4}", "a", "layer1", true),
  row("a/layer{1..4}", "a", "layer4", true),
  row("a/layer{1..4}", "a", "layer5", false),
  row("a/layer{1..4}", "a", "layer0", false),
  row("a/layer{1..4}", "a", "layer01", false),
  row("a/layer{1..4}", "a", "layer12", false),
  row("a/layer{4..1}", "a", "layer3", true),
  row("a/layer{01..12}", "a", "layer07", true),
  row("a/layer{01..12}", "a", "layer7", false),
  row("a/layer{01..12}", "a", "layer12", true),
  row("a/layer{01..12}", "a", "layer13", false),
  row("a/layer{01..12}", "a", "layer012", false),
  row("a/L{0..10}", "a", "L0", true),
  row("a/L{0..10}", "a", "L10", true),
  row("a/L{0..10}", "a", "L00", false),
  row("a/layer{1..4}*", "a", "layer12x", true),
  row("a/{L1..L3,emb}", "a", "L2", true),
  row("a/{L1..L3,emb}", "a", "emb", true),
  row("a/{L1..L3,emb}", "a", "L4", false),
  row("a/{1..3}", "a", "2", true),
  row("a@val{1..3}", "a", "L1", "val2", true),
  row("a@val{1..3}", "a", "L1", "val", false),
  // Whole-part ranges.
  row("a/L2..L7", "a", "L2", true),
  row("a/L2..L7", "a", "L5", true),
  row("a/L2..L7", "a", "L7", true),
  row("a/L2..L7", "a", "L1", false),
  row("a/L2..L7", "a", "L8", false),
  row("a/L2..L7", "a", "L10", false),
  row("a/L2..L7", "a", "L02", false),
  row("a/L2..L7", "a", "L", false),
  row("a/L2..L7", "a", "L5x", false),
  row("a/L7..L2", "a", "L4", true),
  row("a/L9..L11", "a", "L10", true),
  row("a/L02..L07", "a", "L05", true),
  row("a/L02..L07", "a", "L5", false),
  row("a/h2.out..h7.out", "a", "h3.out", true),
  row("a/h2.out..h7.out", "a", "h3", false),
  row("a/h2.out..h7.out", "a", "h3.in", false),
  row("a/h2.out..h7.out", "a", "h8.out", false),
  row("a/layer3_2..layer3_9", "a", "layer3_5", true),
  row("a/layer3_2..layer3_9", "a", "layer3_10", false),
  row("a/L99999999999999999999..L100000000000000000001", "a", "L100000000000000000000", true),
  row("a/L99999999999999999999..L100000000000000000001", "a", "L100000000000000000002", false),
  row("seed1..seed3/L1", "seed2", "L1", true),
  row("seed1..seed3/L1", "seed4", "L1", false),
  // Escapes and literal metacharacters.
  row("a/L\\*", "a", "L*", true),
  row("a/L\\*", "a", "L1", false),
  row("a/v1\\..2", "a", "v1..2", true),
  row("a/\\{x\\}", "a", "{x}", true),
  row("a/L\\3", "a", "L3", true),
  row("a/x,y", "a", "x,y", true),
  row("a/L\\?", "a", "L?", true),
  row("a/L\\?", "a", "L1", false),
]

private let errorTable: [ErrorCase] = [
  bad("", 0, "empty selector"),
  bad("/L3", 0, "empty model pattern"),
  bad("model:", 6, "empty model pattern"),
  bad("model:/L3", 6, "empty model pattern"),
  bad("@val", 0, "empty model pattern"),
  bad("a/", 2, "empty layer pattern"),
  bad("a/@val", 2, "empty layer pattern"),
  bad("a@", 2, "empty example-set pattern"),
  bad("a/L3@", 5, "empty example-set pattern"),
  bad("a/{L1", 2, "unclosed '{'"),
  bad("a/{L1,L2", 2, "unclosed '{'"),
  bad("a/{L1,{x}", 2, "unclosed '{'"),
  bad("{a/b}", 0, "unclosed '{'"),
  bad("a/L1}", 4, "unmatched '}'"),
  bad("a/[L1", 2, "unclosed '['"),
  bad("a/[a-", 2, "unclosed '['"),
  bad("a/L1]", 4, "unmatched ']'"),
  bad("a/{}", 2, "empty alternation"),
  bad("a/[]", 2, "empty character class"),
  bad("a/[!]", 2, "empty character class"),
  bad("a/[z-a]", 3, "reversed character range 'z-a'"),
  bad("a/L2..M5", 6, "different prefixes"),
  bad("a/L2..5", 6, "different prefixes"),
  bad("a/h2.out..h7.in", 13, "different suffixes"),
  bad("a/L2x..L5", 8, "different suffixes"),
  bad("a/a..b", 2, "range bound 'a' has no number"),
  bad("a/L1..Lx", 6, "range bound 'Lx' has no number"),
  bad("a/{a..z}", 3, "has no number"),
  bad("a/L{1..x}", 7, "has no number"),
  bad("a/L2..", 6, "no upper bound"),
  bad("a/..L2", 2, "no lower bound"),
  bad("a/L*..L5", 3, "literal"),
  bad("a/L1..L2..L3", 8, "only one '..'"),
  bad("a/L\\", 3, "trailing '\\'"),
  bad("a\\", 1, "trailing '\\'"),
  bad("a/[x\\", 4, "trailing '\\'"),
  bad("a/L1/x", 4, "second '/'"),
  bad("a@s@t", 3, "second '@'"),
  bad("a/L1@s@t", 6, "second '@'"),
  bad("a@s/L1", 3, "'/' after '@'"),
  bad("a/L3@val/x", 8, "'/' after '@'"),
]

private let validSelectors: [String] = {
  var seen: Set<String> = []
  return matchTable.map(\.selector).filter { seen.insert($0).inserted }
}()

@Suite enum SelectorTests {
  @Suite struct Matching {
    @Test(arguments: matchTable)
    func selectorMatches(_ c: MatchCase) throws {
      let selector = try Selector.parse(c.selector)
      #expect(selector.matches(model: c.model, layer: c.layer, exampleSet: c.exampleSet) == c.isMatch)
    }

    @Test func tableIsLargeEnough() {
      #expect(matchTable.count >= 60)
      #expect(errorTable.count >= 25)
    }

    @Test func missingPartsMeanAny() throws {
      let selector = try Selector.parse("a")
      #expect(selector.layer == .any)
      #expect(selector.exampleSet == nil)
      #expect(try Selector.parse("*") == Selector.all)
      #expect(try Selector.parse("model:*/*") == Selector.all)
    }

    @Test func starSetIsKeptDistinctFromNoSet() throws {
      let selector = try Selector.parse("a@*")
      #expect(selector.exampleSet == .any)
      #expect(selector != (try Selector.parse("a")))
      #expect(selector.matches(model: "a", layer: "L1", exampleSet: "anything"))
    }

    @Test(arguments: [
      ("L3", "L3"), ("L\\*", "L*"), ("a\\.\\.b", "a..b"), ("emb", "emb"), ("h2.out", "h2.out"),
    ])
    func literalPatternsExposeTheirName(_ text: String, _ name: String) throws {
      #expect(try NamePattern(parsing: text).literal == name)
    }

    @Test(arguments: ["L*", "L?", "{a}", "L[12]", "L2..L7", "L{1..3}"])
    func patternsWithMetacharactersHaveNoLiteral(_ text: String) throws {
      #expect(try NamePattern(parsing: text).literal == nil)
    }

    @Test func programmaticConstruction() throws {
      let selector = Selector(model: try NamePattern(parsing: "gpt*"), exampleSet: try NamePattern(parsing: "val"))
      #expect(selector.description == "model:gpt*/*@val")
      #expect(selector.matches(model: "gpt2", layer: "L1", exampleSet: "val"))
      #expect(!selector.matches(model: "gpt2", layer: "L1", exampleSet: "train"))
    }
  }

  @Suite struct Errors {
    @Test("braces nest up to the limit; deeper nesting is an error at the first brace too deep, not a stack overflow")
    func nesting() throws {
      let limit = 32  // PatternParser.maximumNesting
      let deepest = String(repeating: "{a,", count: limit) + "b" + String(repeating: "}", count: limit)
      #expect(try Selector.parse("m/" + deepest).matches(model: "m", layer: "a", exampleSet: "s"))
      for count in [limit + 1, 16_000] {
        do {
          _ = try Selector.parse(String(repeating: "{", count: count))
          Issue.record("parsed \(count) nested braces")
        } catch let error as SelectorError {
          #expect(error.column == limit && error.message == "braces nested more than \(limit) deep", "\(error)")
        }
      }
    }

    @Test(arguments: errorTable)
    func malformedSelectorsReportColumnAndMessage(_ c: ErrorCase) {
      do {
        let selector = try Selector.parse(c.selector)
        Issue.record("parsed '\(c.selector)' as \(selector)")
      } catch let error as SelectorError {
        #expect(error.input == c.selector)
        #expect(error.column == c.column, "\(error)")
        #expect(error.message.contains(c.fragment), "\(error)")
        #expect(!error.description.contains("\n"))
      } catch {
        Issue.record("unexpected error type: \(error)")
      }
    }

    @Test func descriptionIsOneLine() {
      #expect(throws: SelectorError(input: "a/{L1", column: 2, kind: .unclosed("{"))) { try Selector.parse("a/{L1") }
      let error = SelectorError(input: "a/{L1", column: 2, kind: .unclosed("{"))
      #expect(error.description == "selector 'a/{L1': column 2: unclosed '{'")
    }

    @Test func caretDiagnosticPointsAtTheColumn() {
      let error = SelectorError(input: "a/{L1", column: 2, kind: .unclosed("{"))
      #expect(error.caretDiagnostic == "a/{L1\n  ^\nunclosed '{'")
      let atEnd = SelectorError(input: "a/", column: 2, kind: .emptyPart(.layer))
      #expect(atEnd.caretDiagnostic == "a/\n  ^\nempty layer pattern after '/'")
      let tabbed = SelectorError(input: "\ta/[", column: 3, kind: .unclosed("["))
      #expect(tabbed.caretDiagnostic == "\ta/[\n\t  ^\nunclosed '['")
    }

    @Test(arguments: [
      ("", 0, "empty name pattern"), ("a/b", 1, "unexpected '/'"), ("a@b", 1, "unexpected '@'"),
      ("L{1", 1, "unclosed '{'"), ("x]", 1, "unmatched ']'"), ("L2..M5", 4, "different prefixes"),
    ])
    func standalonePatternErrorsUsePatternColumns(_ text: String, _ column: Int, _ fragment: String) {
      do {
        _ = try NamePattern(parsing: text)
        Issue.record("parsed '\(text)'")
      } catch let error as SelectorError {
        #expect(error.input == text)
        #expect(error.column == column, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
      } catch {
        Issue.record("unexpected error type: \(error)")
      }
    }

    @Test func errorsMatchByKind() {
      #expect(throws: SelectorError(input: "a/L1/x", column: 4, kind: .repeatedDelimiter("/"))) {
        try Selector.parse("a/L1/x")
      }
    }
  }

  @Suite struct RoundTrip {
    @Test(arguments: validSelectors)
    func parseDescriptionParseIsStable(_ text: String) throws {
      let selector = try Selector.parse(text)
      let reparsed = try Selector.parse(selector.description)
      #expect(reparsed == selector, "\(text) -> \(selector.description)")
      #expect(reparsed.description == selector.description)
    }

    @Test(arguments: [
      ("a/L3", "model:a/L3"), ("a", "model:a/*"), ("*", "model:*/*"), ("a/[^1]", "model:a/[!1]"),
      ("a@val", "model:a/*@val"), ("a/v1\\..2", "model:a/v1.\\.2"), ("a/L\\3", "model:a/L3"),
      ("a/h2.out..h7.out", "model:a/h2.out..h7.out"), ("a/L02..L07", "model:a/L02..L07"),
      ("a/{4..1}", "model:a/{4..1}"), ("a/x,y", "model:a/x\\,y"), ("a/[-.]", "model:a/[\\-.]"),
      ("a/x.\\.y", "model:a/x.\\.y"), ("a/L2x.\\.1..L2x.\\.5", "model:a/L2x.\\.1..L2x.\\.5"),
      ("a/v2x\\...v5x\\.", "model:a/v2x\\...v5x\\."),
    ])
    func canonicalText(_ text: String, _ canonical: String) throws {
      let selector = try Selector.parse(text)
      #expect(selector.description == canonical)
      #expect(try Selector.parse(canonical) == selector)
    }

    @Test func rangeWithDotSuffixMatchesAfterRoundTrip() throws {
      let selector = try Selector.parse(Selector.parse("a/v2x\\...v5x\\.").description)
      #expect(selector.matches(model: "a", layer: "v3x.", exampleSet: "s"))
      #expect(!selector.matches(model: "a", layer: "v3x", exampleSet: "s"))
    }

    /// Random strings over the metacharacters: whatever parses must round-trip, and its edit distance to a name must
    /// be 0 exactly when it matches the name (two evaluators, one answer); whatever fails must fail with a column inside
    /// (or just past) the text.
    @Test func randomTextsRoundTripOrFailCleanly() throws {
      let alphabet: [Character] = ["a", "L", "1", "0", "9", ".", "*", "?", "[", "]", "!", "-", "{", "}", ",", "\\",
                                   "/", "@", "x"]
      let nameAlphabet: [Character] = ["a", "L", "1", "0", "9", ".", "x", "-", "!", "?", "*"]
      var parsedCount = 0
      for seed in UInt64(0)..<3000 {
        var generator = SplitMix64(seed: seed)
        let length = Int.random(in: 1...10, using: &generator)
        let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
        let selector: Selector
        do {
          selector = try Selector.parse(text)
        } catch let error as SelectorError {
          #expect(error.column >= 0 && error.column <= text.count, "seed \(seed): \(error)")
          continue
        }
        parsedCount += 1
        let reparsed = try Selector.parse(selector.description)
        #expect(reparsed == selector, "seed \(seed): '\(text)' -> '\(selector.description)'")
        for _ in 0..<8 {
          let name = String((0..<Int.random(in: 0...6, using: &generator)).map { _ in
            nameAlphabet.randomElement(using: &generator) ?? "a"
          })
          for pattern in [selector.model, selector.layer] {
            #expect(
              pattern.matches(name) == (pattern.editDistance(to: name) == 0), "seed \(seed): '\(pattern)' on '\(name)'")
          }
        }
      }
      #expect(parsedCount > 300)
    }
  }

  @Suite struct NaturalOrdering {
    @Test(arguments: [
      (["L10", "L2", "L1", "L9", "emb", "L1a", "l2"], ["L1", "L1a", "L2", "L9", "L10", "emb", "l2"]),
      (["L10a", "L10", "L9", "L2"], ["L2", "L9", "L10", "L10a"]),
      (["L2", "L02", "L002", "L1", "L3"], ["L1", "L002", "L02", "L2", "L3"]),
      (["layer.10.attn", "layer.9.attn", "layer.9.mlp", "layer.10"], ["layer.9.attn", "layer.9.mlp", "layer.10", "layer.10.attn"]),
      (["x99999999999999999999999999", "x100000000000000000000000000", "x5", "x0000000000000000000000000000001"],
       ["x0000000000000000000000000000001", "x5", "x99999999999999999999999999", "x100000000000000000000000000"]),
      (["b", "", "a", "a1"], ["", "a", "a1", "b"]),
      (["h1.2", "h1.10", "h1.1", "h10.0"], ["h1.1", "h1.2", "h1.10", "h10.0"]),
    ])
    func sortsNumerically(_ names: [String], _ expected: [String]) {
      #expect(names.sorted(by: NaturalOrder.areInIncreasingOrder) == expected)
    }

    @Test(arguments: [
      ("L2", "L9", true), ("L9", "L10", true), ("L10", "L10a", true), ("L10a", "L10", false), ("L2", "L2", false),
      ("L02", "L2", true), ("L2", "L02", false), ("L1", "L_", true), ("L_", "La", true), ("a", "b", true),
      ("L", "L1", true), ("1" + String(repeating: "9", count: 400), "2" + String(repeating: "0", count: 400), true),
    ])
    func pairs(_ a: String, _ b: String, _ isBefore: Bool) {
      #expect(NaturalOrder.areInIncreasingOrder(a, b) == isBefore)
    }

    /// Exactly one of a < b, b < a, a == b for every pair, and < is transitive, over a pool with digits,
    /// leading zeros, case and non-ASCII characters.
    @Test func isAStrictTotalOrder() {
      let pool = ["", "0", "00", "1", "01", "10", "a", "A", "a0", "a00", "a1", "a01", "a1b", "a10", "a_", "a.1", "é",
                  "e\u{301}", "L9", "L09", "L10", "l9", "9a", "09a", "x1y2", "x01y2", "x1y02", "~", " 1"]
      let less = NaturalOrder.areInIncreasingOrder
      for a in pool {
        for b in pool {
          let count = [less(a, b), less(b, a), a == b].filter { $0 }.count
          #expect(count == 1, "\(a) vs \(b)")
          for c in pool where less(a, b) && less(b, c) {
            #expect(less(a, c), "\(a) < \(b) < \(c)")
          }
        }
      }
    }
  }

  @Suite struct Suggestions {
    @Test(arguments: [
      ("L3", ["L1", "L2", "L4", "L13", "emb"], ["L1", "L2", "L4"]),
      ("laeyr3", ["layer3", "layer30", "emb"], ["layer3"]),
      ("encoder.layers.3", ["decoder.layer.3", "encoder.layer.3"], ["encoder.layer.3", "decoder.layer.3"]),
      ("lyr*", ["layer1", "layer2", "emb"], ["layer1", "layer2"]),
      ("xyz", ["abc"], []),
      ("l2", ["L2", "L2", "l3"], ["L2"]),
      // Case is ignored, and names that differ only in case are the only suggestions when there are any.
      ("emb", ["EMB", "em", "Emb"], ["Emb", "EMB"]),
      ("SEED*", ["seed0", "seed1", "sed"], ["seed0", "seed1"]),
      ("l10", ["L1", "L2", "L10"], ["L10"]),
      ("Lx3", ["L3", "l4", "lx4"], ["L3", "lx4"]),
    ])
    func nearestNames(_ pattern: String, _ names: [String], _ expected: [String]) throws {
      #expect(NamePattern.suggestions(for: try NamePattern(parsing: pattern), among: names, limit: 3) == expected)
    }

    @Test(arguments: [
      ("kitten", "sitting", 3), ("L3", "L3", 0), ("*", "anything", 0), ("L{1..4}", "L7", 1), ("L{1..4}", "L2", 0),
      ("L?", "L", 1), ("L[0-9]", "La", 1), ("{emb,L1}", "L2", 1), ("L2..L7", "L9x", 2), ("", "ab", 2),
    ])
    func editDistance(_ pattern: String, _ name: String, _ distance: Int) throws {
      let parsed = pattern.isEmpty ? NamePattern.any : try NamePattern(parsing: pattern)
      #expect(parsed.editDistance(to: name) == (pattern.isEmpty ? 0 : distance))
    }

    @Test(arguments: [
      ("L3", "l3", 0, 1), ("Seed*", "SEED12", 0, 3), ("[A-C]x", "bX", 0, 2), ("[a-c]1", "B1", 0, 1),
      ("L{1..4}", "l7", 1, 2), ("{emb,L1}", "EMB", 0, 3), ("encoder", "Encodr", 1, 2),
    ])
    func editDistanceIgnoringCase(_ pattern: String, _ name: String, _ folded: Int, _ exact: Int) throws {
      let parsed = try NamePattern(parsing: pattern)
      #expect(parsed.editDistance(to: name, ignoringCase: true) == folded)
      #expect(parsed.editDistance(to: name) == exact)
    }

    @Test func limitAndThreshold() throws {
      let pattern = try NamePattern(parsing: "L3")
      #expect(NamePattern.suggestions(for: pattern, among: ["L1", "L2"], limit: 0).isEmpty)
      #expect(NamePattern.suggestions(for: pattern, among: ["L1", "L2"], limit: 1) == ["L1"])
      #expect(NamePattern.suggestions(for: pattern, among: ["layer3"], limit: 3).isEmpty)
      #expect(NamePattern.suggestions(for: pattern, among: ["layer3"], limit: 3, maxDistance: 5) == ["layer3"])
    }
  }

  @Suite struct Performance {
    @Test func pathologicalPatternsFinishQuickly() throws {
      let clock = ContinuousClock()
      let start = clock.now
      let stars = try NamePattern(parsing: String(repeating: "*a", count: 12) + "*b")
      let long = String(repeating: "a", count: 5000)
      #expect(!stars.matches(long))
      #expect(stars.matches(long + "b"))
      let braces = try NamePattern(parsing: String(repeating: "{a,a,aa}", count: 25) + "b")
      #expect(!braces.matches(String(repeating: "a", count: 60)))
      let nested = try NamePattern(parsing: String(repeating: "{*,", count: 20) + "a" + String(repeating: "}", count: 20) + "x")
      #expect(!nested.matches(String(repeating: "a", count: 300)))
      #expect(stars.editDistance(to: String(repeating: "a", count: 500)) == 1)
      #expect(clock.now - start < .seconds(5))
    }

    @Test func thousandsOfNamesTimesPatterns() throws {
      let names = (0..<5000).map { $0 % 3 == 0 ? "block.\($0).mlp" : "layer.\($0).attn" }
      let patterns = try ["*.attn", "layer.{1..40}.*", "layer.[0-9][0-9].attn", "*1*2*3*", "layer.1.attn..layer.9.attn",
                          "{layer,block}.*", "layer.?.attn", "*[!0-9].attn"].map(NamePattern.init(parsing:))
      let clock = ContinuousClock()
      let start = clock.now
      var count = 0
      for pattern in patterns {
        for name in names where pattern.matches(name) { count += 1 }
      }
      #expect(count > 0)
      #expect(clock.now - start < .seconds(5))
    }
  }
}
