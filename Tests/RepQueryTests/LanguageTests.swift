import RepMeasures
import RepStore
import Testing

@testable import RepQuery

/// A selector expression from selector text and an optional subset, for expected values.
func selection(_ text: String, _ subset: ExampleSubset? = nil) -> SelectorExpression {
  // Test inputs are valid selectors; a typo here should fail loudly.
  SelectorExpression(try! Selector.parse(text), subset: subset)
}

/// Parses one statement of query text.
func statement(_ text: String) throws -> QueryStatement { try QueryParser.parseStatement(text) }

/// The `sim` statement `text` parses to, or `nil` for another kind.
func sim(_ text: String) throws -> SimStatement? {
  if case .sim(let statement) = try statement(text) { statement } else { nil }
}

/// The `train` statement `text` parses to, or `nil` for another kind.
func train(_ text: String) throws -> TrainStatement? {
  if case .train(let statement) = try statement(text) { statement } else { nil }
}

@Suite("Lexer")
struct LexerTests {
  /// Kinds and texts of the tokens of `source`.
  private func lexed(_ source: String) -> [String] {
    Lexer.tokens(in: source).map { token in
      switch token.kind {
      case .word: "w:\(token.text)"
      case .quoted: "q:\(token.text)"
      case .comma: ","
      case .equals: "="
      case .separator: ";"
      case .end: "end"
      case .malformed(let kind): "bad:\(kind.message)"
      }
    }
  }

  @Test func wordsPunctuationAndSeparators() {
    #expect(lexed("sim cka a/* b/*") == ["w:sim", "w:cka", "w:a/*", "w:b/*"])
    #expect(lexed("with reduce=argmax, intersect") == ["w:with", "w:reduce", "=", "w:argmax", ",", "w:intersect"])
    #expect(lexed("a;b\nc\r\nd") == ["w:a", ";", "w:b", ";", "w:c", ";", "w:d"])
    #expect(lexed("  \t sim\t\tcka  ") == ["w:sim", "w:cka"])
  }

  @Test func bracketsKeepWhatTheyEnclose() {
    #expect(lexed("rsa(rdm=euclidean,compare=pearson)") == ["w:rsa(rdm=euclidean,compare=pearson)"])
    #expect(lexed("cka.rbf(threshold = 0.5) x") == ["w:cka.rbf(threshold = 0.5)", "w:x"])
    #expect(lexed("a/{L1,L2}@val") == ["w:a/{L1,L2}@val"])
    #expect(lexed("a@val[keys=my keys.txt] b") == ["w:a@val[keys=my keys.txt]", "w:b"])
    #expect(lexed("a/L[[] b") == ["w:a/L[[]", "w:b"])  // nothing nests in a class
    #expect(lexed("a/L\\[1 b") == ["w:a/L\\[1", "w:b"])  // an escaped bracket opens nothing
    #expect(lexed("a/L1] b") == ["w:a/L1]", "w:b"])  // a stray closer is the selector parser's business
  }

  @Test func quotesAndComments() {
    #expect(lexed("'my model/L3' \"it's\"") == ["q:my model/L3", "q:it's"])
    #expect(lexed("'it''s' ''") == ["q:it's", "q:"])
    #expect(lexed("'a/L\\*'") == ["q:a/L\\*"])  // no backslash escapes in quotes
    #expect(lexed("sim cka # a, b; 'c\nshow models") == ["w:sim", "w:cka", ";", "w:show", "w:models"])
    #expect(lexed("'#not a comment' a#b") == ["q:#not a comment", "w:a"])
    #expect(lexed("f(#x)") == ["w:f(#x)"])
  }

  @Test func problemsBecomeMalformedTokensAndLexingGoesOn() {
    #expect(lexed("a 'b c\nshow") == ["w:a", "bad:unclosed quote: no closing ' on this line", ";", "w:show"])
    #expect(lexed("cka(x=1 y\nz") == ["bad:unclosed '('", ";", "w:z"])
    #expect(lexed("model:'a b'") == [
      "bad:quotes must enclose a whole token: write 'model:my model/L3', not model:'my model'/L3", "q:a b",
    ])
  }

  @Test func offsetsCountCharactersAndMapQuotedText() {
    let tokens = Lexer.tokens(in: "é 'a''b'")
    #expect(tokens.map(\.offset) == [0, 2])
    #expect(tokens[1].length == 6)
    #expect(tokens[1].sourceOffset(ofTextCharacter: 0) == 3)
    #expect(tokens[1].sourceOffset(ofTextCharacter: 2) == 6)  // after the doubled quote
  }

  @Test func argumentsAreTokensVerbatim() {
    let tokens = Lexer.tokens(arguments: ["sim", "my model/L3", "", "a;b #c"])
    #expect(tokens.map(\.text) == ["sim", "my model/L3", "", "a;b #c"])
    #expect(tokens.map(\.offset) == [0, 4, 16, 17])
    #expect(tokens[2].kind == .quoted)
  }
}

@Suite("Statements")
struct StatementTests {
  @Test func simWithOneMeasure() throws {
    let expected = SimStatement(measures: [MeasureID(name: "cka")], rows: selection("a/L3"), columns: selection("b/*"))
    #expect(try statement("sim cka a/L3 b/*") == .sim(expected))
    #expect(try statement("sim cka model:a/L3 'model:b/*'") == .sim(expected))
  }

  @Test func simWithSeveralMeasuresAndParameters() throws {
    let measures = [
      MeasureID(name: "cka.rbf", parameters: ["threshold": "0.5"]), MeasureID(name: "mknn", parameters: ["k": "20"]),
      MeasureID(name: "svcca", parameters: ["var": "0.99"]),
      MeasureID(name: "rsa", parameters: ["rdm": "euclidean", "compare": "pearson"]),
    ]
    let text = "sim cka.rbf(threshold=0.5),mknn(k=20), svcca(var = 0.99) ,rsa(rdm=euclidean,compare=pearson) a b"
    #expect(try sim(text)?.measures == measures)
    #expect(try sim("sim cka,cca.mean a b")?.measures == [MeasureID(name: "cka"), MeasureID(name: "cca.mean")])
    #expect(try sim("sim 'cka' a b")?.measures == [MeasureID(name: "cka")])
    #expect(try sim("sim nosuchmeasure a b")?.measures == [MeasureID(name: "nosuchmeasure")])  // the registry decides
  }

  @Test func trainStatement() throws {
    let parsed = try train(
      "train contrasim probe1 on model:seed*/L3@train b/L{1..4} --positives same-layer --epochs 20")
    var options = TrainingOverrides()
    options.positives = .sameLayer
    options.epochs = 20
    #expect(
      parsed
        == TrainStatement(kind: "contrasim", name: "probe1", selectors: [selection("seed*/L3@train"),
                                                                          selection("b/L{1..4}")], options: options))
    #expect(try train("train 'my kind' 'on' on a")?.name == "on")
    #expect(try train("train k n on a with epochs=3")?.options.epochs == 3)
  }

  @Test(arguments: ShowSubject.allCases)
  func show(subject: ShowSubject) throws {
    #expect(try statement("show \(subject.rawValue)") == .show(ShowStatement(subject)))
    #expect(
      try statement("show \(subject.rawValue) 'a/L*@val'")
        == .show(ShowStatement(subject, selector: selection("a/L*@val"))))
  }

  @Test func dropTable() throws {
    #expect(try statement("drop table 7") == .dropTable(DropTableStatement(tableNumber: 7)))
    #expect(try statement("  drop   table 12 ; ") == .dropTable(DropTableStatement(tableNumber: 12)))
  }

  @Test func dropProjection() throws {
    #expect(try statement("drop projection probe") == .dropProjection(DropProjectionStatement(names: ["probe"])))
    let forced = DropProjectionStatement(names: ["probe", "contrasim-*"], options: DropProjectionOptions(force: true))
    #expect(try statement("drop projection probe 'contrasim-*' --force") == .dropProjection(forced))
    #expect(try statement("drop projection probe contrasim-* with force") == .dropProjection(forced))
    #expect(try QueryParser.parseArguments(["drop", "projection", "probe", "contrasim-*", "--force"])
      == .dropProjection(forced))
    #expect(forced.description == "drop projection probe contrasim-* --force")
  }

  @Test func quotingAndComments() throws {
    let parsed = try sim("sim cka 'my model/L 3' \"it's/*\" # compare the two")
    #expect(parsed?.rows == selection("my model/L 3"))
    #expect(parsed?.columns == selection("it's/*"))
    #expect(try sim("sim cka 'with' 'on'")?.rows == selection("with"))
    #expect(try sim("sim cka 'it''s' b")?.rows == selection("it's"))
  }
}

/// One option, written both ways, and the options it should give.
struct OptionCase<Options: Sendable & Equatable>: Sendable, CustomTestStringConvertible {
  var long: String
  var with: String
  var expected: Options
  var testDescription: String { long }
}

private func simOption(_ long: String, _ with: String, _ set: (inout SimOptions) -> Void) -> OptionCase<SimOptions> {
  var options = SimOptions()
  set(&options)
  return OptionCase(long: long, with: with, expected: options)
}

private func trainOption(_ long: String, _ with: String, _ set: (inout TrainingOverrides) -> Void)
  -> OptionCase<TrainingOverrides>
{
  var options = TrainingOverrides()
  set(&options)
  return OptionCase(long: long, with: with, expected: options)
}

private let simOptionCases: [OptionCase<SimOptions>] = [
  simOption("--reduce argmax", "reduce=argmax") { $0.reduce = .argmax },
  simOption("--reduce max", "reduce=max") { $0.reduce = .max },
  simOption("--reduce diag", "reduce=diag") { $0.reduce = .diag },
  simOption("--using probe1", "using=probe1") { $0.projection = "probe1" },
  simOption("--train-on 'a/L3@train[0:500]'", "train-on=a/L3@train[0:500]") {
    $0.trainOn = [selection("a/L3@train", .rows(lowerBound: 0, upperBound: 500))]
  },
  simOption("--train-on a/L3@train --train-on b/L3@train", "train-on=a/L3@train, train-on=b/L3@train") {
    $0.trainOn = [selection("a/L3@train"), selection("b/L3@train")]
  },
  simOption("--epochs 5", "epochs=5") { $0.training.epochs = 5 },
  simOption("--positives same-example", "positives=same-example") { $0.training.positives = .sameExample },
  simOption("--intersect", "intersect") { $0.intersect = true },
  simOption("--format csv", "format=csv") { $0.format = .csv },
  simOption("--format ndjson", "format=ndjson") { $0.format = .ndjson },
  simOption("--heatmap 'out dir/h.svg'", "heatmap='out dir/h.svg'") { $0.heatmap = "out dir/h.svg" },
  simOption("--route grams", "route=grams") { $0.route = .grams },
  simOption("--route auto", "route=auto") { $0.route = .automatic },
  simOption("--recompute", "recompute") { $0.recompute = true },
  simOption("--threads 8", "threads=8") { $0.threads = 8 },
  simOption("--reduce=argmax --threads=2", "reduce = argmax, threads = 2") {
    $0.reduce = .argmax
    $0.threads = 2
  },
]

private let trainOptionCases: [OptionCase<TrainingOverrides>] = [
  trainOption("--positives same-layer", "positives=same-layer") { $0.positives = .sameLayer },
  trainOption("--positives same-example", "positives=same-example") { $0.positives = .sameExample },
  trainOption("--negatives batch", "negatives=batch") { $0.negatives = .batch },
  trainOption("--negatives knn:16", "negatives=knn:16") { $0.negatives = .nearestNeighbors(k: 16) },
  trainOption("--epochs 20", "epochs=20") { $0.epochs = 20 },
  trainOption("--lr 1e-3", "lr=0.001") { $0.learningRate = 0.001 },
  trainOption("--batch 256", "batch=256") { $0.batchSize = 256 },
  trainOption("--seed 0", "seed=0") { $0.seed = 0 },
  trainOption("--seed 18446744073709551615", "seed=18446744073709551615") { $0.seed = .max },
  trainOption("--out-dim 64", "out-dim=64") { $0.outputDimension = 64 },
  trainOption("--weight-decay 0", "weight-decay=0.0") { $0.weightDecay = 0 },
  trainOption("--temperature .07", "temperature=0.07") { $0.temperature = 0.07 },
  trainOption("--validation 0.1", "validation=0.1") { $0.validationFraction = 0.1 },
  trainOption("--standardize", "standardize") { $0.standardize = true },
  trainOption("--no-standardize", "no-standardize") { $0.standardize = false },
  trainOption("--standardize --no-standardize", "standardize, no-standardize") { $0.standardize = false },
]

@Suite("Options")
struct OptionTests {
  @Test(arguments: simOptionCases)
  func simOptionBothWays(_ option: OptionCase<SimOptions>) throws {
    #expect(try sim("sim cka a b \(option.long)")?.options == option.expected)
    #expect(try sim("sim cka a b with \(option.with)")?.options == option.expected)
    // The words a shell would pass: quotes removed, `--name=value` kept whole.
    var words: [String] = []
    var joinsNext = false
    for token in Lexer.tokens(in: option.long) {
      if token.kind == .equals {
        words[words.count - 1] += "="
        joinsNext = true
      } else if joinsNext {
        words[words.count - 1] += token.text
        joinsNext = false
      } else {
        words.append(token.text)
      }
    }
    let arguments = ["sim", "cka", "a", "b"] + words
    guard case .sim(let parsed) = try QueryParser.parseArguments(arguments) else { return }
    #expect(parsed.options == option.expected)
  }

  @Test(arguments: trainOptionCases)
  func trainOptionBothWays(_ option: OptionCase<TrainingOverrides>) throws {
    #expect(try train("train k n on a \(option.long)")?.options == option.expected)
    #expect(try train("train k n on a with \(option.with)")?.options == option.expected)
  }

  @Test func spellingsMix() throws {
    let parsed = try sim("sim cka a/* b/* with reduce=argmax, intersect --format csv with threads=3")
    var expected = SimOptions()
    expected.reduce = .argmax
    expected.intersect = true
    expected.format = .csv
    expected.threads = 3
    #expect(parsed?.options == expected)
  }
}

@Suite("Example subsets")
struct SubsetTests {
  @Test(arguments: [
    ("a/L3@val[0:1000]", selection("a/L3@val", .rows(lowerBound: 0, upperBound: 1000))),
    ("a/L3@val[:500]", selection("a/L3@val", .rows(lowerBound: 0, upperBound: 500))),
    ("a/L3@val[100:]", selection("a/L3@val", .rows(lowerBound: 100, upperBound: nil))),
    ("a/L3@val[:]", selection("a/L3@val", .rows(lowerBound: 0, upperBound: nil))),
    ("a/L3@*[5:6]", selection("a/L3@*", .rows(lowerBound: 5, upperBound: 6))),
    ("a@{x,y}[1:2]", selection("a@{x,y}", .rows(lowerBound: 1, upperBound: 2))),
    ("a/L3@val[keys=keep.txt]", selection("a/L3@val", .keys(file: "keep.txt"))),
    ("'a/L3@val[keys=my keys].txt]'", selection("a/L3@val", .keys(file: "my keys].txt"))),
    ("a/L3@val[keys=my keys.txt]", selection("a/L3@val", .keys(file: "my keys.txt"))),
    // Character classes, not subsets.
    ("a/L[12]", selection("a/L[12]")),
    ("a/L3@val[12]", selection("a/L3@val[12]")),
    ("a/L3@v[\\:]", selection("a/L3@v[\\:]")),
    ("a/L[12]@val[0:10]", selection("a/L[12]@val", .rows(lowerBound: 0, upperBound: 10))),
    ("a/L3@{v[0:1],w}", selection("a/L3@{v[0:1],w}")),
  ])
  func subset(text: String, expected: SelectorExpression) throws {
    #expect(try sim("sim cka \(text) b")?.rows == expected)
  }

  @Test func lookalikeClassesPrintEscaped() throws {
    #expect(selection("a/L3@v[\\:]").description == "model:a/L3@v[\\:]")
    #expect(selection("a/[keys=x]").description == "model:a/[\\keys=x]")
    #expect(selection("a/L3@v[0-9]").description == "model:a/L3@v[0-9]")
  }
}

@Suite("Scripts and arguments")
struct ScriptTests {
  @Test func semicolonsNewlinesAndComments() throws {
    let script = """
      # a comment line
      sim cka a b; show models

      drop table 2 ;; show layers a  # trailing comment
      """
    let statements = try QueryParser.parseScript(script)
    #expect(statements.map(\.description) == [
      "sim cka model:a/* model:b/*", "show models", "drop table 2", "show layers model:a/*",
    ])
    #expect(try QueryParser.parseScript("# nothing\n\n;") == [])
  }

  @Test func eachStatementReportsOnItsOwn() {
    let script = "show models\nsim cka 'a b\nshow tables; simm cka a b; drop table 1"
    let parsed = QueryParser.parseEachStatement(in: script)
    #expect(parsed.map(\.number) == [1, 2, 3, 4, 5])
    #expect(parsed.map(\.line) == [1, 2, 3, 3, 3])
    #expect(parsed.map(\.text) == ["show models", "sim cka 'a b", "show tables", "simm cka a b", "drop table 1"])
    let failures = parsed.compactMap { entry -> QuerySyntaxError? in
      if case .failure(let error) = entry.result { error } else { nil }
    }
    #expect(failures.map(\.description) == [
      "statement 2, line 2, column 8: unclosed quote: no closing ' on this line",
      "statement 4, line 3, column 13: expected a statement (sim, train, show, drop or explain), found 'simm';"
        + " did you mean 'sim'?",
    ])
    #expect(throws: QuerySyntaxError.self) { try QueryParser.parseScript(script) }
  }

  @Test func oneStatementOnly() throws {
    #expect(try statement("show models;") == .show(ShowStatement(.models)))
    #expect(throws: QuerySyntaxError.self) { try statement("show models; show layers") }
  }

  @Test func argumentsAreNotResplit() throws {
    let parsed = try QueryParser.parseArguments([
      "sim", "cka,rsa(rdm=euclidean,compare=pearson)", "my model/L3", "b#1;x", "--format=csv", "--heatmap", "a b.svg",
    ])
    var options = SimOptions()
    options.format = .csv
    options.heatmap = "a b.svg"
    let expected = SimStatement(
      measures: [
        MeasureID(name: "cka"), MeasureID(name: "rsa", parameters: ["rdm": "euclidean", "compare": "pearson"]),
      ],
      rows: selection("my model/L3"), columns: selection("b#1;x"), options: options)
    #expect(parsed == .sim(expected))
    #expect(parsed.description == "sim cka,rsa(rdm=euclidean,compare=pearson) 'model:my model/L3' 'model:b#1;x/*'"
      + " --format csv --heatmap 'a b.svg'")
    #expect(try QueryParser.parseStatement(parsed.description) == parsed)
  }

  @Test func argumentErrorsPointIntoTheJoinedArguments() {
    #expect {
      try QueryParser.parseArguments(["sim", "cka", "a b/L1", "c", "--threads", "x"])
    } throws: { error in
      guard let error = error as? QuerySyntaxError else { return false }
      return error.source == "sim cka a b/L1 c --threads x" && error.column == 27
        && error.caretDiagnostic == """
          sim cka a b/L1 c --threads x
                                     ^
          option '--threads' expects a positive integer, found 'x'
          """
    }
  }
}

@Suite("Canonical text")
struct CanonicalTextTests {
  @Test(arguments: [
    ("sim cka a/L3 b", "sim cka model:a/L3 model:b/*"),
    (
      "sim cka, cca.mean 'a' b with intersect, reduce=argmax",
      "sim cka,cca.mean model:a/* model:b/* --reduce argmax --intersect"
    ),
    (
      "sim cka.rbf( threshold = 0.5 ) a b --threads 4 --format json",
      "sim cka.rbf(threshold=0.5) model:a/* model:b/* --format json --threads 4"
    ),
    ("sim cka 'a/L 1@val[0:10]' b --heatmap x.svg", "sim cka 'model:a/L 1@val[0:10]' model:b/* --heatmap x.svg"),
    (
      "sim cka a@v[:5] b --train-on 'c@t[keys=k k]' --using with",
      "sim cka model:a/*@v[0:5] model:b/* --using 'with' --train-on model:c/*@t[keys=k k]"
    ),
    (
      "train contrasim p on a b with lr=0.0010, epochs=3, temperature=1",
      "train contrasim p on model:a/* model:b/* --epochs 3 --lr 0.001 --temperature 1"
    ),
    (
      "train 'on' \"it's\" on a --negatives knn:5 --seed 7",
      "train 'on' \"it's\" on model:a/* --negatives knn:5 --seed 7"
    ),
    ("show layers a", "show layers model:a/*"),
    ("drop table 3", "drop table 3"),
    ("sim cka \"a'b\"\"c\" d", "sim cka 'model:a''b\"c/*' model:d/*"),
  ])
  func printsCanonically(text: String, canonical: String) throws {
    let parsed = try statement(text)
    #expect(parsed.description == canonical)
    #expect(try statement(canonical) == parsed)
  }
}
