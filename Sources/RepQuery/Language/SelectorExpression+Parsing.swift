import RepStore

extension SelectorExpression {
  /// Parses a selector token: `Selector.parse` syntax, then an optional subset suffix (see `SubsetSuffix`).
  ///
  /// - Throws: `SyntaxProblem` at the offending character of the token in the source: the selector's own error
  ///   (`.selector`), a malformed, reversed or empty row range, an empty keys path, an unclosed `[keys=`, or a subset
  ///   with no `@SET` before it.
  /// - Complexity: O(length of the token).
  static func parse(_ token: Token) throws(SyntaxProblem) -> SelectorExpression {
    let characters = Array(token.text)
    let suffix = SubsetSuffix.locate(in: characters)
    let base = String(characters[..<(suffix?.open ?? characters.count)])
    let selector: Selector
    do {
      selector = try Selector.parse(base)
    } catch let error as SelectorError {
      throw SyntaxProblem(kind: .selector(error.kind), offset: token.sourceOffset(ofTextCharacter: error.column))
    } catch {
      throw SyntaxProblem(kind: .selector(.emptySelector), offset: token.offset)
    }
    guard let suffix else { return SelectorExpression(selector) }
    func offset(_ index: Int) -> Int { token.sourceOffset(ofTextCharacter: index) }
    guard suffix.followsExampleSet else {
      throw SyntaxProblem(kind: .subsetWithoutExampleSet, offset: offset(suffix.open))
    }
    guard suffix.isClosed else { throw SyntaxProblem(kind: .unclosedBracket("["), offset: offset(suffix.open)) }
    let contentStart = suffix.open + 1
    let content = Array(characters[contentStart..<(characters.count - 1)])
    if suffix.isKeys {
      let path = String(content.dropFirst("keys=".count))
      guard !path.isEmpty else { throw SyntaxProblem(kind: .emptyKeysPath, offset: offset(characters.count - 1)) }
      return SelectorExpression(selector, subset: .keys(file: path))
    }
    let range = try RowRangeText(content, startingAt: contentStart, offset: offset)
    return SelectorExpression(selector, subset: .rows(lowerBound: range.lowerBound, upperBound: range.upperBound))
  }
}

/// The inside of `[start:end]`, checked: optional non-negative integers on both sides of one `:`, start < end.
private struct RowRangeText {
  var lowerBound: Int
  var upperBound: Int?

  /// Reads `content`, whose first character is character `start` of the token; `offset` maps token characters to
  /// source offsets for errors.
  init(_ content: [Character], startingAt start: Int, offset: (Int) -> Int) throws(SyntaxProblem) {
    // `SubsetSuffix` only reports a row range whose content holds a ':'.
    let colon = content.firstIndex(of: ":") ?? content.count
    if let second = content[(colon + 1)...].firstIndex(of: ":") {
      throw SyntaxProblem(kind: .malformedRowRange(found: ":"), offset: offset(start + second))
    }
    func bound(_ range: Range<Int>) throws(SyntaxProblem) -> Int? {
      let text = String(content[range])
      guard !text.isEmpty else { return nil }
      guard text.allSatisfy(\.isASCIIDigit), let value = Int(text) else {
        throw SyntaxProblem(kind: .malformedRowRange(found: text), offset: offset(start + range.lowerBound))
      }
      return value
    }
    let lower = try bound(0..<colon) ?? 0
    let upper = try bound((colon + 1)..<content.count)
    if let upper, upper <= lower {
      let kind: QuerySyntaxError.Kind =
        upper < lower ? .reversedRowRange(lowerBound: lower, upperBound: upper) : .emptyRowRange(lower)
      throw SyntaxProblem(kind: kind, offset: offset(start))
    }
    lowerBound = lower
    upperBound = upper
  }
}

extension Character {
  /// Whether the character is one of `0`…`9` (not any Unicode digit, which `Int(_:)` would refuse anyway).
  var isASCIIDigit: Bool { isASCII && isNumber }
}
