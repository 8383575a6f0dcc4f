/// Reads a zip archive's structure: the end-of-central-directory record (found by scanning back from the end over
/// at most a 65535-byte comment), its zip64 counterpart when present, the central directory, and each member's local
/// header. Spec: PKWARE APPNOTE.TXT 6.3 (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT), sections 4.3
/// and 4.5.3.
///
/// Only single-disk archives are read. Sizes and CRCs come from the central directory, so local headers with zeroed
/// fields and data descriptors (flag bit 3, written by zipfile to unseekable streams) are fine.
enum ZipDirectory {
  static let localHeaderSignature: UInt32 = 0x0403_4B50
  static let centralHeaderSignature: UInt32 = 0x0201_4B50
  static let endSignature: UInt32 = 0x0605_4B50
  static let zip64EndSignature: UInt32 = 0x0606_4B50
  static let zip64LocatorSignature: UInt32 = 0x0706_4B50
  /// Central directories larger than this are rejected as absurd (about 2 million members).
  static let maximumDirectoryByteCount = 128 << 20

  /// The archive's members in central-directory order, each with its data located and checked to lie within the
  /// archive. Members are not yet required to be `.npy` arrays.
  /// - Throws: `FormatError` of kind `.badMagic` (no end record and no zip signature), `.badArchive`, `.truncated`
  ///   or `.unsupportedArchive` (multi-disk, encrypted, other compression methods).
  static func entries(in file: OpenFile) throws(FormatError) -> [ZipEntry] {
    let site = file.site
    let end = try endRecord(in: file)
    guard end.directoryOffset <= end.recordOffset, end.directoryByteCount <= end.recordOffset - end.directoryOffset else {
      throw site.error(
        .badArchive, at: end.recordOffset,
        found: "central directory at byte \(end.directoryOffset), \(end.directoryByteCount) bytes long, is out of range",
        expected: "a central directory ending before byte \(end.recordOffset)")
    }
    guard end.directoryByteCount <= maximumDirectoryByteCount else {
      throw site.error(
        .badArchive, at: end.recordOffset, found: "central directory of \(end.directoryByteCount) bytes",
        expected: "at most 128 MiB")
    }
    guard end.entryCount <= end.directoryByteCount / 46 else {
      throw site.error(
        .badArchive, at: end.recordOffset,
        found: "\(end.entryCount) entries claimed for a \(end.directoryByteCount)-byte central directory",
        expected: "at least 46 bytes per entry")
    }
    let directory = try file.bytes(at: end.directoryOffset, upTo: end.directoryByteCount, "the zip central directory")
    var reader = ByteReader(directory, baseOffset: end.directoryOffset, site: site)
    var entries: [ZipEntry] = []
    for _ in 0..<end.entryCount {
      entries.append(try centralRecord(&reader, file: file, directoryOffset: end.directoryOffset))
    }
    return entries
  }

  /// Where the central directory is and how many entries it has.
  private struct EndRecord {
    var recordOffset: Int
    var entryCount: Int
    var directoryByteCount: Int
    var directoryOffset: Int
  }

  /// Refuses a multi-disk archive (in the classic or the zip64 end record): an .npz is one file.
  private static func requireSingleDisk<Disk: BinaryInteger>(
    _ disk: Disk, _ directoryDisk: Disk, at recordOffset: Int, site: ErrorSite
  ) throws(FormatError) {
    guard disk == 0, directoryDisk == 0 else {
      throw site.error(
        .unsupportedArchive, at: recordOffset, found: "multi-disk zip archive (disk \(disk))",
        expected: "a single-file archive")
    }
  }

  private static func endRecord(in file: OpenFile) throws(FormatError) -> EndRecord {
    let site = file.site
    let tailStart = max(0, file.byteCount - (22 + 65535))
    let tail = ByteReader(try file.bytes(at: tailStart, upTo: file.byteCount - tailStart, "the zip end record"),
                          baseOffset: tailStart, site: site)
    var position = tail.bytes.count - 22
    var found: Int?
    while position >= 0 {
      if tail.getInteger(at: position, as: UInt32.self) == endSignature,
        let commentLength = tail.getInteger(at: position + 20, as: UInt16.self),
        position + 22 + Int(commentLength) <= tail.bytes.count
      {
        found = position
        break
      }
      position -= 1
    }
    guard let index = found else {
      let start = try file.bytes(at: 0, upTo: 4, "the zip signature")
      if start == [0x50, 0x4B, 0x03, 0x04] || start == [0x50, 0x4B, 0x05, 0x06] {
        throw site.error(
          .badArchive, at: file.byteCount,
          found: "no end-of-central-directory record in the last \(tail.bytes.count) bytes (truncated zip archive?)",
          expected: "a complete zip archive")
      }
      throw site.error(
        .badMagic, at: 0, found: "not a zip archive (signature \(hexBytes(start)))", expected: "PK\\x03\\x04 (an .npz)")
    }
    var record = ByteReader(Array(tail.bytes[(index + 4)...]), baseOffset: tail.offset(ofIndex: index + 4), site: site)
    let disk = try record.expectInteger("the zip end record", as: UInt16.self)
    let directoryDisk = try record.expectInteger("the zip end record", as: UInt16.self)
    _ = try record.expectInteger("the zip end record", as: UInt16.self)
    let entryCount = try record.expectInteger("the zip end record", as: UInt16.self)
    let directoryByteCount = try record.expectInteger("the zip end record", as: UInt32.self)
    let directoryOffset = try record.expectInteger("the zip end record", as: UInt32.self)
    let recordOffset = tail.offset(ofIndex: index)

    if index >= 20, tail.getInteger(at: index - 20, as: UInt32.self) == zip64LocatorSignature {
      return try zip64EndRecord(in: file, locatorIndex: index - 20, tail: tail)
    }
    try requireSingleDisk(disk, directoryDisk, at: recordOffset, site: site)
    return EndRecord(
      recordOffset: recordOffset, entryCount: Int(entryCount), directoryByteCount: Int(directoryByteCount),
      directoryOffset: Int(directoryOffset))
  }

  private static func zip64EndRecord(in file: OpenFile, locatorIndex: Int, tail: ByteReader) throws(FormatError)
    -> EndRecord
  {
    let site = file.site
    let locatorOffset = tail.offset(ofIndex: locatorIndex)
    guard let recordOffset64 = tail.getInteger(at: locatorIndex + 8, as: UInt64.self),
      recordOffset64 <= UInt64(locatorOffset), Int(recordOffset64) <= locatorOffset - 56
    else {
      throw site.error(
        .badArchive, at: locatorOffset, found: "zip64 locator points outside the archive",
        expected: "a zip64 end record before the locator")
    }
    let recordOffset = Int(recordOffset64)
    var record = ByteReader(try file.bytes(at: recordOffset, upTo: 56, "the zip64 end record"),
                            baseOffset: recordOffset, site: site)
    guard try record.expectInteger("the zip64 end record", as: UInt32.self) == zip64EndSignature else {
      throw site.error(
        .badArchive, at: recordOffset, found: "no zip64 end record where the locator points",
        expected: "signature PK\\x06\\x06")
    }
    try record.expectSkip(12, "the zip64 end record")
    let disk = try record.expectInteger("the zip64 end record", as: UInt32.self)
    let directoryDisk = try record.expectInteger("the zip64 end record", as: UInt32.self)
    try record.expectSkip(8, "the zip64 end record")
    let entryCount = try record.expectInteger("the zip64 end record", as: UInt64.self)
    let directoryByteCount = try record.expectInteger("the zip64 end record", as: UInt64.self)
    let directoryOffset = try record.expectInteger("the zip64 end record", as: UInt64.self)
    try requireSingleDisk(disk, directoryDisk, at: recordOffset, site: site)
    let limit = UInt64(recordOffset)
    guard entryCount <= limit, directoryByteCount <= limit, directoryOffset <= limit else {
      throw site.error(
        .badArchive, at: recordOffset, found: "zip64 end record with out-of-range counts",
        expected: "a central directory within the archive")
    }
    return EndRecord(
      recordOffset: recordOffset, entryCount: Int(entryCount), directoryByteCount: Int(directoryByteCount),
      directoryOffset: Int(directoryOffset))
  }

  /// Reads one central directory record at the reader's position, then the member's local header.
  private static func centralRecord(_ reader: inout ByteReader, file: OpenFile, directoryOffset: Int)
    throws(FormatError) -> ZipEntry
  {
    let site = file.site
    let start = reader.offset
    let what = "a central directory record"
    guard try reader.expectInteger(what, as: UInt32.self) == centralHeaderSignature else {
      throw site.error(
        .badArchive, at: start, found: "no central directory record signature", expected: "signature PK\\x01\\x02")
    }
    try reader.expectSkip(4, what)
    let flags = try reader.expectInteger(what, as: UInt16.self)
    let methodCode = try reader.expectInteger(what, as: UInt16.self)
    try reader.expectSkip(4, what)
    let crc = try reader.expectInteger(what, as: UInt32.self)
    var compressed = UInt64(try reader.expectInteger(what, as: UInt32.self))
    var uncompressed = UInt64(try reader.expectInteger(what, as: UInt32.self))
    let nameLength = Int(try reader.expectInteger(what, as: UInt16.self))
    let extraLength = Int(try reader.expectInteger(what, as: UInt16.self))
    let commentLength = Int(try reader.expectInteger(what, as: UInt16.self))
    var disk = UInt32(try reader.expectInteger(what, as: UInt16.self))
    try reader.expectSkip(6, what)
    var localOffset = UInt64(try reader.expectInteger(what, as: UInt32.self))
    let nameBytes = Array(try reader.expectBytes(count: nameLength, "a member name"))
    let extraStart = reader.offset
    var extra = ByteReader(Array(try reader.expectBytes(count: extraLength, "a member's extra field")),
                           baseOffset: extraStart, site: site)
    try reader.expectSkip(commentLength, "a member comment")

    let name = String(decoding: nameBytes, as: UTF8.self)
    let memberSite = site.within("member \(quoted(name))", offsetsInPart: false)

    // Zip64 extended information (header 0x0001) holds, in this order, whichever fields are saturated above.
    while extra.readableBytes >= 4 {
      let id = try extra.expectInteger("an extra field", as: UInt16.self)
      let size = Int(try extra.expectInteger("an extra field", as: UInt16.self))
      var field = ByteReader(Array(try extra.expectBytes(count: size, "an extra field")),
                             baseOffset: extra.offset - size, site: memberSite)
      guard id == 0x0001 else { continue }
      if uncompressed == 0xFFFF_FFFF { uncompressed = try field.expectInteger("the zip64 extra field") }
      if compressed == 0xFFFF_FFFF { compressed = try field.expectInteger("the zip64 extra field") }
      if localOffset == 0xFFFF_FFFF { localOffset = try field.expectInteger("the zip64 extra field") }
      if disk == 0xFFFF { disk = try field.expectInteger("the zip64 extra field") }
    }

    guard name.hasSuffix(".npy"), name.count > 4 else {
      throw site.error(
        .unsupportedArchive, at: start, found: "zip member \(quoted(name)) is not an .npy array",
        expected: "only KEY.npy members, as numpy.savez writes")
    }
    guard flags & 0x41 == 0 else {
      throw memberSite.error(
        .unsupportedArchive, at: start, found: "encrypted zip member", expected: "an unencrypted archive")
    }
    let method: ZipEntry.Method
    switch methodCode {
    case 0: method = .stored
    case 8: method = .deflated
    default:
      throw memberSite.error(
        .unsupportedArchive, at: start, found: "compression method \(methodCode) (\(methodName(methodCode)))",
        expected: "0 (stored) or 8 (deflated), as numpy.savez and savez_compressed write")
    }
    guard disk == 0 else {
      throw memberSite.error(
        .unsupportedArchive, at: start, found: "member on disk \(disk)", expected: "a single-file archive")
    }
    let limit = UInt64(directoryOffset)
    guard compressed <= limit, uncompressed <= UInt64(Int.max), localOffset <= limit else {
      throw memberSite.error(
        .badArchive, at: start, found: "sizes or offset beyond the central directory (local header at \(localOffset))",
        expected: "a member stored before the central directory")
    }
    if method == .stored && compressed != uncompressed {
      throw memberSite.error(
        .badArchive, at: start, found: "stored member with \(compressed) compressed and \(uncompressed) uncompressed bytes",
        expected: "equal sizes")
    }

    let dataOffset = try localDataOffset(
      file: file, site: memberSite, at: Int(localOffset), nameBytes: nameBytes, methodCode: methodCode)
    guard Int(compressed) <= directoryOffset - dataOffset else {
      throw memberSite.error(
        .badArchive, at: dataOffset, found: "\(compressed) bytes of data run into the central directory",
        expected: "member data before byte \(directoryOffset)")
    }
    return ZipEntry(
      name: name, method: method, crc32: crc, compressedByteCount: Int(compressed),
      uncompressedByteCount: Int(uncompressed), localHeaderOffset: Int(localOffset), dataOffset: dataOffset)
  }

  /// Checks the local header at `offset` against the central record and returns where the member's data starts.
  private static func localDataOffset(
    file: OpenFile, site: ErrorSite, at offset: Int, nameBytes: [UInt8], methodCode: UInt16
  ) throws(FormatError) -> Int {
    var reader = ByteReader(try file.bytes(at: offset, upTo: 30, "a local header"), baseOffset: offset, site: site)
    let what = "a local header"
    guard try reader.expectInteger(what, as: UInt32.self) == localHeaderSignature else {
      throw site.error(
        .badArchive, at: offset, found: "no local header where the central directory points",
        expected: "signature PK\\x03\\x04")
    }
    try reader.expectSkip(4, what)
    let localMethod = try reader.expectInteger(what, as: UInt16.self)
    try reader.expectSkip(16, what)
    let nameLength = Int(try reader.expectInteger(what, as: UInt16.self))
    let extraLength = Int(try reader.expectInteger(what, as: UInt16.self))
    let localName = try file.bytes(at: offset + 30, upTo: nameLength, "a local header name")
    guard localName == nameBytes, localMethod == methodCode else {
      throw site.error(
        .badArchive, at: offset,
        found: "local header says \(quoted(String(decoding: localName, as: UTF8.self))), method \(localMethod)",
        expected: "the central directory's name and method \(methodCode)")
    }
    return offset + 30 + nameLength + extraLength
  }

  private static func methodName(_ code: UInt16) -> String {
    switch code {
    case 1...7: "legacy"
    case 9: "deflate64"
    case 12: "bzip2"
    case 14: "LZMA"
    case 93: "zstd"
    case 95: "xz"
    case 99: "AES encryption"
    default: "unknown"
    }
  }
}
