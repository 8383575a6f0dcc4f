import Foundation

/// The keys of an example set and their digest.
struct ExampleKeys {
  /// nil for ordinal keys "0" ..< "n" (which are not stored).
  var explicitKeys: [String]?
  var count: Int
  var digest: String

  /// The ordinal keys "0" ..< "count".
  static func ordinal(count: Int) -> ExampleKeys {
    var hasher = XXH64Hasher()
    var line = [UInt8]()
    for index in 0..<count {
      line.removeAll(keepingCapacity: true)
      line.append(contentsOf: String(index).utf8)
      line.append(0x0A)
      line.withUnsafeBytes { hasher.update($0) }
    }
    return ExampleKeys(explicitKeys: nil, count: count, digest: hasher.finalize().hexDigest)
  }

  /// Keys in the given order; their digest equals that of the ordinal keys when they are "0" ..< "n".
  static func explicit(_ keys: [String]) -> ExampleKeys {
    var hasher = XXH64Hasher()
    for key in keys {
      var line = Array(key.utf8)
      line.append(0x0A)
      line.withUnsafeBytes { hasher.update($0) }
    }
    return ExampleKeys(explicitKeys: keys, count: keys.count, digest: hasher.finalize().hexDigest)
  }

  /// Reads a keys file: one key per line (LF or CRLF), no empty keys, no duplicates.
  /// - Throws: `StoreError(.invalidInput)` naming the file and line.
  static func read(path: String) throws -> ExampleKeys {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw StoreError.invalidInput(path: path, detail: "cannot read keys file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw StoreError.invalidInput(path: path, detail: "keys file is not UTF-8 text")
    }
    // Split on scalars, not Characters: "\r\n" is one Character, which never equals "\n".
    var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      String(Substring(line.last == "\r" ? line.dropLast() : line))
    }
    if lines.last == "" { lines.removeLast() }
    var firstLine: [String: Int] = [:]
    firstLine.reserveCapacity(lines.count)
    for (index, key) in lines.enumerated() {
      if key.isEmpty { throw StoreError.invalidInput(path: path, detail: "line \(index + 1): empty key") }
      if let earlier = firstLine[key] {
        throw StoreError.invalidInput(
          path: path, detail: "line \(index + 1): key '\(key)' repeats line \(earlier); keys must be unique")
      }
      firstLine[key] = index + 1
    }
    return explicit(lines)
  }
}
