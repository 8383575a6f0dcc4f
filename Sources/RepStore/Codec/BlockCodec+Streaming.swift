/// Encoding and decoding of huge blocks in bounded extra memory.
///
/// A block is a row range, so a row wider than the target block size is a block of its own, however large. The
/// one-shot ``BlockCodec/encode(_:into:)`` holds the shuffled planes and the compressed frame besides the floats, and
/// ``BlockCodec/decode(_:into:expectedChecksum:)`` the stored bytes and the planes: about three times the block.
/// These keep only the floats: the encoder feeds zstd one plane piece at a time and hands the compressed bytes on as
/// they come; the decoder reads the stored bytes a piece at a time and scatters each plane's bytes straight into the
/// floats. The frame is the same kind (one zstd frame of the shuffled bytes, content size declared, no zstd
/// checksum), so either decoder reads what either encoder wrote.
extension BlockCodec {
  /// Blocks of more raw bytes than this take the streaming paths, one block at a time.
  package static let streamingByteCount = 8 << 20

  /// Plane bytes handed to zstd per call, and compressed bytes handed on per call.
  static let streamPieceByteCount = 256 * 1024
  /// Stored bytes read per call when decoding.
  static let streamReadByteCount = 1 << 20

  /// Shuffles and compresses `floats` as one frame whose bytes go to `sink` in order, piece by piece, and returns
  /// the XXH64 of the raw bytes, as ``encode(_:into:)`` does.
  ///
  /// - Parameter sink: Receives the frame's bytes in order; their concatenation is the stored block.
  /// - Throws: ``CodecError`` of kind `zstd`, or what `sink` throws.
  /// - Complexity: O(`floats.count`); memory O(``streamPieceByteCount``) besides zstd's context.
  package func encode(
    _ floats: UnsafeBufferPointer<Float>, streamingTo sink: (UnsafeRawBufferPointer) throws -> Void
  ) throws -> UInt64 {
    let raw = UnsafeRawBufferPointer(floats)
    let elementCount = floats.count
    try compressor.beginFrame(byteCount: raw.count)
    let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.streamPieceByteCount, alignment: 64)
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.streamPieceByteCount, alignment: 64)
    defer {
      piece.deallocate()
      output.deallocate()
    }
    var hasher = XXH64Hasher()
    if let source = raw.baseAddress, let pieceBase = piece.baseAddress {
      for plane in 0..<Self.elementSize {
        var start = 0
        while start < elementCount {
          let end = min(start + Self.streamPieceByteCount, elementCount)
          // The raw bytes are hashed on the first pass, in order, while the piece's floats are in cache.
          if plane == 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: raw[(start * Self.elementSize)..<(end * Self.elementSize)]))
          }
          ByteShuffle.gatherPlane(
            plane, elements: start..<end, elementSize: Self.elementSize, from: source, to: pieceBase)
          try compressor.compress(
            UnsafeRawBufferPointer(rebasing: piece[0..<(end - start)]), endingFrame: false, through: output, sink)
          start = end
        }
      }
    }
    try compressor.compress(UnsafeRawBufferPointer(start: nil, count: 0), endingFrame: true, through: output, sink)
    return hasher.finalize()
  }

  /// Decodes a stored block of `storedByteCount` bytes, read piece by piece through `read`, into `floats`, checking
  /// it as ``decode(_:into:expectedChecksum:)`` does: one frame, exactly spanning the stored bytes, declaring and
  /// holding `4 · floats.count` bytes whose XXH64 is `expectedChecksum`.
  ///
  /// - Parameters:
  ///   - read: Fills its buffer with the stored bytes starting at the given offset into the block.
  ///   - floats: Receives the block's values; its count must be the block's float count.
  /// - Throws: ``CodecError`` of kind `zstd` (corrupt or truncated frame, bytes after it), `frameContentSize`,
  ///   `decompressedSize` or `checksumMismatch`, or what `read` throws. After a throw `floats` is unspecified.
  /// - Complexity: O(`storedByteCount + floats.count`); memory O(``streamReadByteCount``) besides zstd's context
  ///   (for the store's default level 1, a window of 512 KiB).
  package func decode(
    storedByteCount: Int, reading read: (_ offset: Int, _ into: UnsafeMutableRawBufferPointer) throws -> Void,
    into floats: UnsafeMutableBufferPointer<Float>, expectedChecksum: UInt64
  ) throws {
    let elementCount = floats.count
    let byteCount = elementCount * Self.elementSize
    try decompressor.beginFrame()
    let input = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.streamReadByteCount, alignment: 64)
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.streamPieceByteCount, alignment: 64)
    defer {
      input.deallocate()
      output.deallocate()
    }
    var readOffset = 0
    var produced = 0
    var frameEnded = false
    while !frameEnded {
      guard readOffset < storedByteCount else {
        throw CodecError(.zstd(message: "the frame is cut short after \(storedByteCount) stored bytes"))
      }
      let chunk = UnsafeMutableRawBufferPointer(
        rebasing: input[0..<min(input.count, storedByteCount - readOffset)])
      try read(readOffset, chunk)
      if readOffset == 0 { try ZstdDecompressor.checkDeclaredSize(UnsafeRawBufferPointer(chunk), expected: byteCount) }
      readOffset += chunk.count
      var position = 0
      var outputFull = false
      repeat {
        let step = try decompressor.decompress(UnsafeRawBufferPointer(chunk), from: &position, into: output)
        guard produced + step.written <= byteCount else {
          throw CodecError(.decompressedSize(actual: produced + step.written, expected: byteCount))
        }
        scatter(UnsafeRawBufferPointer(rebasing: output[0..<step.written]), at: produced, into: floats)
        produced += step.written
        frameEnded = step.frameEnded
        outputFull = step.written == output.count
      } while !frameEnded && (position < chunk.count || outputFull)
      if frameEnded, position < chunk.count || readOffset < storedByteCount {
        throw CodecError(.zstd(message: "\(storedByteCount - readOffset + chunk.count - position) stored bytes follow the frame"))
      }
    }
    guard produced == byteCount else { throw CodecError(.decompressedSize(actual: produced, expected: byteCount)) }
    let computed = XXH64.hash(UnsafeRawBufferPointer(floats))
    guard computed == expectedChecksum else {
      throw CodecError(.checksumMismatch(stored: expectedChecksum, computed: computed))
    }
  }

  /// Puts `bytes`, the shuffled bytes at `offset ..< offset + bytes.count` of the block, into their places in
  /// `floats`; called in order, so each plane follows the one before (see ``ByteShuffle/scatterPlane``).
  private func scatter(_ bytes: UnsafeRawBufferPointer, at offset: Int, into floats: UnsafeMutableBufferPointer<Float>) {
    guard let source = bytes.baseAddress, let destination = floats.baseAddress else { return }
    let elementCount = floats.count
    var done = 0
    while done < bytes.count {
      let plane = (offset + done) / elementCount
      let first = (offset + done) % elementCount
      let count = min(bytes.count - done, elementCount - first)
      ByteShuffle.scatterPlane(
        plane, elements: first..<(first + count), elementSize: Self.elementSize, from: source + done,
        to: UnsafeMutableRawPointer(destination))
      done += count
    }
  }
}
