import Foundation
import RepMath
@testable import RepMeasures
import Testing

/// The RSA comparisons of rsatoolbox (`compare=cosine|tau-a|cosine_cov|corr_cov`, and the squared Euclidean RDM)
/// against rsatoolbox 0.3.2 itself (`Fixtures/rsa.json`, made by `tools/fixtures/make_rsa_fixtures.py`), against
/// their definitions computed the slow way, and for their declared properties and degenerate cases.
@Suite struct RSAComparatorTests {
  init() { BLAS.setThreadCount(1) }

  // MARK: rsatoolbox

  /// Every case × RDM × comparison of the fixture: the value rsatoolbox's `calc_rdm` + `compare` gives in Float64 on
  /// the same Float32 inputs, to 1e-6 absolute (the values lie in [−1, 1], so absolute is the scale that matters);
  /// or NaN with the fixture's reason where repstore's convention is NaN.
  @Test(arguments: try RSAFixtures.pairs())
  func agreesWithRsatoolbox(_ pair: RSAFixturePair) throws {
    let measure = try RSAFixtures.measure(pair.id)
    #expect(measure.id == (try MeasureID(parsing: pair.id)))
    let value = try measure.similarity(pair.x, pair.y)
    if let expected = pair.expected.value {
      #expect(abs(value.value - expected) <= 1e-6, "\(pair): got \(value), rsatoolbox \(expected)")
    } else {
      #expect(value.value.isNaN && value.reason == pair.expected.reason, "\(pair): got \(value)")
    }
  }

  /// The largest difference from rsatoolbox over the whole fixture, per comparison (the figure docs/measures.md
  /// quotes), stays below 1e-6; and the fixture has defined values of every comparison on every RDM.
  @Test func largestDifferenceFromRsatoolbox() throws {
    var largest: [String: Double] = [:]
    for pair in try RSAFixtures.pairs() {
      guard let expected = pair.expected.value else { continue }
      let measure = try RSAFixtures.measure(pair.id)
      let difference = abs(try measure.similarity(pair.x, pair.y).value - expected)
      let comparison = measure.compare.rawValue
      largest[comparison] = max(largest[comparison] ?? 0, difference)
    }
    print("RSA: largest |repstore − rsatoolbox| per comparison:",
          largest.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    #expect(Set(largest.keys) == Set(RSA.Comparison.allCases.map(\.rawValue)))
    for (comparison, difference) in largest { #expect(difference <= 1e-6, "\(comparison): \(difference)") }
  }

  /// The comparisons alone on hand-made triangles with ties (rsatoolbox on `RDMs(dissimilarities=...)`). τ_a is a
  /// ratio of exact integers, so it must agree exactly; the others to 1e-12.
  @Test(arguments: try RSAFixtures.load().triangles)
  func comparesTrianglesWithTiesAsRsatoolbox(_ triangle: RSATriangle) throws {
    for (name, expected) in triangle.values {
      let comparison = try #require(RSA.Comparison(rawValue: name))
      let value = RSA.compareTriangles(triangle.a, triangle.b, rowCount: 7, by: comparison)
      if let reference = expected.value {
        if comparison == .tauA {
          #expect(value.value == reference, "\(triangle.name) · \(name): \(value) vs \(reference)")
        } else {
          #expect(abs(value.value - reference) <= 1e-12, "\(triangle.name) · \(name): \(value) vs \(reference)")
        }
      } else {
        #expect(value.reason == expected.reason, "\(triangle.name) · \(name): \(value)")
      }
    }
  }

  // MARK: The fast algorithms against their definitions

  /// Knight's O(m log m) τ_a equals the O(m²) count over all pairs, exactly, for lengths around the insertion-sort
  /// run (32) and several merge levels, on values with many ties, negative values and both signed zeros.
  @Test(arguments: [2, 3, 31, 32, 33, 64, 65, 100, 777, 2000])
  func kendallTauAEqualsThePairCount(_ m: Int) {
    var generator = SplitMix64(seed: UInt64(m))
    for round in 0 ..< 4 {
      let palette: [Double] = [-2.5, -0.0, 0.0, 1e-300, 0.75, 3, 1e300]
      func draw() -> Double {
        round % 2 == 0 ? palette[Int(generator.next() % UInt64(palette.count))] : generator.gaussian()
      }
      let a = (0 ..< m).map { _ in draw() }
      let b = (0 ..< m).map { k in round == 3 ? -a[k] : draw() }
      var score = 0
      for k in 0 ..< m {
        for l in (k + 1) ..< m {
          let product = (a[k] < a[l] ? 1 : a[k] > a[l] ? -1 : 0) * (b[k] < b[l] ? 1 : b[k] > b[l] ? -1 : 0)
          score += product
        }
      }
      let expected = Double(score) / Double(m * (m - 1) / 2)
      #expect(RSA.kendallTauA(a, b) == expected, "m = \(m), round \(round)")
    }
  }

  /// Inversions are counted as pairs k < l with v[k] > v[l], ties excluded, and the values come back sorted.
  @Test func countsInversionsAndSorts() {
    var values: [UInt64] = [3, 1, 2, 2, 0]
    #expect(RSA.sortCountingInversions(&values) == 7)  // 3>1, 3>2 twice, 3>0, 1>0, 2>0 twice
    #expect(values == [0, 1, 2, 2, 3])
    var generator = SplitMix64(seed: 5)
    var long = (0 ..< 300).map { _ in generator.next() % 50 }
    var expected = 0
    for k in 0 ..< long.count { for l in (k + 1) ..< long.count where long[k] > long[l] { expected += 1 } }
    let sorted = long.sorted()
    #expect(RSA.sortCountingInversions(&long) == expected)
    #expect(long == sorted)
    #expect(RSA.orderedKey(-0.0) == RSA.orderedKey(0.0))
    #expect(RSA.orderedKey(-1) < RSA.orderedKey(-0.5) && RSA.orderedKey(0) < RSA.orderedKey(.leastNonzeroMagnitude))
  }

  /// The O(n²) whitened forms equal the cosine of −½HDH built as full n×n matrices, for random triangles.
  @Test(arguments: [2, 3, 5, 17, 40])
  func whitenedFormsEqualTheDoubleCenteredDefinition(_ n: Int) {
    var generator = SplitMix64(seed: UInt64(100 + n))
    let m = n * (n - 1) / 2
    let a = (0 ..< m).map { _ in abs(generator.gaussian()) + 0.1 }
    let b = (0 ..< m).map { _ in abs(generator.gaussian()) }
    for subtractingMean in [false, true] {
      func centered(_ t: [Double]) -> [[Double]] {
        let shift = subtractingMean ? t.reduce(0, +) / Double(t.count) : 0
        var d = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var k = 0
        for i in 0 ..< n {
          for j in (i + 1) ..< n {
            (d[i][j], d[j][i]) = (t[k] - shift, t[k] - shift)
            k += 1
          }
        }
        let rows = d.map { $0.reduce(0, +) / Double(n) }
        let grand = rows.reduce(0, +) / Double(n)
        return (0 ..< n).map { i in (0 ..< n).map { j in -0.5 * (d[i][j] - rows[i] - rows[j] + grand) } }
      }
      let (g, h) = (centered(a), centered(b))
      var (gh, gg, hh) = (0.0, 0.0, 0.0)
      for i in 0 ..< n {
        for j in 0 ..< n {
          gh += g[i][j] * h[i][j]
          gg += g[i][j] * g[i][j]
          hh += h[i][j] * h[i][j]
        }
      }
      let value = RSA.whitenedCosine(a, b, rowCount: n, subtractingMean: subtractingMean)
      if n == 2 && subtractingMean {
        #expect(value == nil, "one entry minus its mean is 0")
      } else {
        let expected = gh / (gg * hh).squareRoot()
        #expect(abs((value ?? .nan) - expected) <= 1e-12, "n = \(n), subtractingMean \(subtractingMean)")
      }
    }
  }

  // MARK: Identities

  /// rsatoolbox's documented identity: the whitened cosine of squared Euclidean RDMs is linear CKA.
  @Test(arguments: ["kornblith_A", "realistic_relu", "closed_form_E", "n_le_d"])
  func whitenedCosineOfSquaredDistancesIsLinearCKA(_ name: String) throws {
    let fixture = try MeasureFixtures.case(named: name)
    let rsa = try RSA(rdm: .sqeuclidean, compare: .cosineCov).similarity(fixture.x, fixture.y)
    let cka = try LinearCKA().similarity(fixture.x, fixture.y)
    #expect(abs(rsa.value - cka.value) <= 1e-6, "\(name): \(rsa) vs cka \(cka)")
  }

  /// Rank comparisons see only the order of the entries, which squaring the distances keeps.
  @Test(arguments: ["random_small", "related_medium", "integer_ties"])
  func rankComparisonsIgnoreSquaringTheDistances(_ name: String) throws {
    let fixture = try RSAFixtures.case(named: name)
    for comparison in [RSA.Comparison.spearman, .tauA] {
      let plain = try RSA(rdm: .euclidean, compare: comparison).similarity(fixture.x, fixture.y)
      let squared = try RSA(rdm: .sqeuclidean, compare: comparison).similarity(fixture.x, fixture.y)
      #expect(plain == squared, "\(name) · \(comparison): \(plain) vs \(squared)")
    }
  }

  /// A representation against itself: 1 for every comparison, except τ_a with tied entries, which counts the T tied
  /// pairs as neither concordant nor discordant: 1 − T/M of the M pairs.
  @Test(arguments: ["random_small", "related_medium", "integer_ties"])
  func selfSimilarityIsOne(_ name: String) throws {
    let x = try RSAFixtures.case(named: name).x
    // The squared distances, exact here (small integers in integer_ties), and the pairs of equal ones.
    var distances: [Double] = []
    for i in 0 ..< x.rows {
      for j in (i + 1) ..< x.rows {
        distances.append((0 ..< x.columns).reduce(0.0) { $0 + pow(Double(x[i, $1]) - Double(x[j, $1]), 2) })
      }
    }
    let m = distances.count
    var tied = 0
    for k in 0 ..< m { for l in (k + 1) ..< m where distances[k] == distances[l] { tied += 1 } }
    #expect(name != "integer_ties" || tied > 0)
    for rdm in [RSA.Dissimilarity.euclidean, .sqeuclidean] {
      for comparison in RSA.Comparison.allCases {
        let value = try RSA(rdm: rdm, compare: comparison).similarity(x, x)
        let expected = comparison == .tauA ? 1 - Double(tied) / Double(m * (m - 1) / 2) : 1
        #expect(abs(value.value - expected) <= 1e-12, "\(name) · \(rdm) · \(comparison): \(value) vs \(expected)")
      }
    }
  }

  // MARK: Declared properties

  static let newIDs = [RSA.Dissimilarity.euclidean, .sqeuclidean, .correlation].flatMap { rdm in
    [RSA.Comparison.cosine, .tauA, .cosineCov, .corrCov].map { "rsa(rdm=\(rdm.rawValue),compare=\($0.rawValue))" }
  } + ["rsa(rdm=sqeuclidean,compare=pearson)", "rsa(rdm=sqeuclidean,compare=spearman)"]

  /// Every comparison keeps the RDM's invariances (each is unchanged when an RDM is multiplied by c > 0).
  @Test func propertiesDependOnTheRDMOnly() {
    for comparison in RSA.Comparison.allCases {
      for rdm in RSA.Dissimilarity.allCases {
        let properties = RSA(rdm: rdm, compare: comparison).properties
        let expected: Set<Invariance> = rdm == .correlation
          ? [.isotropicScaling, .rowScaling] : [.orthogonal, .translation, .isotropicScaling]
        #expect(properties.invariances == expected, "\(rdm) · \(comparison)")
        #expect(properties.range == "[−1, 1]" && properties.isSymmetric && properties.largerIsMoreSimilar)
      }
    }
  }

  /// Each declared invariance, applied with random parameters to each side over 3 seeds, leaves the value unchanged
  /// to 1e-5 (the `mknn_margin` case of measures.json, as for the other kernel measures); and swapping the inputs
  /// keeps it to 1e-12.
  @Test(arguments: newIDs)
  func declaredInvariancesHold(_ id: String) throws {
    let measure = try #require(try KernelMeasures.make(id))
    let fixture = try MeasureFixtures.case(named: "mknn_margin")
    let base = try measure.similarity(fixture.x, fixture.y)
    #expect(base.isDefined)
    for seed: UInt64 in 1 ... 3 {
      var generator = KernelSplitMix64(seed: seed)
      for invariance in measure.properties.invariances.sorted() {
        for side in 0 ... 1 {
          let (x, y) = try kernelTestTransform(invariance, side: side, fixture.x, fixture.y, using: &generator)
          let value = try measure.similarity(x, y)
          #expect(kernelTestIsClose(value.value, base.value),
                  "\(id) under \(invariance) of side \(side), seed \(seed): \(value) vs \(base)")
        }
      }
    }
    let swapped = try measure.similarity(fixture.y, fixture.x)
    #expect(kernelTestIsClose(swapped.value, base.value, relative: 1e-12, absolute: 1e-14), "\(id) swapped")
  }

  /// Negative controls: what is not declared does change the value.
  @Test(arguments: [RSA.Comparison.cosine, .tauA, .cosineCov, .corrCov])
  func undeclaredTransformationsChangeTheValue(_ comparison: RSA.Comparison) throws {
    let fixture = try MeasureFixtures.case(named: "mknn_margin")
    var generator = KernelSplitMix64(seed: 11)
    func change(_ rdm: RSA.Dissimilarity, _ invariance: Invariance) throws -> Double {
      let measure = RSA(rdm: rdm, compare: comparison)
      let (x, y) = try kernelTestTransform(invariance, side: 0, fixture.x, fixture.y, using: &generator)
      return abs(try measure.similarity(x, y).value - (try measure.similarity(fixture.x, fixture.y).value))
    }
    #expect(try change(.euclidean, .rowScaling) > 1e-3, "euclidean RDM, row scaling")
    #expect(try change(.sqeuclidean, .invertibleLinear) > 1e-3, "squared Euclidean RDM, invertible map")
    #expect(try change(.correlation, .translation) > 1e-3, "correlation RDM, translation")
    #expect(try change(.correlation, .orthogonal) > 1e-3, "correlation RDM, orthogonal map")
  }

  // MARK: Degenerate inputs

  /// Cases the fixture cannot reach through `calc_rdm`: a zero RDM (only the correlation RDM of rows that are all
  /// positively proportional gives one, through round-off), a constant RDM for the whitened forms, and non-finite data.
  @Test func reportsTheRemainingDegenerateCases() throws {
    let zero = [Double](repeating: 0, count: 6)
    let other: [Double] = [1, 2, 3, 4, 5, 7]
    for comparison in [RSA.Comparison.cosine, .cosineCov] {
      #expect(RSA.compareTriangles(zero, other, rowCount: 4, by: comparison).reason == "zero RDM")
      #expect(RSA.compareTriangles(other, zero, rowCount: 4, by: comparison).reason == "zero RDM")
    }
    #expect(RSA.compareTriangles(zero, other, rowCount: 4, by: .tauA) == MeasureValue(0))
    let constant = [Double](repeating: 0.5, count: 6)
    #expect(RSA.compareTriangles(constant, other, rowCount: 4, by: .corrCov).reason == "constant RDM")
    #expect(RSA.compareTriangles(constant, other, rowCount: 4, by: .cosineCov).isDefined)
    var values = [Float](repeating: 0, count: 12)
    for k in values.indices { values[k] = Float(k % 5) }
    let y = Matrix(rows: 4, columns: 3, storage: values)
    values[4] = .nan
    let x = Matrix(rows: 4, columns: 3, storage: values)
    for comparison in RSA.Comparison.allCases {
      for rdm in RSA.Dissimilarity.allCases {
        #expect(try RSA(rdm: rdm, compare: comparison).similarity(x, y).reason == "non-finite input", "\(rdm)")
        #expect(try RSA(rdm: rdm, compare: comparison).similarity(y, x).reason == "non-finite input", "\(rdm)")
      }
    }
  }

  /// Ids spell out both parameters; unknown words are `badParameter` errors.
  @Test func idsAndParameters() throws {
    func make(_ text: String) throws -> RSA {
      try RSA(parameters: MeasureParameters(measure: RSA.name, values: try MeasureID(parsing: text).parameters))
    }
    #expect(try make("rsa(compare=tau-a)").id.description == "rsa(rdm=correlation,compare=tau-a)")
    #expect(try make("rsa(rdm=sqeuclidean,compare=cosine_cov)").id.description
      == "rsa(rdm=sqeuclidean,compare=cosine_cov)")
    #expect(try make("rsa").id.description == "rsa(rdm=correlation,compare=spearman)")
    let listed = try MeasureRegistry.make(list: "rsa(compare=corr_cov),rsa(rdm=euclidean,compare=cosine)")
    #expect(listed.map(\.id.description)
      == ["rsa(rdm=correlation,compare=corr_cov)", "rsa(rdm=euclidean,compare=cosine)"])
    for bad in ["rsa(compare=kendall)", "rsa(compare=tau_a)", "rsa(compare=corr)", "rsa(rdm=cosine)"] {
      #expect(throws: MeasureError.self, "\(bad)") { try make(bad) }
    }
  }

  /// Calling the comparisons with mismatched triangles is a programmer error and traps.
  @Test func mismatchedTrianglesTrap() async {
    await #expect(processExitsWith: .failure) { _ = RSA.kendallTauA([1, 2, 3], [1, 2]) }
    await #expect(processExitsWith: .failure) {
      _ = RSA.whitenedCosine([1, 2, 3], [1, 2, 3], rowCount: 4, subtractingMean: false)
    }
  }
}

// MARK: - Fixture

/// `Fixtures/rsa.json`: matrix cases with, per id, rsatoolbox's value (or NaN and repstore's reason), and hand-made
/// triangles with ties. See `tools/fixtures/README.md`.
enum RSAFixtures {
  struct Document: Decodable {
    var cases: [Case]
    var triangles: [RSATriangle]
  }

  struct Case: Decodable {
    var name: String
    var n: Int
    var d1: Int
    var d2: Int
    var X: [[Double]]
    var Y: [[Double]]
    var measures: [String: Expectation]
  }

  /// A reference value (nil for NaN, with repstore's reason).
  struct Expectation: Decodable, Sendable {
    var value: Double?
    var reason: String?
  }

  /// One case's inputs as Float32 matrices (exactly the stored values, which are Float32-representable).
  struct Inputs: Sendable {
    var name: String
    var x: Matrix
    var y: Matrix
  }

  static func load() throws -> Document { try loaded.get() }

  /// The measure an id of the file names.
  static func measure(_ id: String) throws -> RSA {
    try RSA(parameters: MeasureParameters(measure: RSA.name, values: try MeasureID(parsing: id).parameters))
  }

  static func `case`(named name: String) throws -> Inputs {
    guard let found = try load().cases.first(where: { $0.name == name }) else {
      throw FixtureError(message: "rsa.json has no case '\(name)'")
    }
    return try inputs(found)
  }

  /// Every (case, id) pair of the file, in file order.
  static func pairs() throws -> [RSAFixturePair] {
    try load().cases.flatMap { fixture in
      let inputs = try inputs(fixture)
      return fixture.measures.keys.sorted().map { id in
        RSAFixturePair(caseName: fixture.name, id: id, x: inputs.x, y: inputs.y, expected: fixture.measures[id]!)
      }
    }
  }

  private static func inputs(_ fixture: Case) throws -> Inputs {
    func matrix(_ rows: [[Double]], _ columns: Int) throws -> Matrix {
      let values = rows.flatMap { $0 }
      guard rows.count == fixture.n, values.count == fixture.n * columns,
            values.allSatisfy({ Double(Float($0)) == $0 })
      else {
        throw FixtureError(message: "rsa.json: case \(fixture.name): inputs are not \(fixture.n)×\(columns) Float32")
      }
      return Matrix(rows: fixture.n, columns: columns, storage: values.map { Float($0) })
    }
    return Inputs(name: fixture.name, x: try matrix(fixture.X, fixture.d1), y: try matrix(fixture.Y, fixture.d2))
  }

  private static let loaded: Result<Document, FixtureError> = Result {
    guard let url = Bundle.module.url(forResource: "rsa", withExtension: "json", subdirectory: "Fixtures") else {
      throw FixtureError(message: "Fixtures/rsa.json is not in the test bundle")
    }
    do {
      return try JSONDecoder().decode(Document.self, from: try Data(contentsOf: url))
    } catch {
      throw FixtureError(message: "Fixtures/rsa.json: \(error)")
    }
  }.mapError { $0 as? FixtureError ?? FixtureError(message: "\($0)") }
}

/// One id on one case of `rsa.json`.
struct RSAFixturePair: Sendable, CustomTestStringConvertible, CustomStringConvertible {
  let caseName: String
  let id: String
  let x: Matrix
  let y: Matrix
  let expected: RSAFixtures.Expectation
  var testDescription: String { "\(caseName) · \(id)" }
  var description: String { testDescription }
}

/// Two hand-made RDM triangles (21 entries, n = 7) and what rsatoolbox's comparisons give on them.
struct RSATriangle: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let a: [Double]
  let b: [Double]
  let values: [String: RSAFixtures.Expectation]
  var testDescription: String { name }
}
