/// The parsed prelude of an `.npy` array: magic, version, header dict. Offsets count from the array's first byte.
///
/// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html — the magic `\x93NUMPY`, a major
/// and minor version byte, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), then the
/// header: a Python dict literal (Latin-1 before 3.0, UTF-8 in 3.0) padded with spaces and a newline. The data
/// follows immediately.
struct NpyArrayHeader: Sendable {
  /// The magic string every `.npy` array starts with.
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
  /// Headers longer than this are rejected as absurd (numpy itself writes a few hundred bytes).
  static let maximumHeaderByteCount = 1 << 20

  /// The format's major version: 1, 2 or 3.
  var majorVersion: Int
  /// The stored element type and byte order.
  var decoder: ElementDecoder
  /// Whether the data is in Fortran (column-major) order.
  var isFortranOrder: Bool
  /// The array's shape, each entry non-negative.
  var shape: [Int]
  /// Where the data starts: the size of magic, version, length field and header.
  var dataOffset: Int
  /// The product of `shape`, known to fit in `Int`.
  var elementCount: Int
  /// `elementCount` times the element size, known to fit in `Int`.
  var dataByteCount: Int

  /// `shape` as numpy prints it, for messages: `(3, 4)`, `(5,)`, `()`; shapes of more than 8 dimensions are
  /// shortened to their first 4 and last 2 extents.
  var shapeText: String {
    guard shape.count > 8 else { return Self.shapeText(shape) }
    let head = shape.prefix(4).map(String.init).joined(separator: ", ")
    let tail = shape.suffix(2).map(String.init).joined(separator: ", ")
    return "(\(head), …, \(tail))"
  }

  /// A shape as numpy prints it: `(3, 4)`, `(5,)`, `()`.
  static func shapeText(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  }

  /// Parses the prelude of an array whose first bytes `prefix(count)` returns (at most `count` of them, fewer only
  /// where the array's bytes end).
  /// - Throws: `FormatError` of kind `.truncated`, `.badMagic`, `.badHeader`, `.unsupportedDType`, `.objectArray`
  ///   or `.badOption`.
  static func parse(
    site: ErrorSite, assumeVoid2As: ElementType?, prefix: (Int) throws(FormatError) -> [UInt8]
  ) throws(FormatError) -> NpyArrayHeader {
    var reader = ByteReader(try prefix(12), site: site)
    guard let magicBytes = reader.getBytes(at: 0, count: min(6, reader.readableBytes)),
      magicBytes.elementsEqual(magic.prefix(magicBytes.count))
    else {
      throw site.error(
        .badMagic, at: 0, found: "not an .npy file (magic \(hexBytes(reader.bytes.prefix(6))))",
        expected: "\\x93NUMPY")
    }
    try reader.expectSkip(6, "the .npy magic")
    let major = Int(try reader.expectInteger("the .npy version", as: UInt8.self))
    let minor = Int(try reader.expectInteger("the .npy version", as: UInt8.self))
    guard (1...3).contains(major), minor == 0 else {
      throw site.error(.badHeader, at: 6, found: "npy format version \(major).\(minor)", expected: "1.0, 2.0 or 3.0")
    }
    let headerByteCount =
      major == 1
      ? Int(try reader.expectInteger("the .npy header length", as: UInt16.self))
      : Int(try reader.expectInteger("the .npy header length", as: UInt32.self))
    guard headerByteCount <= maximumHeaderByteCount else {
      throw site.error(
        .badHeader, at: 8, found: "header length \(headerByteCount) bytes", expected: "at most 1 MiB")
    }
    let headerStart = reader.offset
    reader = ByteReader(try prefix(headerStart + headerByteCount), site: site)
    try reader.expectSkip(headerStart, "the .npy prelude")
    let headerBytes = try reader.expectBytes(count: headerByteCount, "the .npy header")

    var parser = PythonLiteralParser(headerBytes, baseOffset: headerStart, site: site, isUTF8: major == 3)
    guard case .dictionary(let entries) = try parser.parseWhole() else {
      throw site.error(.badHeader, at: headerStart, found: "header is not a dict", expected: "a Python dict literal")
    }
    func entry(_ key: String) throws(FormatError) -> PythonDictionaryEntry {
      guard let found = entries.last(where: { $0.key == key }) else {
        throw site.error(
          .badHeader, at: headerStart, found: "header dict has no '\(key)' key",
          expected: "keys 'descr', 'fortran_order' and 'shape'")
      }
      return found
    }
    let descr = try entry("descr")
    let fortran = try entry("fortran_order")
    let shapeEntry = try entry("shape")

    guard case .boolean(let isFortranOrder) = fortran.value else {
      throw site.error(
        .badHeader, at: fortran.offset, found: "fortran_order \(fortran.value.summary)", expected: "True or False")
    }
    var shape: [Int] = []
    switch shapeEntry.value {
    case .tuple(let items), .list(let items):
      for item in items {
        guard case .integer(let value) = item, value >= 0 else {
          throw site.error(
            .badHeader, at: shapeEntry.offset, found: "shape \(shapeEntry.value.summary) has entry \(item.summary)",
            expected: "non-negative integers")
        }
        shape.append(value)
      }
    default:
      throw site.error(
        .badHeader, at: shapeEntry.offset, found: "shape \(shapeEntry.value.summary)", expected: "a tuple of integers")
    }
    let decoder = try NpyDescriptor.decoder(
      for: descr.value, at: descr.offset, site: site, assumeVoid2As: assumeVoid2As)

    var elementCount = 1
    for extent in shape {
      let (product, overflow) = elementCount.multipliedReportingOverflow(by: extent)
      guard !overflow else {
        throw site.error(
          .badHeader, at: shapeEntry.offset, found: "shape \(shapeText(shape)) has more elements than Int can count",
          expected: "a shape whose element count fits in 64 bits")
      }
      elementCount = product
    }
    let (dataByteCount, overflow) = elementCount.multipliedReportingOverflow(by: decoder.elementType.byteCount)
    guard !overflow else {
      throw site.error(
        .badHeader, at: shapeEntry.offset, found: "shape \(shapeText(shape)) needs more bytes than Int can count",
        expected: "a shape whose byte count fits in 64 bits")
    }
    return NpyArrayHeader(
      majorVersion: major, decoder: decoder, isFortranOrder: isFortranOrder, shape: shape,
      dataOffset: headerStart + headerByteCount, elementCount: elementCount, dataByteCount: dataByteCount)
  }
}
