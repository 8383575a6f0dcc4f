extension Array where Element == UInt8 {
  /// `count` bytes written by `fill`, which receives a zeroed buffer of exactly that size.
  ///
  /// Exists because the standard library's `withUnsafeMutableBytes` rethrows untyped errors, while RepFormats
  /// throws only `FormatError`.
  /// - Throws: whatever `fill` throws.
  static func filled(
    count: Int, by fill: (UnsafeMutableRawBufferPointer) throws(FormatError) -> Void
  ) throws(FormatError) -> [UInt8] {
    var result = [UInt8](repeating: 0, count: count)
    var failure: FormatError?
    result.withUnsafeMutableBytes { buffer in
      do throws(FormatError) {
        try fill(buffer)
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
    return result
  }
}
