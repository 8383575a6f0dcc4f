import RepFormats

extension BlockWriter {
  /// `write` for blocks larger than ``BlockCodec/streamingByteCount`` (rows wider than the target block size): one
  /// block at a time, read into one buffer of floats and streamed through zstd straight into the segment, so that
  /// memory stays about one block. The blocks are the ones the parallel path would write, and so is the digest.
  ///
  /// A failure part-way through a block leaves its first bytes in the segment, as an interrupted import leaves
  /// whole blocks: no catalog row references them, and `discard()` deletes the segment.
  mutating func writeHugeBlocks(
    from reader: RowReader, rowsPerBlock: Int, name: String, progress: (Int64) -> Void
  ) throws -> (blocks: [BlockInfo], digest: String) {
    let columnCount = reader.columnCount
    let rowBytes = columnCount * MemoryLayout<Float>.size
    let codec = try BlockCodec(level: options.compressionLevel)
    let bufferCount = min(rowsPerBlock, reader.rowCount) * columnCount
    // The reader writes every element (or throws): no need to zero them first.
    var values = [Float](unsafeUninitializedCapacity: bufferCount) { _, done in done = bufferCount }
    var digest = Self.contentDigest(rowCount: reader.rowCount, columnCount: columnCount)
    var blocks: [BlockInfo] = []
    var rowStart = 0
    while rowStart < reader.rowCount {
      try Interruption.check()
      let rows = min(rowsPerBlock, reader.rowCount - rowStart)
      let block = 0..<(rows * columnCount)
      try values.withUnsafeMutableBufferPointer { buffer in
        let floats = UnsafeMutableBufferPointer(rebasing: buffer[block])
        try reader.readRows(rows, into: floats)
        digest.update(UnsafeRawBufferPointer(floats))
        if !options.allowNonFinite, let flat = floats.firstIndex(where: { !$0.isFinite }) {
          throw Self.nonFinite(floats[flat], at: rowStart * columnCount + flat, columnCount: columnCount, in: name)
        }
      }
      let segment = try currentSegment()
      let offset = segment.length
      var storedLength = 0
      let checksum = try values.withUnsafeBufferPointer { buffer in
        try codec.encode(UnsafeBufferPointer(rebasing: buffer[block]), streamingTo: { bytes in
          try segment.append(bytes)
          storedLength += bytes.count
        })
      }
      blocks.append(
        BlockInfo(
          index: blocks.count, rowStart: rowStart, rowCount: rows, segment: segment.number, byteOffset: offset,
          storedLength: storedLength, rawLength: rows * rowBytes, checksum: checksum))
      rowStart += rows
      progress(Int64(rowStart) * Int64(rowBytes))
    }
    return (blocks, digest.finalize().hexDigest)
  }
}
