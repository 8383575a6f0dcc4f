/// Errors about measure ids and inputs. `description` is one line.
public enum MeasureError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The id text could not be parsed.
  case malformedID(String, String)
  /// No measure has this name.
  case unknownMeasure(String, suggestions: [String])
  /// A parameter is unknown or its value is out of range.
  case badParameter(measure: String, parameter: String, message: String)
  /// The inputs cannot be compared by this measure at all (not merely a NaN value).
  case incompatibleInputs(measure: String, message: String)
  /// The input is too large for a measure that needs n×n memory.
  case tooManyRows(measure: String, rows: Int, limit: Int)
  /// A linear-algebra routine failed on this data.
  case numerical(measure: String, message: String)

  public var description: String {
    switch self {
    case .malformedID(let text, let message): "measure '\(text)': \(message)"
    case .unknownMeasure(let name, let suggestions):
      "unknown measure '\(name)'" + (suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?")
        + " (`repstore measures` lists them)"
    case .badParameter(let measure, let parameter, let message): "\(measure): parameter '\(parameter)': \(message)"
    case .incompatibleInputs(let measure, let message): "\(measure): \(message)"
    case .tooManyRows(let measure, let rows, let limit):
      "\(measure) needs an n×n matrix; n = \(rows) is above the limit of \(limit) rows (select fewer examples)"
    case .numerical(let measure, let message): "\(measure): \(message)"
    }
  }
}
