/// A stored tensor: one model's layer over one example set, as the catalog describes it.
public struct TensorInfo: Sendable, Hashable {
  public var id: Int64
  public var model: String
  public var layer: String
  public var exampleSet: String
  public var rowCount: Int
  public var columnCount: Int
  /// The element type of the imported file ("float32", "bfloat16", ...); storage is always Float32.
  public var sourceDType: String
  /// The file (and member) it was imported from.
  public var source: String
  /// XXH64 of the shape and the raw little-endian Float32 bytes, as 16 hex digits.
  public var digest: String
  public var rawByteCount: Int64
  public var storedByteCount: Int64
  public var importedAt: String
  public var blockCount: Int

  /// `MODEL/LAYER`, the name tables and messages use.
  public var qualifiedName: String { "\(model)/\(layer)" }

  public init(
    id: Int64, model: String, layer: String, exampleSet: String, rowCount: Int, columnCount: Int,
    sourceDType: String = "float32", source: String = "", digest: String = "", rawByteCount: Int64 = 0,
    storedByteCount: Int64 = 0, importedAt: String = "", blockCount: Int = 0
  ) {
    self.id = id
    self.model = model
    self.layer = layer
    self.exampleSet = exampleSet
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.sourceDType = sourceDType
    self.source = source
    self.digest = digest
    self.rawByteCount = rawByteCount
    self.storedByteCount = storedByteCount
    self.importedAt = importedAt
    self.blockCount = blockCount
  }
}

/// An ordered list of example keys that gives a tensor's rows their identity.
public struct ExampleSetInfo: Sendable, Hashable {
  public enum KeyKind: String, Sendable { case ordinal, explicit }
  public var id: Int64
  public var name: String
  public var rowCount: Int
  /// `.ordinal` sets have the keys "0" ..< "n" and store no key rows.
  public var keyKind: KeyKind
  /// XXH64 over the keys (each followed by a newline), as 16 hex digits.
  public var keysDigest: String
  public var tensorCount: Int
}

/// Where rows `rowStart ..< rowStart + rowCount` of a tensor live on disk.
public struct BlockInfo: Sendable, Hashable {
  public var index: Int
  public var rowStart: Int
  public var rowCount: Int
  public var segment: Int
  public var byteOffset: Int64
  public var storedLength: Int
  public var rawLength: Int
  /// XXH64 of the raw (unshuffled, uncompressed) bytes.
  public var checksum: UInt64
}

extension UInt64 {
  /// 16 lowercase hex digits.
  var hexDigest: String {
    let digits = String(self, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
