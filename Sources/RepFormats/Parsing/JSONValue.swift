/// A JSON value as read from a safetensors header, keeping object keys in file order and each value's offset.
indirect enum JSONValue {
  /// Members in file order.
  case object([JSONMember])
  case array([JSONNode])
  case string(String)
  /// A number, kept as its source text; see `JSONNode.integerValue`.
  case number(String)
  case boolean(Bool)
  case null

  /// The JSON type name for messages: "object", "array", "string", "number", "boolean", "null".
  var typeName: String {
    switch self {
    case .object: "object"
    case .array: "array"
    case .string: "string"
    case .number: "number"
    case .boolean: "boolean"
    case .null: "null"
    }
  }
}

/// A JSON value and the offset of its first byte.
struct JSONNode {
  var value: JSONValue
  var offset: Int

  /// The value as an `Int` if it is a number written without fraction or exponent that fits in `Int`.
  var integerValue: Int? {
    guard case .number(let text) = value, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
      return nil
    }
    return Int(text)
  }

  /// The value, shortened for messages.
  var summary: String {
    switch value {
    case .string(let text): quoted(text)
    case .number(let text): String(text.prefix(24))
    case .boolean(let flag): flag ? "true" : "false"
    case .null: "null"
    case .array(let items):
      items.count > 4 ? "[…]" : "[" + items.map(\.summary).joined(separator: ", ") + "]"
    case .object: "{…}"
    }
  }
}

/// One `"key": value` member of a JSON object.
struct JSONMember {
  var key: String
  var node: JSONNode
}
