import RepMeasures
import RepStore
import Testing

@testable import RepQuery

/// Random valid statements from a seed, built as trees (not text), so printing is what is under test.
///
/// Names and values are drawn from pools that stress the printer: spaces, both quotes, `#`, `;`, `,`, `=`, unbalanced
/// parentheses, keywords (`with`, `on`), option-like words (`--x`), non-ASCII, and character classes that look like
/// subsets (`[\:]`, `[keys=q]`).
struct StatementGenerator {
  var random: SeededGenerator

  init(seed: UInt64) { random = SeededGenerator(seed: seed) }

  private static let patternPieces = [
    "a", "b2", "gpt*", "seed?", "L2..L7", "layer{1..4}", "{x,y}", "L[12]", "[!0-3]x", "my model", "it's", "q\"z",
    "x#1", "a\\,b", "k=v", "with", "on", "--x", "é", "semi;colon", "[\\:]", "[keys=q]", "(p)", "x(", "t\\[1", "{0..9}",
  ]
  private static let names = [
    "contrasim", "probe1", "on", "with", "sim", "a b", "it's", "both'\"", "--k", "-x", "é#", "",
  ]
  private static let paths = ["keep.txt", "my keys.txt", "k]ey's.txt", "a#b;c", "x\"y", "[1:2]"]
  private static let measureNames = ["cka", "cka.rbf", "mknn", "svcca", "rsa", "pwcca", "cca.mean", "nosuch_measure"]
  private static let parameterValues = ["0.5", "20", "euclidean", "a b", "it's", "x#y", "b=c", "f(1)", "q\"", "é"]

  private mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &random)] }
  private mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }

  /// One or two pattern pieces run together, retried until the text is a valid pattern.
  private mutating func patternText() -> String {
    while true {
      let text = chance(0.3) ? pick(Self.patternPieces) + pick(Self.patternPieces) : pick(Self.patternPieces)
      if (try? NamePattern(parsing: text)) != nil { return text }
    }
  }

  mutating func selectorExpression() -> SelectorExpression {
    var text = patternText()
    if chance(0.6) { text += "/" + patternText() }
    let hasSet = chance(0.5)
    if hasSet { text += "@" + patternText() }
    // Only valid pieces are combined, and `/` and `@` are escaped inside them, so the selector parses.
    let selector = try! Selector.parse(text)
    guard hasSet, chance(0.6) else { return SelectorExpression(selector) }
    if chance(0.3) { return SelectorExpression(selector, subset: .keys(file: pick(Self.paths))) }
    let lower = chance(0.3) ? 0 : Int.random(in: 0...5000, using: &random)
    let upper = chance(0.3) ? nil : lower + Int.random(in: 1...5000, using: &random)
    return SelectorExpression(selector, subset: .rows(lowerBound: lower, upperBound: upper))
  }

  mutating func measure() -> MeasureID {
    let name = pick(Self.measureNames)
    switch Int.random(in: 0..<3, using: &random) {
    case 0: return MeasureID(name: name)
    case 1: return MeasureID(name: name, parameters: ["k": pick(Self.parameterValues)])
    default:
      let rdm = pick(Self.parameterValues)
      return MeasureID(name: name, parameters: ["rdm": rdm, "compare": pick(Self.parameterValues)])
    }
  }

  mutating func number() -> Double {
    chance(0.5) ? pick([0.001, 0.5, 1, 20, 1e-5, 0.07]) : Double.random(in: 1e-6..<10, using: &random)
  }

  mutating func simOptions() -> SimOptions {
    var options = SimOptions()
    if chance(0.3) { options.reduce = pick(TableReduction.allCases) }
    if chance(0.2) { options.projection = pick(Self.names.filter { !$0.isEmpty }) }
    if chance(0.2) { options.trainOn = (0 ..< Int.random(in: 1...3, using: &random)).map { _ in selectorExpression() } }
    if chance(0.3) { options.intersect = true }
    if chance(0.3) { options.format = pick(TableFormat.allCases) }
    if chance(0.2) { options.heatmap = pick(["h.svg", "my map.SVG", "it's.svg", "a#b.svg", "--x.svg"]) }
    if chance(0.2) { options.route = pick(StatisticsRoute.allCases) }
    if chance(0.2) { options.recompute = true }
    if chance(0.2) { options.threads = Int.random(in: 1...64, using: &random) }
    if chance(0.2) { options.training = trainOptions() }
    return options
  }

  mutating func trainOptions() -> TrainingOverrides {
    var options = TrainingOverrides()
    if chance(0.3) { options.positives = pick(PositivePairs.allCases) }
    if chance(0.3) {
      options.negatives = chance(0.5) ? .batch : .nearestNeighbors(k: Int.random(in: 1...100, using: &random))
    }
    if chance(0.3) { options.epochs = Int.random(in: 1...100, using: &random) }
    if chance(0.3) { options.learningRate = number() }
    if chance(0.3) { options.batchSize = Int.random(in: 1...1024, using: &random) }
    if chance(0.3) { options.seed = random.next() }
    if chance(0.3) { options.outputDimension = Int.random(in: 1...512, using: &random) }
    if chance(0.3) { options.weightDecay = chance(0.2) ? 0 : number() }
    if chance(0.3) { options.temperature = number() }
    if chance(0.3) { options.validationFraction = Double.random(in: 0..<1, using: &random) }
    if chance(0.3) { options.standardize = chance(0.5) }
    return options
  }

  mutating func statement() -> QueryStatement {
    switch Int.random(in: 0..<11, using: &random) {
    case 0..<5:
      let measures = (0..<Int.random(in: 1...3, using: &random)).map { _ in measure() }
      return .sim(SimStatement(measures: measures, rows: selectorExpression(), columns: selectorExpression(),
                               options: simOptions()))
    case 5..<8:
      let selectors = (0..<Int.random(in: 1...3, using: &random)).map { _ in selectorExpression() }
      return .train(TrainStatement(kind: pick(Self.names), name: pick(Self.names), selectors: selectors,
                                   options: trainOptions()))
    case 8:
      return .show(ShowStatement(pick(ShowSubject.allCases), selector: chance(0.5) ? selectorExpression() : nil))
    case 9:
      return .dropTable(DropTableStatement(tableNumber: Int.random(in: 1...Int(Int32.max), using: &random)))
    default:
      let names = (0..<Int.random(in: 1...3, using: &random)).map { _ in pick(Self.names) }
      return .dropProjection(DropProjectionStatement(names: names, options: DropProjectionOptions(force: chance(0.5))))
    }
  }
}

/// The words a shell would pass for canonical text: quotes removed, and a measure list's commas kept in one word.
func shellWords(_ text: String) -> [String] {
  var words: [String] = []
  var joinsNext = false
  for token in Lexer.tokens(in: text) {
    if token.kind == .comma {
      words[words.count - 1] += ","
      joinsNext = true
    } else if joinsNext {
      words[words.count - 1] += token.text
      joinsNext = false
    } else {
      words.append(token.text)
    }
  }
  return words
}

@Suite("Canonical round trip")
struct LanguageRoundTripTests {
  /// print → parse gives an equal tree, and printing that tree gives the same text, for 4,000 random statements.
  @Test(arguments: 0..<8)
  func printParsePrint(seedBlock: Int) throws {
    for offset in 0..<500 {
      let seed = UInt64(seedBlock * 500 + offset)
      var generator = StatementGenerator(seed: seed)
      let original = generator.statement()
      let text = original.description
      let parsed: QueryStatement
      do {
        parsed = try QueryParser.parseStatement(text)
      } catch {
        Issue.record("seed \(seed): \(text)\n\(error.caretDiagnostic)")
        continue
      }
      #expect(parsed == original, "seed \(seed): \(text)")
      #expect(parsed.description == text, "seed \(seed)")
    }
  }

  /// The command-line form of the canonical text parses to the same tree.
  ///
  /// Arguments cannot quote, so a value spelled `on`, `with` or `--…` reads as a keyword or option there; statements
  /// with one are skipped (the text form, above, covers them).
  @Test func argumentsRoundTrip() throws {
    var checked = 0
    for seed in UInt64(0)..<1000 {
      var generator = StatementGenerator(seed: seed)
      let original = generator.statement()
      let quoted = Lexer.tokens(in: original.description).filter { $0.kind == .quoted }.map(\.text)
      if quoted.contains(where: { $0 == "on" || $0 == "with" || $0.hasPrefix("--") }) { continue }
      checked += 1
      let words = shellWords(original.description)
      #expect(try QueryParser.parseArguments(words) == original, "seed \(seed): \(words)")
    }
    #expect(checked > 500)
  }

  /// A name ending in `\` reads back alone, but before a space the `\` would take the space into the word: canonical
  /// text quotes it (found by fuzz-query: `train 'o\' "x's" on …` printed the name bare).
  @Test(arguments: ["o\\", "a\\\\", "L\\"])
  func trailingBackslashIsQuoted(_ name: String) throws {
    let statement = try QueryParser.parseStatement("train contrasim '\(name)' on 'm/L1'")
    // An escaped backslash (`a\\`) keeps the space out and may stay bare; a lone one may not.
    if !name.hasSuffix("\\\\") { #expect(statement.description.contains("'\(name)'"), "\(statement.description)") }
    #expect(try QueryParser.parseStatement(statement.description) == statement)
  }

  /// Statements joined by `;` and line breaks, with comments, parse back in order.
  @Test func scriptsRoundTrip() throws {
    var generator = StatementGenerator(seed: 42)
    for round in 0..<100 {
      let statements = (0..<5).map { _ in generator.statement() }
      var script = ""
      for (index, statement) in statements.enumerated() {
        script += statement.description + (index % 2 == 0 ? " ; " : "  # note \(index)\n")
      }
      #expect(try QueryParser.parseScript(script) == statements, "round \(round): \(script)")
      #expect(QueryParser.parseEachStatement(in: script).map { try? $0.result.get() } == statements, "round \(round)")
    }
  }
}
