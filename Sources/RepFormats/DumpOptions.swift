/// Choices the file itself cannot answer, passed to `Dump.open(path:options:)`.
public struct DumpOptions: Sendable {
  /// How to read `.npy` arrays whose dtype is the 2-byte void type `|V2` (or `<V2`), which is how numpy saves
  /// bfloat16 arrays from ml_dtypes or torch. `nil` (the default) rejects such arrays with a `FormatError` that
  /// suggests `--assume-dtype bfloat16`. `.bfloat16` and `.float16` are the meaningful values; a 4- or 8-byte type
  /// makes opening such an array throw a `FormatError` of kind `.badOption`.
  public var assumeVoid2As: ElementType?

  /// Names for the leading axis of a 3-D array of shape (L, n, d) (`LayerStack`). Its count must equal L, and in an
  /// `.npz` or `.safetensors` file there must be exactly one 3-D array, otherwise opening throws a `FormatError` of
  /// kind `.badOption`. `nil` (the default) names the layers "L0", "L1", … in a `.npy` and "KEY.L0", … elsewhere.
  public var layerNames: [String]?

  /// Creates options; the defaults accept only self-describing files and name 3-D `.npy` layers "L0", "L1", ….
  public init(assumeVoid2As: ElementType? = nil, layerNames: [String]? = nil) {
    self.assumeVoid2As = assumeVoid2As
    self.layerNames = layerNames
  }
}
