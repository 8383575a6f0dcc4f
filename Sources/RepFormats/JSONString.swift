/// JSON string literals as serde_json (the safetensors reference) and Python's `json.dumps` write them, so that a
/// header repstore writes is byte for byte the reference's, and every JSON text repstore prints escapes alike.
public enum JSONString {
  /// `text` as a JSON string literal, quotes included: `"` and `\` escaped, control characters as `\n`, `\t`, `\r`,
  /// `\b`, `\f` or `\u00xx`; everything else, non-ASCII included, as UTF-8.
  public static func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if scalar.value < 0x20 {
          let digits = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
