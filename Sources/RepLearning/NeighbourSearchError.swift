/// Why `NearestNeighbours` refused a search: the arguments describe no search with an answer.
///
/// These are thrown rather than trapped because k, the exclusions and the data come from the user (a `--k` option, a
/// stored layer). `description` is one line the command-line tool prints as is:
///
///     nearest neighbours: k = 100 is outside 1...99 (100 base rows, one excluded per query)
public enum NeighbourSearchError: Error, CustomStringConvertible, Sendable, Equatable {
  /// Which matrix of a search an element belongs to.
  public enum Operand: String, Sendable, Equatable {
    /// The rows whose neighbours are wanted.
    case queries
    /// The rows searched.
    case base
  }

  /// `k` is below 1 or above the `candidateCount` base rows each query may return (`baseRows` minus one when
  /// one row per query is excluded).
  case neighbourCount(k: Int, candidateCount: Int, baseRows: Int)
  /// Queries and base rows have different widths, so no distance between them is defined.
  case widthMismatch(queryColumns: Int, baseColumns: Int)
  /// The exclusion list does not have exactly one base index per query.
  case exclusionCount(excludedCount: Int, queryCount: Int)
  /// Query `query` excludes base row `index`, which does not exist.
  case excludedIndexOutOfRange(query: Int, index: Int, baseRows: Int)
  /// An element is NaN or infinite, so the distances that use it are not numbers. (A NaN `value` makes the error
  /// unequal to itself: match this case by pattern.)
  case nonFinite(Operand, row: Int, column: Int, value: Float)

  /// One line: what was given and what was expected.
  public var description: String {
    switch self {
    case .neighbourCount(let k, let candidateCount, let baseRows):
      let excluded = candidateCount < baseRows ? ", one excluded per query" : ""
      let range = candidateCount >= 1 ? "outside 1...\(candidateCount)" : "impossible: no row is left to return"
      return "nearest neighbours: k = \(k) is \(range) (\(baseRows) base rows\(excluded))"
    case .widthMismatch(let queryColumns, let baseColumns):
      return "nearest neighbours: queries have \(queryColumns) columns and base rows \(baseColumns), expected equal widths"
    case .exclusionCount(let excludedCount, let queryCount):
      return "nearest neighbours: \(excludedCount) excluded indices for \(queryCount) queries, expected one per query"
    case .excludedIndexOutOfRange(let query, let index, let baseRows):
      return "nearest neighbours: query \(query) excludes base row \(index), expected an index in 0..<\(baseRows)"
    case .nonFinite(let operand, let row, let column, let value):
      return "nearest neighbours: \(operand.rawValue) row \(row), column \(column) is \(value), expected a finite value"
    }
  }
}
