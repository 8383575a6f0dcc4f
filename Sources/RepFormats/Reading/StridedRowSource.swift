/// Reads rows of an `ArrayLayout` from a file with `pread`, in any element order, holding at most
/// `RowSourceLimits.scratchByteCount` raw bytes at a time.
///
/// C-order rows are one sequential read (straight into the destination when the data is native Float32).
/// Otherwise (Fortran order) each column's run of the requested rows is one read spanning
/// `(count − 1) · rowStride + 1` elements, and neighbouring columns share a read when the gaps between them are no
/// larger than the runs themselves. Optionally feeds a stored npz member's CRC-32 check.
final class StridedRowSource: RowSource {
  private let file: OpenFile
  private let layout: ArrayLayout
  private let check: StoredMemberCheck?
  private let scratch: UnsafeMutableRawPointer
  private let scratchByteCount: Int

  /// A source over `layout` in `file`; `check`, when given, is fed and verified for a stored npz member.
  init(file: OpenFile, layout: ArrayLayout, check: StoredMemberCheck? = nil) {
    self.file = file
    self.layout = layout
    self.check = check
    let layerByteCount = layout.rowCount.multipliedReportingOverflow(by: layout.columnCount)
    let wanted =
      layerByteCount.overflow ? RowSourceLimits.scratchByteCount : layerByteCount.partialValue * layout.elementByteCount
    scratchByteCount = max(16, min(RowSourceLimits.scratchByteCount, wanted))
    scratch = .allocate(byteCount: scratchByteCount, alignment: 16)
  }

  deinit { scratch.deallocate() }

  func readRows(_ first: Int, count: Int, into destination: UnsafeMutablePointer<Float>) throws(FormatError) {
    if layout.isRowContiguous {
      try readContiguous(first, count: count, into: destination)
    } else {
      try readStrided(first, count: count, into: destination)
    }
  }

  func finish() throws(FormatError) {
    guard let check else { return }
    if check.isFedWhole(by: layout) {
      try check.verifyRunning()
    } else {
      try check.verifyByRereading()
    }
  }

  private func readContiguous(_ first: Int, count: Int, into destination: UnsafeMutablePointer<Float>)
    throws(FormatError)
  {
    let size = layout.elementByteCount
    let total = count * layout.columnCount
    let start = layout.dataOffset + first * layout.columnCount * size
    if layout.decoder.isNativeFloat32 {
      let bytes = UnsafeMutableRawBufferPointer(start: destination, count: total * size)
      try file.read(into: bytes, at: start, "layer data")
      check?.absorb(UnsafeRawBufferPointer(bytes))
      return
    }
    let perChunk = scratchByteCount / size
    var done = 0
    while done < total {
      let n = min(perChunk, total - done)
      let chunk = UnsafeMutableRawBufferPointer(start: scratch, count: n * size)
      try file.read(into: chunk, at: start + done * size, "layer data")
      check?.absorb(UnsafeRawBufferPointer(chunk))
      layout.decoder.decode(n, from: scratch, into: destination + done)
      done += n
    }
  }

  private func readStrided(_ first: Int, count: Int, into destination: UnsafeMutablePointer<Float>)
    throws(FormatError)
  {
    let size = layout.elementByteCount
    let columns = layout.columnCount
    let rowStride = layout.rowStride
    let columnStride = layout.columnStride
    let scratchElements = scratchByteCount / size
    // Rows per batch, so that one column's run fits in the scratch buffer.
    let batchRows = max(1, min(count, (scratchElements - 1) / max(1, rowStride) + 1))
    var batchStart = 0
    while batchStart < count {
      let rows = min(batchRows, count - batchStart)
      let runElements = (rows - 1) * rowStride + 1
      // Columns per read: several when the gap between columns is no longer than the run itself.
      var columnsPerRead = 1
      if columnStride <= 2 * runElements, columnStride > 0, scratchElements >= runElements {
        columnsPerRead = max(1, min(columns, (scratchElements - runElements) / columnStride + 1))
      }
      var column = 0
      while column < columns {
        let group = min(columnsPerRead, columns - column)
        let regionElements = (group - 1) * columnStride + runElements
        let firstElement = (first + batchStart) * rowStride + column * columnStride
        let region = UnsafeMutableRawBufferPointer(start: scratch, count: regionElements * size)
        try file.read(into: region, at: layout.dataOffset + firstElement * size, "layer data")
        for k in 0..<group {
          layout.decoder.decode(
            rows, from: scratch + k * columnStride * size, sourceStride: rowStride * size,
            into: destination + batchStart * columns + column + k, destinationStride: columns)
        }
        column += group
      }
      batchStart += rows
    }
  }
}

@available(*, unavailable, message: "a row source belongs to one reader")
extension StridedRowSource: Sendable {}
