/// Numeric-aware ordering of names: digit runs compare by value, so "L2" < "L9" < "L10" < "L10a"; ties broken by plain
/// string order so the order is total and deterministic.
///
/// Names are compared as sequences of tokens: a maximal run of ASCII digits is one token, any other `Character` is
/// one. Two digit runs compare by value (any length, leading zeros ignored); a digit run sorts against another character
/// as the digit `0` would, so `L1` < `L_` < `La` in ASCII order; other characters compare as `Character`s, so the
/// order is case-sensitive (`L2` < `emb` < `l2`). A name that is a token-prefix of another sorts first (`L1` < `L1a`).
/// Names whose tokens are all equal (`L02`, `L2`) are ordered by `String`'s `<`. Use it with `sorted(by:)`.
public enum NaturalOrder {
  /// Whether `a` sorts before `b`: a strict total order, consistent with `String`'s `==`.
  ///
  /// - Complexity: O(`a.count + b.count`) character comparisons.
  public static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
    let order = compare(a, b)
    return order != 0 ? order < 0 : a < b
  }

  /// Compares token by token: negative when `a` comes first, 0 when all tokens are equal, positive otherwise.
  static func compare(_ a: String, _ b: String) -> Int {
    var i = a.startIndex
    var j = b.startIndex
    while i < a.endIndex && j < b.endIndex {
      let (x, y) = (a[i], b[j])
      let (xIsDigit, yIsDigit) = (DecimalDigits.isDigit(x), DecimalDigits.isDigit(y))
      if xIsDigit && yIsDigit {
        let runEndA = a[i...].firstIndex { !DecimalDigits.isDigit($0) } ?? a.endIndex
        let runEndB = b[j...].firstIndex { !DecimalDigits.isDigit($0) } ?? b.endIndex
        let order = DecimalDigits.compareValues(a[i..<runEndA], b[j..<runEndB])
        if order != 0 { return order }
        (i, j) = (runEndA, runEndB)
        continue
      }
      let (keyX, keyY): (Character, Character) = (xIsDigit ? "0" : x, yIsDigit ? "0" : y)
      if keyX != keyY { return keyX < keyY ? -1 : 1 }
      (i, j) = (a.index(after: i), b.index(after: j))
    }
    if i < a.endIndex { return 1 }
    if j < b.endIndex { return -1 }
    return 0
  }
}
