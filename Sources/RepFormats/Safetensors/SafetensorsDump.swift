/// Finds the layers of a `.safetensors` file in header order: one per 2-D tensor, named by its key, and L per 3-D
/// tensor (a stack of layers), named `KEY.L0` … (`LayerStack`).
enum SafetensorsDump {
  /// The layers of the safetensors file `file`.
  /// - Throws: `FormatError` from `SafetensorsIndex.tensors(in:)`; `.unsupportedShape` for a stack of too many
  ///   layers, `.badOption` for layer names that do not name exactly one stack.
  static func layers(in file: OpenFile, options: DumpOptions) throws(FormatError) -> [OpenedLayer] {
    var opened: [OpenedLayer] = []
    var stackCount = 0
    for tensor in try SafetensorsIndex.tensors(in: file) {
      var names = [tensor.name]
      if tensor.shape.count == 3 {
        let site = file.site.within("tensor \(quoted(tensor.name))", offsetsInPart: false)
        let shapeText = "[" + tensor.shape.map(String.init).joined(separator: ", ") + "]"
        try LayerStack.check(shape: tensor.shape, shapeText: shapeText, options: options, site: site)
        names = LayerStack.names(key: tensor.name, count: tensor.shape[0], options: options)
        stackCount += 1
      }
      for (index, (name, layout)) in zip(names, tensor.layouts).enumerated() {
        let layer = DumpLayer(
          name: name, rowCount: layout.rowCount, columnCount: layout.columnCount,
          elementType: layout.decoder.elementType,
          location: "\(file.site.path):\(tensor.name)" + (tensor.shape.count == 3 ? "[\(index)]" : ""))
        opened.append(OpenedLayer(layer: layer, storage: .plain(layout)))
      }
    }
    try LayerStack.checkNamesApply(stackCount: stackCount, options: options, site: file.site)
    return opened
  }
}
