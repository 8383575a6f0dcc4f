import RepMath
import RepMeasures
import Testing

@testable import RepQuery

@Suite("Retrieval negatives") struct RetrievalNegativesTests {
  static func benchmark(_ negatives: RetrievalBenchmark.Negatives) throws -> RetrievalBenchmark {
    var benchmark = RetrievalBenchmark(
      query: try QueryParser.parseSelector("a/*@s"), target: try QueryParser.parseSelector("b/*@s"),
      measures: [MeasureID(name: "cka")])
    benchmark.negatives = negatives
    benchmark.setSize = 4
    benchmark.candidates = 3
    return benchmark
  }

  @Test("random negatives are drawn from outside the set, reproducibly for a seed, differently per layer")
  func random() throws {
    let benchmark = try Self.benchmark(.random)
    let targets = Matrix(rows: 20, columns: 2)
    let sets = (0 ..< 5).map { Array($0 * 4 ..< ($0 + 1) * 4) }
    let negatives = try benchmark.negativeSets(for: sets, targets: targets, layer: 0)
    #expect(negatives.count == 5 && negatives.allSatisfy { $0.count == 3 && $0.allSatisfy { $0.count == 4 } })
    for (set, candidates) in zip(sets, negatives) {
      #expect(candidates.joined().allSatisfy { !set.contains($0) && (0 ..< 20).contains($0) }, "\(set): \(candidates)")
    }
    // Every row outside a set can be drawn: 300 draws for the first set reach all 16 others.
    let many = try benchmark.negativeSets(for: Array(repeating: sets[0], count: 25), targets: targets, layer: 0)
    #expect(Set(many.joined().joined()) == Set(4 ..< 20))
    #expect(try benchmark.negativeSets(for: sets, targets: targets, layer: 0) == negatives)
    #expect(try benchmark.negativeSets(for: sets, targets: targets, layer: 1) != negatives)
  }

  @Test("kNN negative j holds the j-th nearest other row of each row of the set")
  func nearest() throws {
    let benchmark = try Self.benchmark(.knn)
    // Points on a line at 0, 1, 3, 6, 10, …: row i's nearest others are i−1 then i+1 (gaps grow), except at the ends.
    let positions = (0 ..< 12).map { Float($0 * ($0 + 1) / 2) }
    let targets = Matrix(rows: 12, columns: 1, storage: positions)
    let negatives = try benchmark.negativeSets(for: [[4, 5, 6, 7]], targets: targets, layer: 0)
    #expect(negatives == [[[3, 4, 5, 6], [5, 6, 7, 8], [2, 3, 4, 5]]])
  }
}
