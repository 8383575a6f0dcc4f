import RepSupport

extension NearestNeighbours {
  /// One query's candidates while the base blocks stream past: what screening could not rule out, with exact
  /// distances computed as late as possible.
  ///
  /// Each base row arrives with bounds lower ≤ s²·D ≤ upper (`ScreeningFrame`). Rows whose lower bound exceeds
  /// `threshold` are dropped by the caller; the rest wait in `pending`. The threshold is the smaller of the k-th
  /// smallest upper bound seen and s² times the k-th exact distance computed, both bounds on s² times the final k-th
  /// distance, so nothing dropped can be a neighbour. Exact distances are computed only for rows still pending at
  /// the end, typically k plus a few, instead of for every row that was briefly among the best k on the way (about
  /// k·ln(n/k) of them). If near-ties keep `pending` full, it is flushed into `exact` early, so memory stays bounded.
  ///
  /// - Complexity: O(log k) per row offered; memory O(k + `pendingCapacity`).
  struct QueryCandidates {
    /// The k smallest upper bounds offered (screened units); their indices are not used.
    private var upperBounds: TopK<Double>
    /// Exact distances of flushed rows, ranked by (distance, index): the result.
    private var exact: TopK<Double>
    /// Rows not ruled out yet: lower bound (screened units) and base index, in arrival order.
    private var pendingBounds: [Double] = []
    private var pendingIndices: [Int] = []
    /// The most rows pending before they are pruned, and flushed if pruning does not halve them.
    private let pendingCapacity: Int
    /// s², from exact distances to screened units.
    private let scaleSquared: Double

    init(k: Int, scaleSquared: Double) {
      upperBounds = TopK(capacity: k, keeping: .smallest)
      exact = TopK(capacity: k, keeping: .smallest)
      pendingCapacity = 2 * k + 256
      self.scaleSquared = scaleSquared
    }

    /// Rows whose lower bound exceeds this (screened units) cannot be neighbours.
    var threshold: Double { min(upperBounds.worst ?? .infinity, (exact.worst ?? .infinity) * scaleSquared) }

    /// Adds a row that passed `threshold`; `distance(index)` gives its exact distance if it must be computed now.
    @inline(__always)
    mutating func add(lowerBound: Double, upperBound: Double, index: Int, distance: (Int) -> Double) {
      upperBounds.insert(upperBound, index: index)
      pendingBounds.append(lowerBound)
      pendingIndices.append(index)
      if pendingBounds.count >= pendingCapacity { prune(flushingIfFull: true, distance: distance) }
    }

    /// The neighbours, nearest first: the pending rows that survive the final threshold, ranked exactly.
    mutating func finish(distance: (Int) -> Double) -> (distances: [Double], indices: [Int]) {
      prune(flushingIfFull: false, distance: distance)
      flush(distance: distance)
      let (distances, indices) = exact.sorted()
      return (distances, indices)
    }

    /// Drops pending rows above `threshold`; flushes the rest if they still fill half the capacity.
    private mutating func prune(flushingIfFull: Bool, distance: (Int) -> Double) {
      let limit = threshold
      var kept = 0
      for p in pendingBounds.indices where pendingBounds[p] <= limit {
        pendingBounds[kept] = pendingBounds[p]
        pendingIndices[kept] = pendingIndices[p]
        kept += 1
      }
      pendingBounds.removeSubrange(kept...)
      pendingIndices.removeSubrange(kept...)
      if flushingIfFull && 2 * kept >= pendingCapacity { flush(distance: distance) }
    }

    /// Computes the exact distance of every pending row into `exact`.
    private mutating func flush(distance: (Int) -> Double) {
      for index in pendingIndices { exact.insert(distance(index), index: index) }
      pendingBounds.removeAll(keepingCapacity: true)
      pendingIndices.removeAll(keepingCapacity: true)
    }
  }
}
