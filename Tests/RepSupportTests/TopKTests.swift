import RepSupport
import Testing

/// The bounded heap against a full sort by (key, index), over seeds, capacities and many ties, in both orders.
@Suite("TopK")
struct TopKTests {
  @Test("keeping the smallest: the first k of a sort by (key, index), whatever the order of the offers",
        arguments: [1, 2, 3, 10, 64])
  func smallestMatchesSort(capacity: Int) {
    for seed in 0 ..< 200 as Range<UInt64> {
      var generator = SplitMix64(seed: seed)
      let count = Int.random(in: 0 ... 100, using: &generator)
      // Few distinct keys, so most offers tie with a kept one.
      let pairs = (0 ..< count).map { index in (Double(Int.random(in: 0 ..< 8, using: &generator)), index) }
      var top = TopK<Double>(capacity: capacity, keeping: .smallest)
      for (key, index) in pairs.shuffled(using: &generator) { top.insert(key, index: index) }
      let expected = pairs.sorted { $0 < $1 }.prefix(capacity)
      let (keys, indices) = top.sorted()
      #expect(keys == expected.map(\.0) && indices == expected.map(\.1), "seed \(seed), \(count) offers")
      #expect(top.isFull == (count >= capacity), "seed \(seed)")
      #expect(top.worst == (count >= capacity ? expected.last?.0 : nil), "seed \(seed)")
    }
  }

  @Test("keeping the largest: the first k of a sort by (−key, index), ties included")
  func largestMatchesSort() {
    var top = TopK<Float>(capacity: 1, keeping: .largest)
    for seed: UInt64 in 0 ..< 2000 {
      var generator = SplitMix64(seed: seed)
      let count = Int.random(in: 1 ... 40, using: &generator)
      let k = Int.random(in: 1 ... count, using: &generator)
      // Few distinct keys, so ties are common; offered in a random index order.
      let keys = (0 ..< count).map { _ in Float(Int.random(in: -3 ... 3, using: &generator)) / 4 }
      if top.capacity != k { top = TopK(capacity: k, keeping: .largest) }
      top.removeAll()
      for index in (0 ..< count).shuffled(using: &generator) { top.insert(keys[index], index: index) }
      let expected = (0 ..< count).sorted { (keys[$0], -$0) > (keys[$1], -$1) }.prefix(k)
      #expect(Set(top.indices) == Set(expected), "seed \(seed): n = \(count), k = \(k)")
      #expect(top.sorted().indices == Array(expected), "seed \(seed): n = \(count), k = \(k)")
    }
  }

  @Test("insert reports whether the pair was kept")
  func insertResult() {
    var top = TopK<Double>(capacity: 2, keeping: .smallest)
    let kept = [top.insert(3, index: 5), top.insert(1, index: 9), top.insert(3, index: 6), top.insert(3, index: 4)]
    // (3, 6) ties the worst kept pair with a larger index and is refused; (3, 4) ties it with a smaller one.
    #expect(kept == [true, true, false, true])
    #expect(top.sorted() == ([1, 3], [9, 4]))
  }

  @Test("a NaN key is never better than a kept pair")
  func nanIsNeverBetter() {
    var top = TopK<Float>(capacity: 2, keeping: .largest)
    top.insert(0.5, index: 0)
    top.insert(0.25, index: 1)
    let kept = top.insert(.nan, index: 2)
    #expect(!kept)
    #expect(top.sorted().indices == [0, 1])
  }

  @Test("a capacity below 1 traps")
  func zeroCapacityTraps() async {
    await #expect(processExitsWith: .failure) { _ = TopK<Double>(capacity: 0, keeping: .smallest) }
  }
}
