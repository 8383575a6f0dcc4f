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

  /// Runs `body(chunk, offset)` over consecutive chunks of at most `scratchByteCount` bytes that cover `byteCount`,
  /// all in one buffer: the passes over a whole npz member (inflating it, checking its CRC-32) in bounded memory.
  static func forEachScratchChunk(
    of byteCount: Int, _ body: (UnsafeMutableRawBufferPointer, Int) throws(FormatError) -> Void
  ) throws(FormatError) {
    let chunkByteCount = min(scratchByteCount, max(1, byteCount))
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkByteCount, alignment: 16)
    defer { chunk.deallocate() }
    var done = 0
    while done < byteCount {
      let count = min(chunkByteCount, byteCount - done)
      try body(UnsafeMutableRawBufferPointer(rebasing: chunk[0..<count]), done)
      done += count
    }
  }
}
