/// The `capacity` smallest (distance, index) pairs among those offered, kept in a bounded binary max-heap.
///
/// Smaller distances win, and for equal distances the smaller index, so the kept set is exactly the first `capacity`
/// pairs of a sort by (distance, index) whatever the order of the offers: the tie rule that makes a search
/// deterministic. The root is the worst kept pair, so an offer is compared with it once and, when better, replaces it
/// with one sift; a full sort of all n candidates is never needed. Distances must not be NaN.
///
/// - Complexity: `insert` is O(log `capacity`) comparisons; memory O(`capacity`).
struct TopK: Sendable {
  /// The most pairs kept (k).
  let capacity: Int
  /// The kept distances in heap order, the worst at index 0.
  private(set) var distances: [Double] = []
  /// The kept indices, parallel to `distances`.
  private(set) var indices: [Int] = []

  /// - Precondition: `capacity >= 1`.
  init(capacity: Int) {
    precondition(capacity >= 1, "TopK: capacity must be at least 1, got \(capacity)")
    self.capacity = capacity
    distances.reserveCapacity(capacity)
    indices.reserveCapacity(capacity)
  }

  /// Whether `capacity` pairs are kept, so that only offers better than `worstDistance` can enter.
  var isFull: Bool { distances.count == capacity }

  /// The largest kept distance once full; +∞ before, when any offer is kept.
  var worstDistance: Double { isFull ? distances[0] : .infinity }

  /// Offers one pair; it is kept when fewer than `capacity` are held or it is better than the worst kept.
  ///
  /// - Returns: whether the pair was kept.
  /// - Complexity: O(log `capacity`).
  @discardableResult
  mutating func insert(_ distance: Double, index: Int) -> Bool {
    if distances.count < capacity {
      distances.append(distance)
      indices.append(index)
      siftUp(distances.count - 1)
      return true
    }
    guard isWorse(0, than: distance, index) else { return false }
    distances[0] = distance
    indices[0] = index
    siftDown(0, count: distances.count)
    return true
  }

  /// The kept pairs, best first: an in-place heapsort of a copy.
  ///
  /// - Complexity: O(`capacity` log `capacity`).
  func sorted() -> (distances: [Double], indices: [Int]) {
    var heap = self
    for end in stride(from: heap.distances.count - 1, to: 0, by: -1) {
      heap.swapAt(0, end)
      heap.siftDown(0, count: end)
    }
    return (heap.distances, heap.indices)
  }

  /// Whether the kept pair at heap position `position` is worse than (distance, index).
  private func isWorse(_ position: Int, than distance: Double, _ index: Int) -> Bool {
    distances[position] > distance || (distances[position] == distance && indices[position] > index)
  }

  private mutating func swapAt(_ a: Int, _ b: Int) {
    distances.swapAt(a, b)
    indices.swapAt(a, b)
  }

  private mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard isWorse(child, than: distances[parent], indices[parent]) else { return }
      swapAt(child, parent)
      child = parent
    }
  }

  /// Restores the heap property below `start` within the first `count` positions.
  private mutating func siftDown(_ start: Int, count: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < count else { return }
      var worst = left
      let right = left + 1
      if right < count && isWorse(right, than: distances[left], indices[left]) { worst = right }
      guard isWorse(worst, than: distances[parent], indices[parent]) else { return }
      swapAt(worst, parent)
      parent = worst
    }
  }
}
