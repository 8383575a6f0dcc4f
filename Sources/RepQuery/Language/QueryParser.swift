import RepMeasures

/// The entry points of the query language: query text, scripts and command-line arguments to `QueryStatement`s.
///
/// All three go through one `StatementParser`, so `repstore query 'sim cka a b'`, a statement file and
/// `repstore sim cka a b` accept the same statements and report errors the same way. Errors are `QuerySyntaxError`s
/// with the statement number, line and column; every internal `SyntaxProblem` is converted here and nowhere else.
///
/// Scripts separate statements with `;` or line breaks; blank lines, `;;` and `#` comments are ignored. A caller
/// that should stop at the first bad statement uses `parseScript(_:)`; one that should report it and run the others
/// uses `parseEachStatement(in:)`.
public enum QueryParser {
  /// Parses exactly one statement; a trailing `;` and comments are allowed.
  ///
  /// - Parameter text: E.g. `sim cka model:a/* model:b/* with reduce=argmax`.
  /// - Throws: `QuerySyntaxError` for the first problem: `.emptyStatement` when there is no statement, or
  ///   `.unexpectedToken` at a second statement.
  /// - Complexity: O(length of `text`), plus the suggestions computed for an unknown word.
  public static func parseStatement(_ text: String) throws(QuerySyntaxError) -> QueryStatement {
    let statements = split(Lexer.tokens(in: text))
    guard let first = statements.first else {
      throw QuerySyntaxError(source: text, statementNumber: 1, offset: 0, kind: .emptyStatement)
    }
    let statement = try parse(first, form: .text, source: text, number: 1)
    if statements.count > 1, let extra = statements[1].first {
      let kind = QuerySyntaxError.Kind.unexpectedToken(
        expected: "end of statement (a script takes several)", found: extra.foundDescription, suggestions: [])
      throw QuerySyntaxError(source: text, statementNumber: 1, offset: extra.offset, kind: kind)
    }
    return statement
  }

  /// Parses every statement of a script, stopping at the first that is malformed.
  ///
  /// - Returns: The statements in order; empty for a script of blank lines and comments.
  /// - Throws: `QuerySyntaxError` for the first malformed statement, numbered within the script.
  public static func parseScript(_ text: String) throws(QuerySyntaxError) -> [QueryStatement] {
    var statements: [QueryStatement] = []
    for (index, tokens) in split(Lexer.tokens(in: text)).enumerated() {
      statements.append(try parse(tokens, form: .text, source: text, number: index + 1))
    }
    return statements
  }

  /// Parses every statement of a script on its own, so that one bad statement can be reported while the others run.
  ///
  /// A problem the lexer finds (an unclosed quote or bracket) ends at the end of its line, so the statements on the
  /// following lines are still read.
  /// - Returns: One entry per statement, in order.
  public static func parseEachStatement(in text: String) -> [ParsedStatement] {
    let characters = Array(text)
    return split(Lexer.tokens(in: text)).enumerated().map { index, tokens in
      // `split` returns no empty statement.
      let start = tokens[0].offset
      let end = tokens[tokens.count - 1].endOffset
      let line = 1 + characters[..<start].count(where: \.isNewline)
      let result = Result { () throws(QuerySyntaxError) in
        try parse(tokens, form: .text, source: text, number: index + 1)
      }
      return ParsedStatement(number: index + 1, line: line, text: String(characters[start..<end]), result: result)
    }
  }

  /// Parses a statement given as command-line arguments, e.g. `["sim", "cka", "a/*", "b/*", "--format", "csv"]`.
  ///
  /// Each argument is one token, never split on spaces or read for quotes or comments (the shell has done that), so
  /// `"my model/L3"` is one selector. A measure-list argument is split at commas outside parentheses, and
  /// `--name=value` is read as `--name value`; `with name=value` is refused.
  /// Arguments cannot be quoted, so a value spelled `on`, `with` or `--…` reads as a keyword or an option name here;
  /// such a statement must be written as query text.
  /// An argument holding a line break is refused: statement text cannot write one back (quotes end at the end of
  /// a line), and names never hold one.
  /// - Parameter arguments: The verb and what follows it.
  /// - Throws: `QuerySyntaxError` whose `source` is the arguments joined by single spaces and whose column points
  ///   into it.
  public static func parseArguments(_ arguments: [String]) throws(QuerySyntaxError) -> QueryStatement {
    let source = arguments.joined(separator: " ")
    if let index = arguments.firstIndex(where: { $0.contains(where: \.isNewline) }) {
      let offset = arguments[..<index].reduce(0) { $0 + $1.count + 1 } + arguments[index].prefix { !$0.isNewline }.count
      let kind = QuerySyntaxError.Kind.unexpectedToken(
        expected: "an argument on one line (names hold no line breaks)", found: "a line break", suggestions: [])
      throw QuerySyntaxError(source: source, statementNumber: 1, offset: offset, kind: kind)
    }
    return try parse(Lexer.tokens(arguments: arguments), form: .arguments, source: source, number: 1)
  }

  /// Parses one command-line argument as a selector expression, e.g. `seed*/L*@digits-test[0:300]`.
  ///
  /// - Throws: `QuerySyntaxError` whose column points into the argument.
  public static func parseSelector(_ argument: String) throws(QuerySyntaxError) -> SelectorExpression {
    guard let token = Lexer.tokens(arguments: [argument]).first, token.kind == .word else {
      throw QuerySyntaxError(source: argument, statementNumber: 1, offset: 0, kind: .selector(.emptySelector))
    }
    do {
      return try SelectorExpression.parse(token)
    } catch {
      throw QuerySyntaxError(source: argument, statementNumber: 1, offset: error.offset, kind: error.kind)
    }
  }

  /// Parses one command-line argument as a comma-separated list of measure ids, e.g. `cka,svcca(var=0.99),dot`.
  ///
  /// - Throws: `QuerySyntaxError` whose column points into the argument.
  public static func parseMeasures(_ argument: String) throws(QuerySyntaxError) -> [MeasureID] {
    let token = Token(kind: .word, text: argument, offset: 0, length: argument.count)
    do throws(SyntaxProblem) {
      let pieces = MeasureListText.pieces(of: Array(argument))
      guard !pieces.isEmpty, !argument.isEmpty else {
        throw SyntaxProblem(
          kind: .unexpectedToken(expected: "a measure id (e.g. cka)", found: "nothing", suggestions: []), offset: 0)
      }
      var measures: [MeasureID] = []
      for piece in pieces { measures.append(try MeasureListText.measure(piece, in: token)) }
      return measures
    } catch {
      throw QuerySyntaxError(source: argument, statementNumber: 1, offset: error.offset, kind: error.kind)
    }
  }

  /// Parses the options of a training run given as command-line arguments, e.g. `["--epochs", "20", "--lr", "0.001"]`:
  /// what `repstore bench` passes on to the projections it trains.
  ///
  /// - Throws: `QuerySyntaxError` whose column points into the arguments joined by spaces.
  public static func parseTrainingOverrides(_ arguments: [String]) throws(QuerySyntaxError) -> TrainingOverrides {
    let tokens = Lexer.tokens(arguments: arguments)
    var parser = StatementParser(tokens: tokens, endOffset: tokens.last?.endOffset ?? 0, form: .arguments)
    do {
      return try parser.parseOptions(statement: "train")
    } catch {
      throw QuerySyntaxError(
        source: arguments.joined(separator: " "), statementNumber: 1, offset: error.offset, kind: error.kind)
    }
  }

  /// The tokens of each non-empty statement, without separators.
  private static func split(_ tokens: [Token]) -> [[Token]] {
    tokens.split(whereSeparator: { $0.kind == .separator }).map(Array.init)
  }

  /// Parses one statement's tokens, turning a `SyntaxProblem` into a `QuerySyntaxError` about `source`.
  private static func parse(_ tokens: [Token], form: StatementParser.Form, source: String, number: Int)
    throws(QuerySyntaxError) -> QueryStatement
  {
    var parser = StatementParser(tokens: tokens, endOffset: tokens.last?.endOffset ?? 0, form: form)
    do {
      return try parser.parseStatement()
    } catch {
      throw QuerySyntaxError(source: source, statementNumber: number, offset: error.offset, kind: error.kind)
    }
  }
}

/// One statement of a script and how parsing it went.
public struct ParsedStatement: Sendable {
  /// Its position in the script, from 1.
  public var number: Int
  /// The line it starts on, from 1.
  public var line: Int
  /// Its source text, from its first token to its last.
  public var text: String
  /// The statement, or why it could not be parsed.
  public var result: Result<QueryStatement, QuerySyntaxError>
}
