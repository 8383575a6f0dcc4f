/// The compiled form of a numeric range such as `1..4`, `{4..1}` or `{01..12}`: which digit runs it accepts.
///
/// Without zero padding (neither bound written with a leading zero) it accepts decimal integers written without leading
/// zeros (`0` itself is fine) whose value lies between the bounds, inclusive, in either order. When either bound has a
/// leading zero, it accepts exactly `width` digits (the longer bound's length) whose value lies in the range, as bash's
/// `{01..12}` spells `01`…`12`. Values of any length compare correctly; nothing is converted to `Int`.
struct NumberRange: Sendable {
  /// The smaller bound's digits.
  let lowest: [Character]
  /// The larger bound's digits.
  let highest: [Character]
  /// The exact digit count when zero-padded; `nil` when leading zeros are refused.
  let width: Int?

  /// Creates the range between two digit runs as written.
  ///
  /// - Parameters:
  ///   - low: ASCII digits, non-empty.
  ///   - high: ASCII digits, non-empty; may be smaller than `low`.
  init(low: String, high: String) {
    let (a, b) = (Array(low), Array(high))
    let isAscending = DecimalDigits.compareValues(a, b) <= 0
    lowest = isAscending ? a : b
    highest = isAscending ? b : a
    let isPadded = DecimalDigits.hasLeadingZero(a) || DecimalDigits.hasLeadingZero(b)
    width = isPadded ? max(a.count, b.count) : nil
  }

  /// Calls `body` with every end position `e` such that `name[start..<e]` is a digit run this range accepts.
  ///
  /// - Complexity: O(w²) character comparisons, w the longer bound's length.
  func forEachEnd(in name: [Character], from start: Int, _ body: (Int) -> Void) {
    let longest = longestRun
    var end = start
    while end < name.count, end - start < longest, DecimalDigits.isDigit(name[end]) {
      end += 1
      if accepts(name[start..<end]) { body(end) }
    }
  }

  /// Whether `digits` (ASCII digits only) spells a number in the range in this range's spelling.
  func accepts(_ digits: ArraySlice<Character>) -> Bool {
    if let width {
      guard digits.count == width else { return false }
    } else if DecimalDigits.hasLeadingZero(digits) {
      return false
    }
    return DecimalDigits.compareValues(lowest, digits) <= 0 && DecimalDigits.compareValues(digits, highest) <= 0
  }

  /// The length of the longest digit run this range can accept.
  var longestRun: Int { width ?? highest.count }
}
