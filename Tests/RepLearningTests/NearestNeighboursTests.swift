import Foundation
import RepMath
import Testing
@testable import RepLearning

/// The blocked search against a Float64 brute force, over data kinds chosen to break it: exact ties (duplicated and
/// quantized rows), and clusters far from the origin where the Float32 GEMM form cannot separate the neighbours.
@Suite("NearestNeighbours")
struct NearestNeighboursTests {
  /// OpenBLAS pinned to one thread, as in every suite, so that a search with several workers never changes it.
  init() { BLAS.setThreadCount(1) }

  /// What the rows look like.
  enum DataKind: String, CaseIterable, CustomTestStringConvertible {
    /// Uniform in [−1, 1).
    case uniform
    /// Uniform, with about a third of the rows copies of others: ties at any distance, 0 included.
    case duplicated
    /// Elements in {−1, 0, 1}: integer distances, so many exact ties between different rows.
    case quantized
    /// Three clusters ±3000 apart around 10⁴ in every column, with noise of 0.01: Float32 products lose the noise.
    case offset

    var testDescription: String { rawValue }
  }

  /// Rows of `kind`; `copying` supplies the rows that duplicates are taken from (the matrix's own when nil).
  static func rows(
    _ kind: DataKind, count: Int, columns: Int, copying source: Matrix? = nil, using generator: inout SplitMix64
  ) -> Matrix {
    var x = Matrix(rows: count, columns: columns)
    let direction = (0 ..< columns).map { t in Float(t % 3) - 1 }
    for i in 0 ..< count {
      let cluster = Float(Int.random(in: -1 ... 1, using: &generator))
      for t in 0 ..< columns {
        x[i, t] = switch kind {
        case .uniform, .duplicated: Float.random(in: -1 ..< 1, using: &generator)
        case .quantized: Float(Int.random(in: -1 ... 1, using: &generator))
        case .offset: 10_000 + 3000 * cluster * direction[t] + 0.01 * Float.random(in: -1 ..< 1, using: &generator)
        }
      }
    }
    if kind == .duplicated {
      let from = source ?? x
      for i in 0 ..< count where from.rows > 1 && Int.random(in: 0 ..< 3, using: &generator) == 0 {
        let j = Int.random(in: 0 ..< from.rows, using: &generator)
        for t in 0 ..< columns { x[i, t] = from[j, t] }
      }
    }
    return x
  }

  /// Every non-excluded base row of each query sorted by (D, index), D a sequential Float64 sum: the brute force.
  static func bruteForce(queries: Matrix, base: Matrix, excluding excluded: [Int]?) -> [[(Double, Int)]] {
    (0 ..< queries.rows).map { i in
      var pairs: [(Double, Int)] = []
      for j in 0 ..< base.rows where j != excluded?[i] {
        var sum = 0.0
        for t in 0 ..< base.columns {
          let e = Double(queries[i, t]) - Double(base[j, t])
          sum += e * e
        }
        pairs.append((sum, j))
      }
      return pairs.sorted { $0 < $1 }
    }
  }

  /// The first query where `found` differs from the brute force's first k: indices exactly, distances to 1e-12
  /// relative (the search sums in four lanes, the brute force sequentially); nil when none does.
  static func firstMismatch(_ found: NearestNeighbours, _ expected: [[(Double, Int)]], k: Int) -> String? {
    guard found.queryCount == expected.count, found.k == k else {
      return "shape \(found.queryCount)×\(found.k), expected \(expected.count)×\(k)"
    }
    for (i, row) in expected.enumerated() {
      let want = row.prefix(k)
      let (indices, distances) = (found.indices(ofQuery: i), found.squaredDistances(ofQuery: i))
      let distancesAgree = zip(distances, want).allSatisfy { abs($0 - $1.0) <= 1e-12 * $1.0 }
      if !indices.elementsEqual(want.map(\.1)) || !distancesAgree {
        return "query \(i): found \(Array(zip(indices, distances))), expected \(want.map { ($0.1, $0.0) })"
      }
    }
    return nil
  }

  /// The first query where two results differ in any bit; nil when they are identical.
  static func firstDifference(_ a: NearestNeighbours, _ b: NearestNeighbours) -> String? {
    guard a.queryCount == b.queryCount, a.k == b.k else { return "shape \(a.queryCount)×\(a.k) vs \(b.queryCount)×\(b.k)" }
    for i in 0 ..< a.queryCount
    where a.indices(ofQuery: i) != b.indices(ofQuery: i) || a.squaredDistances(ofQuery: i) != b.squaredDistances(ofQuery: i) {
      return "query \(i): \(Array(a.indices(ofQuery: i))) \(Array(a.squaredDistances(ofQuery: i))) vs "
        + "\(Array(b.indices(ofQuery: i))) \(Array(b.squaredDistances(ofQuery: i)))"
    }
    return a == b ? nil : "equal per query but not as values"
  }

  static let blockShapes = [
    NearestNeighbours.BlockShape.standard, .init(queryRows: 7, baseRows: 13), .init(queryRows: 64, baseRows: 5),
    .init(queryRows: 2, baseRows: 3),
  ]

  @Test("self-search equals a Float64 brute force for k = 1, 5, n − 1, over several blocks",
        arguments: DataKind.allCases, [(2, 1), (7, 3), (50, 8), (200, 33), (301, 64)])
  func selfSearch(kind: DataKind, shape: (Int, Int)) throws {
    let (n, d) = shape
    var generator = SplitMix64(seed: UInt64(n * 1000 + d))
    let x = Self.rows(kind, count: n, columns: d, using: &generator)
    let expected = Self.bruteForce(queries: x, base: x, excluding: Array(0 ..< n))
    for k in Set([1, 5, n - 1]).filter({ $0 < n }).sorted() {
      #expect(Self.firstMismatch(try NearestNeighbours.selfSearch(x, k: k), expected, k: k) == nil, "k \(k)")
      for blocks in Self.blockShapes {
        let found = try NearestNeighbours.search(queries: x, in: x, k: k, excluding: Array(0 ..< x.rows),
                                                 blocks: blocks, workerCount: 2)
        #expect(Self.firstMismatch(found, expected, k: k) == nil, "k \(k), blocks \(blocks)")
      }
    }
  }

  @Test("queries against another matrix, with and without an excluded row per query",
        arguments: DataKind.allCases, [(1, 1, 4), (5, 40, 16), (60, 37, 7), (130, 90, 20)])
  func crossSearch(kind: DataKind, shape: (Int, Int, Int)) throws {
    let (m, n, d) = shape
    var generator = SplitMix64(seed: UInt64(m * 1_000_000 + n * 1000 + d))
    let base = Self.rows(kind, count: n, columns: d, using: &generator)
    let queries = Self.rows(kind, count: m, columns: d, copying: base, using: &generator)
    let randomExclusions = (0 ..< m).map { _ in Int.random(in: 0 ..< n, using: &generator) }
    for excluded in [nil, randomExclusions] {
      let candidates = n - (excluded == nil ? 0 : 1)
      let expected = Self.bruteForce(queries: queries, base: base, excluding: excluded)
      for k in Set([1, 5, candidates]).filter({ $0 >= 1 && $0 <= candidates }).sorted() {
        #expect(Self.firstMismatch(try NearestNeighbours.search(queries: queries, in: base, k: k, excluding: excluded),
                                   expected, k: k) == nil, "k \(k), excluding \(excluded != nil)")
        for blocks in Self.blockShapes {
          let found = try NearestNeighbours.search(queries: queries, in: base, k: k, excluding: excluded,
                                                   blocks: blocks, workerCount: 3)
          #expect(Self.firstMismatch(found, expected, k: k) == nil,
                  "k \(k), excluding \(excluded != nil), blocks \(blocks)")
        }
      }
    }
  }

  @Test("hundreds of rows within rounding of each other overflow the pending rows and are still ranked exactly",
        arguments: [DataKind.duplicated, .offset])
  func pendingOverflow(kind: DataKind) throws {
    var generator = SplitMix64(seed: 5)
    // Duplicated: 600 of 700 rows copy row 0, so 600 queries tie at distance 0 with 599 others. Offset: three
    // clusters of about 300 rows that the Float32 products cannot order.
    var x = Self.rows(kind == .offset ? .offset : .uniform, count: kind == .offset ? 900 : 700, columns: 12,
                      using: &generator)
    if kind == .duplicated {
      for i in (1 ..< x.rows).shuffled(using: &generator).prefix(599) {
        for t in 0 ..< x.columns { x[i, t] = x[0, t] }
      }
    }
    let expected = Self.bruteForce(queries: x, base: x, excluding: Array(0 ..< x.rows))
    for k in [1, 5, 40] {
      for blocks in [NearestNeighbours.BlockShape.standard, .init(queryRows: 64, baseRows: 50)] {
        let found = try NearestNeighbours.search(queries: x, in: x, k: k, excluding: Array(0 ..< x.rows),
                                                 blocks: blocks, workerCount: 2)
        #expect(Self.firstMismatch(found, expected, k: k) == nil, "k \(k), blocks \(blocks)")
      }
    }
  }

  @Test("the offset data defeats the plain Float32 GEMM form, so the tests above have teeth")
  func offsetDataNeedsReranking() throws {
    var generator = SplitMix64(seed: 7)
    let x = Self.rows(.offset, count: 200, columns: 33, using: &generator)
    let k = 5
    let expected = Self.bruteForce(queries: x, base: x, excluding: Array(0 ..< x.rows))
    // ‖xᵢ‖² + ‖xⱼ‖² − 2·xᵢ·xⱼ with Float32 products and norms: what a search without re-ranking would rank by.
    let products = BLAS.product(x, .none, x, .transposed)
    var plainDisagreements = 0
    for i in 0 ..< x.rows {
      var plain: [(Float, Int)] = []
      for j in 0 ..< x.rows where j != i {
        let squaredNorms: Float = products[i, i] + products[j, j]
        plain.append((squaredNorms - 2 * products[i, j], j))
      }
      plain.sort { $0 < $1 }
      if plain.prefix(k).map(\.1) != expected[i].prefix(k).map(\.1) { plainDisagreements += 1 }
    }
    #expect(plainDisagreements > x.rows / 2, "the plain GEMM form got \(x.rows - plainDisagreements) rows right")
    #expect(Self.firstMismatch(try NearestNeighbours.selfSearch(x, k: k), expected, k: k) == nil)
  }

  @Test("memory-bounded blocks and any worker count give results identical to one block",
        arguments: DataKind.allCases)
  func blockingChangesNothing(kind: DataKind) throws {
    var generator = SplitMix64(seed: 11)
    let x = Self.rows(kind, count: 257, columns: 40, using: &generator)
    let everyRow = Array(0 ..< x.rows)
    for k in [1, 10] {
      let oneBlock = try NearestNeighbours.search(queries: x, in: x, k: k, excluding: everyRow,
                                                  blocks: .init(queryRows: x.rows, baseRows: x.rows), workerCount: 1)
      let shapes: [(Int, Int)] = [(1, 1), (1, 257), (257, 1), (16, 16), (100, 7), (256, 256)]
      for (queryRows, baseRows) in shapes {
        for workerCount in [1, 2, 5] {
          let blocked = try NearestNeighbours.search(
            queries: x, in: x, k: k, excluding: everyRow, blocks: .init(queryRows: queryRows, baseRows: baseRows),
            workerCount: workerCount)
          #expect(Self.firstDifference(blocked, oneBlock) == nil,
                  "k \(k), blocks \(queryRows)×\(baseRows), \(workerCount) workers")
        }
      }
    }
  }

  @Test("zero queries, zero columns, and a query that duplicates its base row")
  func edgeCases() throws {
    let base = Matrix(rows: 4, columns: 2, storage: [0, 0, 1, 0, 0, 1, 1, 0])
    let none = try NearestNeighbours.search(queries: Matrix(rows: 0, columns: 2), in: base, k: 4)
    #expect(none.queryCount == 0 && none.indices.isEmpty && none.squaredDistances.isEmpty)

    // No columns: every distance is 0, so the order is the index order.
    let empty = try NearestNeighbours.selfSearch(Matrix(rows: 5, columns: 0), k: 3)
    #expect(empty.indices(ofQuery: 0) == [1, 2, 3] && empty.indices(ofQuery: 2) == [0, 1, 3])
    #expect(empty.squaredDistances.allSatisfy { $0 == 0 })

    // Rows 1 and 3 are equal: each is the other's neighbour at distance 0, and row 0 sees them tied, 1 first.
    let found = try NearestNeighbours.selfSearch(base, k: 3)
    #expect(found.indices(ofQuery: 1) == [3, 0, 2] && found.squaredDistances(ofQuery: 1) == [0, 1, 2])
    #expect(found.indices(ofQuery: 3) == [1, 0, 2])
    #expect(found.indices(ofQuery: 0) == [1, 2, 3] && found.squaredDistances(ofQuery: 0) == [1, 1, 1])
  }

  @Test("bad arguments throw errors that name the numbers")
  func errors() {
    let x = Matrix(rows: 10, columns: 3, repeating: 1)
    #expect(throws: NeighbourSearchError.neighbourCount(k: 10, candidateCount: 9, baseRows: 10)) {
      try NearestNeighbours.selfSearch(x, k: 10)
    }
    #expect(throws: NeighbourSearchError.neighbourCount(k: 0, candidateCount: 10, baseRows: 10)) {
      try NearestNeighbours.search(queries: x, in: x, k: 0)
    }
    #expect(throws: NeighbourSearchError.widthMismatch(queryColumns: 4, baseColumns: 3)) {
      try NearestNeighbours.search(queries: Matrix(rows: 2, columns: 4), in: x, k: 1)
    }
    #expect(throws: NeighbourSearchError.exclusionCount(excludedCount: 3, queryCount: 10)) {
      try NearestNeighbours.search(queries: x, in: x, k: 1, excluding: [0, 1, 2])
    }
    #expect(throws: NeighbourSearchError.excludedIndexOutOfRange(query: 1, index: 10, baseRows: 10)) {
      try NearestNeighbours.search(queries: Matrix(rows: 2, columns: 3), in: x, k: 1, excluding: [9, 10])
    }
    var nan = x
    nan[4, 2] = .nan
    // NaN is unequal to itself, so the non-finite cases are matched by pattern.
    let nanError = #expect(throws: NeighbourSearchError.self) { try NearestNeighbours.search(queries: x, in: nan, k: 1) }
    guard case .nonFinite(.base, row: 4, column: 2, let value) = nanError else {
      Issue.record("expected base row 4, column 2 to be reported, got \(String(describing: nanError))")
      return
    }
    #expect(value.isNaN)
    var infinite = x
    infinite[7, 0] = -.infinity
    let infiniteError = #expect(throws: NeighbourSearchError.self) {
      try NearestNeighbours.search(queries: infinite, in: x, k: 1)
    }
    #expect(infiniteError?.description == "nearest neighbours: queries row 7, column 0 is -inf, expected a finite value")
  }

  @Test("error descriptions are one line with the numbers", arguments: [
    (NeighbourSearchError.neighbourCount(k: 100, candidateCount: 99, baseRows: 100),
     "nearest neighbours: k = 100 is outside 1...99 (100 base rows, one excluded per query)"),
    (.neighbourCount(k: 1, candidateCount: 0, baseRows: 0),
     "nearest neighbours: k = 1 is impossible: no row is left to return (0 base rows)"),
    (.widthMismatch(queryColumns: 768, baseColumns: 512),
     "nearest neighbours: queries have 768 columns and base rows 512, expected equal widths"),
    (.exclusionCount(excludedCount: 3, queryCount: 10),
     "nearest neighbours: 3 excluded indices for 10 queries, expected one per query"),
    (.excludedIndexOutOfRange(query: 1, index: 10, baseRows: 10),
     "nearest neighbours: query 1 excludes base row 10, expected an index in 0..<10"),
    (.nonFinite(.base, row: 4, column: 2, value: .nan),
     "nearest neighbours: base row 4, column 2 is nan, expected a finite value"),
  ])
  func descriptions(error: NeighbourSearchError, text: String) {
    #expect(error.description == text)
  }

  @Test("a query outside the result traps")
  func queryOutOfRangeTraps() async throws {
    await #expect(processExitsWith: .failure) {
      let found = try NearestNeighbours.selfSearch(Matrix(rows: 3, columns: 1), k: 1)
      _ = found.indices(ofQuery: 3)
    }
  }

  @Test("four-lane exact distances stay within 2(d − 1)·2⁻⁵³ of a sequential sum", arguments: [1, 2, 3, 4, 5, 9, 768])
  func exactDistance(count: Int) {
    var generator = SplitMix64(seed: UInt64(count))
    let a = (0 ..< count).map { _ in Float.random(in: -100 ..< 100, using: &generator) }
    let b = (0 ..< count).map { _ in Float.random(in: -100 ..< 100, using: &generator) }
    let sequential = zip(a, b).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
    let lanes = a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        NearestNeighbours.exactSquaredDistance(a.baseAddress!, b.baseAddress!, count: count)
      }
    }
    #expect(abs(lanes - sequential) <= 2 * Double(max(count - 1, 0)) * 0x1p-53 * sequential)
  }
}
