/// Produces the rows of one layer as native `Float`s, front to back. `RowReader` is its only client and checks every
/// precondition before calling.
protocol RowSource: AnyObject {
  /// Reads rows `first ..< first + count` into `destination`, row-major, `columnCount` floats per row.
  ///
  /// Calls come in order: the first starts at row 0 and each continues where the previous one ended.
  /// - Precondition: `count >= 1`, the rows exist, and `destination` has room for `count · columnCount` floats.
  func readRows(_ first: Int, count: Int, into destination: UnsafeMutablePointer<Float>) throws(FormatError)

  /// Runs the checks that need all data seen (CRC-32, exact length), once, right after the last row was read.
  func finish() throws(FormatError)
}

/// Sizes of the buffers readers allocate, whatever the file size.
enum RowSourceLimits {
  /// The scratch buffer each reader uses to hold raw elements before conversion.
  static let scratchByteCount = 1 << 20
}
