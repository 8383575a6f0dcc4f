import RepStore

extension QuerySyntaxError {
  /// What is wrong, so a `catch` can match on it without parsing the message.
  public enum Kind: Sendable, Equatable {
    /// Nothing to parse: no verb at all.
    case emptyStatement
    /// A token that cannot stand here, with what could, and near spellings of what was meant (verbs, keywords).
    case unexpectedToken(expected: String, found: String, suggestions: [String])
    /// An option name the statement does not have; `owner` is the statement that has it, if any.
    case unknownOption(String, statement: String, suggestions: [String], owner: String?)
    /// `--name` or `with` after a statement that takes no options (`show`, `drop`).
    case optionsNotAllowed(statement: String)
    /// `with name=value` among command-line arguments, where options are written `--name value`.
    case optionListInArguments
    /// The same option twice, in either spelling.
    case duplicateOption(String)
    /// An option that needs a value was given none; `expected` says what kind.
    case missingValue(option: String, expected: String)
    /// A flag such as `--intersect` was given a value.
    case flagWithValue(option: String)
    /// An option value of the wrong type or out of range.
    case invalidValue(option: String, expected: String, found: String, suggestions: [String])
    /// A quote with no closing partner on its line.
    case unterminatedQuote(Character)
    /// An opening bracket with no closing partner on its line; the column is the opener's.
    case unclosedBracket(Character)
    /// A quote in the middle of a word, or text right after a closing quote.
    case quoteInsideWord
    /// A selector's own syntax error, its column re-based onto the statement.
    case selector(SelectorError.Kind)
    /// A measure id that `MeasureID(parsing:)` refused, with its message.
    case malformedMeasure(id: String, message: String)
    /// A row subset that is not `[start:end]` with optional non-negative integers; `found` is the offending part.
    case malformedRowRange(found: String)
    /// `[5:2]`: a row range that ends before it starts.
    case reversedRowRange(lowerBound: Int, upperBound: Int)
    /// `[5:5]`: a row range with no rows.
    case emptyRowRange(Int)
    /// `[keys=]`: no file named.
    case emptyKeysPath
    /// A subset such as `[0:100]` on a selector with no `@SET` part to apply to.
    case subsetWithoutExampleSet

    /// The human-readable message, one line, no trailing period.
    public var message: String {
      switch self {
      case .emptyStatement: "empty statement: expected sim, train, show, drop or explain"
      case .unexpectedToken(let expected, let found, let suggestions):
        "expected \(expected), found \(found)" + Self.didYouMean(suggestions)
      case .unknownOption(let name, let statement, let suggestions, let owner):
        if let owner {
          "'\(name)' is an option of \(owner), not of \(statement)"
        } else {
          "unknown option '\(name)' for \(statement)" + Self.didYouMean(suggestions)
        }
      case .optionsNotAllowed(let statement): "\(statement) takes no options"
      case .optionListInArguments:
        "'with name=value' options are for query text; on the command line write --name value"
      case .duplicateOption(let name): "option '\(name)' is given twice"
      case .missingValue(let option, let expected): "option '\(option)' needs a value: \(expected)"
      case .flagWithValue(let option): "option '\(option)' is a flag and takes no value"
      case .invalidValue(let option, let expected, let found, let suggestions):
        "option '\(option)' expects \(expected), found '\(found)'" + Self.didYouMean(suggestions)
      case .unterminatedQuote(let quote): "unclosed quote: no closing \(quote) on this line"
      case .unclosedBracket(let opener): "unclosed '\(opener)'"
      case .quoteInsideWord:
        "quotes must enclose a whole token: write 'model:my model/L3', not model:'my model'/L3"
      case .selector(let kind): kind.message
      case .malformedMeasure(let id, let message): "measure '\(id)': \(message)"
      case .malformedRowRange(let found):
        "expected a row range such as [0:1000], [:500] or [100:], found '\(found)'"
      case .reversedRowRange(let lower, let upper): "row range [\(lower):\(upper)] ends before it starts"
      case .emptyRowRange(let bound): "row range [\(bound):\(bound)] selects no rows"
      case .emptyKeysPath: "expected a file of example keys after 'keys='"
      case .subsetWithoutExampleSet:
        "a row subset follows an example set: write a/L3@val[0:100], or a/L3@*[0:100] for any set"
      }
    }

    /// What could have stood at the caret, when the problem is a misplaced token or value.
    public var expected: String? {
      switch self {
      case .unexpectedToken(let expected, _, _), .missingValue(_, let expected), .invalidValue(_, let expected, _, _):
        expected
      default: nil
      }
    }

    /// What stood at the caret instead, when the problem is a misplaced token or value.
    public var found: String? {
      switch self {
      case .unexpectedToken(_, let found, _): found
      case .invalidValue(_, _, let found, _), .malformedRowRange(let found): "'\(found)'"
      default: nil
      }
    }

    /// `; did you mean 'x'?`, `; did you mean 'x' or 'y'?`, or nothing.
    private static func didYouMean(_ suggestions: [String]) -> String {
      guard let last = suggestions.last else { return "" }
      let quoted = suggestions.map { "'\($0)'" }
      let list = suggestions.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or '\(last)'"
      return "; did you mean \(list)?"
    }
  }
}

extension QuerySyntaxError {
  /// What was expected at the caret, if the problem is a misplaced token or value.
  public var expected: String? { kind.expected }
  /// What was found at the caret, if the problem is a misplaced token or value.
  public var found: String? { kind.found }
}

/// A problem found while parsing, located by its character offset in the source.
///
/// The parser throws this one internal type; the entry points turn it into a `QuerySyntaxError` with the statement
/// number, line and column in one place (`QueryParser`).
struct SyntaxProblem: Error, Sendable {
  /// What is wrong.
  var kind: QuerySyntaxError.Kind
  /// The character offset of the problem in the whole source.
  var offset: Int
}
