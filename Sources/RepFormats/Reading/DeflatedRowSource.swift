/// Reads the rows of a C-order array inside a deflated npz member by inflating the member front to back: the `.npy`
/// header is skipped on the first read, then each call inflates exactly the bytes of the rows asked for, in chunks of
/// at most `RowSourceLimits.scratchByteCount` (straight into the destination when the data is native Float32).
/// `finish()` inflates what follows the layer (the later layers of a stack) and checks that the member ends there and
/// that its CRC-32 and size match the central directory.
final class DeflatedRowSource: RowSource {
  private let stream: DeflateStream
  private let layout: ArrayLayout
  /// The member's bytes after this layer's last row: the later layers of a 3-D stack, none for a 2-D array.
  private let trailingByteCount: Int
  private var scratch: UnsafeMutableRawBufferPointer?
  private var hasSkippedHeader = false

  /// A source over `layout`, whose `dataOffset` counts from the first uncompressed byte of `entry`.
  /// - Precondition: `layout.isRowContiguous`.
  /// - Throws: `FormatError` of kind `.io` if zlib cannot allocate its state.
  init(file: OpenFile, entry: ZipEntry, layout: ArrayLayout) throws(FormatError) {
    precondition(layout.isRowContiguous, "DeflatedRowSource reads C-order arrays only")
    self.stream = try DeflateStream(file: file, entry: entry)
    self.layout = layout
    self.trailingByteCount = max(
      0, entry.uncompressedByteCount - layout.dataOffset - layout.rowCount * layout.columnCount * layout.elementByteCount)
  }

  deinit { scratch?.deallocate() }

  func readRows(_ first: Int, count: Int, into destination: UnsafeMutablePointer<Float>) throws(FormatError) {
    let buffer = scratchBuffer()
    let size = layout.elementByteCount
    try skipHeader()
    let total = count * layout.columnCount
    if layout.decoder.isNativeFloat32 {
      try stream.read(into: UnsafeMutableRawBufferPointer(start: destination, count: total * size))
      return
    }
    let perChunk = buffer.count / size
    var done = 0
    while done < total {
      let n = min(perChunk, total - done)
      let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(n * size)])
      try stream.read(into: chunk)
      if let base = chunk.baseAddress { layout.decoder.decode(n, from: base, into: destination + done) }
      done += n
    }
  }

  func finish() throws(FormatError) {
    try skipHeader()
    try skip(trailingByteCount)
    try stream.finish()
  }

  /// Inflates and discards the member's `.npy` header (and the earlier layers of a stack), once.
  private func skipHeader() throws(FormatError) {
    guard !hasSkippedHeader else { return }
    try skip(layout.dataOffset)
    hasSkippedHeader = true
  }

  private func skip(_ byteCount: Int) throws(FormatError) {
    let buffer = scratchBuffer()
    var remaining = byteCount
    while remaining > 0 {
      let n = min(remaining, buffer.count)
      try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
      remaining -= n
    }
  }

  private func scratchBuffer() -> UnsafeMutableRawBufferPointer {
    if let scratch { return scratch }
    let made = UnsafeMutableRawBufferPointer.allocate(byteCount: RowSourceLimits.scratchByteCount / 4, alignment: 16)
    scratch = made
    return made
  }
}

@available(*, unavailable, message: "a row source belongs to one reader")
extension DeflatedRowSource: Sendable {}
