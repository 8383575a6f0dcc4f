import Foundation

/// Reads several tensors of the same example set together, handing out aligned chunks of rows: chunk k holds
/// the same `chunkRows` examples for every tensor. This is how a similarity table sees its layers: every
/// statistic is computed on identical chunks whatever the storage blocks were, and each block is read once.
///
/// Rows may be a subset or a reordering of the stored rows (`rowIndices`, e.g. for an intersection of example
/// sets); in-order subsets stream, arbitrary orders re-read blocks as needed.
/// - Complexity: memory O(tensors · (chunk + 2 blocks)); decoding runs on `threads` threads across tensors.
public final class AlignedRowReader {
  public let tensors: [TensorInfo]
  public let chunkRows: Int
  /// Rows each tensor delivers: `rowIndices?.count` or the tensors' common row count.
  public let rowCount: Int
  public private(set) var rowsRead = 0

  private let store: Store
  private let threads: Int
  private let rowIndices: [[Int]]?
  private var blockLists: [[BlockInfo]]
  private var cached: [CachedBlocks]
  private var segments: SegmentCache
  private let codecs: [UncheckedBox<BlockCodec>]

  /// - Parameters:
  ///   - rowIndices: per tensor, the stored row to deliver at each position (all the same length), or nil for all
  ///     rows in stored order (then every tensor must have the same row count: precondition).
  public init(
    store: Store, tensors: [TensorInfo], rowIndices: [[Int]]? = nil, chunkRows: Int = 1024,
    threads: Int = defaultThreadCount
  ) throws {
    precondition(!tensors.isEmpty && chunkRows > 0)
    if let rowIndices {
      precondition(rowIndices.count == tensors.count && Set(rowIndices.map(\.count)).count == 1)
      rowCount = rowIndices[0].count
    } else {
      precondition(Set(tensors.map(\.rowCount)).count == 1, "aligned tensors must have the same row count")
      rowCount = tensors[0].rowCount
    }
    self.store = store
    self.tensors = tensors
    self.rowIndices = rowIndices
    self.chunkRows = chunkRows
    self.threads = max(1, threads)
    blockLists = try tensors.map { try store.blockList(of: $0) }
    cached = Array(repeating: CachedBlocks(), count: tensors.count)
    segments = SegmentCache(store: store)
    codecs = try (0..<max(1, threads)).map { _ in try UncheckedBox(BlockCodec(level: 1)) }
  }

  /// Fills `buffers[t]` (at least chunkRows × columns of tensor t) with the next chunk's rows, row-major.
  /// - Returns: the number of rows delivered (0 at the end).
  public func nextChunk(into buffers: [UnsafeMutableBufferPointer<Float>]) throws -> Int {
    precondition(buffers.count == tensors.count)
    try Interruption.check()
    let rows = min(chunkRows, rowCount - rowsRead)
    guard rows > 0 else { return 0 }
    // Which stored rows each tensor needs for this chunk, and the blocks holding them.
    let wanted: [[Int]] = tensors.indices.map { t in
      if let rowIndices { return Array(rowIndices[t][rowsRead..<(rowsRead + rows)]) }
      return Array(rowsRead..<(rowsRead + rows))
    }
    var jobs: [(tensor: Int, block: Int)] = []
    for t in tensors.indices {
      let needed = Set(wanted[t].map { blockIndex(of: $0, in: blockLists[t]) })
      cached[t].keepOnly(needed)
      for block in needed.sorted() where cached[t].values[block] == nil { jobs.append((t, block)) }
    }
    try decode(jobs)
    for t in tensors.indices {
      let columns = tensors[t].columnCount
      let buffer = buffers[t]
      precondition(buffer.count >= rows * columns)
      for (position, row) in wanted[t].enumerated() {
        let blockNumber = blockIndex(of: row, in: blockLists[t])
        let block = blockLists[t][blockNumber]
        guard let values = cached[t].values[blockNumber] else { continue }
        let offset = (row - block.rowStart) * columns
        values.withUnsafeBufferPointer { source in
          guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
          (to + position * columns).update(from: from + offset, count: columns)
        }
      }
    }
    rowsRead += rows
    return rows
  }

  /// Reads and decodes blocks, spread over the worker threads.
  private func decode(_ jobs: [(tensor: Int, block: Int)]) throws {
    guard !jobs.isEmpty else { return }
    let compressed = UncheckedBox([[UInt8]](repeating: [], count: jobs.count))
    for (slot, job) in jobs.enumerated() {
      compressed.value[slot] = try segments.storedBytes(
        of: blockLists[job.tensor][job.block], in: tensors[job.tensor])
    }
    let decoded = UncheckedBox([[Float]](repeating: [], count: jobs.count))
    let workerCount = min(threads, jobs.count)
    try runWorkers(workerCount) { worker in
      for slot in stride(from: worker, to: jobs.count, by: workerCount) {
        let job = jobs[slot]
        let block = blockLists[job.tensor][job.block]
        var values = [Float](repeating: 0, count: block.rawLength / MemoryLayout<Float>.size)
        do {
          try compressed.value[slot].withUnsafeBytes { stored in
            try values.withUnsafeMutableBufferPointer { floats in
              try codecs[worker].value.decode(stored, into: floats, expectedChecksum: block.checksum)
            }
          }
        } catch {
          throw StoreError(.corrupt, "\(store.blockDescription(tensors[job.tensor], block)): \(error)")
        }
        decoded.value[slot] = values
      }
    }
    for (slot, job) in jobs.enumerated() { cached[job.tensor].values[job.block] = decoded.value[slot] }
  }

  /// The block holding stored row `row` (binary search over row starts).
  private func blockIndex(of row: Int, in blocks: [BlockInfo]) -> Int {
    var low = 0
    var high = blocks.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if blocks[middle].rowStart <= row { low = middle } else { high = middle - 1 }
    }
    return low
  }
}

/// Decoded blocks of one tensor that the current chunk uses.
private struct CachedBlocks {
  var values: [Int: [Float]] = [:]
  mutating func keepOnly(_ needed: Set<Int>) {
    for key in values.keys where !needed.contains(key) { values[key] = nil }
  }
}
