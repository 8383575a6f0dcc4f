/// One member of a zip archive, from its central directory record, with the data offset found in its local header.
struct ZipEntry: Sendable {
  /// The compression methods RepFormats reads.
  enum Method: Sendable, Equatable {
    /// Method 0: the bytes are stored as is.
    case stored
    /// Method 8: raw deflate (RFC 1951).
    case deflated
  }

  /// The member's file name inside the archive.
  var name: String
  /// How the data is compressed.
  var method: Method
  /// The CRC-32 of the uncompressed data, from the central directory.
  var crc32: UInt32
  /// The size of the data in the archive.
  var compressedByteCount: Int
  /// The size of the data once inflated.
  var uncompressedByteCount: Int
  /// The offset of the member's local header in the file.
  var localHeaderOffset: Int
  /// The offset of the member's (compressed) data in the file.
  var dataOffset: Int

  /// The member quoted for messages: "member 'layer3.npy'".
  var partName: String { "member \(quoted(name))" }
}
