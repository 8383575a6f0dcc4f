import Foundation
import RepFormats

/// Escaping for the data formats repstore writes (CSV per RFC 4180, TSV with backslash escapes, JSON strings).
package enum TextEscaping {
  /// A CSV field, quoted only when it holds a comma, quote or line break.
  package static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// A TSV field: tabs, line breaks and backslashes written as \t, \n, \r and \\.
  package static func tsvField(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
      .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
  }

  /// A JSON string literal, quotes included, escaped as the safetensors headers are (`JSONString`).
  package static func jsonString(_ text: String) -> String { JSONString.literal(text) }
}
