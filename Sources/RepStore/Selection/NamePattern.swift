/// A pattern over whole names (models, layers or example sets), case-sensitive, compiled once for fast matching.
///
/// Syntax:
/// - any character stands for itself; `\` makes the next character literal (`\*`, `\{`, `\.`);
/// - `*` matches any run of characters, including none; `?` matches exactly one;
/// - `[abc]`, `[a-z]` and `[!a-c]` (also `[^a-c]`) match one character from, or not from, the listed ones;
/// - `{a,b,c}` matches any one alternative; alternatives are patterns and nest (`{seed*,base}`, `{a,b{1,2}}`);
/// - a range `PREFIX low..PREFIX high SUFFIX` such as `L2..L7` or `h2.out..h7.out`, as the whole pattern or as one
///   brace alternative (`layer{1..4}`, `{L1..L3,emb}`), matches PREFIX, a decimal integer between the bounds, SUFFIX.
///   The integer is written without leading zeros (so `L2..L7` matches `L7` but not `L07` or `L10`) unless a bound was
///   written with them: then it has exactly the longer bound's digit count (`{01..12}` matches `01`…`12`). Bounds may
///   come in either order (`{4..1}` is `{1..4}`), and may be longer than `Int` can hold.
///
/// Names never contain `/` or `@` (the store refuses them at import), so those characters are not allowed unescaped.
///
/// Two patterns are equal when their canonical texts (`description`) are; patterns that match the same names but are
/// written differently (`L2..L7` and `L{2..7}`) are not equal.
public struct NamePattern: Sendable, Equatable, CustomStringConvertible {
  /// The parsed pattern, which defines equality and the canonical text.
  let syntax: PatternSyntax
  /// The compiled pattern used for matching.
  let program: PatternProgram
  /// The name itself when the pattern is a plain name.
  public let literal: String?
  /// Whether the pattern is `*`, which matches every name.
  private let isAny: Bool

  /// Compiles a parsed pattern.
  init(_ syntax: PatternSyntax) {
    self.syntax = syntax
    self.program = PatternProgram(syntax)
    var literal: String? = nil
    if case .glob(let elements) = syntax {
      let characters = elements.compactMap { if case .literal(let c) = $0 { c } else { nil } }
      if characters.count == elements.count { literal = String(characters) }
    }
    self.literal = literal
    self.isAny = syntax == .glob([.anyRun])
  }

  /// Parses and compiles a name pattern.
  ///
  /// - Parameter text: The pattern, e.g. `L2..L7`, `layer{1..4}`, `seed[0-9]*`.
  /// - Throws: `SelectorError` with `input == text` and the column of the offending character, for: empty text, an
  ///   unescaped `/` or `@`, unbalanced `{`/`}`/`[`/`]`, `{}`, `[]`, reversed class ranges, a trailing `\`, and
  ///   malformed ranges (missing, non-numeric or pattern bounds; differing prefixes or suffixes; two `..`).
  /// - Complexity: O(length of `text`).
  public init(parsing text: String) throws {
    var parser = PatternParser(input: text)
    let syntax = try parser.parsePattern()
    if let stop = parser.current { throw parser.failure(.delimiterInPattern(stop), at: parser.position) }
    guard parser.position > 0 else { throw parser.failure(.emptyPattern, at: 0) }
    self.init(syntax)
  }

  /// The pattern that matches `name` and nothing else (its pattern characters written escaped).
  public init(exactly name: String) {
    self.init(.glob(name.map { .literal($0) }))
  }

  /// `*`: every name.
  public static let any = NamePattern(.glob([.anyRun]))

  /// Whether the whole of `name` matches the pattern.
  ///
  /// - Complexity: O(1) for `*`, O(n) for a literal; otherwise O(s × n) for s pattern steps and n characters in `name`.
  public func matches(_ name: String) -> Bool {
    if isAny { return true }
    if let literal { return name == literal }
    return program.matches(Array(name))
  }

  /// The canonical source text: what was written, with metacharacters escaped and `[^…]` spelled `[!…]`.
  /// `NamePattern(parsing: p.description) == p`.
  public var description: String { syntax.sourceText }

  /// Patterns are equal when their canonical texts are.
  public static func == (lhs: NamePattern, rhs: NamePattern) -> Bool { lhs.syntax == rhs.syntax }
}
