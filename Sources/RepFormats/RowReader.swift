/// A sequential reader over the rows of one layer of a `Dump`, delivering native Float32 rows in blocks.
///
/// Each reader owns its buffers (at most about 1 MiB, plus a temporary file for a Fortran-order array in a deflated
/// npz member) and is used by one thread; several readers of one `Dump` may run on different threads.
/// After a read throws, the reader is spent: every later read throws the same error.
public final class RowReader {
  /// The layer's number of rows, n.
  public let rowCount: Int
  /// The layer's number of columns, d.
  public let columnCount: Int
  /// How many rows have been delivered so far; the next read starts at this row.
  public private(set) var rowsRead = 0

  private let source: RowSource
  private var failure: FormatError?

  init(rowCount: Int, columnCount: Int, source: RowSource) {
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.source = source
  }

  /// Reads the next `count` rows as native Float32, row-major, into `buffer[0 ..< count · columnCount]`.
  ///
  /// After the last row, npz members are checked against their central directory record (CRC-32, exact length).
  ///
  /// - Parameters:
  ///   - count: the number of rows to read.
  ///   - buffer: where the rows go; elements past `count · columnCount` are left alone.
  /// - Precondition: `count >= 1`, `rowsRead + count <= rowCount`, `buffer.count >= count · columnCount`.
  ///   Breaking one is a programmer error and traps.
  /// - Throws: `FormatError` (with path, member and offset) of kind `.truncated` or `.io` on short or failed reads,
  ///   `.corruptData` on inflate or CRC-32 errors, `.sizeMismatch` when a member's length disagrees with its header.
  /// - Complexity: O(`count · columnCount`) element conversions; memory bounded by the reader's scratch buffer.
  public func readRows(_ count: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws(FormatError) {
    precondition(count >= 1, "readRows: count must be at least 1, got \(count)")
    precondition(count <= rowCount - rowsRead, "readRows: \(count) rows asked, \(rowCount - rowsRead) left")
    precondition(buffer.count >= count * columnCount, "readRows: buffer holds \(buffer.count) floats, need \(count * columnCount)")
    if let failure { throw failure }
    do {
      if let base = buffer.baseAddress {
        try source.readRows(rowsRead, count: count, into: base)
      } else {
        // An empty buffer can only mean zero columns: there is nothing to write, but the source still advances.
        var placeholder: Float = 0
        try source.readRows(rowsRead, count: count, into: &placeholder)
      }
      rowsRead += count
      if rowsRead == rowCount { try source.finish() }
    } catch {
      failure = error
      throw error
    }
  }
}

@available(*, unavailable, message: "a RowReader is used by one thread")
extension RowReader: Sendable {}
