/// One 2-D layer found in a dump: its name, shape and stored element type (metadata only, no data).
public struct DumpLayer: Sendable, Equatable {
  /// The layer's name in the file: the npz member name without `.npy`, the safetensors key, or an entry of
  /// `DumpOptions.layerNames` ("L0", "L1", … by default) for a 3-D `.npy`. `nil` only for a 2-D `.npy`, which the
  /// caller names.
  public var name: String?
  /// The number of rows (examples), n.
  public var rowCount: Int
  /// The number of columns (features), d.
  public var columnCount: Int
  /// How the elements are stored in the file; rows are always delivered as Float32.
  public var elementType: ElementType
  /// Where the layer is, for messages: "a.npz:layer3", "dump.npy[2]", "m.safetensors:h.3", or the path of a 2-D `.npy`.
  public var location: String

  /// Creates a layer description.
  public init(name: String?, rowCount: Int, columnCount: Int, elementType: ElementType, location: String) {
    self.name = name
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.elementType = elementType
    self.location = location
  }
}
