import Testing
@testable import RepLearning

/// The bounded heap against a full sort by (distance, index), over seeds, capacities and many ties.
@Suite("TopK")
struct TopKTests {
  @Test("keeps the first k of a sort by (distance, index), whatever the order of the offers",
        arguments: [1, 2, 3, 10, 64])
  func matchesSort(capacity: Int) {
    for seed in 0 ..< 200 as Range<UInt64> {
      var generator = SplitMix64(seed: seed)
      let count = Int.random(in: 0 ... 100, using: &generator)
      // Few distinct distances, so most offers tie with a kept one.
      let pairs = (0 ..< count).map { index in (Double(Int.random(in: 0 ..< 8, using: &generator)), index) }
      var top = TopK(capacity: capacity)
      for (distance, index) in pairs.shuffled(using: &generator) { top.insert(distance, index: index) }
      let expected = pairs.sorted { $0 < $1 }.prefix(capacity)
      let (distances, indices) = top.sorted()
      #expect(distances == expected.map(\.0) && indices == expected.map(\.1), "seed \(seed), \(count) offers")
      #expect(top.isFull == (count >= capacity), "seed \(seed)")
      #expect(top.worstDistance == (count >= capacity ? expected.last?.0 ?? .infinity : .infinity), "seed \(seed)")
    }
  }

  @Test("insert reports whether the pair was kept")
  func insertResult() {
    var top = TopK(capacity: 2)
    let kept = [top.insert(3, index: 5), top.insert(1, index: 9), top.insert(3, index: 6), top.insert(3, index: 4)]
    // (3, 6) ties the worst kept pair with a larger index and is refused; (3, 4) ties it with a smaller one.
    #expect(kept == [true, true, false, true])
    #expect(top.sorted() == ([1, 3], [9, 4]))
  }

  @Test("a capacity below 1 traps")
  func zeroCapacityTraps() async {
    await #expect(processExitsWith: .failure) { _ = TopK(capacity: 0) }
  }
}
