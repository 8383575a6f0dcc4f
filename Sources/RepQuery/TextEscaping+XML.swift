extension TextEscaping {
  /// Text for XML 1.0 character data or a quoted attribute value: `& < > " '` as entity references, and characters
  /// XML 1.0 cannot carry at all (C0 controls other than tab, line feed and carriage return; U+FFFE, U+FFFF) as
  /// U+FFFD, so any label makes a well-formed document.
  package static func xml(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
        result.unicodeScalars.append("\u{FFFD}")
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}
