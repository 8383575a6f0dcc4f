/// Interprets the `descr` entry of an `.npy` header: which element type and byte order the data has, or why it
/// cannot be read.
///
/// Accepted: `f2`, `f4`, `f8` with byte order `<`, `>`, `=` or `|` (the last two meaning the writer's native order,
/// taken as the host's), and the 2-byte void type `V2` when `DumpOptions.assumeVoid2As` says how to read it.
enum NpyDescriptor {
  /// The decoder for `descr`, found at `offset` in `site`.
  /// - Throws: `FormatError` of kind `.objectArray` for `O`, `.unsupportedDType` for structured, integer, bool,
  ///   complex, string, datetime, other void and extended-precision types, `.badOption` when `assumeVoid2As` is not a
  ///   2-byte type, `.badHeader` when `descr` is neither a string nor a list.
  static func decoder(
    for descr: PythonLiteral, at offset: Int, site: ErrorSite, assumeVoid2As: ElementType?
  ) throws(FormatError) -> ElementDecoder {
    let accepted = "float16, bfloat16, float32 or float64"
    let text: String
    switch descr {
    case .string(let value): text = value
    case .list:
      throw site.error(
        .unsupportedDType, at: offset, found: "structured dtype \(descr.summary) (descr is a list of fields)",
        expected: "a plain \(accepted) array")
    default:
      throw site.error(.badHeader, at: offset, found: "descr \(descr.summary)", expected: "a dtype string such as '<f4'")
    }

    var rest = Substring(text)
    var byteOrder = ByteOrder.host
    switch rest.first {
    case "<": byteOrder = .little; rest = rest.dropFirst()
    case ">": byteOrder = .big; rest = rest.dropFirst()
    case "=", "|": rest = rest.dropFirst()
    default: break
    }
    let kind = rest.first
    let size = Int(rest.dropFirst())
    let shown = "dtype \(quoted(text))"

    switch (kind, size) {
    case ("f", 2): return ElementDecoder(elementType: .float16, byteOrder: byteOrder)
    case ("f", 4): return ElementDecoder(elementType: .float32, byteOrder: byteOrder)
    case ("f", 8): return ElementDecoder(elementType: .float64, byteOrder: byteOrder)
    case ("O", _):
      throw site.error(
        .objectArray, at: offset, found: "\(shown): pickled/object arrays are not supported",
        expected: "a \(accepted) array")
    case ("V", 2):
      guard let assumed = assumeVoid2As else {
        throw site.error(
          .unsupportedDType, at: offset,
          found: "\(shown) (2-byte void, how numpy saves bfloat16 arrays); pass --assume-dtype bfloat16 to read it",
          expected: "a \(accepted) array")
      }
      guard assumed.byteCount == 2 else {
        throw site.error(
          .badOption, at: offset, found: "\(shown) with assumed element type \(assumed.rawValue) (\(assumed.byteCount) bytes)",
          expected: "a 2-byte assumed type: bfloat16 or float16")
      }
      return ElementDecoder(elementType: assumed, byteOrder: byteOrder)
    default:
      throw site.error(
        .unsupportedDType, at: offset, found: "\(shown) (\(name(kind: kind, size: size))) is not supported",
        expected: "a \(accepted) array")
    }
  }

  /// numpy's name for a dtype kind and item size, for messages: "int64", "bool", "complex128", "unicode string".
  /// A size too large to state in bits (or not positive) is left out of the name, not multiplied.
  private static func name(kind: Character?, size: Int?) -> String {
    let bits = size.flatMap { (1...Int.max / 8).contains($0) ? String($0 * 8) : nil } ?? ""
    switch kind {
    case "i": return "int" + bits
    case "u": return "uint" + bits
    case "b": return "bool"
    case "c": return "complex" + bits
    case "f": return "float" + bits
    case "U": return "unicode string"
    case "S", "a": return "byte string"
    case "M": return "datetime64"
    case "m": return "timedelta64"
    case "V": return "void, raw bytes"
    default: return "unrecognized dtype"
    }
  }
}
