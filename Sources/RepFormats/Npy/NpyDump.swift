/// Finds the layers of a `.npy` file: one unnamed layer for a 2-D (n, d) array, L named layers for a 3-D (L, n, d).
enum NpyDump {
  /// The layers of the `.npy` array in `file`.
  /// - Throws: `FormatError` from `NpyArrayHeader.parse`, `.unsupportedShape` for arrays that are not 2-D or 3-D,
  ///   or more than `LayerStack.maximumLayerCount` layers, `.truncated` or `.sizeMismatch` when the data length disagrees with
  ///   the shape, `.badOption` when `options.layerNames` has the wrong count.
  static func layers(in file: OpenFile, options: DumpOptions) throws(FormatError) -> [OpenedLayer] {
    let site = file.site
    let header = try NpyArrayHeader.parse(site: site, assumeVoid2As: options.assumeVoid2As) { count throws(FormatError) in
      try file.bytes(at: 0, upTo: count, "the .npy header")
    }
    guard header.shape.count == 2 || header.shape.count == 3 else {
      throw site.error(
        .unsupportedShape, at: nil, found: "array of shape \(header.shapeText) is \(dimensionText(header.shape))",
        expected: "a 2-D (n, d) array or a 3-D (L, n, d) stack of layers")
    }
    try checkDataLength(available: file.byteCount - header.dataOffset, header: header, site: site)
    if header.shape.count == 3 {
      try LayerStack.check(shape: header.shape, shapeText: header.shapeText, options: options, site: site)
    }

    let layouts = ArrayLayout.layers(
      shape: header.shape, isFortranOrder: header.isFortranOrder, decoder: header.decoder,
      dataOffset: header.dataOffset)
    guard header.shape.count == 3 else {
      let layer = DumpLayer(
        name: nil, rowCount: header.shape[0], columnCount: header.shape[1],
        elementType: header.decoder.elementType, location: file.site.path)
      return [OpenedLayer(layer: layer, storage: .plain(layouts[0]))]
    }
    let names = LayerStack.names(key: nil, count: header.shape[0], options: options)
    return zip(names, layouts).enumerated().map { index, pair in
      let layer = DumpLayer(
        name: pair.0, rowCount: header.shape[1], columnCount: header.shape[2],
        elementType: header.decoder.elementType, location: "\(site.path)[\(index)]")
      return OpenedLayer(layer: layer, storage: .plain(pair.1))
    }
  }

  /// Checks that `available` bytes after the header are exactly the data the shape needs.
  /// - Throws: `FormatError` of kind `.truncated` (too few) or `.sizeMismatch` (trailing bytes).
  static func checkDataLength(available: Int, header: NpyArrayHeader, site: ErrorSite) throws(FormatError) {
    if available < header.dataByteCount {
      throw site.error(
        .truncated, at: header.dataOffset + available,
        found: "truncated: data ends after \(available) bytes",
        expected: "\(header.dataByteCount) bytes for shape \(header.shapeText) of \(header.decoder.elementType.rawValue)")
    }
    if available > header.dataByteCount {
      throw site.error(
        .sizeMismatch, at: header.dataOffset + header.dataByteCount,
        found: "\(available - header.dataByteCount) trailing bytes after the array data",
        expected: "\(header.dataByteCount) bytes for shape \(header.shapeText) of \(header.decoder.elementType.rawValue)")
    }
  }

  /// "0-D (a scalar)", "1-D", "4-D".
  static func dimensionText(_ shape: [Int]) -> String {
    shape.isEmpty ? "0-D (a scalar)" : "\(shape.count)-D"
  }
}
