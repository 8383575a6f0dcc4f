import Foundation
import Testing

@testable import RepStore

// ExampleKeys: reading keys files (line endings, empty and repeated keys, encodings) and the keys digest.

/// One keys file: its bytes, and either the keys read from it or a fragment of the error (after the path).
struct KeysFileCase: Sendable, CustomTestStringConvertible {
  var label: String
  var bytes: [UInt8]
  var keys: [String]?
  var error: String?
  var testDescription: String { label }
}

private func keysFile(_ label: String, _ text: String, keys: [String]) -> KeysFileCase {
  KeysFileCase(label: label, bytes: Array(text.utf8), keys: keys, error: nil)
}

private func badKeysFile(_ label: String, _ bytes: [UInt8], error: String) -> KeysFileCase {
  KeysFileCase(label: label, bytes: bytes, keys: nil, error: error)
}

private let keysFileTable: [KeysFileCase] = [
  keysFile("LF with trailing newline", "a\nb\nc\n", keys: ["a", "b", "c"]),
  keysFile("LF without trailing newline", "a\nb\nc", keys: ["a", "b", "c"]),
  keysFile("CRLF with trailing newline", "a\r\nb\r\nc\r\n", keys: ["a", "b", "c"]),
  keysFile("CRLF without trailing newline", "a\r\nb\r\nc", keys: ["a", "b", "c"]),
  keysFile("mixed LF and CRLF", "a\nb\r\nc\n", keys: ["a", "b", "c"]),
  keysFile("one key", "only", keys: ["only"]),
  keysFile("no keys", "", keys: []),
  keysFile("spaces and tabs are part of keys", " a\nb \nc\td\n", keys: [" a", "b ", "c\td"]),
  keysFile("unicode keys", "é\n日本\n🙂\nñ\n", keys: ["é", "日本", "🙂", "ñ"]),
  keysFile("keys that look like numbers", "10\n2\n010\n", keys: ["10", "2", "010"]),
  badKeysFile("empty key in the middle", Array("a\n\nb\n".utf8), error: "line 2: empty key"),
  badKeysFile("empty key in CRLF", Array("a\r\n\r\nb\r\n".utf8), error: "line 2: empty key"),
  badKeysFile("blank first line", Array("\na\n".utf8), error: "line 1: empty key"),
  badKeysFile("two trailing newlines", Array("a\nb\n\n".utf8), error: "line 3: empty key"),
  badKeysFile("duplicate key", Array("a\nb\nc\nb\n".utf8), error: "line 4: key 'b' repeats line 2; keys must be unique"),
  badKeysFile("duplicate across CRLF and LF", Array("x\r\ny\nx\n".utf8), error: "line 3: key 'x' repeats line 1"),
  badKeysFile("not UTF-8", [0x61, 0x0A, 0xFF, 0xFE, 0x0A], error: "keys file is not UTF-8 text"),
]

@Suite("Example keys")
struct ExampleKeysTests {
  @Test("ExampleKeys.read", arguments: keysFileTable)
  func read(_ testCase: KeysFileCase) throws {
    let folder = try TemporaryFolder()
    let path = try folder.file("keys.txt")
    try Data(testCase.bytes).write(to: URL(fileURLWithPath: path))
    if let keys = testCase.keys {
      let read = try ExampleKeys.read(path: path)
      #expect(read.explicitKeys == keys)
      #expect(read.count == keys.count)
      #expect(read.digest == ExampleKeysTests.digest(of: keys))
    } else {
      let error = try storeError { _ = try ExampleKeys.read(path: path) }
      #expect(error.kind == .invalidInput)
      #expect(error.message.hasPrefix("\(path): \(testCase.error ?? "")"), "\(error)")
    }
  }

  @Test("a missing keys file is an error naming it")
  func missingFile() throws {
    let folder = try TemporaryFolder()
    let path = folder.path + "/absent.keys"
    let error = try storeError { _ = try ExampleKeys.read(path: path) }
    #expect(error.message == "\(path): cannot read keys file")
  }

  @Test("explicit keys 0..<n have the ordinal digest", arguments: [0, 1, 2, 10, 1000])
  func ordinalDigest(_ count: Int) {
    let ordinal = ExampleKeys.ordinal(count: count)
    let explicit = ExampleKeys.explicit((0..<count).map(String.init))
    #expect(ordinal.explicitKeys == nil)
    #expect(ordinal.count == count)
    #expect(ordinal.digest == explicit.digest)
    #expect(ordinal.digest == ExampleKeysTests.digest(of: (0..<count).map(String.init)))
  }

  @Test("digests separate order, content and line structure")
  func digestsDiffer() {
    let digests = [["a", "b"], ["b", "a"], ["ab"], ["a", "b", ""], ["0", "1"], ["1", "0"]]
      .map { ExampleKeys.explicit($0).digest }
    #expect(Set(digests).count == digests.count)
    #expect(ExampleKeys.ordinal(count: 2).digest == digests[4])
  }

  /// XXH64 over each key's UTF-8 followed by a newline, computed here independently of `ExampleKeys`.
  static func digest(of keys: [String]) -> String {
    var bytes: [UInt8] = []
    for key in keys { bytes += Array(key.utf8) + [0x0A] }
    return hex16(bytes.withUnsafeBytes { XXH64.hash($0) })
  }
}
