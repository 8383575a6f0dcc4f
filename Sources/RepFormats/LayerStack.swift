/// Names the layers of a 3-D (L, n, d) array: a stack of L layers of n rows, as `torch.stack(hidden_states)` gives.
///
/// A `.npy` holds one array, so its layers are named `L0`, `L1`, … or by `DumpOptions.layerNames`. In an `.npz` or
/// `.safetensors` file, which name their arrays, a stack under key `KEY` gives `KEY.L0`, `KEY.L1`, …; the names of
/// `DumpOptions.layerNames` apply when the file holds exactly one stack (otherwise they would be ambiguous).
enum LayerStack {
  /// The most layers a 3-D array may hold (an empty (L, 0, d) array could otherwise claim billions).
  static let maximumLayerCount = 1 << 16

  /// The names of the `count` layers of the stack under `key` (nil for a `.npy`, whose array has no key).
  static func names(key: String?, count: Int, options: DumpOptions) -> [String] {
    if let names = options.layerNames { return names }
    let prefix = key.map { "\($0)." } ?? ""
    return (0..<count).map { "\(prefix)L\($0)" }
  }

  /// Checks a stack's layer count and that `options.layerNames`, if given, has one name per layer.
  /// - Throws: `.unsupportedShape` over `maximumLayerCount` layers, `.badOption` for a wrong number of names.
  static func check(shape: [Int], shapeText: String, options: DumpOptions, site: ErrorSite) throws(FormatError) {
    if shape[0] > maximumLayerCount {
      throw site.error(
        .unsupportedShape, at: nil, found: "array of shape \(shapeText) has \(shape[0]) layers",
        expected: "at most \(maximumLayerCount) layers in a 3-D stack")
    }
    if let names = options.layerNames, names.count != shape[0] {
      throw site.error(
        .badOption, at: nil, found: "\(names.count) layer names for an array of shape \(shapeText)",
        expected: "\(shape[0]) names, one per entry of the first axis")
    }
  }

  /// Checks that `options.layerNames` is used only where it names exactly one stack.
  /// - Throws: `.badOption` when the file holds no stack or several.
  static func checkNamesApply(stackCount: Int, options: DumpOptions, site: ErrorSite) throws(FormatError) {
    guard options.layerNames != nil, stackCount != 1 else { return }
    throw site.error(
      .badOption, at: nil,
      found: stackCount == 0
        ? "layer names given, but the file holds no 3-D (L, n, d) array"
        : "layer names given, but the file holds \(stackCount) 3-D arrays",
      expected:
        "exactly one 3-D array for --layers to name (without it, the layers of a stack KEY are KEY.L0, KEY.L1, ...)")
  }
}
