/// One token of query text, with the source span it came from so that every error can point at it.
///
/// Offsets count `Character`s from the start of the whole source (a script, a statement, or the arguments joined by
/// spaces), the unit `SelectorError` uses for columns.
struct Token: Sendable, Equatable {
  /// What a token is; the parser decides what a word means from where it stands.
  enum Kind: Sendable, Equatable {
    /// Bare text: a verb, keyword, option name, selector, measure id or value.
    case word
    /// `'…'` or `"…"`: always a value, never a keyword, so a model may be called `'with'`.
    case quoted
    /// `,` outside brackets: between measure ids and between `with` options.
    case comma
    /// `=` outside brackets: between an option name and its value.
    case equals
    /// `;` or a line break, which ends a statement.
    case separator
    /// The end of one statement, added by the statement splitter so the parser always has a current token.
    case end
    /// Text the lexer could not read (an unclosed quote or bracket); the statement fails with this problem.
    case malformed(QuerySyntaxError.Kind)
  }

  /// What the token is.
  var kind: Kind
  /// A word as written, or a quoted string's contents without quotes and with `''` read as `'`.
  var text: String
  /// The offset of the token's first source character.
  var offset: Int
  /// How many source characters the token spans, quotes included.
  var length: Int
  /// The source offset of each character of `text`, kept only when they are not consecutive (a doubled quote).
  var textOffsets: [Int]? = nil

  /// The offset just after the token.
  var endOffset: Int { offset + length }

  /// The source offset of character `index` of `text` (or of the end of the text when `index == text.count`), so that
  /// a problem found inside a selector or measure id points into the statement.
  func sourceOffset(ofTextCharacter index: Int) -> Int {
    if let textOffsets {
      return index < textOffsets.count ? textOffsets[index] : endOffset - 1
    }
    return offset + (kind == .quoted ? 1 : 0) + index
  }

  /// Whether this is the unquoted word `word`: keywords are recognised only unquoted.
  func isBare(_ word: String) -> Bool { kind == .word && text == word }

  /// Whether this is an unquoted `--name` option word.
  var isOptionWord: Bool { kind == .word && text.hasPrefix("--") }

  /// Whether the token can be a value (selector, name, number): a word that is not an option name, or any quoted text.
  var isValue: Bool { kind == .quoted || (kind == .word && !text.hasPrefix("--")) }

  /// How an error message names the token: `'with'`, `','`, `end of statement`.
  var foundDescription: String {
    switch kind {
    case .word, .quoted: text.isEmpty ? "an empty string" : "'\(text)'"
    case .comma: "','"
    case .equals: "'='"
    case .separator, .end: "end of statement"
    case .malformed: "unreadable text"
    }
  }
}
