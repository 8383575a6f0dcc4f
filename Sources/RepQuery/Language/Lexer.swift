/// Splits query text into tokens: the first stage of the query pipeline (lexer → parser → planner → executor).
///
/// Rules, chosen so selectors and measure ids are usually written without quotes:
/// - whitespace separates tokens; `;` and line breaks separate statements; `#` starts a comment to the end of the line;
/// - `,` and `=` are tokens of their own, except inside brackets;
/// - a word runs through balanced `(…)`, `{…}` and `[…]`, spaces included, so `cka.rbf(threshold = 0.5)`,
///   `a/{L1,L2}` and `a@val[keys=my keys.txt]` are one word each; `\` makes the next character part of the word, as
///   in name patterns; inside `[…]` nothing nests, as in a character class;
/// - `'…'` and `"…"` quote a whole token (a path with spaces, a selector with `#`); inside, the other quote is
///   plain and the same quote is written twice (`'it''s'`). There are no backslash escapes in quotes, so `'a/L\*'`
///   reaches the selector parser unchanged.
///
/// Problems (an unclosed quote or bracket, a quote in the middle of a word) become `.malformed` tokens rather than
/// errors, so a script can report the statement they are in and still read the statements after it.
struct Lexer {
  /// The source text as characters, so offsets are indices.
  private let characters: [Character]
  /// The next character to read.
  private var position = 0
  /// The tokens read so far.
  private var tokens: [Token] = []

  private init(_ source: String) { characters = Array(source) }

  /// The tokens of a script or statement, separators included, without an end token.
  ///
  /// - Complexity: O(length of `source`).
  static func tokens(in source: String) -> [Token] {
    var lexer = Lexer(source)
    lexer.run()
    return lexer.tokens
  }

  /// One token per command-line argument, taken verbatim (the shell has already split and unquoted them), with
  /// offsets into the arguments joined by single spaces.
  ///
  /// An empty argument becomes quoted text, so it is a value and never a keyword.
  static func tokens(arguments: [String]) -> [Token] {
    var offset = 0
    return arguments.map { argument in
      let length = argument.count
      defer { offset += length + 1 }
      return Token(kind: argument.isEmpty ? .quoted : .word, text: argument, offset: offset, length: length)
    }
  }

  private mutating func run() {
    while position < characters.count {
      let c = characters[position]
      if c.isNewline || c == ";" {
        append(.separator, text: String(c), from: position, to: position + 1)
        position += 1
      } else if c.isWhitespace {
        position += 1
      } else if c == "#" {
        while position < characters.count, !characters[position].isNewline { position += 1 }
      } else if c == "," || c == "=" {
        append(c == "," ? .comma : .equals, text: String(c), from: position, to: position + 1)
        position += 1
      } else if Self.isQuote(c) {
        readQuoted()
      } else {
        readWord()
      }
    }
  }

  private static func isQuote(_ c: Character) -> Bool { c == "'" || c == "\"" }

  /// Whether `c` ends a word outside brackets.
  private static func endsWord(_ c: Character) -> Bool {
    c.isWhitespace || c == ";" || c == "," || c == "=" || c == "#"
  }

  private mutating func append(_ kind: Token.Kind, text: String, from start: Int, to end: Int, offsets: [Int]? = nil) {
    tokens.append(Token(kind: kind, text: text, offset: start, length: end - start, textOffsets: offsets))
  }

  /// Reads a word, tracking brackets so that what they enclose stays in it.
  private mutating func readWord() {
    let start = position
    var open: [(closer: Character, offset: Int)] = []
    while position < characters.count {
      let c = characters[position]
      if c.isNewline { break }
      if c == "\\" {
        position += position + 1 < characters.count && !characters[position + 1].isNewline ? 2 : 1
        continue
      }
      if let innermost = open.last, innermost.closer == "]" {
        if c == "]" { open.removeLast() }
      } else if c == "(" || c == "{" || c == "[" {
        open.append((c == "(" ? ")" : c == "{" ? "}" : "]", position))
      } else if let innermost = open.last, c == innermost.closer {
        open.removeLast()
      } else if open.isEmpty && Self.endsWord(c) {
        break
      } else if open.isEmpty && Self.isQuote(c) {
        // The quote starts a quoted token of its own, read next; the word is reported as malformed.
        append(.malformed(.quoteInsideWord), text: String(characters[start..<position]), from: position, to: position)
        return
      }
      position += 1
    }
    if let unclosed = open.first {
      let opener: Character = unclosed.closer == ")" ? "(" : unclosed.closer == "}" ? "{" : "["
      append(.malformed(.unclosedBracket(opener)), text: String(characters[start..<position]),
             from: unclosed.offset, to: position)
      return
    }
    append(.word, text: String(characters[start..<position]), from: start, to: position)
  }

  /// Reads `'…'` or `"…"`, where a doubled quote stands for one; a quote left open runs to the end of its line.
  private mutating func readQuoted() {
    let start = position
    let quote = characters[position]
    var text = ""
    var offsets: [Int] = []
    var hasDoubledQuote = false
    position += 1
    while true {
      guard position < characters.count, !characters[position].isNewline else {
        append(.malformed(.unterminatedQuote(quote)), text: text, from: start, to: position)
        return
      }
      let c = characters[position]
      if c == quote {
        guard position + 1 < characters.count, characters[position + 1] == quote else { break }
        hasDoubledQuote = true
        position += 1
      }
      text.append(c)
      offsets.append(position)
      position += 1
    }
    position += 1
    append(.quoted, text: text, from: start, to: position, offsets: hasDoubledQuote ? offsets : nil)
    if position < characters.count, !Self.endsWord(characters[position]) {
      append(.malformed(.quoteInsideWord), text: text, from: position, to: position)
    }
  }
}
