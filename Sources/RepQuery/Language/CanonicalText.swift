/// The canonical printer: how statements, values and options are written back as text that parses to equal values.
///
/// Canonical text puts options in `--name value` form in each statement's fixed option order, writes selectors by
/// their canonical description and quotes a token only when it would not read back as the same single word.
enum CanonicalText {
  /// Words that are keywords where a value may also stand, so a value spelled like one is quoted.
  private static let keywords: Set<String> = ["with", "on"]

  /// `text` as one token: bare when the lexer reads it back as the same word and it cannot be taken for a keyword
  /// or an option name, quoted otherwise (`'my model/L3'`, `'with'`, `'--x'`, `''`).
  ///
  /// Text containing a line break cannot be written: quotes end at the end of a line.
  static func token(_ text: String) -> String {
    // Read back with a space after it, as it stands in a statement: a word ending in `\` would take the space.
    let readsBack = Lexer.tokens(in: text + " ") == [Token(kind: .word, text: text, offset: 0, length: text.count)]
    if readsBack, !keywords.contains(text), !text.hasPrefix("--") { return text }
    return quoted(text)
  }

  /// A selector expression as one token.
  static func token(_ expression: SelectorExpression) -> String { token(expression.description) }

  /// `'text'`, or `"text"` when it holds a `'` and no `"`, or `'…'` with each `'` doubled.
  static func quoted(_ text: String) -> String {
    if !text.contains("'") { return "'\(text)'" }
    if !text.contains("\"") { return "\"\(text)\"" }
    return "'" + text.replacing("'", with: "''") + "'"
  }

  /// Tokens joined by spaces, then the options in canonical order.
  static func statement<Options: StatementOptions>(_ tokens: [String], options: Options) -> String {
    (tokens + options.canonicalTokens).joined(separator: " ")
  }

  /// A number in the shortest form that reads back exactly: `20` rather than `20.0`, `0.001`, `1e-05`.
  static func number(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
  }
}
