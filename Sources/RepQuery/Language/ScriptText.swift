import Foundation

/// Statement text read from a file or stdin: UTF-8, or a one-line error at the first byte that is not.
public enum ScriptText {
  /// The text of `bytes`, read from `source` (a file name, or `stdin`).
  /// - Throws: `QueryError` (`.encoding`) naming the source and the byte offset of the first invalid sequence.
  public static func decode(_ bytes: [UInt8], from source: String) throws -> String {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar): offset += scalar.count
      case .emptyInput: return String(decoding: bytes, as: UTF8.self)
      case .error:
        throw QueryError(
          .encoding, "\(source): not UTF-8 text: invalid byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) "
            + "at byte \(offset) (statements are UTF-8)", path: source == "stdin" ? nil : source)
      }
    }
  }
}
