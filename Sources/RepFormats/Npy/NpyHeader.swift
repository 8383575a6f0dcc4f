/// Writes `.npy` headers for exporting Float32 data; the caller appends the raw little-endian C-order bytes.
public enum NpyHeader {
  /// A complete `.npy` header, byte for byte what `numpy.save` writes for a C-order little-endian float32 array of
  /// `shape`: magic, version 1.0 (2.0 when the dict would exceed version 1.0's 65535-byte limit), then
  /// `{'descr': '<f4', 'fortran_order': False, 'shape': (…), }` with numpy's spare spaces for growing the first axis,
  /// padded with spaces and a newline so the data starts at a multiple of 64 bytes.
  ///
  /// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
  /// - Parameter shape: the array's shape; `[]` is a scalar, `[n]` a vector, `[n, d]` a layer.
  /// - Returns: the header; the data that follows must be `shape.reduce(1, *) · 4` bytes.
  /// - Precondition: every entry of `shape` is non-negative.
  public static func float32(shape: [Int]) -> [UInt8] {
    precondition(shape.allSatisfy { $0 >= 0 }, "NpyHeader.float32: negative extent in \(shape)")
    let shapeText = NpyArrayHeader.shapeText(shape)
    var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    if let first = shape.first {
      // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS = 21: room to rewrite the growth axis in place.
      dict += String(repeating: " ", count: max(0, 21 - String(first).count))
    }
    let body = Array(dict.utf8)
    for lengthFieldByteCount in [2, 4] {
      let prefixByteCount = NpyArrayHeader.magic.count + 2 + lengthFieldByteCount
      let withNewline = body.count + 1
      let padding = 64 - (prefixByteCount + withNewline) % 64
      let headerByteCount = withNewline + padding
      if lengthFieldByteCount == 2 && headerByteCount > Int(UInt16.max) { continue }
      var bytes = NpyArrayHeader.magic + [lengthFieldByteCount == 2 ? 1 : 2, 0]
      for k in 0..<lengthFieldByteCount { bytes.append(UInt8(truncatingIfNeeded: headerByteCount >> (8 * k))) }
      bytes += body
      bytes += [UInt8](repeating: 0x20, count: padding)
      bytes.append(0x0A)
      return bytes
    }
    preconditionFailure("NpyHeader.float32: a shape header cannot exceed 4 GiB")
  }
}
