import RepMeasures

/// Measure lists: `measure-id ("," measure-id)*`, each id read by `MeasureID(parsing:)`.
///
/// In text the lexer has already split `cka, cca.mean` at its commas (commas inside parentheses stay in the word); a
/// command-line argument such as `cka,rsa(rdm=euclidean,compare=pearson)` arrives as one token and is split here
/// the same way. Whether a measure exists is not checked: the registry does that when the statement is planned.
extension StatementParser {
  /// Parses one or more comma-separated measure ids.
  ///
  /// - Throws: `SyntaxProblem` with `.malformedMeasure` at the offending character of an id, or
  ///   `.unexpectedToken` where an id is missing (after a trailing comma, or at the end).
  mutating func parseMeasureList() throws(SyntaxProblem) -> [MeasureID] {
    var measures: [MeasureID] = []
    var expected = "a measure id (e.g. cka or cka.rbf(threshold=0.5))"
    while true {
      guard current.isValue else { throw unexpected(expected) }
      // Two selectors must follow the list: after a comma, a value that is one of them means the comma was trailing.
      if !measures.isEmpty, valuesAhead <= 2 { throw unexpected(expected + " (the last two values are the selectors)") }
      let token = advance()
      for piece in MeasureListText.pieces(of: Array(token.text)) {
        measures.append(try MeasureListText.measure(piece, in: token))
      }
      guard current.kind == .comma else { return measures }
      advance()
      expected = "a measure id after ','"
    }
  }
}

/// Splitting a token into measure ids and locating what `MeasureID(parsing:)` refuses.
enum MeasureListText {
  /// One id's characters and the index of its first character in the token text.
  struct Piece {
    var characters: ArraySlice<Character>
    var start: Int { characters.startIndex }
  }

  /// The token's text split at commas outside parentheses, the rule `MeasureRegistry.make(list:)` follows.
  static func pieces(of characters: [Character]) -> [Piece] {
    var pieces: [Piece] = []
    var depth = 0
    var start = 0
    for (index, c) in characters.enumerated() {
      if c == "(" { depth += 1 }
      if c == ")" { depth = max(0, depth - 1) }
      if c == ",", depth == 0 {
        pieces.append(Piece(characters: characters[start..<index]))
        start = index + 1
      }
    }
    pieces.append(Piece(characters: characters[start...]))
    return pieces
  }

  /// Parses one id; its error points at the character `problemIndex(in:)` finds.
  static func measure(_ piece: Piece, in token: Token) throws(SyntaxProblem) -> MeasureID {
    let text = String(piece.characters)
    guard text.contains(where: { $0 != " " && $0 != "\t" }) else {
      // Only an argument such as `cka,` or `cka,,pwcca` can hold an empty item; in text the lexer splits at commas.
      let kind = QuerySyntaxError.Kind.unexpectedToken(
        expected: "a measure id on each side of ','", found: "nothing", suggestions: [])
      throw SyntaxProblem(kind: kind, offset: token.sourceOffset(ofTextCharacter: piece.start))
    }
    do {
      return try MeasureID(parsing: text)
    } catch .malformedID(let id, let message) {
      let offset = token.sourceOffset(ofTextCharacter: piece.start + problemIndex(in: Array(text)))
      throw SyntaxProblem(kind: .malformedMeasure(id: id, message: message), offset: offset)
    } catch {
      throw SyntaxProblem(kind: .malformedMeasure(id: text, message: error.description),
                          offset: token.sourceOffset(ofTextCharacter: piece.start))
    }
  }

  /// Where `MeasureID(parsing:)` finds its first problem in `text`, checked in the same order: the name, the closing
  /// `)`, then each `key=value` item and repeated keys. Returns 0 if it finds none.
  ///
  /// `MeasureError` carries no column, so this repeats its grammar to point the caret at the right character.
  static func problemIndex(in text: [Character]) -> Int {
    func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" }
    func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "." || c == "_" }
    /// The first non-space index in `range`, or its start when it is all spaces.
    func firstContent(_ range: Range<Int>) -> Int { range.first { !isSpace(text[$0]) } ?? range.lowerBound }
    /// The first index of a non-name character in the trimmed `range`, or the trimmed start when it is empty.
    func nameProblem(_ range: Range<Int>) -> Int? {
      let start = firstContent(range)
      let end = (range.lastIndex { !isSpace(text[$0]) }).map { $0 + 1 } ?? start
      guard start < end else { return start }
      return (start..<end).first { !isNameCharacter(text[$0]) }
    }

    let last = text.lastIndex { !isSpace($0) } ?? 0
    guard let open = text.firstIndex(of: "(") else { return nameProblem(0..<text.count) ?? 0 }
    if let problem = nameProblem(0..<open) { return problem }
    guard text[last] == ")" else { return open }
    var keys: Set<String> = []
    var itemStart = open + 1
    for index in (open + 1)...last where index == last || text[index] == "," {
      let item = itemStart..<index
      defer { itemStart = index + 1 }
      guard let equals = item.first(where: { text[$0] == "=" }) else { return firstContent(item) }
      let key = String(text[item.lowerBound..<equals]).filter { !isSpace($0) }
      if nameProblem(item.lowerBound..<equals) != nil { return firstContent(item) }
      if (equals + 1..<index).allSatisfy({ isSpace(text[$0]) }) { return equals }
      guard keys.insert(key).inserted else { return firstContent(item) }
    }
    return 0
  }
}
