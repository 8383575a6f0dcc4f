import Foundation
import RepMath
@testable import RepMeasures
import Testing

/// The neighbour measures (`mknn`, `mknn.jaccard`, `mknn.rank`, `mknn.second_order`, `cknna`) against
/// `Fixtures/neighbours.json` (made by `tools/fixtures/make_neighbour_fixtures.py` from the peers' formulas in
/// float64), their exact neighbour ranking on near-duplicate rows, declared properties and degenerate inputs.
@Suite struct NeighbourMeasureTests {
  init() { BLAS.setThreadCount(1) }

  static let ids = ["mknn", "mknn.jaccard", "mknn.rank", "mknn.second_order", "cknna"].flatMap { name in
    [3, 5, 10].map { "\(name)(k=\($0))" }
  }

  // MARK: Fixtures

  /// Every case × id: the value on the Float32 inputs equals the float64 reference to 1e-6 absolute (values are
  /// O(1); cknna and second-order depend on Float64 cosines summed in another order), or NaN with its reason. The
  /// set measures (mknn, jaccard, rank) are functions of the neighbour lists alone, so there they agree to 1e-12:
  /// every list is the exact one, also in the near-duplicate cases where Float32 ranks every row differently.
  @Test(arguments: try NeighbourFixtures.cases())
  func agreesWithFixture(_ fixture: NeighbourFixtureCase) throws {
    var largest: [String: Double] = [:]
    for id in Self.ids {
      let expected = try #require(fixture.measures[id], "\(fixture.name) lists \(id)")
      let measure = try #require(try KernelMeasures.make(id))
      #expect(measure.id.description == id)
      let value = try measure.similarity(fixture.x, fixture.y)
      guard let reference = expected.value else {
        #expect(value.reason == expected.reason && value.value.isNaN, "\(fixture.name) · \(id): \(value)")
        continue
      }
      let isSetMeasure = !id.hasPrefix("cknna") && !id.hasPrefix("mknn.second_order")
      #expect(abs(value.value - reference) <= (isSetMeasure ? 1e-12 : 1e-6),
              "\(fixture.name) · \(id): \(value) vs \(reference)")
      let name = String(id.prefix(while: { $0 != "(" }))
      largest[name] = max(largest[name] ?? 0, abs(value.value - reference))
    }
    print("neighbours.json \(fixture.name): largest difference by measure \(largest.sorted { $0.key < $1.key })")
  }

  /// cknna is not symmetric (its mask is not): (Y, X) matches the fixture's swapped values, and on the generic case
  /// it differs from (X, Y) by more than 1e-4.
  @Test(arguments: try NeighbourFixtures.cases())
  func cknnaSwappedAgreesWithFixture(_ fixture: NeighbourFixtureCase) throws {
    for (id, expected) in fixture.swapped {
      let measure = try #require(try KernelMeasures.make(id))
      let value = try measure.similarity(fixture.y, fixture.x)
      let reference = try #require(expected.value)
      #expect(abs(value.value - reference) <= 1e-6, "\(fixture.name) · \(id) swapped: \(value) vs \(reference)")
      if fixture.name == "generic" {
        #expect(abs(value.value - (fixture.measures[id]?.value ?? .nan)) > 1e-4, "\(id): asymmetry expected")
      }
    }
  }

  // MARK: The exact ranking

  /// On the near-duplicate fixtures (k-th and (k+1)-th cosines 1e-13 to 1e-9 apart, every row ranked differently by
  /// Float32), the screened lists equal a plain Float64 loop over all pairs: order, ties and cosines.
  @Test(arguments: ["near_duplicates", "near_duplicates_minilm", "exact_ties", "zero_row"])
  func screenedListsEqualAPlainFloat64Loop(_ name: String) throws {
    let fixture = try NeighbourFixtures.case(named: name)
    for matrix in [fixture.x, fixture.y] {
      try Self.expectPlainLoop(matrix, ks: [1, 3, 10], label: name)
    }
  }

  /// The same with more rows than a candidate list holds before it is pruned (2k + 256), near duplicates, exact
  /// duplicate rows (cosine 1 ties) and a zero row, so pruning and early flushes run.
  @Test func screenedListsEqualAPlainLoopOnManyNearDuplicates() throws {
    var generator = SplitMix64(seed: 42)
    let (n, d) = (600, 24)
    let common = (0 ..< d).map { _ in generator.gaussian() + 1 }
    var storage = [Float]()
    for _ in 0 ..< n { storage += common.map { Float($0 + 1e-4 * generator.gaussian()) } }
    for (copy, of) in [(10, 3), (11, 3), (500, 499)] {
      storage.replaceSubrange((copy * d) ..< ((copy + 1) * d), with: storage[(of * d) ..< ((of + 1) * d)])
    }
    storage.replaceSubrange((20 * d) ..< (21 * d), with: repeatElement(0, count: d))
    try Self.expectPlainLoop(Matrix(rows: n, columns: d, storage: storage), ks: [1, 10, 40], label: "600 rows")
  }

  static func expectPlainLoop(_ x: Matrix, ks: [Int], label: String) throws {
    let cosines = RowCosines(x)
    for k in ks {
      let found = CosineNeighbours(cosines, k: k)
      for i in 0 ..< x.rows {
        let similarities = (0 ..< x.rows).map { cosines.cosine(i, $0) }
        let expected = (0 ..< x.rows).filter { $0 != i }
          .sorted { (similarities[$0], -$0) > (similarities[$1], -$1) }.prefix(k)
        #expect(Array(found.neighbours(of: i)) == Array(expected), "\(label), k = \(k), row \(i)")
        #expect(Array(found.similarities(of: i)) == expected.map { similarities[$0] }, "\(label), k = \(k), row \(i)")
      }
    }
  }

  /// Exact cosines are symmetric to the bit, and the cosine of a row with itself or a duplicate is 1 to rounding.
  @Test func rowCosinesAreSymmetric() throws {
    let x = try NeighbourFixtures.case(named: "near_duplicates_minilm").x
    let cosines = RowCosines(x)
    for i in stride(from: 0, to: x.rows, by: 7) {
      for j in 0 ..< x.rows { #expect(cosines.cosine(i, j) == cosines.cosine(j, i)) }
      #expect(abs(cosines.cosine(i, i) - 1) <= 1e-15)
    }
  }

  // MARK: Declared properties

  static let measures: [any SimilarityMeasure] = [
    MutualKNN(k: 5), KNNJaccard(k: 5), KNNRankSimilarity(k: 5), SecondOrderCosine(k: 5), CKNNA(k: 5),
  ]

  @Test func propertiesFollowTheTable() {
    for measure in Self.measures {
      #expect(measure.properties.invariances == [.orthogonal, .isotropicScaling, .rowScaling], "\(measure.id)")
      #expect(measure.properties.largerIsMoreSimilar, "\(measure.id)")
      #expect(measure.properties.isSymmetric == !(measure is CKNNA), "\(measure.id)")
      #expect(measure.properties.range == (measure is CKNNA ? "ℝ" : "[0, 1]"), "\(measure.id)")
    }
  }

  /// Each declared invariance, applied with random parameters to each side over 3 seeds, keeps the value to 1e-6 on
  /// the generic case (k-th/(k+1)-th margins ≥ 4.7e-5, far above the Float32 rounding of the transformed rows).
  @Test(arguments: Self.measures.map(\.id.description))
  func declaredInvariancesHold(_ id: String) throws {
    let measure = try #require(try KernelMeasures.make(id))
    let fixture = try NeighbourFixtures.case(named: "generic")
    let base = try measure.similarity(fixture.x, fixture.y)
    #expect(base.isDefined)
    for seed: UInt64 in 1 ... 3 {
      var generator = SplitMix64(seed: seed)
      for invariance in measure.properties.invariances.sorted() {
        for side in 0 ... 1 {
          let (x, y) = try kernelTestTransform(invariance, side: side, fixture.x, fixture.y, using: &generator)
          let value = try measure.similarity(x, y)
          #expect(abs(value.value - base.value) <= 1e-6,
                  "\(id) under \(invariance) of side \(side), seed \(seed): \(value) vs \(base)")
        }
      }
    }
  }

  /// Negative control: a translation, not declared, changes every value.
  @Test(arguments: Self.measures.map(\.id.description))
  func translationChangesTheValue(_ id: String) throws {
    let measure = try #require(try KernelMeasures.make(id))
    let fixture = try NeighbourFixtures.case(named: "generic")
    var generator = SplitMix64(seed: 11)
    let (x, y) = try kernelTestTransform(.translation, side: 0, fixture.x, fixture.y, using: &generator)
    let change = abs(try measure.similarity(x, y).value - (try measure.similarity(fixture.x, fixture.y).value))
    #expect(change > 1e-3, "\(id): \(change)")
  }

  /// A representation against itself gives 1 (exactly for the set measures).
  @Test(arguments: ["near_duplicates_minilm", "generic", "exact_ties", "zero_row"])
  func selfSimilarityIsOne(_ name: String) throws {
    let x = try NeighbourFixtures.case(named: name).x
    for measure in Self.measures {
      let value = try measure.similarity(x, x)
      #expect(abs(value.value - 1) <= 1e-12, "\(name) · \(measure.id): \(value)")
    }
    #expect(try MutualKNN(k: 5).similarity(x, x) == MeasureValue(1))
  }

  // MARK: Degenerate inputs

  @Test func degenerateInputsAreNaNWithTheirReason() throws {
    let fixture = try NeighbourFixtures.case(named: "generic")
    let (x, y) = (fixture.x, fixture.y)
    let n = x.rows
    let constant = Matrix(rows: n, columns: x.columns, repeating: 0.5)
    var nonFinite = x
    nonFinite.storage[17] = .nan
    // Every row a positive multiple of one vector: all cosines 1, so every cosine distance is 0.
    let parallel = Matrix(rows: n, columns: 3, storage: (0 ..< n).flatMap { i in [1, 2, 3].map { Float($0 * (i + 1)) } })
    for measure in [MutualKNN(k: n).id, KNNJaccard(k: n).id, KNNRankSimilarity(k: n).id, SecondOrderCosine(k: n).id,
                    CKNNA(k: n).id] {
      let value = try #require(try KernelMeasures.make(measure.description)).similarity(x, y)
      #expect(value.reason == "k >= n" && value.value.isNaN, "\(measure): \(value)")
    }
    for measure in Self.measures {
      #expect(try measure.similarity(constant, y).reason == "constant representation", "\(measure.id)")
      #expect(try measure.similarity(x, constant).reason == "constant representation", "\(measure.id)")
      #expect(try measure.similarity(nonFinite, y).reason == "non-finite value", "\(measure.id)")
    }
    #expect(try SecondOrderCosine(k: 3).similarity(parallel, y).reason
            == "an example at cosine distance 0 from all its neighbours")
    let three = Matrix(rows: 3, columns: 2, storage: [1, 0, 0, 1, 1, 1])
    #expect(try CKNNA(k: 2).similarity(three, three).reason == "n < 4")
    #expect(try MutualKNN(k: 2).similarity(three, three) == MeasureValue(1))
  }

  @Test func mismatchedRowsAndTheRowLimitThrow() throws {
    let fixture = try NeighbourFixtures.case(named: "generic")
    let fewer = Matrix(rows: 10, columns: fixture.y.columns, storage: Array(fixture.y.storage.prefix(10 * fixture.y.columns)))
    let limited: [any SimilarityMeasure] = [
      KNNJaccard(k: 3, rowLimit: 40), KNNRankSimilarity(k: 3, rowLimit: 40), SecondOrderCosine(k: 3, rowLimit: 40),
      CKNNA(k: 3, rowLimit: 40),
    ]
    for measure in limited {
      #expect(throws: MeasureError.self) { _ = try measure.similarity(fixture.x, fewer) }
      #expect(throws: MeasureError.self) { _ = try measure.similarity(fixture.x, fixture.y) }  // 50 rows > 40
    }
  }

  @Test func idsAndParameters() throws {
    #expect(try MeasureRegistry.make(MeasureID(parsing: "cknna")).id.description == "cknna(k=10)")
    #expect(try MeasureRegistry.make(MeasureID(parsing: "mknn.jaccard")).id.description == "mknn.jaccard(k=10)")
    #expect(try MeasureRegistry.make(MeasureID(parsing: "mknn.rank(k=4)")).id.description == "mknn.rank(k=4)")
    #expect(try MeasureRegistry.make(MeasureID(parsing: "mknn.second_order")).id.description
            == "mknn.second_order(k=10)")
    for text in ["cknna(k=1)", "mknn.jaccard(k=0)", "mknn.rank(k=x)", "mknn.second_order(k=-2)"] {
      #expect(throws: MeasureError.self, "\(text)") { _ = try MeasureRegistry.make(MeasureID(parsing: text)) }
    }
  }

  @Test func preconditionsTrap() async {
    await #expect(processExitsWith: .failure) { _ = CKNNA(k: 1) }
    await #expect(processExitsWith: .failure) { _ = KNNJaccard(k: 0) }
  }
}

// MARK: - The fixture file

/// The cases of `Fixtures/neighbours.json` (see tools/fixtures/README.md).
enum NeighbourFixtures {
  static func cases() throws -> [NeighbourFixtureCase] { try loaded.get() }

  static func `case`(named name: String) throws -> NeighbourFixtureCase {
    guard let found = try cases().first(where: { $0.name == name }) else {
      throw FixtureError(message: "neighbours.json has no case '\(name)'")
    }
    return found
  }

  private static let loaded: Result<[NeighbourFixtureCase], FixtureError> = Result {
    guard let url = Bundle.module.url(forResource: "neighbours", withExtension: "json", subdirectory: "Fixtures") else {
      throw FixtureError(message: "Fixtures/neighbours.json is not in the test bundle")
    }
    do {
      return try JSONDecoder().decode([NeighbourFixtureCase].self, from: Data(contentsOf: url))
    } catch {
      throw FixtureError(message: "Fixtures/neighbours.json: \(error)")
    }
  }.mapError { $0 as? FixtureError ?? FixtureError(message: "\($0)") }
}

/// One case: Float32-representable inputs and the reference values by id.
struct NeighbourFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
  struct Entry: Decodable, Sendable {
    var value: Double?
    var reason: String?
  }

  let name: String
  let x: Matrix
  let y: Matrix
  let measures: [String: Entry]
  /// cknna(Y, X), by id.
  let swapped: [String: Entry]

  var testDescription: String { name }

  private enum CodingKeys: String, CodingKey { case name, X, Y, measures, swapped }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    func matrix(_ key: CodingKeys) throws -> Matrix {
      let rows = try container.decode([[Double]].self, forKey: key)
      let storage = rows.flatMap { $0.map { Float($0) } }
      // The script stores float32 values, so the conversion is exact.
      precondition(zip(storage, rows.flatMap { $0 }).allSatisfy { Double($0) == $1 }, "\(key) is not float32")
      return Matrix(rows: rows.count, columns: rows.first?.count ?? 0, storage: storage)
    }
    name = try container.decode(String.self, forKey: .name)
    x = try matrix(.X)
    y = try matrix(.Y)
    measures = try container.decode([String: Entry].self, forKey: .measures)
    swapped = try container.decode([String: Entry].self, forKey: .swapped)
  }
}
