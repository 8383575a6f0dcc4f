/// Finds the layers of an `.npz` archive: one per 2-D member `KEY.npy`, named `KEY`, and L per 3-D member (a stack of
/// layers), named `KEY.L0` … (`LayerStack`).
enum NpzDump {
  /// The layers of the zip archive in `file`, in central-directory order.
  /// - Throws: `FormatError` from `ZipDirectory.entries(in:)` and `NpyArrayHeader.parse`, `.unsupportedShape` for
  ///   members that are not 2-D or 3-D, `.badOption` for layer names that do not name exactly one stack,
  ///   `.truncated` or `.sizeMismatch` when a member's length disagrees with its shape,
  ///   `.badArchive` for duplicate member names.
  static func layers(in file: OpenFile, options: DumpOptions) throws(FormatError) -> [OpenedLayer] {
    var names = Set<String>()
    var opened: [OpenedLayer] = []
    var stackCount = 0
    for entry in try ZipDirectory.entries(in: file) {
      let site = file.site.within(entry.partName, offsetsInPart: true)
      guard names.insert(entry.name).inserted else {
        throw file.site.error(
          .badArchive, at: entry.localHeaderOffset, found: "duplicate zip member \(quoted(entry.name))",
          expected: "unique member names")
      }
      let header = try memberHeader(entry, file: file, site: site, options: options)
      guard header.shape.count == 2 || header.shape.count == 3 else {
        throw site.error(
          .unsupportedShape, at: nil,
          found: "array of shape \(header.shapeText) is \(NpyDump.dimensionText(header.shape))",
          expected: "a 2-D (n, d) array or a 3-D (L, n, d) stack of layers in every npz member")
      }
      try NpyDump.checkDataLength(
        available: entry.uncompressedByteCount - header.dataOffset, header: header, site: site)

      let key = String(entry.name.dropLast(4))
      var layerNames = [key]
      if header.shape.count == 3 {
        try LayerStack.check(shape: header.shape, shapeText: header.shapeText, options: options, site: site)
        layerNames = LayerStack.names(key: key, count: header.shape[0], options: options)
        stackCount += 1
      }
      // A stored member's layouts count from the start of the file, a deflated one's from its first inflated byte.
      let dataOffset = entry.method == .stored ? entry.dataOffset + header.dataOffset : header.dataOffset
      let layouts = ArrayLayout.layers(
        shape: header.shape, isFortranOrder: header.isFortranOrder, decoder: header.decoder, dataOffset: dataOffset)
      for (index, (name, layout)) in zip(layerNames, layouts).enumerated() {
        let layer = DumpLayer(
          name: name, rowCount: layout.rowCount, columnCount: layout.columnCount,
          elementType: header.decoder.elementType,
          location: "\(file.site.path):\(key)" + (header.shape.count == 3 ? "[\(index)]" : ""))
        let storage: LayerStorage =
          switch entry.method {
          case .stored: .storedMember(entry, headerByteCount: header.dataOffset, layout)
          case .deflated: .deflatedMember(entry, layout)
          }
        opened.append(OpenedLayer(layer: layer, storage: storage))
      }
    }
    try LayerStack.checkNamesApply(stackCount: stackCount, options: options, site: file.site)
    return opened
  }

  /// Parses the `.npy` header at the start of `entry`, inflating just enough of a deflated member.
  private static func memberHeader(
    _ entry: ZipEntry, file: OpenFile, site: ErrorSite, options: DumpOptions
  ) throws(FormatError) -> NpyArrayHeader {
    switch entry.method {
    case .stored:
      return try NpyArrayHeader.parse(site: site, assumeVoid2As: options.assumeVoid2As) { count throws(FormatError) in
        try file.bytes(at: entry.dataOffset, upTo: min(count, entry.uncompressedByteCount), "the member's .npy header")
      }
    case .deflated:
      let stream = try DeflateStream(file: file, entry: entry)
      var inflated: [UInt8] = []
      return try NpyArrayHeader.parse(site: site, assumeVoid2As: options.assumeVoid2As) { count throws(FormatError) in
        let wanted = min(count, entry.uncompressedByteCount)
        if wanted > inflated.count {
          inflated += try [UInt8].filled(count: wanted - inflated.count) { (buffer) throws(FormatError) in
            try stream.read(into: buffer)
          }
        }
        return Array(inflated.prefix(count))
      }
    }
  }
}
