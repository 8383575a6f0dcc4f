/// An opened activation dump: a `.npy`, `.npz` or `.safetensors` file and the 2-D layers found in it.
///
/// Opening parses every header (no array data is read, except the first bytes of each deflated npz member, which
/// hold its `.npy` header) and rejects anything RepFormats cannot read with a one-line `FormatError`. Rows are then
/// read through `rowReader(layer:)`, each reader holding a bounded buffer whatever the file's size.
///
/// The format is chosen by content, not by file extension: `\x93NUMPY` starts a `.npy`, `PK` a zip archive (`.npz`),
/// and an 8-byte length followed by `{` a `.safetensors` file.
///
/// A `Dump` is immutable and may be shared between threads; the file stays open until the `Dump` and all its
/// readers are released.
///
/// ## Topics
/// - `open(path:options:)`, `layers`, `rowReader(layer:)`
public final class Dump: Sendable {
  /// The path given to `open(path:options:)`.
  public let path: String
  /// The format recognized from the file's first bytes.
  public let format: DumpFormat
  /// The layers, in file order: npz members and safetensors keys in directory/header order, a 3-D `.npy` by index.
  public let layers: [DumpLayer]

  private let file: OpenFile
  private let storage: [LayerStorage]

  private init(path: String, format: DumpFormat, file: OpenFile, opened: [OpenedLayer]) {
    self.path = path
    self.format = format
    self.file = file
    self.layers = opened.map(\.layer)
    self.storage = opened.map(\.storage)
  }

  /// Opens the dump at `path` and parses all its headers.
  ///
  /// - Parameters:
  ///   - path: a regular file; its format is recognized by content.
  ///   - options: how to read `|V2` arrays and name the layers of a 3-D `.npy`.
  /// - Returns: the dump, with `layers` filled in. An archive or safetensors file with no tensors has no layers.
  /// - Throws: `FormatError` for anything unreadable: I/O errors, empty or truncated files, unknown formats, bad
  ///   headers, unsupported dtypes or shapes, sizes that disagree with shapes, broken zip structures, bad options.
  /// - Complexity: O(header bytes); O(1) array bytes read per layer.
  public static func open(path: String, options: DumpOptions = DumpOptions()) throws(FormatError) -> Dump {
    try open(try OpenFile.openForReading(path: path), path: path, options: options)
  }

  /// Opens the dump arriving on standard input (`repstore import -`), named "stdin" in errors and locations.
  ///
  /// The formats need reading out of order (a zip directory sits at the end), so a pipe is first copied into an
  /// unnamed scratch file in `directory`, which no kill can leave behind and which is freed with the `Dump`. Put it
  /// where the data will go (the store's folder), not in a small temporary file system. A redirected regular file
  /// is read in place.
  /// - Throws: `FormatError` as `open(path:options:)`, and of kind `.io` if the copy cannot be made.
  /// - Complexity: O(input bytes) to copy a pipe, with a 1 MiB buffer.
  public static func openStandardInput(
    spoolingIn directory: String, options: DumpOptions = DumpOptions()
  ) throws(FormatError) -> Dump {
    let file = try OpenFile.standardInput(spoolingIn: directory, site: ErrorSite(path: "stdin"))
    return try open(file, path: "stdin", options: options)
  }

  private static func open(_ file: OpenFile, path: String, options: DumpOptions) throws(FormatError) -> Dump {
    let site = file.site
    guard file.byteCount > 0 else {
      throw site.error(.empty, at: 0, found: "empty file", expected: "a .npy, .npz or .safetensors dump")
    }
    let head = try file.bytes(at: 0, upTo: 9, "the file's first bytes")
    let format: DumpFormat
    if head[0] == NpyArrayHeader.magic[0] {
      format = .npy
    } else if head.starts(with: [0x50, 0x4B]) {
      format = .npz
    } else if head.count == 9, head[8] == UInt8(ascii: "{") || (head[8] == UInt8(ascii: "[") && declaresJSONLength(head, fileByteCount: file.byteCount)) {
      format = .safetensors
    } else if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) {
      throw site.error(
        .objectArray, at: 0, found: "a Python pickle: pickled/object arrays are not supported",
        expected: "a .npy, .npz or .safetensors dump")
    } else {
      throw site.error(
        .badMagic, at: 0, found: "unrecognized content (first bytes \(hexBytes(head))): not an .npy, .npz or safetensors file",
        expected: ".npy (\\x93NUMPY), .npz (zip, PK) or .safetensors (8-byte length, then '{')")
    }

    let opened: [OpenedLayer]
    switch format {
    case .npy: opened = try NpyDump.layers(in: file, options: options)
    case .npz: opened = try NpzDump.layers(in: file, options: options)
    case .safetensors: opened = try SafetensorsDump.layers(in: file, options: options)
    }
    return Dump(path: path, format: format, file: file, opened: opened)
  }

  /// Whether the first 8 bytes of `head`, as a little-endian length, fit in a file of `fileByteCount` bytes: a
  /// safetensors file whose JSON header is not an object is still recognized, so the error can say so.
  private static func declaresJSONLength(_ head: [UInt8], fileByteCount: Int) -> Bool {
    let length = head.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return length <= UInt64(fileByteCount - 8)
  }

  /// A new sequential reader over layer `index`, starting at row 0.
  ///
  /// - Precondition: `0 <= index < layers.count`.
  /// - Throws: `FormatError` of kind `.io` if buffers or zlib state cannot be set up, `.truncated` if a stored npz
  ///   member's header can no longer be read.
  /// - Complexity: O(1); a stored npz member's `.npy` header is read for its CRC-32.
  public func rowReader(layer index: Int) throws(FormatError) -> RowReader {
    precondition(layers.indices.contains(index), "rowReader: layer \(index) out of range 0..<\(layers.count)")
    let layer = layers[index]
    return RowReader(
      rowCount: layer.rowCount, columnCount: layer.columnCount, source: try storage[index].makeSource(file: file))
  }
}
