/// Helpers for runs of ASCII decimal digits, compared by value without converting to a fixed-width integer, so runs
/// of any length (longer than `Int` can hold) compare correctly.
enum DecimalDigits {
  /// Whether `c` is one of the ASCII digits `0`…`9`.
  static func isDigit(_ c: Character) -> Bool {
    guard let ascii = c.asciiValue else { return false }
    return ascii >= 0x30 && ascii <= 0x39
  }

  /// Compares two digit runs by numeric value, ignoring leading zeros.
  ///
  /// - Parameters:
  ///   - a: ASCII digits only.
  ///   - b: ASCII digits only.
  /// - Returns: A negative number when `a` is smaller, zero when the values are equal, positive when `a` is larger.
  /// - Complexity: O(`a.count + b.count`) character comparisons.
  static func compareValues(_ a: some Collection<Character>, _ b: some Collection<Character>) -> Int {
    let a = a.drop { $0 == "0" }
    let b = b.drop { $0 == "0" }
    let (countA, countB) = (a.count, b.count)
    if countA != countB { return countA < countB ? -1 : 1 }
    for (x, y) in zip(a, b) where x != y {
      return x < y ? -1 : 1
    }
    return 0
  }

  /// Whether a digit run is written with a leading zero (`07`, but not `0` alone).
  static func hasLeadingZero(_ digits: some Collection<Character>) -> Bool {
    digits.count > 1 && digits.first == "0"
  }
}
