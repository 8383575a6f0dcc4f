/// A cursor over bytes already in memory, in the manner of NIO's `ByteBuffer`: `read…` advances and returns `nil`
/// when too few bytes remain (leaving the cursor alone), `get…(at:)` peeks at an index without moving.
/// Byte order is always a parameter, never the host's; values are assembled from bytes, never rebound.
///
/// `baseOffset` is the offset of `bytes[0]` in whatever the error site counts (file or member), so `offset`
/// and `offset(ofIndex:)` give positions ready for a `FormatError`. The `expect…` variants turn the first `nil`
/// into a `.truncated` error in one place.
struct ByteReader {
  /// The bytes being read.
  let bytes: [UInt8]
  /// The offset of `bytes[0]` in the error site's coordinates.
  let baseOffset: Int
  /// Where errors are reported.
  let site: ErrorSite
  /// The index of the next byte `read…` returns.
  private(set) var readerIndex = 0

  /// A reader at the start of `bytes`, whose first byte is at `baseOffset` in `site`.
  init(_ bytes: [UInt8], baseOffset: Int = 0, site: ErrorSite) {
    self.bytes = bytes
    self.baseOffset = baseOffset
    self.site = site
  }

  /// The number of bytes left to read.
  var readableBytes: Int { bytes.count - readerIndex }

  /// The offset of the next byte, in the error site's coordinates.
  var offset: Int { baseOffset + readerIndex }

  /// The offset of `bytes[index]`, in the error site's coordinates.
  func offset(ofIndex index: Int) -> Int { baseOffset + index }

  /// The little- or big-endian integer of `T`'s width at `index`, or `nil` if it does not fit in `bytes`.
  func getInteger<T: FixedWidthInteger>(at index: Int, bigEndian: Bool = false, as type: T.Type = T.self) -> T? {
    let width = MemoryLayout<T>.size
    guard index >= 0, index <= bytes.count - width else { return nil }
    var value: T = 0
    for k in 0..<width {
      let byte = T(truncatingIfNeeded: bytes[index + (bigEndian ? k : width - 1 - k)])
      value = value << 8 | byte  // for UInt8 the shift yields 0, as the single byte is all there is
    }
    return value
  }

  /// The `count` bytes at `index`, or `nil` if they do not fit in `bytes`.
  func getBytes(at index: Int, count: Int) -> ArraySlice<UInt8>? {
    guard index >= 0, count >= 0, index <= bytes.count - count else { return nil }
    return bytes[index..<(index + count)]
  }

  /// Reads an integer and advances past it, or returns `nil` (not advancing) if too few bytes remain.
  mutating func readInteger<T: FixedWidthInteger>(bigEndian: Bool = false, as type: T.Type = T.self) -> T? {
    guard let value = getInteger(at: readerIndex, bigEndian: bigEndian, as: T.self) else { return nil }
    readerIndex += MemoryLayout<T>.size
    return value
  }

  /// Reads `count` bytes and advances past them, or returns `nil` (not advancing) if too few remain.
  mutating func readBytes(count: Int) -> ArraySlice<UInt8>? {
    guard let slice = getBytes(at: readerIndex, count: count) else { return nil }
    readerIndex += count
    return slice
  }

  /// Skips `count` bytes, or returns `nil` (not advancing) if too few remain.
  mutating func skip(_ count: Int) -> Void? {
    guard count >= 0, count <= readableBytes else { return nil }
    readerIndex += count
    return ()
  }

  /// Reads a little-endian integer, throwing `.truncated` naming `what` if too few bytes remain.
  mutating func expectInteger<T: FixedWidthInteger>(_ what: String, as type: T.Type = T.self) throws(FormatError) -> T {
    guard let value = readInteger(as: T.self) else { throw truncated(MemoryLayout<T>.size, what) }
    return value
  }

  /// Reads `count` bytes, throwing `.truncated` naming `what` if too few remain.
  mutating func expectBytes(count: Int, _ what: String) throws(FormatError) -> ArraySlice<UInt8> {
    guard let slice = readBytes(count: count) else { throw truncated(count, what) }
    return slice
  }

  /// Skips `count` bytes, throwing `.truncated` naming `what` if too few remain.
  mutating func expectSkip(_ count: Int, _ what: String) throws(FormatError) {
    guard skip(count) != nil else { throw truncated(count, what) }
  }

  /// The one place a short read becomes an error: at the current offset, saying how much was needed for what.
  func truncated(_ needed: Int, _ what: String) -> FormatError {
    site.error(
      .truncated, at: offset, found: "truncated: only \(readableBytes) of \(needed) bytes left",
      expected: "\(needed) bytes of \(what)")
  }
}
