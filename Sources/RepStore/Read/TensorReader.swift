import Foundation
import RepSupport

/// Rows `rowStart ..< rowStart + rowCount` of a tensor, row-major Float32. The buffer is only valid inside the
/// closure that receives it.
public struct RowBlock {
  public var rowStart: Int
  public var rowCount: Int
  public var columnCount: Int
  public var values: UnsafeBufferPointer<Float>
}

extension Store {
  /// The blocks of a tensor, checked to tile its rows exactly.
  func blockList(of tensor: TensorInfo) throws -> [BlockInfo] {
    let blocks = try catalog.read { db in
      try catalog.requireIntact(db, .blocks, ids: [tensor.id], names: [tensor.id: tensor.fullName])
      return try Catalog.retainedBlocks(db, tensorID: tensor.id)
    }
    var nextRow = 0
    for (position, block) in blocks.enumerated() {
      let expectedRaw = block.rowCount * tensor.columnCount * MemoryLayout<Float>.size
      guard block.index == position, block.rowStart == nextRow, block.rowCount >= 0, block.rawLength == expectedRaw,
        block.storedLength >= 0
      else {
        throw StoreError.corrupt(
          path: path, tensor: tensor, block: position, detail: "does not fit the tensor",
          found: "rows \(block.rowStart)+\(block.rowCount), \(block.rawLength) raw bytes",
          expected: "rows \(nextRow)+\(block.rowCount), \(expectedRaw) raw bytes")
      }
      nextRow += block.rowCount
    }
    guard nextRow == tensor.rowCount else {
      throw StoreError.corrupt(
        path: path, tensor: tensor, found: "blocks cover \(nextRow) rows", expected: "\(tensor.rowCount)")
    }
    return blocks
  }

  /// Streams a tensor's rows in storage order, decompressing and checking blocks on `threads` threads.
  ///
  /// Every block's checksum is verified before `body` sees it.
  /// - Complexity: one read of each stored block; memory O(`threads` · block size), or about one block when blocks
  ///   are huge (see `readHugeBlocks`).
  /// - Throws: `StoreError(.corrupt)` for a block that fails its checks, naming tensor, block and segment.
  public func readRows(
    of tensor: TensorInfo, threads: Int = defaultThreadCount, _ body: (RowBlock) throws -> Void
  ) throws {
    let blocks = try blockList(of: tensor)
    if Store.needsStreamingRead(blocks) { return try readHugeBlocks(blocks, of: tensor, body) }
    let workerCount = max(1, min(threads, blocks.count))
    let batchSize = max(2, 2 * workerCount)
    let workers = try (0..<workerCount).map { _ in try UncheckedBox(BlockCodec(level: 1)) }
    var segments = SegmentCache(store: self)
    let compressed = WorkerSlots<[UInt8]>(count: batchSize, repeating: [])
    let decoded = WorkerSlots<[Float]>(count: batchSize, repeating: [])

    var batchStart = 0
    while batchStart < blocks.count {
      try Interruption.check()
      let batch = Array(blocks[batchStart..<min(blocks.count, batchStart + batchSize)])
      for (slot, block) in batch.enumerated() {
        try compressed.update(slot) { try segments.readStoredBytes(of: block, in: tensor, into: &$0) }
        let valueCount = block.rawLength / MemoryLayout<Float>.size
        if decoded[slot].count != valueCount {
          decoded[slot] = [Float](repeating: 0, count: valueCount)
        }
      }
      try runWorkers(workerCount) { worker in
        for slot in stride(from: worker, to: batch.count, by: workerCount) {
          let block = batch[slot]
          do {
            try compressed.update(slot) {
              try $0.withUnsafeBytes { bytes in
                let stored = UnsafeRawBufferPointer(rebasing: bytes[..<block.storedLength])
                try decoded.update(slot) {
                  try $0.withUnsafeMutableBufferPointer { floats in
                    try workers[worker].value.decode(stored, into: floats, expectedChecksum: block.checksum)
                  }
                }
              }
            }
          } catch {
            throw blockError(error, block, of: tensor)
          }
        }
      }
      for (slot, block) in batch.enumerated() {
        try decoded.update(slot) {
          try $0.withUnsafeBufferPointer { values in
            try body(
              RowBlock(
                rowStart: block.rowStart, rowCount: block.rowCount, columnCount: tensor.columnCount,
                values: UnsafeBufferPointer(rebasing: values[0..<(block.rowCount * tensor.columnCount)])))
          }
        }
      }
      batchStart += batch.count
    }
  }
}

extension Store {
  /// `error`, from reading or decoding `block`, placed at it: "STORE: tensor M/L@S: block 3 (rows 2046..<2728,
  /// SEGMENT byte 123): …" (see `StoreError.atBlock`).
  func blockError(_ error: any Error, _ block: BlockInfo, of tensor: TensorInfo) -> StoreError {
    StoreError.atBlock(error, block, of: tensor, storePath: path, segmentPath: segmentPath(block.segment))
  }
}

/// Open segment files, one reader per segment number.
struct SegmentCache {
  let store: Store
  private var readers: [Int: SegmentReader] = [:]

  init(store: Store) { self.store = store }

  /// Reads the stored (compressed) bytes of one block into the first `block.storedLength` bytes of `bytes`, which is
  /// grown when too short (and otherwise reused: a fresh buffer per block would fault in its pages every time); errors
  /// name the tensor and block.
  mutating func readStoredBytes(of block: BlockInfo, in tensor: TensorInfo, into bytes: inout [UInt8]) throws {
    do {
      let segment = try reader(block.segment)
      let count = block.storedLength
      // The read fills every byte it is given (or throws): no need to zero them first.
      if bytes.count < count { bytes = [UInt8](unsafeUninitializedCapacity: count) { _, done in done = count } }
      try bytes.withUnsafeMutableBytes {
        try segment.read(at: block.byteOffset, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<count]))
      }
    } catch let error as StoreError {
      throw store.blockError(error, block, of: tensor)
    }
  }

  mutating func reader(_ number: Int) throws -> SegmentReader {
    if let reader = readers[number] { return reader }
    let path = store.segmentPath(number)
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError.corrupt(path: path, detail: "segment file is missing but the catalog references it")
    }
    let reader = try SegmentReader(path: path)
    readers[number] = reader
    return reader
  }
}
