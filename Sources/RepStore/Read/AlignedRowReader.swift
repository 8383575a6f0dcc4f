import Foundation
import RepSupport

/// Reads several tensors of the same example set together, handing out aligned chunks of rows: chunk k holds
/// the same `chunkRows` examples for every tensor. This is how a similarity table sees its layers: every
/// statistic is computed on identical chunks whatever the storage blocks were, and each block is read once.
///
/// Rows may be a subset or a reordering of the stored rows (`rowIndices`, e.g. for an intersection of example
/// sets); in-order subsets stream, arbitrary orders re-read blocks as needed.
///
/// **Read-ahead.** From creation on, and whenever a chunk has been handed out, the blocks the next chunk needs are
/// read and decoded in the background while the caller works, so the caller's computation and the decoding overlap.
/// - Complexity: memory O(tensors · (chunk + 3 blocks)); decoding runs on `threads` threads across tensors.
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
  /// The background decoding of the next chunk's blocks, started by `nextChunk`.
  private var readAhead: ReadAhead?
  /// Decoded blocks no chunk needs any more, whose memory the next decodings reuse: a fresh allocation per block
  /// would fault in every page of it again.
  private var spareBlocks: [[Float]] = []
  /// The stored bytes of the blocks being decoded, one buffer per job slot, reused from one decoding to the next.
  private var compressed: [[UInt8]] = []

  /// Blocks being decoded in the background; `outcome` is written before `done` is signalled.
  private final class ReadAhead: @unchecked Sendable {
    let jobs: [(tensor: Int, block: Int)]
    var spares: [[Float]]
    let done = DispatchSemaphore(value: 0)
    var outcome: Result<[[Float]], any Error> = .success([])
    init(jobs: [(tensor: Int, block: Int)], spares: [[Float]]) { (self.jobs, self.spares) = (jobs, spares) }
  }

  /// - Parameters:
  ///   - rowIndices: per tensor, the stored row to deliver at each position (all the same length), or nil for all
  ///     rows in stored order (then every tensor must have the same row count, else `.corrupt` is thrown).
  public init(
    store: Store, tensors: [TensorInfo], rowIndices: [[Int]]? = nil, chunkRows: Int = 2048,
    threads: Int = defaultThreadCount
  ) throws {
    precondition(!tensors.isEmpty && chunkRows > 0)
    if let rowIndices {
      precondition(rowIndices.count == tensors.count && Set(rowIndices.map(\.count)).count == 1)
      rowCount = rowIndices[0].count
    } else {
      // Equal for tensors of one example set, unless the catalog says otherwise: then it is damage, not a trap.
      guard Set(tensors.map(\.rowCount)).count == 1 else {
        throw StoreError.corrupt(
          path: store.path,
          detail: "tensors of one example set have different row counts ("
            + tensors.map { "\($0.fullName): \($0.rowCount)" }.joined(separator: ", ") + "); run repstore verify")
      }
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
    // The first chunk is read while the caller prepares for it.
    startReadAhead()
  }

  deinit {
    readAhead?.done.wait()
  }

  /// Fills `buffers[t]` (at least chunkRows × columns of tensor t) with the next chunk's rows, row-major.
  /// - Returns: the number of rows delivered (0 at the end).
  public func nextChunk(into buffers: [UnsafeMutableBufferPointer<Float>]) throws -> Int {
    precondition(buffers.count == tensors.count)
    let ahead = try finishReadAhead()
    try Interruption.check()
    let rows = min(chunkRows, rowCount - rowsRead)
    guard rows > 0 else { return 0 }
    // Which stored rows each tensor needs for this chunk, and the blocks holding them.
    let wanted = wantedRows(from: rowsRead, count: rows)
    var jobs: [(tensor: Int, block: Int)] = []
    for t in tensors.indices {
      let needed = Set(wanted[t].map { blockIndex(of: $0, in: blockLists[t]) })
      spareBlocks += cached[t].keepOnly(needed.union(ahead[t]))
      spareBlocks = Array(spareBlocks.suffix(4 * tensors.count))  // as many as a chunk and its read-ahead use
      for block in needed.sorted() where cached[t].values[block] == nil { jobs.append((t, block)) }
    }
    var spares = takeSpares(jobs.count)
    try store(decodeBlocks(jobs, reusing: &spares), for: jobs)
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
    startReadAhead()
    return rows
  }

  /// The stored rows each tensor delivers at positions `start ..< start + count`.
  private func wantedRows(from start: Int, count: Int) -> [[Int]] {
    tensors.indices.map { t in
      if let rowIndices { return Array(rowIndices[t][start..<(start + count)]) }
      return Array(start..<(start + count))
    }
  }

  /// Starts decoding, in the background, the blocks of the next chunk that are not cached yet.
  private func startReadAhead() {
    let rows = min(chunkRows, rowCount - rowsRead)
    guard rows > 0 else { return }
    let wanted = wantedRows(from: rowsRead, count: rows)
    var jobs: [(tensor: Int, block: Int)] = []
    for t in tensors.indices {
      let needed = Set(wanted[t].map { blockIndex(of: $0, in: blockLists[t]) })
      for block in needed.sorted() where cached[t].values[block] == nil { jobs.append((t, block)) }
    }
    guard !jobs.isEmpty else { return }
    let work = ReadAhead(jobs: jobs, spares: takeSpares(jobs.count))
    readAhead = work
    let reader = UncheckedBox(self)
    DispatchQueue.global().async {
      // Only this task touches the reader's segments and codecs until `done` is signalled.
      work.outcome = Result { try reader.value.decodeBlocks(work.jobs, reusing: &work.spares) }
      work.done.signal()
    }
  }

  /// Waits for the background decoding, caches its blocks, and returns, per tensor, the blocks it brought.
  private func finishReadAhead() throws -> [Set<Int>] {
    var brought = [Set<Int>](repeating: [], count: tensors.count)
    guard let work = readAhead else { return brought }
    readAhead = nil
    work.done.wait()
    try store(work.outcome.get(), for: work.jobs)
    for job in work.jobs { brought[job.tensor].insert(job.block) }
    return brought
  }

  private func store(_ decoded: [[Float]], for jobs: [(tensor: Int, block: Int)]) {
    for (slot, job) in jobs.enumerated() { cached[job.tensor].values[job.block] = decoded[slot] }
  }

  /// Up to `count` spare blocks, handed to one decoding.
  private func takeSpares(_ count: Int) -> [[Float]] {
    let taken = Array(spareBlocks.suffix(count))
    spareBlocks.removeLast(taken.count)
    return taken
  }

  /// Reads and decodes blocks, spread over the worker threads, into the memory of `spares` where it fits (those used
  /// are taken out of it).
  private func decodeBlocks(_ jobs: [(tensor: Int, block: Int)], reusing spares: inout [[Float]]) throws -> [[Float]] {
    guard !jobs.isEmpty else { return [] }
    if compressed.count < jobs.count { compressed += Array(repeating: [], count: jobs.count - compressed.count) }
    var decoded = [[Float]](repeating: [], count: jobs.count)
    for (slot, job) in jobs.enumerated() {
      let block = blockLists[job.tensor][job.block]
      try segments.readStoredBytes(of: block, in: tensors[job.tensor], into: &compressed[slot])
      // The decoder writes every element (or throws): no need to zero them first.
      let count = block.rawLength / MemoryLayout<Float>.size
      if let spare = spares.indices.last(where: { spares[$0].count == count }) {
        decoded[slot] = spares.remove(at: spare)
      } else {
        decoded[slot] = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
      }
    }
    let workerCount = min(threads, jobs.count)
    try compressed.withUnsafeBufferPointer { compressed in
      try decoded.withUnsafeMutableBufferPointer { decoded in
        // Each worker touches only its own slots.
        let slots = UncheckedBox((compressed, decoded))
        try runWorkers(workerCount) { worker in
          let (compressed, decoded) = slots.value
          for slot in stride(from: worker, to: jobs.count, by: workerCount) {
            let block = blockLists[jobs[slot].tensor][jobs[slot].block]
            do {
              try compressed[slot].withUnsafeBytes { bytes in
                let stored = UnsafeRawBufferPointer(rebasing: bytes[..<block.storedLength])
                try decoded[slot].withUnsafeMutableBufferPointer { floats in
                  try codecs[worker].value.decode(stored, into: floats, expectedChecksum: block.checksum)
                }
              }
            } catch {
              throw store.blockError(error, block, of: tensors[jobs[slot].tensor])
            }
          }
        }
      }
    }
    return decoded
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
  /// Drops the blocks not in `needed` and returns them.
  mutating func keepOnly(_ needed: Set<Int>) -> [[Float]] {
    var dropped: [[Float]] = []
    for key in values.keys where !needed.contains(key) {
      if let block = values.removeValue(forKey: key) { dropped.append(block) }
    }
    return dropped
  }
}
