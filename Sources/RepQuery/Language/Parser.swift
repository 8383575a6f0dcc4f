/// Parses the tokens of one statement into a `QueryStatement`: recursive descent, one method per rule.
///
///     statement := sim | train | show | drop | explain
///     explain   := "explain" (sim | train)                 (the plan, without running it)
///     sim       := "sim" measures selector selector options
///     measures  := measure-id ("," measure-id)*
///     train     := "train" word word "on" selector+ options
///     show      := "show" ("models" | "layers" | "examples" | "tables" | "projections" | "measures"
///                  | "benchmarks") selector?
///     drop      := "drop" "table" positive-integer | "drop" "projection" name+ options
///     options   := (long-option | with-list)*            (see Parser+Options.swift)
///
/// Keywords are recognised only unquoted, so a quoted token is always a value. Every method leaves `index` on the
/// first token it did not use and throws `SyntaxProblem` at the token that does not fit.
struct StatementParser {
  /// Where the tokens came from: query text allows `with name=value`, command-line arguments do not.
  enum Form {
    /// Query text or a statement file, read by `Lexer.tokens(in:)`.
    case text
    /// Command-line arguments, one token each.
    case arguments
  }

  /// The statement's tokens, ending with one `.end` token.
  private let tokens: [Token]
  /// Where the tokens came from.
  let form: Form
  /// The index of the current token.
  private var index = 0

  /// The verbs, for suggestions and messages.
  private static let verbs = ["sim", "train", "show", "drop", "explain"]

  /// A parser over one statement's tokens (no separators); `endOffset` is where its end token points.
  init(tokens: [Token], endOffset: Int, form: Form) {
    self.tokens = tokens + [Token(kind: .end, text: "", offset: endOffset, length: 0)]
    self.form = form
  }

  /// The token being looked at; the end token once all are used.
  var current: Token { tokens[index] }

  /// Returns the current token and moves past it (never past the end token).
  @discardableResult
  mutating func advance() -> Token {
    defer { index = min(index + 1, tokens.count - 1) }
    return tokens[index]
  }

  /// A problem at the current token: `expected …, found …`.
  func unexpected(_ expected: String, suggestions: [String] = []) -> SyntaxProblem {
    SyntaxProblem(kind: .unexpectedToken(expected: expected, found: current.foundDescription, suggestions: suggestions),
                  offset: current.offset)
  }

  /// Parses the whole statement and checks that nothing follows it.
  ///
  /// - Throws: `SyntaxProblem` at the first problem; text the lexer could not read is reported before anything else.
  mutating func parseStatement() throws(SyntaxProblem) -> QueryStatement {
    if let malformed = tokens.first(where: { if case .malformed = $0.kind { true } else { false } }),
      case .malformed(let kind) = malformed.kind
    {
      throw SyntaxProblem(kind: kind, offset: malformed.offset)
    }
    let verbList = "a statement (sim, train, show, drop or explain)"
    switch current.kind {
    case .end: throw SyntaxProblem(kind: .emptyStatement, offset: current.offset)
    case .word: break
    default: throw unexpected(verbList)
    }
    switch current.text {
    case "sim":
      advance()
      return .sim(try parseSim())
    case "train":
      advance()
      return .train(try parseTrain())
    case "show":
      advance()
      return .show(try parseShow())
    case "drop":
      advance()
      return try parseDrop()
    case "explain":
      advance()
      if current.isBare("sim") {
        advance()
        return .explain(.sim(try parseSim()))
      }
      if current.isBare("train") {
        advance()
        return .explain(.train(try parseTrain()))
      }
      throw unexpected("sim or train (explain prints their plan)")
    default:
      throw unexpected(verbList, suggestions: Suggestions.nearest(to: current.text, among: Self.verbs))
    }
  }

  /// `MEASURES SEL SEL [options]`, after `sim`.
  private mutating func parseSim() throws(SyntaxProblem) -> SimStatement {
    let measures = try parseMeasureList()
    let rows = try parseSelector()
    let columns = try parseSelector()
    let options: SimOptions = try parseOptions(statement: "sim")
    return SimStatement(measures: measures, rows: rows, columns: columns, options: options)
  }

  /// `KIND NAME on SEL [SEL …] [options]`, after `train`.
  private mutating func parseTrain() throws(SyntaxProblem) -> TrainStatement {
    guard current.isValue, !current.isBare("on") else {
      throw unexpected("the kind of projection to train (e.g. contrasim)")
    }
    let kind = advance().text
    guard current.isValue, !current.isBare("on") else {
      throw unexpected("a name for the trained projection (e.g. probe1)")
    }
    let name = advance().text
    guard current.isBare("on") else { throw unexpected("'on' and the selectors to train on") }
    advance()
    var selectors = [try parseSelector(expecting: "a selector after 'on'")]
    while isSelectorAhead { selectors.append(try parseSelector()) }
    let options: TrainingOverrides = try parseOptions(statement: "train")
    return TrainStatement(kind: kind, name: name, selectors: selectors, options: options)
  }

  /// `SUBJECT [SEL]`, after `show`.
  private mutating func parseShow() throws(SyntaxProblem) -> ShowStatement {
    let subjects = ShowSubject.allCases.map(\.rawValue)
    guard current.kind == .word, let subject = ShowSubject(rawValue: current.text) else {
      let suggestions = current.kind == .word ? Suggestions.nearest(to: current.text, among: subjects) : []
      throw unexpected("what to show: " + OptionValues.list(subjects), suggestions: suggestions)
    }
    advance()
    let selector = isSelectorAhead ? try parseSelector() : nil
    try expectEnd(of: "show")
    return ShowStatement(subject, selector: selector)
  }

  /// `table N` or `projection NAME… [options]`, after `drop`.
  private mutating func parseDrop() throws(SyntaxProblem) -> QueryStatement {
    if current.isBare("projection") {
      advance()
      guard isSelectorAhead else {
        throw unexpected("the name of a stored projection (or a pattern such as 'contrasim-*')")
      }
      var names: [String] = []
      while isSelectorAhead { names.append(advance().text) }
      let options: DropProjectionOptions = try parseOptions(statement: "drop projection")
      return .dropProjection(DropProjectionStatement(names: names, options: options))
    }
    guard current.isBare("table") else {
      let suggestions =
        current.kind == .word ? Suggestions.nearest(to: current.text, among: ["table", "projection"]) : []
      throw unexpected("'table' or 'projection' (drop table N, drop projection NAME)", suggestions: suggestions)
    }
    advance()
    guard current.kind == .word, current.text.allSatisfy(\.isASCIIDigit), let number = Int(current.text), number > 0
    else {
      throw unexpected("a table number (a positive integer)")
    }
    advance()
    try expectEnd(of: "drop")
    return .dropTable(DropTableStatement(tableNumber: number))
  }

  /// Whether the current token can start a selector: a value that is not the keyword `with`.
  private var isSelectorAhead: Bool { current.isValue && !current.isBare("with") }

  /// How many values (possible measure ids or selectors) lie ahead, commas skipped, up to the first option, `with`
  /// or end: after a comma in a measure list, fewer than three means the list is eating a selector.
  var valuesAhead: Int {
    tokens[index...].prefix { ($0.isValue && !$0.isBare("with")) || $0.kind == .comma }.count { $0.kind != .comma }
  }

  /// One selector token, with its subset.
  private mutating func parseSelector(expecting expected: String = "a selector") throws(SyntaxProblem)
    -> SelectorExpression
  {
    guard isSelectorAhead else { throw unexpected(expected) }
    return try SelectorExpression.parse(advance())
  }

  /// Checks that the statement ends here, for statements without options.
  private func expectEnd(of statement: String) throws(SyntaxProblem) {
    guard current.kind != .end else { return }
    if current.isOptionWord || current.isBare("with") {
      throw SyntaxProblem(kind: .optionsNotAllowed(statement: statement), offset: current.offset)
    }
    throw unexpected("end of statement")
  }
}
