import RepMath
import Testing

@Suite("Row ranges")
struct RowRangesTests {
  @Test("the ranges cover every row once, in order, on as many threads as asked for and rows allow",
        arguments: [(0, 2, 64), (1, 2, 64), (127, 2, 64), (128, 2, 64), (1001, 2, 64), (1001, 3, 1), (5, 8, 1)])
  func cover(rows: Int, threads: Int, minimumRows: Int) {
    let ranges = mapRowRanges(rows, threads: threads, minimumRows: minimumRows) { $0 }
    #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == rows)
    for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound && !b.isEmpty) }
    #expect(ranges.count == max(1, min(threads, rows / minimumRows)))
    // Every row visited exactly once, by whichever thread ran its range.
    let visits = mapRowRanges(rows, threads: threads, minimumRows: minimumRows) { Array($0) }.flatMap { $0 }
    #expect(visits == Array(0 ..< rows))
  }

  @Test("forEachRowRange writes each range in place from its own thread")
  func writesInPlace() {
    var values = [Int](repeating: -1, count: 1000)
    values.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      forEachRowRange(1000, threads: 4, minimumRows: 10) { rows in
        for i in rows { base[i] = i * i }
      }
    }
    #expect(values == (0 ..< 1000).map { $0 * $0 })
  }
}
