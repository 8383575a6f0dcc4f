/// A selector or name pattern that could not be parsed: the text, the column of the offending character, and what is wrong.
///
/// `description` is the one line the command-line tool prints as is:
///
///     selector 'a/{L1': column 2: unclosed '{'
///
/// `caretDiagnostic` shows the same problem on three lines, the input with a caret under the column, for terminals and
/// for the query language, which re-bases `column` onto its own source text.
///
/// Columns count `Character`s (grapheme clusters) from 0. A column may equal the input's length when the problem is
/// something missing at the end (`a/` has an empty layer pattern at column 2).
public struct SelectorError: Error, CustomStringConvertible, Sendable, Equatable {
  /// Which part of a selector a problem is about.
  public enum Part: Sendable, Equatable {
    /// The model pattern, before `/` and `@`.
    case model
    /// The layer pattern, after `/`.
    case layer
    /// The example-set pattern, after `@`.
    case exampleSet
  }

  /// What is wrong, so a `catch` can match on it without parsing the message.
  public enum Kind: Sendable, Equatable {
    /// The selector text is empty.
    case emptySelector
    /// A standalone name pattern is empty.
    case emptyPattern
    /// A selector part is empty: `/L3`, `a/`, `a@`.
    case emptyPart(Part)
    /// A second `/` or a second `@`.
    case repeatedDelimiter(Character)
    /// A `/` after the `@` that starts the example-set part.
    case slashAfterExampleSet
    /// An unescaped `/` or `@` in a standalone name pattern, where names can never contain it.
    case delimiterInPattern(Character)
    /// An opening `{` or `[` with no closing partner; the column is the opener's.
    case unclosed(Character)
    /// A closing `}` or `]` with no opening partner.
    case unmatched(Character)
    /// `{}`: braces with nothing to choose from.
    case emptyAlternation
    /// Braces nested deeper than the parser accepts (`PatternParser.maximumNesting`).
    case nestedTooDeep(limit: Int)
    /// `[]` or `[!]`: a character class that lists no character.
    case emptyCharacterClass
    /// A character-class range whose ends are out of order, such as `[z-a]`.
    case reversedCharacterRange(Character, Character)
    /// A `\` at the end of the text, with nothing to escape.
    case trailingEscape
    /// `..L7` or `L2..`: a range missing one bound.
    case missingRangeBound(isLower: Bool)
    /// A range bound containing a metacharacter; bounds are literal text around one number.
    case patternInRangeBound
    /// A range bound with no decimal digits, such as `a..z`.
    case nonNumericRangeBound(String)
    /// Range bounds whose text before the number differs, such as `L2..M5`.
    case rangePrefixMismatch(String, String)
    /// Range bounds whose text after the number differs, such as `h2.out..h7.in`.
    case rangeSuffixMismatch(String, String)
    /// More than one `..` in one pattern or brace alternative.
    case repeatedRange

    /// The human-readable message, one line, no trailing period.
    public var message: String {
      switch self {
      case .emptySelector: "empty selector"
      case .emptyPattern: "empty name pattern"
      case .emptyPart(.model): "empty model pattern"
      case .emptyPart(.layer): "empty layer pattern after '/'"
      case .emptyPart(.exampleSet): "empty example-set pattern after '@'"
      case .repeatedDelimiter(let c): "unexpected second '\(c)'"
      case .slashAfterExampleSet: "unexpected '/' after '@' (the layer comes before the example set)"
      case .delimiterInPattern(let c): "unexpected '\(c)' in a name pattern (names never contain it)"
      case .unclosed(let c): "unclosed '\(c)'"
      case .unmatched(let c): "unmatched '\(c)'"
      case .emptyAlternation: "empty alternation '{}'"
      case .nestedTooDeep(let limit): "braces nested more than \(limit) deep"
      case .emptyCharacterClass: "empty character class"
      case .reversedCharacterRange(let low, let high): "reversed character range '\(low)-\(high)'"
      case .trailingEscape: "trailing '\\' escapes nothing"
      case .missingRangeBound(isLower: true): "range has no lower bound before '..'"
      case .missingRangeBound(isLower: false): "range has no upper bound after '..'"
      case .patternInRangeBound: "range bounds must be literal text around a number, not patterns"
      case .nonNumericRangeBound(let bound): "range bound '\(bound)' has no number"
      case .rangePrefixMismatch(let low, let high): "range bounds '\(low)' and '\(high)' have different prefixes"
      case .rangeSuffixMismatch(let low, let high): "range bounds '\(low)' and '\(high)' have different suffixes"
      case .repeatedRange: "a pattern can hold only one '..' range"
      }
    }
  }

  /// The whole text that was being parsed.
  public var input: String
  /// The 0-based column, in `Character`s, of the offending character in `input`.
  public var column: Int
  /// What is wrong.
  public var kind: Kind

  /// Creates an error about `input` at `column`.
  public init(input: String, column: Int, kind: Kind) {
    self.input = input
    self.column = column
    self.kind = kind
  }

  /// The human-readable message without input or column, e.g. `unclosed '{'`.
  public var message: String { kind.message }

  /// One line: `selector 'a/{L1': column 2: unclosed '{'`.
  public var description: String { "selector '\(input)': column \(column): \(message)" }

  /// Three lines: the input, a caret under the offending column, and the message.
  ///
  /// Tabs before the column are copied into the caret line so the caret stays aligned in a terminal.
  public var caretDiagnostic: String {
    let padding = input.prefix(column).map { $0 == "\t" ? "\t" : " " }.joined()
    let overshoot = String(repeating: " ", count: max(0, column - input.count))
    return "\(input)\n\(padding)\(overshoot)^\n\(message)"
  }
}
