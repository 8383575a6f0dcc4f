/// One worker's codec: its zstd contexts and scratch buffers, reused block after block. Not Sendable; one per thread.
///
/// A block is rows `r0..<r1` of one row-major Float32 matrix. On disk it is those floats' little-endian bytes,
/// byte-shuffled with element size 4 (``ByteShuffle``), then compressed as one zstd frame that declares its content
/// size and carries no zstd checksum. The XXH64 (seed 0) of the raw, unshuffled bytes is returned by ``encode(_:into:)``
/// for the caller to keep in the catalog and is checked by ``decode(_:into:expectedChecksum:)``.
///
/// The codec moves floats as bytes in host order, so it assumes a little-endian host (x86_64 and arm64, every
/// platform Swift ships for); `init` traps on a big-endian one rather than write blocks no other host could read.
///
/// Shuffling and hashing are done together in chunks of ``chunkByteCount`` bytes, so the hash reads each chunk while
/// it is still in the L1/L2 cache instead of making a second pass over the block from L3 or memory. On one idle core
/// this measured the same as two passes (the L3 keeps up); it is meant for when both cores decode at once.
///
/// Blocks larger than ``streamingByteCount`` (a row wider than the target block size makes one) are encoded and
/// decoded as streams instead, without the whole-block scratch planes and compressed copy; see BlockCodec+Streaming.
///
/// On 2 MiB blocks of activation-like data, one core of the development machine (AMD EPYC, Zen 4) decodes at about
/// 1.1-1.5 GB/s at level 1, of which zstd takes about 80%; see `CodecBenchmark` in the tests to measure.
package final class BlockCodec {
  // Also used by the streaming encode and decode of huge blocks (BlockCodec+Streaming.swift).
  let compressor: ZstdCompressor
  let decompressor: ZstdDecompressor
  /// The shuffled bytes of the block in hand; grows to the largest block seen and is never shrunk.
  private var planes: [UInt8] = []

  /// Bytes shuffled and hashed per step: small enough for the chunk to stay in cache between the two.
  static let chunkByteCount = 32 * 1024

  static let elementSize = MemoryLayout<Float>.size

  /// The zstd level blocks are compressed with.
  package var level: Int { compressor.level }

  /// Creates a codec that compresses at `level` (1 is the store's default; see ``ZstdCompressor/levelRange``).
  /// - Throws: ``CodecError`` of kind `invalidLevel` when zstd does not accept `level`, or `zstd` when a context
  ///   cannot be created.
  /// - Precondition: The host is little-endian; traps otherwise.
  package init(level: Int) throws {
    precondition(
      UInt32(littleEndian: 1) == 1,
      "repstore stores Float32 in little-endian byte order and moves it in host order; this host is big-endian")
    compressor = try ZstdCompressor(level: level)
    decompressor = try ZstdDecompressor()
  }

  /// Shuffles and compresses `floats` into `output` (count = stored length) and returns the XXH64 of the raw bytes.
  ///
  /// - Parameters:
  ///   - floats: The block's values, row-major; may be empty.
  ///   - output: Receives one zstd frame of the shuffled bytes; previous contents are discarded, capacity is kept.
  /// - Returns: XXH64 (seed 0) of the `4 · floats.count` raw bytes of `floats`, to store with the block.
  /// - Throws: ``CodecError`` of kind `zstd` if compression fails.
  /// - Complexity: O(`floats.count`): one shuffle, one hash and one zstd pass over the block.
  package func encode(_ floats: UnsafeBufferPointer<Float>, into output: inout [UInt8]) throws -> UInt64 {
    let raw = UnsafeRawBufferPointer(floats)
    let elementCount = floats.count
    reserveScratch(byteCount: raw.count)
    var hasher = XXH64Hasher()
    planes.withUnsafeMutableBytes { planes in
      guard let source = raw.baseAddress, let destination = planes.baseAddress else { return }
      forEachChunk(of: elementCount) { elements in
        let bytes = (elements.lowerBound * Self.elementSize)..<(elements.upperBound * Self.elementSize)
        hasher.update(UnsafeRawBufferPointer(rebasing: raw[bytes]))
        ByteShuffle.shuffle(
          elements: elements, of: elementCount, elementSize: Self.elementSize, from: source, to: destination)
      }
    }
    try planes.withUnsafeBytes { planes in
      try compressor.compress(UnsafeRawBufferPointer(rebasing: planes[0..<raw.count]), into: &output)
    }
    return hasher.finalize()
  }

  /// Decompresses and unshuffles `stored` into `floats` (whose count fixes the expected raw length), then checks the
  /// XXH64 of the raw bytes against `expectedChecksum`. Throws CodecError on any mismatch.
  ///
  /// - Parameters:
  ///   - stored: One frame as ``encode(_:into:)`` wrote it.
  ///   - floats: Receives the block's values; its count must be the block's float count.
  ///   - expectedChecksum: The XXH64 ``encode(_:into:)`` returned for the block.
  /// - Throws: ``CodecError`` of kind `zstd` (corrupt or truncated frame), `frameContentSize` or `decompressedSize`
  ///   (the frame does not hold `4 · floats.count` bytes) or `checksumMismatch`. After a throw the contents of
  ///   `floats` are unspecified.
  /// - Complexity: O(`floats.count`): one zstd pass, one unshuffle and one hash over the block.
  package func decode(
    _ stored: UnsafeRawBufferPointer, into floats: UnsafeMutableBufferPointer<Float>, expectedChecksum: UInt64
  ) throws {
    let raw = UnsafeMutableRawBufferPointer(floats)
    let elementCount = floats.count
    reserveScratch(byteCount: raw.count)
    var hasher = XXH64Hasher()
    try planes.withUnsafeMutableBytes { planes in
      try decompressor.decompress(stored, into: UnsafeMutableRawBufferPointer(rebasing: planes[0..<raw.count]))
      guard let source = planes.baseAddress, let destination = raw.baseAddress else { return }
      forEachChunk(of: elementCount) { elements in
        ByteShuffle.unshuffle(
          elements: elements, of: elementCount, elementSize: Self.elementSize, from: source, to: destination)
        let bytes = (elements.lowerBound * Self.elementSize)..<(elements.upperBound * Self.elementSize)
        hasher.update(UnsafeRawBufferPointer(rebasing: raw[bytes]))
      }
    }
    let computed = hasher.finalize()
    guard computed == expectedChecksum else {
      throw CodecError(.checksumMismatch(stored: expectedChecksum, computed: computed))
    }
  }

  /// Grows the scratch planes to at least `byteCount` bytes.
  private func reserveScratch(byteCount: Int) {
    if planes.count < byteCount {
      planes.append(contentsOf: repeatElement(0, count: byteCount - planes.count))
    }
  }

  /// Calls `body` on consecutive ranges of about ``chunkByteCount`` bytes' worth of elements covering
  /// `0..<elementCount`.
  @inline(__always)
  private func forEachChunk(of elementCount: Int, _ body: (Range<Int>) -> Void) {
    let chunk = Self.chunkByteCount / Self.elementSize
    var start = 0
    while start < elementCount {
      let end = min(start + chunk, elementCount)
      body(start..<end)
      start = end
    }
  }
}

@available(*, unavailable, message: "A block codec owns zstd contexts used by one thread at a time; give each worker its own.")
extension BlockCodec: Sendable {}
