/// Reads the rows of a Fortran-order array inside a deflated npz member. Such an array cannot be streamed by rows,
/// so the first read inflates the whole member (checking CRC-32 and size) into an anonymous temporary file in
/// `FileManager.default.temporaryDirectory`, in chunks of `RowSourceLimits.scratchByteCount`, and every read is then
/// a strided read of that copy. The copy has no name and its space is released with this source.
///
/// - Complexity: one pass over the member before the first row; disk space equal to the member's uncompressed size.
final class InflatedCopyRowSource: RowSource {
  private let file: OpenFile
  private let entry: ZipEntry
  private let layout: ArrayLayout
  private var copy: StridedRowSource?

  /// A source over `layout`, whose `dataOffset` counts from the first uncompressed byte of `entry`.
  init(file: OpenFile, entry: ZipEntry, layout: ArrayLayout) {
    self.file = file
    self.entry = entry
    self.layout = layout
  }

  func readRows(_ first: Int, count: Int, into destination: UnsafeMutablePointer<Float>) throws(FormatError) {
    try inflatedCopy().readRows(first, count: count, into: destination)
  }

  func finish() throws(FormatError) {
    // The copy's CRC-32 and size were verified when it was made.
    _ = try inflatedCopy()
  }

  private func inflatedCopy() throws(FormatError) -> StridedRowSource {
    if let copy { return copy }
    let stream = try DeflateStream(file: file, entry: entry)
    let scratchFile = try OpenFile.makeScratch(for: file.site.within(entry.partName, offsetsInPart: false))
    try RowSourceLimits.forEachScratchChunk(of: entry.uncompressedByteCount) { (part, offset) throws(FormatError) in
      try stream.read(into: part)
      try scratchFile.write(UnsafeRawBufferPointer(part), at: offset)
    }
    try stream.finish()
    let made = StridedRowSource(file: scratchFile, layout: layout)
    copy = made
    return made
  }
}

@available(*, unavailable, message: "a row source belongs to one reader")
extension InflatedCopyRowSource: Sendable {}
