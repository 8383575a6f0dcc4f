import RepMath
import RepSupport

extension NearestNeighbours {
  /// Rows per block: each `sgemm` fills a `queryRows`×`baseRows` block of Float32 products.
  ///
  /// 1024 × 4096 bounds each worker's products at 16 MB and its screened rows at 5120·d floats, and is large enough
  /// for OpenBLAS to run near its peak.
  struct BlockShape: Sendable, Equatable {
    var queryRows: Int
    var baseRows: Int

    static let standard = BlockShape(queryRows: 1024, baseRows: 4096)
  }

  /// The search proper, on validated arguments: for each block of queries, every block of base rows is screened
  /// through one `sgemm`, and each query keeps the rows it cannot rule out (`ScreenedCandidates`, in RepMath) until their exact
  /// distances decide.
  ///
  /// **Threads.** `workerCount` workers each take whole query blocks, with OpenBLAS single-threaded meanwhile, as
  /// `TableExecutor` evaluates cells; query blocks are made small enough that every worker gets one. Measured on the
  /// 2-core development machine (release build, 20,000 × 768 self-search, k = 10, best of 2 runs on an idle machine;
  /// `NearestNeighboursBenchmark`): the `sgemm` calls alone take 3.24 s on two BLAS threads and 6.11 s on one; the
  /// whole search 6.83 s on one core, 3.58 s on two workers (this design), 3.92 s on one worker with two-threaded
  /// `sgemm` calls. Screening on two workers between two-threaded `sgemm` calls was slower still (4.20 s against
  /// 3.63 s for this design, measured with an earlier screening loop): OpenBLAS's threads keep spinning after each
  /// call and fight the screening for the cores.
  static func blockedSearch(
    queries: Matrix, base: Matrix, k: Int, excluded: [Int]?, frame: ScreeningFrame, blocks: BlockShape,
    workerCount: Int
  ) -> (indices: [Int], squaredDistances: [Double]) {
    precondition(blocks.queryRows >= 1 && blocks.baseRows >= 1, "NearestNeighbours: empty block shape \(blocks)")
    let m = queries.rows
    let workerCount = max(1, workerCount)
    let queryRows = max(1, min(blocks.queryRows, (m + workerCount - 1) / workerCount))
    let blockCount = (m + queryRows - 1) / queryRows
    let workers = min(workerCount, blockCount)
    var indices = [Int](repeating: 0, count: m * k)
    var distances = [Double](repeating: 0, count: m * k)
    let queryNorms = screenedNorms(of: queries, frame: frame, addingAbsoluteSlack: true, workerCount: workerCount)
    let baseNorms = screenedNorms(of: base, frame: frame, addingAbsoluteSlack: false, workerCount: workerCount)
    BLAS.withSingleThread(if: workers > 1) {
      queries.storage.withUnsafeBufferPointer { queryRowsStorage in
        base.storage.withUnsafeBufferPointer { baseRowsStorage in
          indices.withUnsafeMutableBufferPointer { indices in
            distances.withUnsafeMutableBufferPointer { distances in
              let search = BlockSearch(
                queries: queryRowsStorage, base: baseRowsStorage, rowCount: base.rows, columns: base.columns, k: k,
                exclusions: excluded ?? [Int](repeating: -1, count: m), queryNorms: queryNorms, baseNorms: baseNorms,
                baseCutoffs: baseNorms.map { ($0.squaredNorm - $0.slack) / 2 },
                frame: frame, baseBlockRows: blocks.baseRows, indices: indices, squaredDistances: distances)
              runWorkers(workers) { worker in
                var scratch = BlockScratch()
                for b in stride(from: worker, to: blockCount, by: workers) {
                  search.run(queries: (b * queryRows) ..< min(m, (b + 1) * queryRows), scratch: &scratch)
                }
              }
            }
          }
        }
      }
    }
    return (indices, distances)
  }

  /// A screened row's squared norm ‖x̃‖² and its share of the slack, γ·‖x̃‖² (plus η for queries).
  struct ScreenedNorm: Sendable {
    var squaredNorm: Double
    var slack: Double
  }

  /// The `ScreenedNorm` of every row of `matrix`, in Float64.
  private static func screenedNorms(
    of matrix: Matrix, frame: ScreeningFrame, addingAbsoluteSlack: Bool, workerCount: Int
  ) -> [ScreenedNorm] {
    var norms = [Double](repeating: 0, count: matrix.rows)
    let d = matrix.columns
    matrix.storage.withUnsafeBufferPointer { source in
      norms.withUnsafeMutableBufferPointer { target in
        guard d > 0, let source = source.baseAddress, let target = target.baseAddress else { return }
        forEachRowRange(matrix.rows, threads: workerCount, minimumRows: 1) { rows in
          frame.squaredNorms(source + rows.lowerBound * d, rowCount: rows.count, into: target + rows.lowerBound)
        }
      }
    }
    let absoluteSlack = addingAbsoluteSlack ? frame.absoluteSlack : 0
    return norms.map { ScreenedNorm(squaredNorm: $0, slack: frame.slackPerSquaredNorm * $0 + absoluteSlack) }
  }

  /// One worker's buffers, reused from block to block: screened query and base rows, and their products.
  struct BlockScratch {
    var queryBlock = Matrix(rows: 0, columns: 0)
    var baseBlock = Matrix(rows: 0, columns: 0)
    var products = Matrix(rows: 0, columns: 0)
  }

  /// Everything the workers share, read-only except for each query's own k result slots.
  ///
  /// Unchecked `Sendable`: the pointers stay valid inside `blockedSearch`'s `withUnsafe…` closures, the inputs are not
  /// written, and each query block's output slots are written by the one worker that owns the block.
  struct BlockSearch: @unchecked Sendable {
    /// The original rows, row-major, for screening and exact distances.
    let queries: UnsafeBufferPointer<Float>
    let base: UnsafeBufferPointer<Float>
    /// The base row count n and the width d.
    let rowCount: Int
    let columns: Int
    let k: Int
    /// One base index per query that it may not return, or −1.
    let exclusions: [Int]
    let queryNorms: [ScreenedNorm]
    let baseNorms: [ScreenedNorm]
    /// (‖b̃ⱼ‖² − s_j)/2 for each base row: its half of the screening cutoff.
    let baseCutoffs: [Double]
    let frame: ScreeningFrame
    /// Base rows per `sgemm`.
    let baseBlockRows: Int
    /// The result, m×k row-major, filled block by block.
    let indices: UnsafeMutableBufferPointer<Int>
    let squaredDistances: UnsafeMutableBufferPointer<Double>

    /// Searches the query rows `queryRange` against every base block and writes their k neighbours.
    ///
    /// - Complexity: 2·|queryRange|·n·d flops (`sgemm`), |queryRange|·n screening steps, and the exact distances of
    ///   the survivors.
    func run(queries queryRange: Range<Int>, scratch: inout BlockScratch) {
      screen(queries, rows: queryRange, into: &scratch.queryBlock)
      let scaleSquared = frame.scale * frame.scale
      var candidates = queryRange.map { _ in ScreenedCandidates(k: k, scaleSquared: scaleSquared) }
      for baseStart in stride(from: 0, to: rowCount, by: baseBlockRows) {
        let baseRange = baseStart ..< min(rowCount, baseStart + baseBlockRows)
        screen(base, rows: baseRange, into: &scratch.baseBlock)
        if scratch.products.rows != queryRange.count || scratch.products.columns != baseRange.count {
          scratch.products = Matrix(rows: queryRange.count, columns: baseRange.count)
        }
        BLAS.multiply(scratch.queryBlock, .none, scratch.baseBlock, .transposed, into: &scratch.products)
        scratch.products.storage.withUnsafeBufferPointer { dots in
          guard let dots = dots.baseAddress else { return }  // no products: an empty block
          for (r, i) in queryRange.enumerated() {
            offer(query: i, dots: dots + r * baseRange.count, baseRange: baseRange, to: &candidates[r])
          }
        }
      }
      for (r, i) in queryRange.enumerated() {
        let (distances, neighbours) = candidates[r].finish { j in exactSquaredDistance(i, j) }
        for p in 0 ..< k { (indices[i * k + p], squaredDistances[i * k + p]) = (neighbours[p], distances[p]) }
      }
    }

    /// Offers query `i` every base row of `baseRange` that screening cannot rule out, except its excluded one.
    ///
    /// Row j's lower bound ‖q̃‖² + ‖b̃ⱼ‖² − 2·dot − slack exceeds the threshold T when
    /// dot < (‖q̃‖² − s_q − T)/2 + (‖b̃ⱼ‖² − s_j)/2, so the loop makes one comparison per row with the base half
    /// precomputed (`baseCutoffs`), and the clamp at 0, which cannot change the outcome, is left to rows that pass.
    /// - Complexity: O(|baseRange|) comparisons, plus O(log k) per row that passes.
    @inline(__always)
    private func offer(
      query i: Int, dots: UnsafePointer<Float>, baseRange: Range<Int>, to candidates: inout ScreenedCandidates
    ) {
      let (norm, excluded) = (queryNorms[i], exclusions[i])
      var queryCutoff = (norm.squaredNorm - norm.slack - candidates.threshold) / 2
      baseNorms.withUnsafeBufferPointer { baseNorms in
        baseCutoffs.withUnsafeBufferPointer { baseCutoffs in
          guard let cutoffs = baseCutoffs.baseAddress.map({ $0 + baseRange.lowerBound }) else { return }
          for c in 0 ..< baseRange.count where Double(dots[c]) >= queryCutoff + cutoffs[c] {
            let j = baseRange.lowerBound + c
            if j == excluded { continue }
            let screened = max(0, norm.squaredNorm + baseNorms[j].squaredNorm - 2 * Double(dots[c]))
            let slack = norm.slack + baseNorms[j].slack
            candidates.add(lowerBound: screened - slack, upperBound: screened + slack, index: j) { j in
              exactSquaredDistance(i, j)
            }
            queryCutoff = (norm.squaredNorm - norm.slack - candidates.threshold) / 2
          }
        }
      }
    }

    /// D between query row `i` and base row `j` (`exactSquaredDistance(_:_:count:)`); 0 without columns.
    private func exactSquaredDistance(_ i: Int, _ j: Int) -> Double {
      guard columns > 0, let queries = queries.baseAddress, let base = base.baseAddress else { return 0 }
      return NearestNeighbours.exactSquaredDistance(queries + i * columns, base + j * columns, count: columns)
    }

    /// Writes `rows` of `source` screened into `block`, reshaped to `rows.count`×d.
    private func screen(_ source: UnsafeBufferPointer<Float>, rows: Range<Int>, into block: inout Matrix) {
      if block.rows != rows.count || block.columns != columns { block = Matrix(rows: rows.count, columns: columns) }
      guard columns > 0, let source = source.baseAddress else { return }
      block.storage.withUnsafeMutableBufferPointer { target in
        guard let target = target.baseAddress else { return }
        frame.screen(source + rows.lowerBound * columns, rowCount: rows.count, into: target)
      }
    }
  }
}
