import RepSupport

/// One query's candidates while screened keys stream past: what screening could not rule out, with exact keys
/// computed as late as possible. Shared by the exact neighbour searches (`NearestNeighbours` in RepLearning, keys
/// s²·D; `CosineNeighbours` in RepMeasures, keys −cos with s = 1), whose screening bound is `Float32ProductBound`.
///
/// Smaller keys are better. Each candidate arrives with bounds lower ≤ s²·(key + c) ≤ upper, where key is the exact
/// key (`distance(index)`), s² the factor and c the offset from exact to screened units (c = 0 for distances; for
/// keys −cos of unit rows, whose screened distance is s²·(2 − 2cos), the factor is 2s² and c = 1). Candidates whose lower bound exceeds
/// `threshold` are dropped by the caller; the rest wait in `pending`. The threshold is the smaller of the k-th
/// smallest upper bound seen and the k-th exact key computed in screened units, both bounds on the final k-th key,
/// so nothing dropped can be among the best k, ties included. Exact keys are computed only for candidates still
/// pending at the end, typically k plus a few, instead of for every one that was briefly among the best k on the way
/// (about k·ln(n/k) of them). If near-ties keep `pending` full, it is flushed into `exact` early, so memory stays
/// bounded. The result is the first k of a sort by (exact key, index): ties go to the lower index.
///
/// - Complexity: O(log k) per candidate offered; memory O(k + `pendingCapacity`).
package struct ScreenedCandidates {
  /// The k smallest upper bounds offered (screened units); their indices are not used.
  private var upperBounds: TopK<Double>
  /// Exact distances of flushed rows, ranked by (distance, index): the result.
  private var exact: TopK<Double>
  /// Rows not ruled out yet: lower bound (screened units) and base index, in arrival order.
  private var pendingBounds: [Double] = []
  private var pendingIndices: [Int] = []
  /// The most rows pending before they are pruned, and flushed if pruning does not halve them.
  private let pendingCapacity: Int
  /// s² and c: an exact key e is s²·(e + c) in screened units.
  private let scaleSquared: Double
  private let offset: Double

  /// - Parameters:
  ///   - k: the number kept (≥ 1).
  ///   - scaleSquared: s², the factor from exact keys to screened units.
  ///   - offset: c, added to an exact key before the factor (0 for distances).
  package init(k: Int, scaleSquared: Double, offset: Double = 0) {
    upperBounds = TopK(capacity: k, keeping: .smallest)
    exact = TopK(capacity: k, keeping: .smallest)
    pendingCapacity = 2 * k + 256
    self.scaleSquared = scaleSquared
    self.offset = offset
  }

  /// Rows whose lower bound exceeds this (screened units) cannot be neighbours.
  package var threshold: Double {
    min(upperBounds.worst ?? .infinity, ((exact.worst ?? .infinity) + offset) * scaleSquared)
  }

  /// Adds a row that passed `threshold`; `distance(index)` gives its exact distance if it must be computed now.
  @inline(__always)
  package mutating func add(lowerBound: Double, upperBound: Double, index: Int, distance: (Int) -> Double) {
    upperBounds.insert(upperBound, index: index)
    pendingBounds.append(lowerBound)
    pendingIndices.append(index)
    if pendingBounds.count >= pendingCapacity { prune(flushingIfFull: true, distance: distance) }
  }

  /// The neighbours, nearest first: the pending rows that survive the final threshold, ranked exactly.
  package mutating func finish(distance: (Int) -> Double) -> (distances: [Double], indices: [Int]) {
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
