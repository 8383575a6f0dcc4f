import Foundation

extension Store {
  /// Whether `blocks` are read by ``readHugeBlocks(_:of:_:)``: when one is larger than ``BlockCodec/streamingByteCount``
  /// (a tensor whose rows are wider than the target block size).
  static func needsStreamingRead(_ blocks: [BlockInfo]) -> Bool {
    blocks.contains { $0.rawLength > BlockCodec.streamingByteCount }
  }

  /// `readRows` for huge blocks: one block at a time, each streamed from its segment into one buffer of floats, so
  /// that memory stays about one block (the parallel path holds stored bytes, planes and floats per block in flight).
  ///
  /// Every block's checksum is verified before `body` sees it; errors name tensor, block and segment as `readRows`'s.
  func readHugeBlocks(_ blocks: [BlockInfo], of tensor: TensorInfo, _ body: (RowBlock) throws -> Void) throws {
    let codec = try BlockCodec(level: 1)
    var segments = SegmentCache(store: self)
    let largest = blocks.map(\.rawLength).max() ?? 0
    // Every element is written by the decoder (or it throws): no need to zero them first.
    var values = [Float](unsafeUninitializedCapacity: largest / MemoryLayout<Float>.size) { _, done in
      done = largest / MemoryLayout<Float>.size
    }
    for block in blocks {
      try Interruption.check()
      let valueCount = block.rowCount * tensor.columnCount
      try values.withUnsafeMutableBufferPointer { buffer in
        let floats = UnsafeMutableBufferPointer(rebasing: buffer[0..<valueCount])
        do {
          let segment = try segments.reader(block.segment)
          try segment.checkSpan(at: block.byteOffset, byteCount: block.storedLength)
          try codec.decode(
            storedByteCount: block.storedLength,
            reading: { offset, bytes in try segment.read(at: block.byteOffset + Int64(offset), into: bytes) },
            into: floats, expectedChecksum: block.checksum)
        } catch {
          throw blockError(error, block, of: tensor)
        }
        try body(
          RowBlock(
            rowStart: block.rowStart, rowCount: block.rowCount, columnCount: tensor.columnCount,
            values: UnsafeBufferPointer(floats)))
      }
    }
  }
}
