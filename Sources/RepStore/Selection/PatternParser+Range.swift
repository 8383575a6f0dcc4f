extension PatternParser {
  /// Classifies a branch's items: no `..` makes a glob; one `..` makes a range form, checked here.
  ///
  /// - Parameter items: The branch's items in order.
  /// - Throws: `SelectorError` for a second `..`, a missing bound, a metacharacter in a bound, a bound without digits,
  ///   or bounds whose prefixes or suffixes differ.
  func makeBranch(_ items: [Item]) throws(SelectorError) -> PatternSyntax {
    let separators = items.indices.filter { if case .rangeSeparator = items[$0].content { true } else { false } }
    guard let separator = separators.first else {
      return .glob(items.compactMap { if case .element(let element) = $0.content { element } else { nil } })
    }
    if separators.count > 1 { throw failure(.repeatedRange, at: items[separators[1]].column) }

    let column = items[separator].column
    guard separator > 0 else { throw failure(.missingRangeBound(isLower: true), at: column) }
    guard separator + 1 < items.count else { throw failure(.missingRangeBound(isLower: false), at: column + 2) }
    let low = try RangeBound(items[..<separator], parser: self)
    let high = try RangeBound(items[(separator + 1)...], parser: self)

    if low.prefix != high.prefix {
      let differing = zip(low.prefix, high.prefix).prefix { $0 == $1 }.count
      throw failure(.rangePrefixMismatch(low.text, high.text), at: high.column(ofOffset: differing))
    }
    if low.suffix != high.suffix {
      let differing = zip(low.suffix, high.suffix).prefix { $0 == $1 }.count
      let offset = high.prefix.count + high.digits.count + differing
      throw failure(.rangeSuffixMismatch(low.text, high.text), at: high.column(ofOffset: offset))
    }
    return .range(PatternSyntax.RangeForm(
      prefix: String(low.prefix), low: String(low.digits), high: String(high.digits), suffix: String(low.suffix)))
  }
}

/// One side of `..`, split into literal prefix, the last run of digits, and the non-digit suffix after it.
private struct RangeBound {
  var columns: [Int]
  var prefix: [Character]
  var digits: [Character]
  var suffix: [Character]

  /// The bound as the user wrote it, without escapes.
  var text: String { String(prefix + digits + suffix) }

  /// The input column of the bound's character at `offset`, or of its last character when `offset` is past it.
  func column(ofOffset offset: Int) -> Int { columns[min(offset, columns.count - 1)] }

  /// Splits `items` (non-empty) into prefix, digits and suffix.
  ///
  /// - Throws: `SelectorError` when an item is not a literal or the bound has no digit.
  init(_ items: ArraySlice<PatternParser.Item>, parser: PatternParser) throws(SelectorError) {
    var characters: [Character] = []
    for item in items {
      guard case .element(.literal(let c)) = item.content else {
        throw parser.failure(.patternInRangeBound, at: item.column)
      }
      characters.append(c)
    }
    columns = items.map(\.column)
    let digitsEnd = characters.lastIndex(where: DecimalDigits.isDigit).map { $0 + 1 } ?? 0
    let digitsStart = characters[..<digitsEnd].lastIndex { !DecimalDigits.isDigit($0) }.map { $0 + 1 } ?? 0
    guard digitsStart < digitsEnd else {
      throw parser.failure(.nonNumericRangeBound(String(characters)), at: columns[0])
    }
    prefix = Array(characters[..<digitsStart])
    digits = Array(characters[digitsStart..<digitsEnd])
    suffix = Array(characters[digitsEnd...])
  }
}
