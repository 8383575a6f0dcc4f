/// A block could not be encoded or decoded: zstd refused it, its size was not the one expected, or its bytes do not
/// hash to the checksum kept in the catalog.
///
/// The `description` is one line saying what failed, for example `zstd: Data corruption detected`,
/// `checksum mismatch: stored 0x0123456789abcdef, computed 0xfedcba9876543210` or
/// `decompressed 123 bytes, expected 456`. The codec does not know which tensor or block it is working on; the store
/// wraps this error and adds that context rather than re-wording it.
package struct CodecError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What went wrong, with the values that disagreed.
  package enum Kind: Sendable, Equatable {
    /// A zstd call failed; `message` is zstd's own wording, from `ZSTD_getErrorName`.
    case zstd(message: String)
    /// The compression level is outside the range the linked zstd accepts (`ZSTD_minCLevel()...ZSTD_maxCLevel()`).
    case invalidLevel(Int, valid: ClosedRange<Int>)
    /// The frame header declares a content size other than the byte count the caller expects.
    case frameContentSize(declared: UInt64, expected: Int)
    /// Decompression produced a byte count other than the one the caller expects.
    case decompressedSize(actual: Int, expected: Int)
    /// The XXH64 of the decoded raw bytes differs from the checksum stored with the block.
    case checksumMismatch(stored: UInt64, computed: UInt64)
  }

  /// What went wrong.
  package var kind: Kind

  /// Creates an error of the given kind.
  package init(_ kind: Kind) {
    self.kind = kind
  }

  /// One line saying what failed and, where there are two values, what was found and what was expected.
  package var description: String {
    switch kind {
    case .zstd(let message):
      return "zstd: \(message)"
    case .invalidLevel(let level, let valid):
      return "zstd level \(level) is outside \(valid.lowerBound)...\(valid.upperBound)"
    case .frameContentSize(let declared, let expected):
      return "zstd frame declares \(declared) bytes, expected \(expected)"
    case .decompressedSize(let actual, let expected):
      return "decompressed \(actual) bytes, expected \(expected)"
    case .checksumMismatch(let stored, let computed):
      return "checksum mismatch: stored \(hex(stored)), computed \(hex(computed))"
    }
  }
}

/// `value` as `0x` followed by 16 lowercase hex digits, so checksums line up in logs.
private func hex(_ value: UInt64) -> String {
  let digits = String(value, radix: 16)
  return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}
