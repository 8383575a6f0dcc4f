/// The element types RepFormats can decode. Every one converts to native `Float` (Float32) when rows are read.
///
/// - `float16`: IEEE 754 binary16, converted exactly (subnormals, infinities and NaN payloads included).
/// - `bfloat16`: the upper 16 bits of a binary32, converted exactly by shifting into the high half.
/// - `float32`: copied bit for bit, NaN payloads included.
/// - `float64`: rounded to nearest, ties to even, as Swift's `Float(_: Double)` does.
public enum ElementType: String, Sendable, CaseIterable {
  case float16, bfloat16, float32, float64

  /// The size of one stored element in bytes: 2, 2, 4 or 8.
  public var byteCount: Int {
    switch self {
    case .float16, .bfloat16: 2
    case .float32: 4
    case .float64: 8
    }
  }
}
