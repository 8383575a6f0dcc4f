/// Re-cuts row blocks of one or several aligned matrices into fixed compute chunks of `chunkRows` rows.
///
/// Storage hands out rows in blocks whose sizes depend on how a tensor was written (1 row to thousands), and the
/// blocks of different tensors need not line up. Computations that sum per chunk in Float32 (the streaming
/// statistics) must see the same chunks whatever the blocks were, or their results would change in the last bits with
/// the storage layout. The chunker copies incoming rows into one buffer per matrix and calls back with the next
/// `chunkRows` rows of every matrix at once, aligned (row r of each buffer is example `startRow + r`); the final chunk,
/// handed out by `finish(_:)`, may be shorter. Chunk boundaries are therefore multiples of `chunkRows`, always.
///
/// Push blocks per matrix, in row order within each matrix, in any interleaving across matrices. Memory is one chunk
/// per matrix plus whatever a matrix has been pushed ahead of the slowest one: feed `laggingMatrix` next (the matrix
/// with the fewest rows pushed) and each buffer stays below `chunkRows` rows plus one block.
///
/// ```swift
/// var chunker = RowChunker(columnCounts: [768, 768])
/// var statistics = JointStatistics(columnCounts: [768, 768])
/// while let (matrix, block, rows) = nextBlock(of: chunker.laggingMatrix) {
///   block.withUnsafeBufferPointer { chunker.push($0, rows: rows, matrix: matrix) { statistics.accumulate($0) } }
/// }
/// chunker.finish { statistics.accumulate($0) }
/// ```
///
/// - Complexity: one copy of every element (O(n·Σd) element moves), which is small next to the O(n·d²) flops of the
///   statistics it feeds.
public struct RowChunker {
  /// The chunk length used when none is given: 2048 rows. Each chunk's Float32 products are widened into Float64 once,
  /// a pass over all the pair statistics that 1024 rows made twice as often; longer chunks no longer speed up the BLAS
  /// and change the accuracy little (see `ColumnStatistics`).
  public static let defaultChunkRows = 2048

  /// The width of each matrix, in columns.
  public let columnCounts: [Int]
  /// The number of rows in every chunk except possibly the last.
  public let chunkRows: Int
  /// How many rows have been pushed for each matrix.
  public private(set) var rowsPushed: [Int]
  /// How many rows have been handed out in chunks (the same for every matrix).
  public private(set) var rowsEmitted = 0
  /// Whether `finish(_:)` has been called; no more rows may be pushed.
  public private(set) var isFinished = false

  /// Rows of matrix k not yet handed out start at row `bufferStart[k]` of `buffers[k]`.
  private var buffers: [[Float]]
  private var bufferStart: [Int]

  /// Creates a chunker for matrices with the given widths (the same number of rows each).
  ///
  /// - Precondition: at least one matrix, every width ≥ 0, `chunkRows >= 1`.
  public init(columnCounts: [Int], chunkRows: Int = RowChunker.defaultChunkRows) {
    precondition(!columnCounts.isEmpty, "RowChunker: no matrices")
    precondition(columnCounts.allSatisfy { $0 >= 0 }, "RowChunker: negative width in \(columnCounts)")
    precondition(chunkRows >= 1, "RowChunker: chunkRows must be at least 1, got \(chunkRows)")
    self.columnCounts = columnCounts
    self.chunkRows = chunkRows
    self.rowsPushed = [Int](repeating: 0, count: columnCounts.count)
    self.bufferStart = [Int](repeating: 0, count: columnCounts.count)
    self.buffers = columnCounts.map { width in
      var buffer = [Float]()
      buffer.reserveCapacity(chunkRows * width)
      return buffer
    }
  }

  /// Creates a chunker for a single matrix of `columns` columns.
  public init(columns: Int, chunkRows: Int = RowChunker.defaultChunkRows) {
    self.init(columnCounts: [columns], chunkRows: chunkRows)
  }

  /// Rows pushed for every matrix and not yet handed out.
  private var rowsReady: Int { rowsPushed.reduce(Int.max, min) - rowsEmitted }

  /// The matrix with the fewest rows pushed (the lowest index among ties): the one to feed next to keep memory low.
  public var laggingMatrix: Int {
    var best = 0
    for k in rowsPushed.indices where rowsPushed[k] < rowsPushed[best] { best = k }
    return best
  }

  /// Appends `rows` rows of matrix `matrix` and calls `body` with every chunk that becomes complete.
  ///
  /// - Parameters:
  ///   - block: the rows, row-major, `rows · columnCounts[matrix]` floats (more are ignored).
  ///   - rows: the number of rows in the block; 0 is allowed and does nothing.
  ///   - matrix: which matrix the rows belong to.
  ///   - body: called with each complete chunk, in row order; its pointers are valid only during the call.
  /// - Precondition: `matrix` is in range, `block` holds the rows, `finish(_:)` has not been called.
  /// - Throws: whatever `body` throws; rows of the chunk being handed out when it throws count as emitted.
  public mutating func push<E: Error>(
    _ block: UnsafeBufferPointer<Float>, rows: Int, matrix: Int, _ body: (RowChunk) throws(E) -> Void
  ) throws(E) {
    precondition(!isFinished, "RowChunker.push: called after finish")
    precondition(matrix >= 0 && matrix < columnCounts.count, "RowChunker.push: no matrix \(matrix)")
    let width = columnCounts[matrix]
    precondition(rows >= 0 && block.count >= rows * width,
                 "RowChunker.push: block of \(block.count) floats for \(rows) rows of \(width) columns")
    guard rows > 0 else { return }
    // Drop rows already handed out before growing the buffer: moves only the leftover, once per push.
    if bufferStart[matrix] > 0 {
      buffers[matrix].removeFirst(bufferStart[matrix] * width)
      bufferStart[matrix] = 0
    }
    buffers[matrix].append(contentsOf: UnsafeBufferPointer(rebasing: block[0 ..< rows * width]))
    rowsPushed[matrix] += rows
    while rowsReady >= chunkRows { try emit(rows: chunkRows, body) }
  }

  /// Appends the rows of `block` to matrix `matrix`; see `push(_:rows:matrix:_:)`.
  ///
  /// - Precondition: `block.columns == columnCounts[matrix]`.
  public mutating func push<E: Error>(
    _ block: Matrix, matrix: Int = 0, _ body: (RowChunk) throws(E) -> Void
  ) throws(E) {
    precondition(matrix >= 0 && matrix < columnCounts.count, "RowChunker.push: no matrix \(matrix)")
    precondition(block.columns == columnCounts[matrix],
                 "RowChunker.push: block has \(block.columns) columns, matrix \(matrix) has \(columnCounts[matrix])")
    try block.storage.withUnsafeBufferPointer { (buffer) throws(E) in
      try push(buffer, rows: block.rows, matrix: matrix, body)
    }
  }

  /// Hands the remaining rows (fewer than `chunkRows`, possibly none) to `body` as the final chunk.
  ///
  /// `body` is not called when there are no rows left.
  /// - Precondition: every matrix has had the same number of rows pushed; not already finished.
  public mutating func finish<E: Error>(_ body: (RowChunk) throws(E) -> Void) throws(E) {
    precondition(!isFinished, "RowChunker.finish: called twice")
    precondition(Set(rowsPushed).count == 1, "RowChunker.finish: matrices have different row counts \(rowsPushed)")
    isFinished = true
    let left = rowsPushed[0] - rowsEmitted
    if left > 0 { try emit(rows: left, body) }
  }

  /// Feeds whole in-memory matrices (equal row counts) through a chunker of `chunkRows` rows, one chunk of every
  /// matrix at a time, so that it never holds more than a chunk per matrix: what streaming them from a store gives.
  public static func chunks(
    of matrices: [Matrix], chunkRows: Int = RowChunker.defaultChunkRows, _ body: (RowChunk) -> Void
  ) {
    let n = matrices.first?.rows ?? 0
    var chunker = RowChunker(columnCounts: matrices.map(\.columns), chunkRows: chunkRows)
    for start in stride(from: 0, to: n, by: chunkRows) {
      let rows = min(chunkRows, n - start)
      for (k, matrix) in matrices.enumerated() {
        let width = matrix.columns
        matrix.storage.withUnsafeBufferPointer { storage in
          let block = UnsafeBufferPointer(rebasing: storage[start * width ..< (start + rows) * width])
          chunker.push(block, rows: rows, matrix: k, body)
        }
      }
    }
    chunker.finish(body)
  }

  private mutating func emit<E: Error>(rows: Int, _ body: (RowChunk) throws(E) -> Void) throws(E) {
    let startRow = rowsEmitted
    let starts = bufferStart
    rowsEmitted += rows
    for k in bufferStart.indices { bufferStart[k] += rows }
    try withChunkPointers(starts: starts, rows: rows) { (pointers) throws(E) in
      try body(RowChunk(startRow: startRow, rows: rows, matrices: pointers))
    }
  }

  /// Calls `body` with pointers to `rows` rows of every buffer, starting at `starts[k]`.
  private func withChunkPointers<E: Error>(
    starts: [Int], rows: Int, _ body: ([UnsafeBufferPointer<Float>]) throws(E) -> Void
  ) throws(E) {
    var pointers = [UnsafeBufferPointer<Float>]()
    pointers.reserveCapacity(buffers.count)
    // Nest one withUnsafeBufferPointer per matrix so that every pointer is valid while `body` runs.
    func nest(_ k: Int) throws(E) {
      if k == buffers.count { return try body(pointers) }
      let width = columnCounts[k]
      try buffers[k].withUnsafeBufferPointer { (buffer) throws(E) in
        pointers.append(UnsafeBufferPointer(rebasing: buffer[starts[k] * width ..< (starts[k] + rows) * width]))
        try nest(k + 1)
      }
    }
    try nest(0)
  }
}

/// One compute chunk handed out by `RowChunker`: the same rows of every matrix, row-major.
///
/// The pointers are valid only inside the closure that received the chunk; do not store them.
public struct RowChunk {
  /// The index of the chunk's first row in the whole matrices.
  public let startRow: Int
  /// The number of rows (the chunker's `chunkRows`, or fewer for the final chunk).
  public let rows: Int
  /// For each matrix k, its `rows · columnCounts[k]` floats.
  public let matrices: [UnsafeBufferPointer<Float>]

  /// The rows of matrix `matrix`.
  public subscript(matrix: Int) -> UnsafeBufferPointer<Float> { matrices[matrix] }
}
