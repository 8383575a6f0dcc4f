// With Zstd+Streaming.swift, the only files that import CZstd. Every zstd status code passes through `checked(_:)`.
import CZstd

/// Turns a zstd return value into a byte count, or throws ``CodecError/Kind/zstd(message:)`` with zstd's own wording
/// when it is an error code. Every `size_t` that zstd returns passes through here.
func checked(_ result: Int) throws(CodecError) -> Int {
  if ZSTD_isError(result) != 0 {
    throw CodecError(.zstd(message: String(cString: ZSTD_getErrorName(result))))
  }
  return result
}

/// A zstd compression context, reused block after block.
///
/// Owns one `ZSTD_CCtx`, created in `init` and freed in `deinit`; the context keeps its tables and buffers between
/// calls, so compressing many blocks of similar size allocates only once. Each call writes one complete frame with
/// the content size in its header and no zstd checksum (the store keeps its own XXH64 of the raw bytes).
///
/// Not `Sendable`: a context may be used by one thread at a time, so each worker owns its own compressor.
package final class ZstdCompressor {
  /// Shared with the streaming calls in Zstd+Streaming.swift.
  let context: OpaquePointer

  /// The compression level every frame is written with.
  package let level: Int

  /// The levels the linked zstd accepts: `ZSTD_minCLevel()...ZSTD_maxCLevel()`, with 1.5.4 `-131072...22`.
  ///
  /// Negative levels trade ratio for speed; level 0 means zstd's default (3).
  package static var levelRange: ClosedRange<Int> {
    Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel())
  }

  /// Creates a context that compresses at `level`.
  /// - Throws: ``CodecError`` of kind `invalidLevel` when `level` is outside ``levelRange``, or `zstd` when the
  ///   context cannot be created or configured.
  package init(level: Int) throws {
    let valid = Self.levelRange
    guard valid.contains(level) else { throw CodecError(.invalidLevel(level, valid: valid)) }
    guard let context = ZSTD_createCCtx() else {
      throw CodecError(.zstd(message: "ZSTD_createCCtx could not allocate a compression context"))
    }
    do {
      _ = try checked(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level)))
      _ = try checked(ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1))
      _ = try checked(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 0))
    } catch {
      ZSTD_freeCCtx(context)
      throw error
    }
    self.context = context
    self.level = level
  }

  deinit {
    ZSTD_freeCCtx(context)
  }

  /// The largest frame ``compress(_:into:)`` can write for `byteCount` input bytes (`ZSTD_compressBound`).
  /// - Precondition: `0 <= byteCount` and below zstd's maximum input size (about 2⁶⁴ − 2⁵⁶); traps otherwise.
  /// - Complexity: O(1).
  package static func compressBound(_ byteCount: Int) -> Int {
    precondition(byteCount >= 0, "ZstdCompressor.compressBound: negative byte count \(byteCount)")
    let bound = ZSTD_compressBound(byteCount)
    precondition(ZSTD_isError(bound) == 0, "ZstdCompressor.compressBound: \(byteCount) bytes is beyond zstd's limit")
    return bound
  }

  /// Compresses `source` into `destination` (resized as needed; its count set to the compressed length).
  ///
  /// `destination` is grown to ``compressBound(_:)`` of the input before compressing, which zero-fills only the part
  /// beyond its current count, then cut back to the frame's length; passing the same array block after block keeps
  /// its capacity.
  ///
  /// - Parameters:
  ///   - source: The bytes to compress; may be empty (the frame then declares 0 bytes).
  ///   - destination: Receives exactly one zstd frame. Its previous contents are discarded.
  /// - Throws: ``CodecError`` of kind `zstd` if zstd fails; `destination` is then unspecified.
  /// - Complexity: O(`source.count`); the constant depends on ``level``.
  package func compress(_ source: UnsafeRawBufferPointer, into destination: inout [UInt8]) throws {
    let bound = Self.compressBound(source.count)
    if destination.count < bound {
      destination.append(contentsOf: repeatElement(0, count: bound - destination.count))
    }
    let written = try destination.withUnsafeMutableBytes { (frame) throws -> Int in
      try checked(ZSTD_compress2(context, frame.baseAddress, frame.count, source.baseAddress, source.count))
    }
    destination.removeLast(destination.count - written)
  }
}

@available(*, unavailable, message: "A zstd context may be used by one thread at a time; give each worker its own.")
extension ZstdCompressor: Sendable {}

/// A zstd decompression context, reused block after block.
///
/// Owns one `ZSTD_DCtx`, created in `init` and freed in `deinit`. Not `Sendable`: one per worker.
package final class ZstdDecompressor {
  /// Shared with the streaming calls in Zstd+Streaming.swift.
  let context: OpaquePointer

  /// Creates a decompression context.
  /// - Throws: ``CodecError`` of kind `zstd` when the context cannot be allocated.
  package init() throws {
    guard let context = ZSTD_createDCtx() else {
      throw CodecError(.zstd(message: "ZSTD_createDCtx could not allocate a decompression context"))
    }
    self.context = context
  }

  deinit {
    ZSTD_freeDCtx(context)
  }

  /// Decompresses one frame into exactly `destination.count` bytes; throws if the frame is corrupt or its size differs.
  ///
  /// The content size in the frame header is checked against `destination.count` before any byte is decoded, so a
  /// damaged header cannot make zstd write past the expected length. Frames without a declared size are accepted and
  /// checked after decoding.
  ///
  /// - Parameters:
  ///   - source: One zstd frame, as ``ZstdCompressor/compress(_:into:)`` writes it.
  ///   - destination: Receives the decompressed bytes; its count is the size the caller expects.
  /// - Throws: ``CodecError`` of kind `zstd` (corrupt, truncated or not a frame), `frameContentSize` (the header
  ///   declares another size) or `decompressedSize` (decoding produced another size). `destination` is then
  ///   unspecified.
  /// - Complexity: O(`source.count` + `destination.count`).
  package func decompress(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    // A header too damaged to declare a size is left to ZSTD_decompressDCtx, which says in zstd's words what is wrong.
    try Self.checkDeclaredSize(source, expected: destination.count)
    let written = try checked(
      ZSTD_decompressDCtx(context, destination.baseAddress, destination.count, source.baseAddress, source.count))
    guard written == destination.count else {
      throw CodecError(.decompressedSize(actual: written, expected: destination.count))
    }
  }
}

@available(*, unavailable, message: "A zstd context may be used by one thread at a time; give each worker its own.")
extension ZstdDecompressor: Sendable {}
