import RepMath

/// The k nearest base rows of each query row in squared Euclidean distance, found exactly: the neighbours a flat L2
/// index (FAISS `IndexFlatL2`) returns, ranked as a Float64 brute force ranks them.
///
/// ContraSim's hard negatives are each example's nearest neighbours in the raw representation space, the example
/// itself excluded: `selfSearch(_:k:)`. For query q and base row b (Float32 rows of width d) the distance is
///
/// ```
/// D(q, b) = Σₜ (qₜ − bₜ)²   in Float64, from the Float32 elements
/// ```
///
/// and each query's neighbours are the first k base rows of a sort by (D, index): nearest first, exact ties to the
/// smaller index, so results are deterministic. The reported `squaredDistances` are these Float64 values.
///
/// **Method.** Distances are screened block by block with the GEMM form ‖q‖² + ‖b‖² − 2·q·b, the products from one
/// Float32 `sgemm` per block of query rows × base rows, so memory is bounded by the block, never n². The rows are
/// first shifted by the base's column means, so a large common offset costs no precision. A rigorous bound on the
/// rounding of each screened value (`ScreeningFrame`) rules out every base row that cannot beat the k-th neighbour;
/// the survivors (`ScreenedCandidates`), usually k plus a few, get their exact Float64 distance from the original rows
/// and are ranked in a bounded heap (`TopK`). Near-ties that Float32 products cannot separate are thus decided in
/// Float64: the result is the Float64 ranking, not an approximation of it, whatever the block sizes or threads.
///
/// ```swift
/// let negatives = try NearestNeighbours.selfSearch(activations, k: 10)
/// let hardest = negatives.indices(ofQuery: 0).first   // row 0's nearest other row
/// ```
///
/// ## Topics
/// - Searching: `search(queries:in:k:excluding:)`, `selfSearch(_:k:)`
/// - Results: `indices(ofQuery:)`, `squaredDistances(ofQuery:)`, `indices`, `squaredDistances`
public struct NearestNeighbours: Sendable, Equatable {
  /// The number of query rows.
  public let queryCount: Int
  /// The number of neighbours per query.
  public let k: Int
  /// Query i's neighbours, nearest first, at `i·k ..< (i+1)·k` (row-major `queryCount`×`k`).
  public let indices: [Int]
  /// The squared distances of `indices`, in Float64, at the same positions.
  public let squaredDistances: [Double]

  /// Query `query`'s neighbours (base row indices), nearest first.
  ///
  /// - Precondition: `0 <= query < queryCount`.
  public func indices(ofQuery query: Int) -> ArraySlice<Int> {
    precondition(query >= 0 && query < queryCount, "NearestNeighbours: query \(query) outside 0..<\(queryCount)")
    return indices[(query * k) ..< ((query + 1) * k)]
  }

  /// The squared distances from query `query` to its neighbours, ascending.
  ///
  /// - Precondition: `0 <= query < queryCount`.
  public func squaredDistances(ofQuery query: Int) -> ArraySlice<Double> {
    precondition(query >= 0 && query < queryCount, "NearestNeighbours: query \(query) outside 0..<\(queryCount)")
    return squaredDistances[(query * k) ..< ((query + 1) * k)]
  }

  /// The `k` nearest rows of `base` to each row of `queries`, optionally excluding one base row per query.
  ///
  /// Runs on `BLAS.threadCount` workers that each take whole blocks of queries; while they run, OpenBLAS is set to
  /// one thread (and restored afterwards), so no other thread should call BLAS meanwhile.
  /// - Parameters:
  ///   - queries: m×d rows whose neighbours are wanted.
  ///   - base: n×d rows searched.
  ///   - k: neighbours per query, 1 ≤ k ≤ n (n − 1 with `excluding`).
  ///   - excluded: if given, one base index per query that the query may not return (itself, for a search of a
  ///     matrix against itself).
  /// - Returns: m×k neighbours, nearest first, ties to the smaller index.
  /// - Throws: `NeighbourSearchError` `.widthMismatch`, `.exclusionCount`, `.excludedIndexOutOfRange`,
  ///   `.neighbourCount`, or `.nonFinite` for a NaN or infinite element.
  /// - Complexity: 2·m·n·d flops in Float32 (`sgemm`), O(m·n) screening steps, and about 3·(k + a few)·m·d Float64
  ///   flops for the exact distances, more where many rows lie within rounding of the k-th. Memory besides the inputs
  ///   and the m·k result: per worker 1024·4096 + 5120·d floats for one block and O(k + 256) per query of the
  ///   block, plus O(m + n) Float64 norms.
  public static func search(
    queries: Matrix, in base: Matrix, k: Int, excluding excluded: [Int]? = nil
  ) throws -> NearestNeighbours {
    try search(queries: queries, in: base, k: k, excluding: excluded, blocks: .standard, workerCount: BLAS.threadCount)
  }

  /// Each row's `k` nearest other rows of `x`: ContraSim's hard negatives.
  ///
  /// The same as `search(queries: x, in: x, k: k, excluding: Array(0 ..< x.rows))`. A duplicate of a row is a
  /// neighbour at distance 0, not the row itself.
  /// - Throws: `NeighbourSearchError.neighbourCount` unless 1 ≤ k < n, `.nonFinite` for a NaN or infinite element.
  /// - Complexity: as `search(queries:in:k:excluding:)` with m = n.
  public static func selfSearch(_ x: Matrix, k: Int) throws -> NearestNeighbours {
    try search(queries: x, in: x, k: k, excluding: Array(0 ..< x.rows))
  }

  /// `search(queries:in:k:excluding:)` with the block shape and the worker count chosen, for tests.
  static func search(
    queries: Matrix, in base: Matrix, k: Int, excluding excluded: [Int]?, blocks: BlockShape, workerCount: Int
  ) throws -> NearestNeighbours {
    try validate(queries: queries, base: base, k: k, excluded: excluded)
    let frame = try ScreeningFrame(queries: queries, base: base)
    let (indices, squaredDistances) = blockedSearch(
      queries: queries, base: base, k: k, excluded: excluded, frame: frame, blocks: blocks, workerCount: workerCount)
    return NearestNeighbours(queryCount: queries.rows, k: k, indices: indices, squaredDistances: squaredDistances)
  }

  /// Throws for arguments that describe no search; the data itself is checked by `ScreeningFrame`.
  private static func validate(queries: Matrix, base: Matrix, k: Int, excluded: [Int]?) throws {
    guard queries.columns == base.columns else {
      throw NeighbourSearchError.widthMismatch(queryColumns: queries.columns, baseColumns: base.columns)
    }
    if let excluded {
      guard excluded.count == queries.rows else {
        throw NeighbourSearchError.exclusionCount(excludedCount: excluded.count, queryCount: queries.rows)
      }
      if let query = excluded.firstIndex(where: { $0 < 0 || $0 >= base.rows }) {
        throw NeighbourSearchError.excludedIndexOutOfRange(query: query, index: excluded[query], baseRows: base.rows)
      }
    }
    // One excluded row per query leaves n − 1 candidates; an exclusion list means n − 1 even when it is empty.
    let candidateCount = excluded == nil ? base.rows : max(0, base.rows - 1)
    guard k >= 1 && k <= candidateCount else {
      throw NeighbourSearchError.neighbourCount(k: k, candidateCount: candidateCount, baseRows: base.rows)
    }
  }
}
