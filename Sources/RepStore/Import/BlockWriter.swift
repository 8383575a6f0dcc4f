import Foundation
import RepFormats
import RepSupport

/// Writes tensors as blocks into new segment files for one import, and undoes that if the import fails.
struct BlockWriter {
  /// A segment is closed and a new one started past this size, so `gc` can reclaim space in bounded pieces.
  static let segmentByteLimit: Int64 = 1 << 30

  let store: Store
  let options: ImportOptions
  private var segment: SegmentWriter?
  private var createdPaths: [String] = []
  private var nextSegmentNumber: Int?

  init(store: Store, options: ImportOptions) {
    self.store = store
    self.options = options
  }

  /// Streams one layer of `dump` into blocks.
  /// - Returns: the blocks and the content digest (XXH64 of the shape and the raw little-endian Float32 bytes).
  /// - Complexity: memory O(threads · block size), or about one block when blocks are huge (see `writeHugeBlocks`);
  ///   one read of the input.
  mutating func write(
    _ dump: Dump, layer index: Int, name: String, progress: (Int64) -> Void
  ) throws -> (blocks: [BlockInfo], digest: String) {
    let reader = try dump.rowReader(layer: index)
    let columnCount = reader.columnCount
    let rowBytes = columnCount * MemoryLayout<Float>.size
    let rowsPerBlock = max(1, options.targetBlockByteCount / max(1, rowBytes))
    if rowsPerBlock * rowBytes > BlockCodec.streamingByteCount {
      return try writeHugeBlocks(from: reader, rowsPerBlock: rowsPerBlock, name: name, progress: progress)
    }
    let workerCount = max(1, options.threads)
    let batchSize = 2 * workerCount
    let codecs = try (0..<workerCount).map { _ in try UncheckedBox(BlockCodec(level: options.compressionLevel)) }
    let raw = WorkerSlots<[Float]>(count: batchSize, repeating: [])
    let encoded = WorkerSlots<[UInt8]>(count: batchSize, repeating: [])
    let checksums = WorkerSlots<UInt64>(count: batchSize, repeating: 0)
    let firstNonFinite = WorkerSlots<Int?>(count: batchSize, repeating: nil)

    var digest = Self.contentDigest(rowCount: reader.rowCount, columnCount: columnCount)

    var blocks: [BlockInfo] = []
    var rowStart = 0
    while rowStart < reader.rowCount {
      try Interruption.check()
      // Read a batch sequentially (the reader is a stream), then encode its blocks in parallel.
      var rowCounts: [Int] = []
      var batchRow = rowStart
      while rowCounts.count < batchSize, batchRow < reader.rowCount {
        let rows = min(rowsPerBlock, reader.rowCount - batchRow)
        let slot = rowCounts.count
        if raw[slot].count != rows * columnCount {
          raw[slot] = [Float](repeating: 0, count: rows * columnCount)
        }
        try raw.update(slot) { try $0.withUnsafeMutableBufferPointer { try reader.readRows(rows, into: $0) } }
        raw.update(slot) { $0.withUnsafeBytes { digest.update($0) } }
        rowCounts.append(rows)
        batchRow += rows
      }
      let checkFinite = !options.allowNonFinite
      try runWorkers(workerCount) { worker in
        for slot in stride(from: worker, to: rowCounts.count, by: workerCount) {
          try raw.update(slot) {
            try $0.withUnsafeBufferPointer { values in
              if checkFinite { firstNonFinite[slot] = values.firstIndex { !$0.isFinite } }
              checksums[slot] = try encoded.update(slot) { try codecs[worker].value.encode(values, into: &$0) }
            }
          }
        }
      }
      var slotRow = rowStart
      for (slot, rows) in rowCounts.enumerated() {
        if let flat = firstNonFinite[slot] {
          throw Self.nonFinite(raw[slot][flat], at: slotRow * columnCount + flat, columnCount: columnCount, in: name)
        }
        let segment = try currentSegment()
        let offset = try encoded.update(slot) { try $0.withUnsafeBytes { try segment.append($0) } }
        blocks.append(
          BlockInfo(
            index: blocks.count, rowStart: slotRow, rowCount: rows, segment: segment.number, byteOffset: offset,
            storedLength: encoded[slot].count, rawLength: rows * rowBytes, checksum: checksums[slot]))
        slotRow += rows
      }
      rowStart = batchRow
      progress(Int64(rowStart) * Int64(rowBytes))
    }
    return (blocks, digest.finalize().hexDigest)
  }

  /// A tensor's content digest before its data: XXH64 of the shape, to which the raw bytes are added in row order.
  static func contentDigest(rowCount: Int, columnCount: Int) -> XXH64Hasher {
    var digest = XXH64Hasher()
    withUnsafeBytes(of: UInt64(rowCount).littleEndian) { digest.update($0) }
    withUnsafeBytes(of: UInt64(columnCount).littleEndian) { digest.update($0) }
    return digest
  }

  /// The refusal of a NaN or infinity, `value`, found at flat index `flat` of the layer `name`.
  static func nonFinite(_ value: Float, at flat: Int, columnCount: Int, in name: String) -> StoreError {
    StoreError.invalidInput(
      path: name,
      detail: "row \(flat / columnCount), column \(flat % columnCount) is \(value); "
        + "pass --allow-nonfinite to store NaN and Inf")
  }

  /// The segment to append to, starting a new one when there is none or the current one is full.
  mutating func currentSegment() throws -> SegmentWriter {
    if let segment, segment.length < BlockWriter.segmentByteLimit { return segment }
    if let segment { try segment.sync() }
    let number = try nextSegmentNumber ?? store.firstFreeSegmentNumber()
    nextSegmentNumber = number + 1
    let path = store.segmentPath(number)
    let writer = try SegmentWriter(number: number, path: path)
    createdPaths.append(path)
    segment = writer
    return writer
  }

  /// Makes every written byte durable, so the catalog may reference it.
  mutating func finish() throws {
    try segment?.sync()
    segment = nil
    if !createdPaths.isEmpty { try syncDirectory(store.segmentsPath) }
  }

  /// Deletes the segments this import created (the import failed; nothing references them).
  mutating func discard() {
    segment = nil
    for path in createdPaths { unlink(path) }
    createdPaths = []
  }
}

extension Store {
  /// One past the highest segment number in use, on disk or in the catalog.
  func firstFreeSegmentNumber() throws -> Int {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: segmentsPath)) ?? []
    let onDisk = files.compactMap { name -> Int? in
      guard name.hasSuffix(".seg") else { return nil }
      return Int(name.dropLast(4))
    }
    let inCatalog = try catalog.read { db in try Catalog.liveBytesBySegment(db) }.keys
    return max(onDisk.max() ?? 0, inCatalog.max() ?? 0) + 1
  }
}
