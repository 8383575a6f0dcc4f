import RepStore

/// The text and hash that identify what a stored result was computed from: stored tables and benchmark runs find
/// themselves again by it, and a replaced tensor or key list changes it.
enum InputsDigest {
  /// Each example set's keys digest, by name.
  static func keyDigests(in store: Store) throws -> [String: String] {
    Dictionary(try store.exampleSets().map { ($0.name, $0.keysDigest) }, uniquingKeysWith: { first, _ in first })
  }

  /// One line per tensor: `MODEL/LAYER@SET#content digest#keys digest`.
  static func lines(_ tensors: [TensorInfo], keyDigests: [String: String]) -> [String] {
    tensors.map { "\($0.model)/\($0.layer)@\($0.exampleSet)#\($0.digest)#\(keyDigests[$0.exampleSet] ?? "")" }
  }

  /// XXH64 of the lines joined by line breaks, in hexadecimal.
  static func hash(_ lines: [String]) -> String {
    Array(lines.joined(separator: "\n").utf8).withUnsafeBytes { String(XXH64.hash($0), radix: 16) }
  }
}
