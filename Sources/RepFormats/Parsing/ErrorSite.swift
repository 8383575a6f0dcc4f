/// Where errors found while parsing one structure are reported: the dump's path, the part of it being parsed, and
/// whether offsets count bytes of the file or of that part's uncompressed data.
struct ErrorSite: Sendable {
  /// The dump's path as given by the caller.
  var path: String
  /// The part being parsed, quoted for display ("member 'x.npy'", "tensor 'h.3'"), or `nil` for the file itself.
  var part: String?
  /// Whether offsets count bytes of the part (an npz member's uncompressed data) instead of bytes of the file.
  var isOffsetInPart = false

  /// An error at `offset` (or without one) in this site.
  func error(_ kind: FormatError.Kind, at offset: Int?, found: String, expected: String) -> FormatError {
    FormatError(
      kind, path: path, part: part, offset: offset, isOffsetInPart: isOffsetInPart, found: found, expected: expected)
  }

  /// The same site narrowed to `part`, keeping the offset convention unless `offsetsInPart` says otherwise.
  func within(_ part: String, offsetsInPart: Bool) -> ErrorSite {
    ErrorSite(path: path, part: part, isOffsetInPart: offsetsInPart)
  }
}

/// Text from a file made safe for a one-line message: control and non-ASCII-printable characters escaped,
/// cut to `limit` characters with an ellipsis, and wrapped in single quotes.
func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
  var out = ""
  var count = 0
  for scalar in text.unicodeScalars {
    if count == limit {
      out += "…"
      break
    }
    count += 1
    switch scalar {
    case "\\": out += "\\\\"
    case "'": out += "\\'"
    case " "..."~": out.unicodeScalars.append(scalar)
    default:
      if scalar.value >= 0xA0 && scalar.properties.generalCategory != .format
        && scalar.properties.generalCategory != .lineSeparator
        && scalar.properties.generalCategory != .paragraphSeparator
      {
        out.unicodeScalars.append(scalar)
      } else {
        out += "\\u{\(String(scalar.value, radix: 16))}"
      }
    }
  }
  return "'\(out)'"
}

/// Bytes shown as space-separated hex pairs for messages ("93 4E 55 4D 50 59").
func hexBytes(_ bytes: some Sequence<UInt8>) -> String {
  bytes.map { byte in
    let digits = String(byte, radix: 16, uppercase: true)
    return byte < 16 ? "0" + digits : digits
  }.joined(separator: " ")
}
