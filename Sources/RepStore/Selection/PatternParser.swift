/// Reads one name pattern out of a character array, from `position` up to the first unescaped `/` or `@` or the end.
///
/// The parser works on the whole selector text, so every `SelectorError` it throws carries the full input and a column
/// in it; `Selector.parse` runs it once per part, `NamePattern(parsing:)` once over its whole text.
/// Grammar (see `NamePattern` for the meaning):
///
///     pattern     := range | glob
///     range       := literal+ ".." literal+          (each side: prefix, digits, non-digit suffix)
///     glob        := ( literal | "*" | "?" | class | "{" pattern ("," pattern)* "}" )*
///     class       := "[" ("!" | "^")? (char | char "-" char)+ "]"
///     literal     := any character but metacharacters | "\" any character
///
/// - Complexity: O(length of the text) characters examined.
struct PatternParser {
  /// The full text, kept for error messages.
  let input: String
  /// `input` as characters, so columns are indices.
  let characters: [Character]
  /// The next character to read.
  var position: Int
  /// How many `{` enclose the current position.
  private var depth = 0

  /// The deepest `{` nesting accepted: far beyond any real name, and well within the stack (patterns are parsed and
  /// matched recursively).
  static let maximumNesting = 32

  /// Creates a parser over `input`, starting at column `position`.
  init(input: String, position: Int = 0) {
    self.input = input
    self.characters = Array(input)
    self.position = position
  }

  /// The character at `position`, or `nil` at the end.
  var current: Character? { position < characters.count ? characters[position] : nil }

  /// Whether `c` ends a selector part wherever it appears unescaped.
  static func isDelimiter(_ c: Character) -> Bool { c == "/" || c == "@" }

  /// An error of `kind` at `column` in the full input.
  func failure(_ kind: SelectorError.Kind, at column: Int) -> SelectorError {
    SelectorError(input: input, column: column, kind: kind)
  }

  /// Parses one pattern and leaves `position` at the delimiter that ended it (or at the end).
  ///
  /// - Returns: The pattern; `.glob([])` when it stopped at once.
  /// - Throws: `SelectorError` for unbalanced brackets or braces, `{}`, empty or reversed classes, a trailing `\`,
  ///   and malformed ranges.
  mutating func parsePattern() throws(SelectorError) -> PatternSyntax {
    try parseBranch(isInsideBraces: false)
  }

  /// One parsed piece of a branch with the column it started at, before the branch is classified as glob or range.
  struct Item {
    /// What was read.
    enum Content {
      /// A glob element (a literal, `*`, `?`, a class or an alternation).
      case element(PatternSyntax.Element)
      /// An unescaped `..`.
      case rangeSeparator
    }
    /// What was read.
    var content: Content
    /// The input column of its first character.
    var column: Int
  }

  /// Parses a pattern or brace alternative, stopping before a delimiter or, inside braces, before `,` or `}`.
  private mutating func parseBranch(isInsideBraces: Bool) throws(SelectorError) -> PatternSyntax {
    var items: [Item] = []
    while let c = current, !Self.isDelimiter(c), !(isInsideBraces && (c == "," || c == "}")) {
      let column = position
      let content: Item.Content
      switch c {
      case "\\":
        guard position + 1 < characters.count else { throw failure(.trailingEscape, at: column) }
        content = .element(.literal(characters[position + 1]))
        position += 2
      case "*":
        content = .element(.anyRun)
        position += 1
      case "?":
        content = .element(.anyCharacter)
        position += 1
      case "[":
        content = .element(.characterClass(try parseCharacterClass()))
      case "{":
        content = .element(.alternation(try parseAlternation()))
      case "]", "}":
        throw failure(.unmatched(c), at: column)
      case "." where position + 1 < characters.count && characters[position + 1] == ".":
        content = .rangeSeparator
        position += 2
      default:
        content = .element(.literal(c))
        position += 1
      }
      items.append(Item(content: content, column: column))
    }
    return try makeBranch(items)
  }

  /// Parses `{a,b,…}` starting at the `{`; leaves `position` after the `}`.
  private mutating func parseAlternation() throws(SelectorError) -> [PatternSyntax] {
    let open = position
    guard depth < Self.maximumNesting else { throw failure(.nestedTooDeep(limit: Self.maximumNesting), at: open) }
    depth += 1
    defer { depth -= 1 }
    position += 1
    var alternatives: [PatternSyntax] = []
    while true {
      alternatives.append(try parseBranch(isInsideBraces: true))
      guard let c = current, c == "," || c == "}" else { throw failure(.unclosed("{"), at: open) }
      position += 1
      if c == "}" { break }
    }
    if alternatives == [.glob([])] { throw failure(.emptyAlternation, at: open) }
    return alternatives
  }

  /// Parses `[…]` starting at the `[`; leaves `position` after the `]`.
  private mutating func parseCharacterClass() throws(SelectorError) -> PatternSyntax.CharacterClass {
    let open = position
    position += 1
    var isNegated = false
    if current == "!" || current == "^" {
      isNegated = true
      position += 1
    }
    var items: [PatternSyntax.CharacterClass.Item] = []
    while true {
      guard let c = current, !Self.isDelimiter(c) else { throw failure(.unclosed("["), at: open) }
      if c == "]" {
        position += 1
        break
      }
      let column = position
      let low = try classCharacter(openedAt: open)
      let isSpan = current == "-" && position + 1 < characters.count && characters[position + 1] != "]"
      guard isSpan else {
        items.append(.single(low))
        continue
      }
      position += 1
      let high = try classCharacter(openedAt: open)
      guard low <= high else { throw failure(.reversedCharacterRange(low, high), at: column) }
      items.append(.span(low, high))
    }
    guard !items.isEmpty else { throw failure(.emptyCharacterClass, at: open) }
    return PatternSyntax.CharacterClass(isNegated: isNegated, items: items)
  }

  /// Reads one (possibly escaped) character inside brackets.
  private mutating func classCharacter(openedAt open: Int) throws(SelectorError) -> Character {
    guard let c = current, !Self.isDelimiter(c) else { throw failure(.unclosed("["), at: open) }
    guard c == "\\" else {
      position += 1
      return c
    }
    guard position + 1 < characters.count else { throw failure(.trailingEscape, at: position) }
    position += 2
    return characters[position - 1]
  }
}
