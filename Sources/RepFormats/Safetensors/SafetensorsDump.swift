/// Finds the layers of a `.safetensors` file: one per tensor, named by its key, in header order.
enum SafetensorsDump {
  /// The layers of the safetensors file `file`.
  /// - Throws: `FormatError` from `SafetensorsIndex.tensors(in:)`.
  static func layers(in file: OpenFile) throws(FormatError) -> [OpenedLayer] {
    try SafetensorsIndex.tensors(in: file).map { tensor in
      let layer = DumpLayer(
        name: tensor.name, rowCount: tensor.layout.rowCount, columnCount: tensor.layout.columnCount,
        elementType: tensor.layout.decoder.elementType, location: "\(file.site.path):\(tensor.name)")
      return OpenedLayer(layer: layer, storage: .plain(tensor.layout))
    }
  }
}
