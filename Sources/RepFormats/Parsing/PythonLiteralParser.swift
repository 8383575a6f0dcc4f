/// Parses the Python literal subset found in `.npy` headers, tolerantly: strings in `'` or `"` (with an optional
/// `u`/`b` prefix and backslash escapes), `True`/`False`/`None`, integers (with an optional sign and Python 2's `L`
/// suffix), tuples including `(5,)` and `()`, lists, dictionaries with string keys, any whitespace, trailing commas.
/// `(5)` is the integer 5, as in Python.
///
/// Nesting deeper than `maximumDepth` is rejected, so hostile headers cannot exhaust the stack.
struct PythonLiteralParser {
  /// How deeply tuples, lists and dictionaries may nest.
  static let maximumDepth = 32

  private let bytes: ArraySlice<UInt8>
  private let baseOffset: Int
  private let site: ErrorSite
  private let isUTF8: Bool
  private var index: Int
  private var depth = 0

  /// A parser over `bytes`, whose first byte is at `baseOffset` in `site`; strings decode as UTF-8 when `isUTF8`,
  /// as Latin-1 otherwise.
  init(_ bytes: ArraySlice<UInt8>, baseOffset: Int, site: ErrorSite, isUTF8: Bool) {
    self.bytes = bytes
    self.baseOffset = baseOffset
    self.site = site
    self.isUTF8 = isUTF8
    self.index = bytes.startIndex
  }

  /// Parses one value that must be followed only by whitespace.
  /// - Throws: `FormatError` of kind `.badHeader` at the first byte that does not fit.
  mutating func parseWhole() throws(FormatError) -> PythonLiteral {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    if index < bytes.endIndex { throw unexpected("the end of the header") }
    return value
  }

  private var offset: Int { baseOffset + (index - bytes.startIndex) }

  private func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }

  private mutating func skipWhitespace() {
    while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
      index += 1
    }
  }

  private func unexpected(_ expected: String) -> FormatError {
    let found: String
    if let byte = peek() {
      let text = String(decoding: bytes[index..<min(index + 12, bytes.endIndex)], as: UTF8.self)
      found = byte >= 0x20 && byte < 0x7F ? "unparsable header: \(quoted(text))" : "unparsable header: byte 0x\(hexBytes([byte]))"
    } else {
      found = "unparsable header: it ends early"
    }
    return site.error(.badHeader, at: offset, found: found, expected: expected)
  }

  private mutating func parseValue() throws(FormatError) -> PythonLiteral {
    guard let byte = peek() else { throw unexpected("a value") }
    switch byte {
    case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "u"), UInt8(ascii: "b"), UInt8(ascii: "U"), UInt8(ascii: "B"):
      if index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "'") || bytes[index + 1] == UInt8(ascii: "\"") {
        index += 1
        return .string(try parseString())
      }
      throw unexpected("a value")
    case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
    case UInt8(ascii: "("): return try parseSequence(closing: UInt8(ascii: ")"))
    case UInt8(ascii: "["): return try parseSequence(closing: UInt8(ascii: "]"))
    case UInt8(ascii: "{"): return try parseDictionary()
    default:
      for (word, value) in [("True", PythonLiteral.boolean(true)), ("False", .boolean(false)), ("None", .none)]
      where bytes[index...].starts(with: word.utf8) {
        let end = index + word.utf8.count
        if end < bytes.endIndex, isIdentifierByte(bytes[end]) { break }
        index = end
        return value
      }
      throw unexpected("a value (string, integer, True, False, None, tuple, list or dict)")
    }
  }

  private func isIdentifierByte(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
  }

  private mutating func parseString() throws(FormatError) -> String {
    let start = offset
    let quote = bytes[index]
    index += 1
    var raw: [UInt8] = []
    while true {
      guard let byte = peek() else {
        throw site.error(.badHeader, at: start, found: "unparsable header: unterminated string", expected: "a closing quote")
      }
      index += 1
      if byte == quote { break }
      if byte == 0x0A {
        throw site.error(.badHeader, at: start, found: "unparsable header: unterminated string", expected: "a closing quote")
      }
      if byte == UInt8(ascii: "\\"), let next = peek() {
        index += 1
        switch next {
        case UInt8(ascii: "n"): raw.append(0x0A)
        case UInt8(ascii: "t"): raw.append(0x09)
        case UInt8(ascii: "r"): raw.append(0x0D)
        case UInt8(ascii: "0"): raw.append(0x00)
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): raw.append(next)
        default: raw += [byte, next]
        }
      } else {
        raw.append(byte)
      }
    }
    if isUTF8 {
      guard let text = String(validating: raw, as: UTF8.self) else {
        throw site.error(.badHeader, at: start, found: "a string that is not UTF-8", expected: "UTF-8 (npy format 3.0)")
      }
      return text
    }
    return String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) }))
  }

  private mutating func parseInteger() throws(FormatError) -> Int {
    let start = offset
    var isNegative = false
    if let sign = peek(), sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
      isNegative = sign == UInt8(ascii: "-")
      index += 1
    }
    var value = 0
    var digitCount = 0
    while let byte = peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
      let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
      let digit = Int(byte - UInt8(ascii: "0"))
      let (sum, overflow2) = times10.addingReportingOverflow(isNegative ? -digit : digit)
      if overflow1 || overflow2 {
        throw site.error(.badHeader, at: start, found: "integer too large", expected: "an integer that fits in 64 bits")
      }
      value = sum
      digitCount += 1
      index += 1
    }
    if digitCount == 0 { throw unexpected("digits") }
    if let suffix = peek(), suffix == UInt8(ascii: "L") || suffix == UInt8(ascii: "l") { index += 1 }
    return value
  }

  private mutating func enter() throws(FormatError) {
    depth += 1
    if depth > Self.maximumDepth {
      throw site.error(
        .badHeader, at: offset, found: "header nests deeper than \(Self.maximumDepth) levels",
        expected: "a flat dict")
    }
  }

  /// A tuple `( … )` or list `[ … ]`; a parenthesized single value without a comma is that value.
  private mutating func parseSequence(closing: UInt8) throws(FormatError) -> PythonLiteral {
    try enter()
    defer { depth -= 1 }
    index += 1
    var items: [PythonLiteral] = []
    var sawComma = false
    while true {
      skipWhitespace()
      if peek() == closing {
        index += 1
        break
      }
      items.append(try parseValue())
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        index += 1
        sawComma = true
      } else if peek() == closing {
        index += 1
        break
      } else {
        throw unexpected(closing == UInt8(ascii: ")") ? "',' or ')'" : "',' or ']'")
      }
    }
    if closing == UInt8(ascii: "]") { return .list(items) }
    if items.count == 1 && !sawComma { return items[0] }
    return .tuple(items)
  }

  private mutating func parseDictionary() throws(FormatError) -> PythonLiteral {
    try enter()
    defer { depth -= 1 }
    index += 1
    var entries: [PythonDictionaryEntry] = []
    while true {
      skipWhitespace()
      if peek() == UInt8(ascii: "}") {
        index += 1
        return .dictionary(entries)
      }
      guard let byte = peek(), byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") else {
        throw unexpected("a quoted key or '}'")
      }
      let key = try parseString()
      skipWhitespace()
      guard peek() == UInt8(ascii: ":") else { throw unexpected("':'") }
      index += 1
      skipWhitespace()
      let valueOffset = offset
      entries.append(PythonDictionaryEntry(key: key, value: try parseValue(), offset: valueOffset))
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        index += 1
      } else if peek() != UInt8(ascii: "}") {
        throw unexpected("',' or '}'")
      }
    }
  }
}
