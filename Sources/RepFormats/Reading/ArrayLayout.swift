/// Where the elements of one 2-D layer lie in a file: element (i, j) starts at byte
/// `dataOffset + (rowStride · i + columnStride · j) · elementByteCount`.
///
/// C order has `rowStride = columnCount`, `columnStride = 1`. Fortran order of an (n, d) array has `rowStride = 1`,
/// `columnStride = n`; layer l of a Fortran (L, n, d) array starts l elements in, with `rowStride = L`,
/// `columnStride = L · n`, since element (l, i, j) is at l + L·(i + n·j).
struct ArrayLayout: Sendable, Equatable {
  /// How elements are stored.
  var decoder: ElementDecoder
  /// n.
  var rowCount: Int
  /// d.
  var columnCount: Int
  /// The byte offset of element (0, 0).
  var dataOffset: Int
  /// The distance between element (i, j) and (i + 1, j), in elements.
  var rowStride: Int
  /// The distance between element (i, j) and (i, j + 1), in elements.
  var columnStride: Int

  /// The size of one stored element in bytes.
  var elementByteCount: Int { decoder.elementType.byteCount }

  /// Whether rows lie back to back, each a contiguous run of `columnCount` elements (C order, or any order when
  /// there is a single row or a single column of a 2-D array).
  var isRowContiguous: Bool {
    (columnStride == 1 || columnCount <= 1) && (rowStride == columnCount || rowCount <= 1)
  }

  /// The layouts of the layers of an array of `shape` (n, d) or (L, n, d), whose data starts at `dataOffset`.
  ///
  /// - Precondition: `shape` has 2 or 3 non-negative entries whose product times the element size fits in `Int`.
  static func layers(
    shape: [Int], isFortranOrder: Bool, decoder: ElementDecoder, dataOffset: Int
  ) -> [ArrayLayout] {
    precondition(shape.count == 2 || shape.count == 3, "layers(shape:) needs a 2-D or 3-D shape")
    let layerCount = shape.count == 3 ? shape[0] : 1
    let rowCount = shape[shape.count - 2]
    let columnCount = shape[shape.count - 1]
    let itemSize = decoder.elementType.byteCount
    return (0..<layerCount).map { layer in
      if isFortranOrder {
        ArrayLayout(
          decoder: decoder, rowCount: rowCount, columnCount: columnCount, dataOffset: dataOffset + layer * itemSize,
          rowStride: layerCount, columnStride: layerCount * rowCount)
      } else {
        ArrayLayout(
          decoder: decoder, rowCount: rowCount, columnCount: columnCount,
          dataOffset: dataOffset + layer * rowCount * columnCount * itemSize, rowStride: columnCount, columnStride: 1)
      }
    }
  }
}
