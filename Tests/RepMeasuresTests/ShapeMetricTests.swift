import Foundation
import RepMath
@testable import RepMeasures
import Testing

/// The Procrustes family and shape metrics (`procrustes*`, `shape*`, `bures*`, `cka.angular`) against the netrep
/// transcription of `Fixtures/shape.json` (tools/fixtures/make_shape_fixtures.py), their exactness near 0, their
/// round-off guard, and the linear-assignment solver against scipy.
@Suite struct ShapeMetricTests {
  struct File: Decodable {
    struct Case: Decodable {
      var name: String
      var x: [[Double]]
      var y: [[Double]]
      var values: [String: Double]
    }
    struct Assignment: Decodable {
      var costs: [[Double]]
      var maximize: Bool
      var optimum: Double
    }
    var cases: [Case]
    var assignments: [Assignment]
  }

  static let file: File = {
    let url = Bundle.module.url(forResource: "shape", withExtension: "json", subdirectory: "Fixtures")!
    return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url))
  }()

  static func matrix(_ rows: [[Double]]) -> Matrix {
    var m = Matrix(rows: rows.count, columns: rows.first?.count ?? 0)
    for (i, row) in rows.enumerated() {
      for (j, value) in row.enumerated() { m.storage[i * m.columns + j] = Float(value) }
    }
    return m
  }

  struct Pair: Sendable, CustomTestStringConvertible {
    var caseName: String
    var id: String
    var expected: Double
    var testDescription: String { "\(caseName) · \(id)" }
  }

  static let pairs: [Pair] = file.cases.flatMap { c in
    c.values.keys.sorted().map { Pair(caseName: c.name, id: $0, expected: c.values[$0]!) }
  }

  /// Absolute 1e-6; `bures.distance` carries the data's scale (it is a distance between matrices of Frobenius norms
  /// ‖X̃‖_F and ‖Ỹ‖_F, here up to ~1e3), so it is checked to 1e-6 of sqrt(‖X̃‖²_F + ‖Ỹ‖²_F).
  static func tolerance(_ pair: Pair, _ x: Matrix, _ y: Matrix) -> Double {
    guard pair.id == "bures.distance" else { return 1e-6 }
    return 1e-6 * (ColumnStatistics(x).centeredRowNormSum + ColumnStatistics(y).centeredRowNormSum).squareRoot()
  }

  @Test(arguments: pairs)
  func agreesWithNetrep(_ pair: Pair) throws {
    let c = try #require(Self.file.cases.first { $0.name == pair.caseName })
    let measure = try MeasureRegistry.make(MeasureID(parsing: pair.id))
    #expect(measure.id.description == pair.id, "canonical id")
    let value = try measure.similarity(Self.matrix(c.x), Self.matrix(c.y))
    #expect(value.isDefined, "\(value)")
    #expect(abs(value.value - pair.expected) <= Self.tolerance(pair, Self.matrix(c.x), Self.matrix(c.y)),
            "\(pair.id): \(value.value) vs netrep \(pair.expected), off by \(abs(value.value - pair.expected))")
  }

  /// The largest difference to the reference over the whole file, for docs/measures.md (printed), with the small-angle
  /// cases held to the required 1e-6.
  @Test func largestDifference() throws {
    var largest = 0.0
    var where_ = ""
    for pair in Self.pairs where pair.id != "bures.distance" {
      let c = Self.file.cases.first { $0.name == pair.caseName }!
      let value = try MeasureRegistry.make(MeasureID(parsing: pair.id)).similarity(Self.matrix(c.x), Self.matrix(c.y))
      let difference = abs(value.value - pair.expected)
      if difference > largest { (largest, where_) = (difference, "\(pair.caseName) · \(pair.id)") }
    }
    print("shape fixtures: largest absolute difference \(largest) at \(where_)")
    #expect(largest < 1e-6)
  }

  /// A layer against a copy of itself, through a general product (two tensors), not the diagonal shortcut: 0 within
  /// 1e-6 with the Float64 products the family asks for; with Float32 products the guard still keeps it defined.
  @Test(arguments: ["procrustes", "procrustes.euclidean", "shape(alpha=0.5)", "shape(alpha=0.0)",
                    "shape.euclidean(alpha=0.5)", "procrustes.permutation", "cka.angular", "bures.distance"])
  func layerAgainstItselfIsZero(_ id: String) throws {
    let measure = try #require(try MeasureRegistry.make(MeasureID(parsing: id)) as? any StatisticsMeasure)
    var generator = CovarianceTesting.Generator(seed: 91)
    let (x, _) = CovarianceTesting.correlatedPair(rows: 3000, 40, 3, factors: 10, offset: 50, using: &generator)
    // bures.distance carries the data's scale: it is held to 1e-6 of ‖X̃‖_F (the scale its value is measured in).
    let scale = id == "bures.distance" ? ColumnStatistics(x).centeredGramTrace.squareRoot() : 1
    for chunkRows in [256, 2048] {
      let joint = JointStatistics([x, x], pairs: [(0, 1)], chunkRows: chunkRows, precision: .double)
      let value = try measure.similarity(joint.columnStatistics[0], joint.columnStatistics[1], cross: joint.cross(0, 1))
      #expect(value.isDefined && abs(value.value) / scale < 1e-6, "\(id), chunks of \(chunkRows): \(value)")
      let diagonal = try measure.similarity(joint.columnStatistics[0], joint.columnStatistics[0],
                                            cross: joint.cross(0, 0))
      #expect(diagonal.isDefined && abs(diagonal.value) / scale < 1e-6, "\(id) diagonal: \(diagonal)")
      let single = JointStatistics([x, x], pairs: [(0, 1)], chunkRows: chunkRows, precision: .single)
      let rough = try measure.similarity(single.columnStatistics[0], single.columnStatistics[1], cross: single.cross(0, 1))
      #expect(rough.isDefined, "\(id) from Float32 products must not be NaN: \(rough)")
    }
  }

  @Test func shapeAtAlphaOneIsProcrustes() throws {
    for c in Self.file.cases {
      let (x, y) = (Self.matrix(c.x), Self.matrix(c.y))
      #expect(try ShapeMetric(alpha: 1).similarity(x, y).value == Procrustes().similarity(x, y).value)
      #expect(try EuclideanShapeMetric(alpha: 1).similarity(x, y).value == EuclideanProcrustes().similarity(x, y).value)
      #expect(try NormalizedBuresSimilarity().similarity(x, y).value == cos(Procrustes().similarity(x, y).value))
    }
  }

  @Test func procrustesAsksForFloat64Products() {
    for measure in [Procrustes(), EuclideanProcrustes(), ShapeMetric(alpha: 0.5), PermutationProcrustes(),
                    NormalizedBuresSimilarity(), BuresDistance(), AngularCKA()] as [any StatisticsMeasure] {
      #expect(measure.productPrecision == .double, "\(measure.id)")
    }
    #expect(LinearCKA().productPrecision == .single)
  }

  // MARK: The round-off guard

  @Test func roundingBoundFollowsThePrecision() throws {
    var generator = CovarianceTesting.Generator(seed: 92)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 2000, 12, 12, using: &generator)
    func bound(_ precision: ProductPrecision) -> Double {
      let joint = JointStatistics([x, y], pairs: [(0, 1)], chunkRows: 1024, precision: precision)
      let (a, b, cross) = (joint.columnStatistics[0], joint.columnStatistics[1], joint.cross(0, 1))
      let rounding = StatisticsRounding(a, b, cross: cross)
      let singular = try! LAPACK.singularValues(cross.centeredCross(a, b))
      return BoundedCosine.roundingBound(BoundedCosine.Computed(
        numerator: singular.reduce(0, +),
        numeratorError: BoundedCosine.nuclearNormError(singularValues: singular, largestDimension: 12,
                                                       matrixError: rounding.cross),
        xNormSquared: a.centeredGramTrace, xNormError: rounding.xTrace,
        yNormSquared: b.centeredGramTrace, yNormError: rounding.yTrace))
    }
    let (double, single) = (bound(.double), bound(.single))
    // Float64: n·u₆₄ = 2.2e-13 times small factors; Float32 chunks of 1024: about 1024·6e-8.
    #expect(double > 0 && double < 1e-11, "\(double)")
    #expect(single > 1e-5 && single < 1e-2, "\(single)")
  }

  @Test func cosineAboveOneWithinItsBoundIsOneAndBeyondIsNaN() {
    var computed = BoundedCosine.Computed(numerator: 1 + 1e-12, numeratorError: 1e-10, xNormSquared: 1,
                                          xNormError: 1e-12, yNormSquared: 1, yNormError: 1e-12)
    #expect(try! BoundedCosine.cosine(computed).get() == 1)
    computed.numerator = 1 + 1e-8
    guard case .failure(let undefined) = BoundedCosine.cosine(computed) else {
      Issue.record("an excess of 1e-8 over a bound of 1e-10 must be NaN")
      return
    }
    #expect(undefined.reason.contains("rounding bound"))
    computed.numerator = -(1 + 1e-12)
    #expect(try! BoundedCosine.cosine(computed).get() == -1)
    computed.numerator = 0.5
    #expect(try! BoundedCosine.cosine(computed).get() == 0.5)
  }

  // MARK: Degenerate inputs

  @Test(arguments: ["procrustes", "shape(alpha=0.5)", "shape.euclidean(alpha=0.0)", "procrustes.permutation",
                    "bures", "bures.distance", "cka.angular"])
  func constantLayerIsUndefined(_ id: String) throws {
    let measure = try MeasureRegistry.make(MeasureID(parsing: id))
    var generator = CovarianceTesting.Generator(seed: 93)
    let (x, _) = CovarianceTesting.correlatedPair(rows: 50, 5, 5, using: &generator)
    let constant = Matrix(rows: 50, columns: 4, storage: [Float](repeating: 2.5, count: 200))
    for (a, b) in [(x, constant), (constant, x)] {
      let value = try measure.similarity(a, b)
      #expect(value.value.isNaN && value.reason == "constant representation", "\(id): \(value)")
    }
    // One row is a constant representation too.
    let one = Matrix(rows: 1, columns: 5, storage: [1, 2, 3, 4, 5])
    #expect(try measure.similarity(one, one).reason == "constant representation")
  }

  @Test func shapeAlphaOutOfRangeIsRejected() {
    #expect(throws: MeasureError.self) { try MeasureRegistry.make(MeasureID(parsing: "shape(alpha=1.5)")) }
    #expect(throws: MeasureError.self) { try MeasureRegistry.make(MeasureID(parsing: "shape.euclidean(alpha=-0.1)")) }
    #expect(try! MeasureRegistry.make(MeasureID(parsing: "shape")).id.description == "shape(alpha=1.0)")
  }

  // MARK: Invariances not covered by the covariance suite

  /// Permuting one side's units leaves procrustes.permutation unchanged; a rotation does not.
  @Test func permutationMetricIsInvariantToUnitPermutationOnly() throws {
    var generator = CovarianceTesting.Generator(seed: 94)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 200, 7, 9, using: &generator)
    let measure = PermutationProcrustes()
    #expect(measure.properties.invariances.contains(.unitPermutation))
    let base = try measure.similarity(x, y).value
    for seed in 0 ..< 5 {
      var g = KernelSplitMix64(seed: UInt64(seed))
      let (px, py) = try kernelTestTransform(.unitPermutation, side: seed % 2, x, y, using: &g)
      #expect(abs(try measure.similarity(px, py).value - base) < 1e-9)
    }
    let rotated = CovarianceTesting.transformed(y, by: try CovarianceTesting.orthogonal(9, using: &generator))
    #expect(abs(try measure.similarity(x, rotated).value - base) > 1e-3)
  }

  /// shape(α) for 0 < α < 1 is scale-free by convention (the inputs are normalised first), unlike netrep on raw data.
  @Test func shapeIsScaleFree() throws {
    var generator = CovarianceTesting.Generator(seed: 95)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 200, 6, 8, using: &generator)
    let base = try ShapeMetric(alpha: 0.5).similarity(x, y).value
    let scaled = try ShapeMetric(alpha: 0.5).similarity(CovarianceTesting.scaled(x, by: 1000), y).value
    #expect(abs(scaled - base) < 1e-6, "\(base) vs \(scaled)")
  }

  // MARK: Linear assignment

  @Test func assignmentMatchesScipy() {
    for (k, problem) in Self.file.assignments.enumerated() {
      let rows = problem.costs.count
      let columns = problem.costs[0].count
      let costs = DoubleMatrix(rows: rows, columns: columns, storage: problem.costs.flatMap { $0 })
      let pairs = LinearAssignment.solve(costs, maximize: problem.maximize)
      #expect(pairs.count == min(rows, columns))
      #expect(Set(pairs.map(\.row)).count == pairs.count && Set(pairs.map(\.column)).count == pairs.count)
      let total = pairs.reduce(0) { $0 + costs[$1.row, $1.column] }
      #expect(abs(total - problem.optimum) < 1e-9, "problem \(k) (\(rows)×\(columns)): \(total) vs scipy \(problem.optimum)")
    }
  }

  /// Every permutation of small square problems, over many seeds: the solver's sum is the brute-force optimum.
  @Test func assignmentIsOptimalByBruteForce() {
    var generator = CovarianceTesting.Generator(seed: 96)
    func permutations(_ n: Int) -> [[Int]] {
      n == 0 ? [[]] : permutations(n - 1).flatMap { p in (0 ... p.count).map { i in var q = p; q.insert(n - 1, at: i); return q } }
    }
    for n in 1 ... 6 {
      let all = permutations(n)
      for trial in 0 ..< 30 {
        let costs = DoubleMatrix(rows: n, columns: n, storage: (0 ..< n * n).map { _ in (generator.gaussian() * 4).rounded() })
        let best = all.map { p in (0 ..< n).reduce(0) { $0 + costs[$1, p[$1]] } }.min()!
        let solved = LinearAssignment.solve(costs).reduce(0) { $0 + costs[$1.row, $1.column] }
        #expect(solved == best, "n = \(n), trial \(trial)")
      }
    }
  }
}
