/// Where and how one layer's elements are stored, as found when the dump was opened.
enum LayerStorage: Sendable {
  /// Elements at fixed offsets of the dump file (`.npy`, `.safetensors`).
  case plain(ArrayLayout)
  /// A stored npz member; the layout's offsets are file offsets, and `headerByteCount` bytes of `.npy` header precede
  /// the data in the member. The member's CRC-32 is checked after the last row.
  case storedMember(ZipEntry, headerByteCount: Int, ArrayLayout)
  /// A deflated npz member; the layout's offsets count from the member's first uncompressed byte.
  case deflatedMember(ZipEntry, ArrayLayout)

  /// The layout of the layer's elements.
  var layout: ArrayLayout {
    switch self {
    case .plain(let layout), .storedMember(_, _, let layout), .deflatedMember(_, let layout): layout
    }
  }

  /// A new reader for this layer of `file`.
  /// - Throws: `FormatError` of kind `.io` or `.truncated` if setting up fails (zlib state, the member's header).
  func makeSource(file: OpenFile) throws(FormatError) -> RowSource {
    switch self {
    case .plain(let layout):
      return StridedRowSource(file: file, layout: layout)
    case .storedMember(let entry, let headerByteCount, let layout):
      let check = try StoredMemberCheck(file: file, entry: entry, headerByteCount: headerByteCount)
      return StridedRowSource(file: file, layout: layout, check: check)
    case .deflatedMember(let entry, let layout):
      if layout.isRowContiguous { return try DeflatedRowSource(file: file, entry: entry, layout: layout) }
      return InflatedCopyRowSource(file: file, entry: entry, layout: layout)
    }
  }
}

/// A layer as an opener found it: its public description and its storage.
struct OpenedLayer: Sendable {
  var layer: DumpLayer
  var storage: LayerStorage
}
