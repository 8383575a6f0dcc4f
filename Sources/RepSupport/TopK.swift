/// The `capacity` best (key, index) pairs among those offered, kept in a bounded binary heap.
///
/// The better key is the smaller one when keeping `.smallest` (distances) and the larger one when keeping `.largest`
/// (similarities); for equal keys the lower index is better. So the kept set is exactly the first `capacity` pairs of
/// a sort by (key, index), whatever the order of the offers: the tie rule that makes a neighbour search deterministic.
/// The root is the worst kept pair, so an offer is compared with it once and, when better, replaces it with one sift;
/// a full sort of all n candidates is never needed. A NaN key is never better than a kept pair.
///
/// Inlinable because callers offer n² pairs in their innermost loops: there it must be specialised and inlined.
/// - Complexity: `insert` is O(log `capacity`) comparisons; memory O(`capacity`).
public struct TopK<Key: Comparable & Sendable>: Sendable {
  /// Which keys are better.
  public enum Order: Sendable {
    /// Smaller keys are better (distances).
    case smallest
    /// Larger keys are better (similarities).
    case largest
  }

  /// The most pairs kept (k).
  public let capacity: Int
  /// Which keys are kept.
  public let order: Order
  @usableFromInline var heapKeys: [Key] = []
  @usableFromInline var heapIndices: [Int] = []

  /// - Precondition: `capacity >= 1`.
  @inlinable
  public init(capacity: Int, keeping order: Order) {
    precondition(capacity >= 1, "TopK: capacity must be at least 1, got \(capacity)")
    self.capacity = capacity
    self.order = order
    heapKeys.reserveCapacity(capacity)
    heapIndices.reserveCapacity(capacity)
  }

  /// The kept keys in heap order, the worst at index 0.
  @inlinable public var keys: [Key] { heapKeys }

  /// The kept indices, parallel to `keys` (in no useful order).
  @inlinable public var indices: [Int] { heapIndices }

  /// Whether `capacity` pairs are kept, so that only offers better than `worst` can enter.
  @inlinable public var isFull: Bool { heapKeys.count == capacity }

  /// The worst kept key once full; nil before, when any offer is kept.
  @inlinable public var worst: Key? { isFull ? heapKeys[0] : nil }

  /// Forgets every pair, keeping the storage.
  @inlinable
  public mutating func removeAll() {
    heapKeys.removeAll(keepingCapacity: true)
    heapIndices.removeAll(keepingCapacity: true)
  }

  /// Offers one pair; it is kept when fewer than `capacity` are held or it is better than the worst kept.
  ///
  /// - Returns: whether the pair was kept.
  /// - Complexity: O(log `capacity`).
  @inlinable @discardableResult
  public mutating func insert(_ key: Key, index: Int) -> Bool {
    if heapKeys.count < capacity {
      heapKeys.append(key)
      heapIndices.append(index)
      siftUp(heapKeys.count - 1)
      return true
    }
    guard isWorse(0, than: key, index) else { return false }
    heapKeys[0] = key
    heapIndices[0] = index
    siftDown(0, count: heapKeys.count)
    return true
  }

  /// The kept pairs, best first: an in-place heapsort of a copy.
  ///
  /// - Complexity: O(`capacity` log `capacity`).
  @inlinable
  public func sorted() -> (keys: [Key], indices: [Int]) {
    var heap = self
    for end in stride(from: heap.heapKeys.count - 1, to: 0, by: -1) {
      heap.swapAt(0, end)
      heap.siftDown(0, count: end)
    }
    return (heap.heapKeys, heap.heapIndices)
  }

  /// Whether the kept pair at heap position `position` is worse than (key, index).
  @inlinable
  func isWorse(_ position: Int, than key: Key, _ index: Int) -> Bool {
    let kept = heapKeys[position]
    let isBetterKey = order == .smallest ? key < kept : key > kept
    return isBetterKey || (kept == key && heapIndices[position] > index)
  }

  @inlinable
  mutating func swapAt(_ a: Int, _ b: Int) {
    heapKeys.swapAt(a, b)
    heapIndices.swapAt(a, b)
  }

  @inlinable
  mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard isWorse(child, than: heapKeys[parent], heapIndices[parent]) else { return }
      swapAt(child, parent)
      child = parent
    }
  }

  /// Restores the heap property below `start` within the first `count` positions.
  @inlinable
  mutating func siftDown(_ start: Int, count: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < count else { return }
      var worst = left
      let right = left + 1
      if right < count && isWorse(right, than: heapKeys[left], heapIndices[left]) { worst = right }
      guard isWorse(worst, than: heapKeys[parent], heapIndices[parent]) else { return }
      swapAt(worst, parent)
      parent = worst
    }
  }
}
