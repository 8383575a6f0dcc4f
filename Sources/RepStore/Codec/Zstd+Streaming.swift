// zstd's streaming calls, for blocks too large to hold twice in memory (see BlockCodec+Streaming.swift). They write
// and read the same frames as the one-shot calls in Zstd.swift: content size declared, no zstd checksum.
import CZstd

extension ZstdCompressor {
  /// Starts a frame of exactly `byteCount` bytes: the size is pledged, so the header declares it as a one-shot frame's
  /// does, and zstd picks its parameters for that size. The bytes then come through ``compress(_:endingFrame:through:_:)``.
  /// - Throws: ``CodecError`` of kind `zstd` if zstd refuses.
  package func beginFrame(byteCount: Int) throws {
    _ = try checked(ZSTD_CCtx_reset(context, ZSTD_reset_session_only))
    _ = try checked(ZSTD_CCtx_setPledgedSrcSize(context, UInt64(byteCount)))
  }

  /// Compresses the next `source` bytes of the frame begun with ``beginFrame(byteCount:)`` (with `endingFrame`, the
  /// last ones, and closes the frame). Compressed bytes are handed to `sink` through `scratch` as zstd produces them.
  /// - Throws: ``CodecError`` of kind `zstd` (for instance when the bytes given differ from the pledged size), or
  ///   what `sink` throws.
  package func compress(
    _ source: UnsafeRawBufferPointer, endingFrame: Bool, through scratch: UnsafeMutableRawBufferPointer,
    _ sink: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
    while true {
      var output = ZSTD_outBuffer(dst: scratch.baseAddress, size: scratch.count, pos: 0)
      let left = try checked(
        ZSTD_compressStream2(context, &output, &input, endingFrame ? ZSTD_e_end : ZSTD_e_continue))
      if output.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: scratch[0..<output.pos])) }
      if endingFrame ? left == 0 : input.pos == input.size { return }
    }
  }
}

extension ZstdDecompressor {
  /// Forgets any frame in progress, so that ``decompress(_:from:into:)`` starts reading a new one.
  /// - Throws: ``CodecError`` of kind `zstd` if zstd refuses.
  package func beginFrame() throws {
    _ = try checked(ZSTD_DCtx_reset(context, ZSTD_reset_session_only))
  }

  /// Decodes what it can of `source[position...]` into `destination`, advancing `position` past the bytes used.
  ///
  /// Stops at the end of the frame: bytes after it are left unread, so `position < source.count` then means the
  /// stored bytes go on past the frame.
  /// - Returns: the bytes written to the front of `destination`, and whether the frame is complete and all flushed.
  /// - Throws: ``CodecError`` of kind `zstd` for a corrupt frame.
  package func decompress(
    _ source: UnsafeRawBufferPointer, from position: inout Int, into destination: UnsafeMutableRawBufferPointer
  ) throws -> (written: Int, frameEnded: Bool) {
    var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: position)
    var output = ZSTD_outBuffer(dst: destination.baseAddress, size: destination.count, pos: 0)
    let hint = try checked(ZSTD_decompressStream(context, &output, &input))
    position = input.pos
    return (output.pos, hint == 0)
  }

  /// Throws ``CodecError`` of kind `frameContentSize` when the frame header at the start of `source` declares a
  /// content size other than `expected` bytes. A header without a size, or too damaged to say, passes: decoding then
  /// finds out, in zstd's words.
  package static func checkDeclaredSize(_ source: UnsafeRawBufferPointer, expected: Int) throws {
    let declared = ZSTD_getFrameContentSize(source.baseAddress, source.count)
    if declared != repstore_ZSTD_CONTENTSIZE_UNKNOWN(), declared != repstore_ZSTD_CONTENTSIZE_ERROR(),
       declared != UInt64(expected) {
      throw CodecError(.frameContentSize(declared: declared, expected: expected))
    }
  }
}
