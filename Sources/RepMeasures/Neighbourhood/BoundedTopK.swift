/// The best `capacity` (score, index) pairs among those offered, kept in a bounded binary heap.
///
/// "Better" means a larger score, and for equal scores the lower index, so the kept set is exactly the first
/// `capacity` pairs of a sort by (−score, index), the tie rule of `mknn`. The heap's root is the worst kept pair, so a
/// new pair is compared with it once and, when better, replaces it with one sift. NaN scores are never better than
/// a kept pair.
///
/// - Complexity: `insert` is O(log `capacity`) comparisons; memory O(`capacity`).
struct BoundedTopK {
  /// The most pairs kept (k).
  let capacity: Int
  /// The kept scores, in heap order (the worst at index 0).
  private(set) var scores: [Float] = []
  /// The kept indices, parallel to `scores`.
  private(set) var indices: [Int] = []

  /// - Precondition: `capacity >= 1`.
  init(capacity: Int) {
    precondition(capacity >= 1, "BoundedTopK: capacity must be at least 1, got \(capacity)")
    self.capacity = capacity
    scores.reserveCapacity(capacity)
    indices.reserveCapacity(capacity)
  }

  /// Forgets every pair, keeping the storage.
  mutating func removeAll() {
    scores.removeAll(keepingCapacity: true)
    indices.removeAll(keepingCapacity: true)
  }

  /// Offers one pair; it is kept when fewer than `capacity` pairs are held or it is better than the worst kept.
  ///
  /// - Complexity: O(log `capacity`).
  mutating func insert(_ score: Float, index: Int) {
    if scores.count < capacity {
      scores.append(score)
      indices.append(index)
      siftUp(scores.count - 1)
    } else if isWorse(0, than: score, index) {
      scores[0] = score
      indices[0] = index
      siftDown(0)
    }
  }

  /// Whether the kept pair at heap position `position` is worse than (score, index).
  private func isWorse(_ position: Int, than score: Float, _ index: Int) -> Bool {
    scores[position] < score || (scores[position] == score && indices[position] > index)
  }

  private mutating func swapAt(_ a: Int, _ b: Int) {
    scores.swapAt(a, b)
    indices.swapAt(a, b)
  }

  private mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard isWorse(child, than: scores[parent], indices[parent]) else { return }
      swapAt(child, parent)
      child = parent
    }
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < scores.count else { return }
      var worst = left
      let right = left + 1
      if right < scores.count && isWorse(right, than: scores[left], indices[left]) { worst = right }
      guard isWorse(worst, than: scores[parent], indices[parent]) else { return }
      swapAt(worst, parent)
      parent = worst
    }
  }
}
