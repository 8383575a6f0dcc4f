import CZlib

/// A running CRC-32 (the zip checksum, polynomial 0xEDB88320), computed by zlib's `crc32`.
struct CRC32: Sendable {
  /// The checksum of everything passed to `update(_:)` so far.
  private(set) var value: UInt32 = 0

  /// Folds `bytes` into the checksum.
  /// - Complexity: O(`bytes.count`).
  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    var remaining = bytes.count
    var crc = UInt(value)
    while remaining > 0 {
      let chunk = min(remaining, 1 << 30)
      crc = CZlib.crc32(crc, base, UInt32(chunk))
      base += chunk
      remaining -= chunk
    }
    value = UInt32(truncatingIfNeeded: crc)
  }

  /// The checksum as zip tools print it: "0x1a2b3c4d".
  static func text(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
  }
}
