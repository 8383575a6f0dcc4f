/// A strict RFC 8259 JSON parser over bytes that are valid UTF-8, with offsets for every error and a nesting limit.
struct JSONParser {
  /// How deeply arrays and objects may nest.
  static let maximumDepth = 64

  private let bytes: [UInt8]
  private let baseOffset: Int
  private let site: ErrorSite
  private var index = 0
  private var depth = 0

  /// A parser over `bytes`, whose first byte is at `baseOffset` in `site`.
  init(_ bytes: [UInt8], baseOffset: Int, site: ErrorSite) {
    self.bytes = bytes
    self.baseOffset = baseOffset
    self.site = site
  }

  /// Parses one value followed only by whitespace (safetensors pads headers with spaces).
  /// - Throws: `FormatError` of kind `.badHeader` at the first byte that does not fit.
  mutating func parseWhole() throws(FormatError) -> JSONNode {
    skipWhitespace()
    let node = try parseValue()
    skipWhitespace()
    if index < bytes.count { throw unexpected("the end of the JSON header") }
    return node
  }

  private var offset: Int { baseOffset + index }

  private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func skipWhitespace() {
    while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
  }

  private func unexpected(_ expected: String) -> FormatError {
    let found: String
    if let byte = peek() {
      found = byte >= 0x20 && byte < 0x7F
        ? "invalid JSON at \(quoted(String(decoding: bytes[index..<min(index + 12, bytes.count)], as: UTF8.self)))"
        : "invalid JSON: byte 0x\(hexBytes([byte]))"
    } else {
      found = "invalid JSON: the header ends early"
    }
    return site.error(.badHeader, at: offset, found: found, expected: expected)
  }

  private mutating func expect(_ literal: String) -> Bool {
    guard bytes[index...].starts(with: literal.utf8) else { return false }
    index += literal.utf8.count
    return true
  }

  private mutating func parseValue() throws(FormatError) -> JSONNode {
    let start = offset
    guard let byte = peek() else { throw unexpected("a JSON value") }
    switch byte {
    case UInt8(ascii: "{"): return JSONNode(value: try parseObject(), offset: start)
    case UInt8(ascii: "["): return JSONNode(value: try parseArray(), offset: start)
    case UInt8(ascii: "\""): return JSONNode(value: .string(try parseString()), offset: start)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return JSONNode(value: .number(try parseNumber()), offset: start)
    default:
      if expect("true") { return JSONNode(value: .boolean(true), offset: start) }
      if expect("false") { return JSONNode(value: .boolean(false), offset: start) }
      if expect("null") { return JSONNode(value: .null, offset: start) }
      throw unexpected("a JSON value")
    }
  }

  private mutating func enter() throws(FormatError) {
    depth += 1
    if depth > Self.maximumDepth {
      throw site.error(
        .badHeader, at: offset, found: "JSON nests deeper than \(Self.maximumDepth) levels",
        expected: "a safetensors header")
    }
  }

  private mutating func parseObject() throws(FormatError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    index += 1
    var members: [JSONMember] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard peek() == UInt8(ascii: "\"") else { throw unexpected("a quoted key") }
      let key = try parseString()
      skipWhitespace()
      guard peek() == UInt8(ascii: ":") else { throw unexpected("':'") }
      index += 1
      skipWhitespace()
      members.append(JSONMember(key: key, node: try parseValue()))
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        index += 1
      } else if peek() == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      } else {
        throw unexpected("',' or '}'")
      }
    }
  }

  private mutating func parseArray() throws(FormatError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    index += 1
    var items: [JSONNode] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        index += 1
      } else if peek() == UInt8(ascii: "]") {
        index += 1
        return .array(items)
      } else {
        throw unexpected("',' or ']'")
      }
    }
  }

  private mutating func parseNumber() throws(FormatError) -> String {
    let start = index
    func digits(_ parser: inout JSONParser) -> Int {
      var count = 0
      while let byte = parser.peek(), byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        parser.index += 1
        count += 1
      }
      return count
    }
    if peek() == UInt8(ascii: "-") { index += 1 }
    if peek() == UInt8(ascii: "0") {
      index += 1
    } else if digits(&self) == 0 {
      throw unexpected("a digit")
    }
    if peek() == UInt8(ascii: ".") {
      index += 1
      if digits(&self) == 0 { throw unexpected("a digit after '.'") }
    }
    if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
      index += 1
      if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
      if digits(&self) == 0 { throw unexpected("a digit in the exponent") }
    }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  private mutating func parseString() throws(FormatError) -> String {
    let start = offset
    index += 1
    var scalars = String.UnicodeScalarView()
    var pending: [UInt8] = []
    func flush() {
      if !pending.isEmpty {
        scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars)
        pending.removeAll(keepingCapacity: true)
      }
    }
    while true {
      guard let byte = peek() else {
        throw site.error(.badHeader, at: start, found: "invalid JSON: unterminated string", expected: "a closing '\"'")
      }
      if byte == UInt8(ascii: "\"") {
        index += 1
        break
      }
      if byte < 0x20 { throw unexpected("no control characters inside a JSON string") }
      if byte != UInt8(ascii: "\\") {
        pending.append(byte)
        index += 1
        continue
      }
      flush()
      index += 1
      guard let escape = peek() else { throw unexpected("an escape character") }
      index += 1
      switch escape {
      case UInt8(ascii: "\""): scalars.append("\"")
      case UInt8(ascii: "\\"): scalars.append("\\")
      case UInt8(ascii: "/"): scalars.append("/")
      case UInt8(ascii: "b"): scalars.append("\u{08}")
      case UInt8(ascii: "f"): scalars.append("\u{0C}")
      case UInt8(ascii: "n"): scalars.append("\n")
      case UInt8(ascii: "r"): scalars.append("\r")
      case UInt8(ascii: "t"): scalars.append("\t")
      case UInt8(ascii: "u"):
        var code = try parseHex4()
        if (0xD800..<0xDC00).contains(code), bytes[index...].starts(with: "\\u".utf8) {
          index += 2
          let low = try parseHex4()
          guard (0xDC00..<0xE000).contains(low) else { throw unexpected("a low surrogate") }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw unexpected("a valid \\u escape, not a lone surrogate") }
        scalars.append(scalar)
      default:
        index -= 1
        throw unexpected("a valid escape character")
      }
    }
    flush()
    return String(scalars)
  }

  private mutating func parseHex4() throws(FormatError) -> UInt32 {
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = peek(), let digit = hexValue(byte) else { throw unexpected("four hex digits") }
      code = code << 4 | UInt32(digit)
      index += 1
    }
    return code
  }

  private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
