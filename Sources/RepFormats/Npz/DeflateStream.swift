/// The uncompressed bytes of one deflated zip member, produced front to back in bounded steps: compressed input
/// is read with `pread` (4 KiB first, which covers an `.npy` header, then 64 KiB at a time) and inflated straight
/// into the caller's buffer. The CRC-32 and byte count
/// of everything produced are kept so `finish()` can check them against the central directory.
///
/// - Complexity: memory O(64 KiB) plus zlib's 32 KiB window, whatever the member's size.
final class DeflateStream {
  /// The size of each compressed read after the first.
  static let inputChunkByteCount = 64 << 10
  /// The size of the first compressed read, enough for a member's `.npy` header.
  static let firstInputChunkByteCount = 4 << 10

  private let file: OpenFile
  private let entry: ZipEntry
  private let site: ErrorSite
  private let inflater: Inflater
  private let input: UnsafeMutableRawBufferPointer
  /// Unconsumed compressed bytes are `input[inputStart ..< inputEnd]`.
  private var inputStart = 0
  private var inputEnd = 0
  /// The file offset of the next compressed byte to read into `input`.
  private var nextReadOffset: Int
  private var isStreamEnd = false
  private var checksum = CRC32()
  /// How many uncompressed bytes have been produced.
  private(set) var producedByteCount = 0

  /// A stream positioned at the start of `entry`'s data.
  /// - Throws: `FormatError` of kind `.io` if zlib cannot allocate its state.
  init(file: OpenFile, entry: ZipEntry) throws(FormatError) {
    self.file = file
    self.entry = entry
    self.site = file.site.within(entry.partName, offsetsInPart: false)
    guard let inflater = Inflater() else {
      throw site.error(.io, at: nil, found: "zlib could not allocate an inflate stream", expected: "free memory")
    }
    self.inflater = inflater
    self.nextReadOffset = entry.dataOffset
    self.input = .allocate(byteCount: Self.inputChunkByteCount, alignment: 16)
  }

  deinit { input.deallocate() }

  /// The file offset of the next compressed byte zlib will look at, for messages.
  private var compressedOffset: Int { nextReadOffset - (inputEnd - inputStart) }

  /// Fills `output` with the next uncompressed bytes.
  /// - Throws: `FormatError` of kind `.corruptData` for invalid deflate data, `.truncated` if the compressed data
  ///   runs out first, `.sizeMismatch` if the deflate stream ends first, `.io` if reading fails.
  func read(into output: UnsafeMutableRawBufferPointer) throws(FormatError) {
    var filled = 0
    while filled < output.count {
      if isStreamEnd {
        throw site.error(
          .sizeMismatch, at: compressedOffset,
          found: "deflate stream ends after \(producedByteCount) bytes",
          expected: "\(entry.uncompressedByteCount) bytes as the central directory says")
      }
      try refillIfEmpty()
      let target = UnsafeMutableRawBufferPointer(rebasing: output[filled...])
      let step = inflater.inflate(
        from: UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd]), into: target)
      try absorb(step)
      checksum.update(UnsafeRawBufferPointer(rebasing: target.prefix(step.produced)))
      filled += step.produced
      producedByteCount += step.produced
      if step.consumed == 0 && step.produced == 0 && !step.isStreamEnd && inputStart < inputEnd {
        throw site.error(
          .corruptData, at: compressedOffset, found: "inflate made no progress", expected: "valid deflate data")
      }
    }
  }

  /// Checks that the stream ends exactly here and that size and CRC-32 match the central directory.
  /// - Throws: `FormatError` of kind `.sizeMismatch` (more data follows, or the size differs), `.corruptData`
  ///   (CRC-32 mismatch or invalid data), `.truncated`.
  func finish() throws(FormatError) {
    var probe: UInt8 = 0
    while !isStreamEnd {
      try refillIfEmpty()
      let step = withUnsafeMutableBytes(of: &probe) { target in
        inflater.inflate(from: UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd]), into: target)
      }
      try absorb(step)
      if step.produced > 0 {
        throw site.error(
          .sizeMismatch, at: compressedOffset, found: "more than \(producedByteCount) bytes of data",
          expected: "\(entry.uncompressedByteCount) bytes as the central directory says")
      }
      if step.consumed == 0 && !step.isStreamEnd && inputStart < inputEnd {
        throw site.error(
          .corruptData, at: compressedOffset, found: "inflate made no progress", expected: "valid deflate data")
      }
    }
    guard producedByteCount == entry.uncompressedByteCount else {
      throw site.error(
        .sizeMismatch, at: compressedOffset, found: "\(producedByteCount) uncompressed bytes",
        expected: "\(entry.uncompressedByteCount) bytes as the central directory says")
    }
    guard checksum.value == entry.crc32 else {
      throw site.error(
        .corruptData, at: entry.localHeaderOffset, found: "CRC-32 \(CRC32.text(checksum.value)) of the data",
        expected: "\(CRC32.text(entry.crc32)) from the central directory")
    }
  }

  private func refillIfEmpty() throws(FormatError) {
    guard inputStart == inputEnd else { return }
    let end = entry.dataOffset + entry.compressedByteCount
    guard nextReadOffset < end else {
      throw site.error(
        .truncated, at: end, found: "compressed data ends after \(producedByteCount) uncompressed bytes",
        expected: "\(entry.uncompressedByteCount) bytes")
    }
    let chunk = nextReadOffset == entry.dataOffset ? Self.firstInputChunkByteCount : Self.inputChunkByteCount
    let count = min(chunk, end - nextReadOffset)
    try file.read(
      into: UnsafeMutableRawBufferPointer(rebasing: input[0..<count]), at: nextReadOffset, "compressed member data")
    nextReadOffset += count
    inputStart = 0
    inputEnd = count
  }

  private func absorb(_ step: InflateStep) throws(FormatError) {
    inputStart += step.consumed
    if let failure = step.failure {
      throw site.error(
        .corruptData, at: compressedOffset, found: "invalid deflate data (\(failure))", expected: "valid deflate data")
    }
    if step.isStreamEnd { isStreamEnd = true }
  }
}

@available(*, unavailable, message: "a DeflateStream belongs to one reader")
extension DeflateStream: Sendable {}
