/// Bit-exact conversions from 16-bit floating-point encodings to `Float`, written out so they behave the same on
/// every platform (Swift's `Float16` is unavailable on macOS x86_64).
enum HalfConversion {
  /// The `Float` equal to the IEEE 754 binary16 value with bit pattern `bits`.
  ///
  /// Every binary16 value is exactly representable in binary32, so the conversion is exact: normal numbers rebias
  /// the exponent (15 → 127), subnormals (exponent field 0) are `mantissa · 2⁻²⁴`, infinities stay infinite, and a
  /// NaN keeps its sign and its 10 payload bits in the top of the binary32 payload (as numpy's
  /// `npy_halfbits_to_floatbits` does; a signalling NaN therefore stays signalling).
  @inline(__always)
  static func float(fromFloat16Bits bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x03FF)
    switch exponent {
    case 0:
      let magnitude = Float(mantissa) * 0x1p-24  // exact: mantissa < 2¹⁰
      return Float(bitPattern: sign | magnitude.bitPattern)
    case 0x1F:
      return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
      return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
  }

  /// The `Float` whose upper 16 bits are `bits` (bfloat16) and whose lower 16 bits are zero; exact for every value.
  @inline(__always)
  static func float(fromBFloat16Bits bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }
}
