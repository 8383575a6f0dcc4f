import Foundation
import RepMath
import RepMeasures
import Testing

/// The covariance-family measures from streamed statistics equal the in-memory ones, whatever the storage blocks.
@Suite struct CovarianceStreamingTests {
  /// Storage block sizes (rows per block) for X and for Y; n is replaced by the row count.
  static let blockSizes: [(Int, Int)] = [(1, 1), (3, 3), (100, 100), (Int.max, Int.max), (1, 100), (3, Int.max), (7, 5)]

  /// Streams X and Y block by block (feeding the lagging matrix first, as storage would) through a `RowChunker`
  /// into `JointStatistics`, with the default compute chunk of 1024 rows.
  static func streamed(
    _ x: Matrix, _ y: Matrix, blocks: (Int, Int), precision: ProductPrecision = .single
  ) -> JointStatistics {
    var statistics = JointStatistics(columnCounts: [x.columns, y.columns], pairs: [(0, 1)], precision: precision)
    var chunker = RowChunker(columnCounts: [x.columns, y.columns])
    let matrices = [x, y]
    let sizes = [min(blocks.0, x.rows), min(blocks.1, y.rows)]
    var next = [0, 0]
    while next[0] < x.rows || next[1] < y.rows {
      let k = next[chunker.laggingMatrix] < x.rows ? chunker.laggingMatrix : 1 - chunker.laggingMatrix
      let rows = min(sizes[k], matrices[k].rows - next[k])
      let width = matrices[k].columns
      matrices[k].storage.withUnsafeBufferPointer { storage in
        let block = UnsafeBufferPointer(rebasing: storage[next[k] * width ..< (next[k] + rows) * width])
        chunker.push(block, rows: rows, matrix: k) { statistics.accumulate($0) }
      }
      next[k] += rows
    }
    chunker.finish { statistics.accumulate($0) }
    return statistics
  }

  struct Blocks: Sendable, CustomTestStringConvertible {
    var x: Int
    var y: Int
    var testDescription: String {
      "blocks of \(x == Int.max ? "n" : "\(x)") and \(y == Int.max ? "n" : "\(y)") rows"
    }
  }

  /// The absolute tolerance near 0. A distance of this family is arccos(c) or sqrt(2 − 2c) (Bures: of its scale), which
  /// near 0 turns a Float64 rounding δ of the cosine c into sqrt(2δ): the BLAS thread count, global to the process and
  /// changed by suites running beside this one, moves the products' last bits and the angle by up to ~5e-8.
  static func absolute(_ measure: any StatisticsMeasure) -> Double {
    measure.properties.largerIsMoreSimilar ? 1e-15 : 1e-7
  }

  @Test(arguments: blockSizes.map { Blocks(x: $0.0, y: $0.1) })
  func streamingEqualsInMemory(_ blocks: Blocks) throws {
    // n = 2500 rows: three compute chunks (1024, 1024, 452), offsets ~3 on unit-spread columns.
    var generator = CovarianceTesting.Generator(seed: 21)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 2500, 7, 9, using: &generator)
    let statistics = ProductPrecision.allCases.map { Self.streamed(x, y, blocks: (blocks.x, blocks.y), precision: $0) }
    for measure in CovarianceTesting.measures {
      // The statistics of the precision the measure asks for, as the table executor gives it.
      let statistics = statistics[ProductPrecision.allCases.firstIndex(of: measure.productPrecision)!]
      let inMemory = try measure.similarity(x, y)
      let streamed = try measure.similarity(
        statistics.columnStatistics[0], statistics.columnStatistics[1], cross: statistics.cross(0, 1))
      #expect(inMemory.isDefined)
      #expect(CovarianceTesting.close(streamed.value, inMemory.value, relative: 1e-12, absolute: Self.absolute(measure)),
              "\(measure.id): streamed \(streamed.value), in memory \(inMemory.value)")
    }
  }

  @Test func fixtureCasesStreamTheSameWay() throws {
    for fixture in try MeasureFixtures.cases() {
      for blocks in [(1, 1), (3, 100)] {
        let statistics = ProductPrecision.allCases.map { Self.streamed(fixture.x, fixture.y, blocks: blocks, precision: $0) }
        for measure in CovarianceTesting.measures {
          let statistics = statistics[ProductPrecision.allCases.firstIndex(of: measure.productPrecision)!]
          let inMemory = try measure.similarity(fixture.x, fixture.y)
          let streamed = try measure.similarity(
            statistics.columnStatistics[0], statistics.columnStatistics[1], cross: statistics.cross(0, 1))
          #expect(streamed.reason == inMemory.reason, "\(fixture.name) · \(measure.id)")
          #expect(streamed.value.isNaN == inMemory.value.isNaN, "\(fixture.name) · \(measure.id)")
          if inMemory.isDefined {
            #expect(CovarianceTesting.close(streamed.value, inMemory.value, relative: 1e-12,
                                            absolute: Self.absolute(measure)),
                    "\(fixture.name) · \(measure.id): \(streamed.value) vs \(inMemory.value)")
          }
        }
      }
    }
  }
}

/// Self-similarity and degenerate inputs: dead units, n ≤ d, constant layers, small n. Undefined values are NaN with
/// a reason and are never clamped into range; nothing crashes.
@Suite struct CovarianceDegenerateInputTests {
  static func pair(rows: Int, _ d1: Int, _ d2: Int, seed: UInt64) -> (x: Matrix, y: Matrix) {
    var generator = CovarianceTesting.Generator(seed: seed)
    return CovarianceTesting.correlatedPair(rows: rows, d1, d2, using: &generator)
  }

  @Test func selfSimilarity() throws {
    let (x, _) = Self.pair(rows: 200, 8, 8, seed: 31)
    #expect(abs(try LinearCKA().similarity(x, x).value - 1) < 1e-12)
    #expect(abs(try DebiasedLinearCKA().similarity(x, x).value - 1) < 1e-12)
    #expect(abs(try MeanCCA().similarity(x, x).value - 1) < 1e-9)
    #expect(abs(try MeanSquaredCCA().similarity(x, x).value - 1) < 1e-9)
    #expect(abs(try SVCCA().similarity(x, x).value - 1) < 1e-9)
    #expect(abs(try FullSVCCA().similarity(x, x).value - 1) < 1e-8)
    #expect(abs(try PWCCA().similarity(x, x).value - 1) < 1e-9)
    #expect(abs(try ContraSimPWCCA().similarity(x, x).value - 1) < 1e-9)
    // ‖ÃᵀÃ‖_* = 1 up to round-off, which the guard takes as 1 when above: the distance is 0.
    #expect(try Procrustes().similarity(x, x).value < 1e-6)
    #expect(try EuclideanProcrustes().similarity(x, x).value < 1e-6)
  }

  /// On long, offset data the statistics carry ~1e-7 relative error from their Float32 chunk products (the cross
  /// X̃ᵀX̃ of the pair and each side's Gram are separate Float32 sums): cka(X, X) is then 1 ± 2e-7 and
  /// cca.mean(X, X) 1 ± 2e-6, either side of 1. Near 0 the arccos and the square root amplify it to about
  /// sqrt(2·1e-7) ≈ 4e-4 when the nuclear norm lands just below 1 (the guard only takes excess above 1). The cosine
  /// itself stays within 1e-6 of 1.
  @Test(arguments: UInt64(1) ... 8)
  func selfSimilarityOnLargeOffsetData(seed: UInt64) throws {
    var generator = CovarianceTesting.Generator(seed: seed)
    let (x, _) = CovarianceTesting.correlatedPair(rows: 3000, 20, 20, offset: 30, using: &generator)
    #expect(abs(try LinearCKA().similarity(x, x).value - 1) < 1e-6)
    // Whitening divides that error by the smallest eigenvalue: up to 1.4e-6 here, on either side of 1 (not clamped).
    #expect(abs(try MeanCCA().similarity(x, x).value - 1) < 1e-5)
    let angle = try Procrustes().similarity(x, x).value
    #expect(angle < 1e-3)
    #expect(1 - cos(angle) < 1e-6)
    let distance = try EuclideanProcrustes().similarity(x, x).value
    #expect(distance < 1e-3)
  }

  @Test func deadUnitsAreCutFromTheCCAFamily() throws {
    // Two all-zero columns in X (dead ReLU units): rank 6 of 8.
    let (live, y) = Self.pair(rows: 120, 8, 10, seed: 32)
    var x = live
    for i in 0 ..< x.rows {
      x[i, 2] = 0
      x[i, 5] = 0
    }
    let liveColumns = CovarianceTesting.selectedColumns(x, [0, 1, 3, 4, 6, 7])
    // The CCA family sees only the live units: the same value as with the dead columns removed.
    for measure in [MeanCCA(), MeanSquaredCCA(), FullSVCCA(), SVCCA(), PWCCA()] as [any StatisticsMeasure] {
      let withDead = try measure.similarity(x, y)
      let without = try measure.similarity(liveColumns, y)
      #expect(withDead.isDefined, "\(measure.id)")
      #expect(CovarianceTesting.close(withDead.value, without.value, relative: 1e-6), "\(measure.id)")
    }
    // The code's PWCCA would weight arbitrary directions.
    let contrasim = try ContraSimPWCCA().similarity(x, y)
    #expect(contrasim.value.isNaN)
    #expect(contrasim.reason == "rank-deficient: canonical directions not unique")
    // CKA and Procrustes are defined and unaffected by zero columns.
    for measure in [LinearCKA(), DebiasedLinearCKA(), Procrustes(), EuclideanProcrustes()] as [any StatisticsMeasure] {
      #expect(CovarianceTesting.close(try measure.similarity(x, y).value,
                                      try measure.similarity(liveColumns, y).value, relative: 1e-6), "\(measure.id)")
    }
  }

  @Test func moreFeaturesThanRows() throws {
    // n = 10 ≤ d = 12: rank 9 per side, 9 + 9 > n − 1.
    let (x, y) = Self.pair(rows: 10, 12, 12, seed: 33)
    for measure in [MeanCCA(), MeanSquaredCCA(), SVCCA(), FullSVCCA(), PWCCA(), ContraSimPWCCA()]
      as [any StatisticsMeasure]
    {
      let value = try measure.similarity(x, y)
      #expect(value.value.isNaN, "\(measure.id)")
      #expect(value.reason?.hasPrefix("n too small") == true, "\(measure.id): \(value)")
    }
    // The rank rule applies to the projections: 2 + 2 ≤ 9.
    #expect(try SVCCA(.count(2)).similarity(x, y).isDefined)
    for measure in [LinearCKA(), DebiasedLinearCKA(), Procrustes(), EuclideanProcrustes()] as [any StatisticsMeasure] {
      #expect(try measure.similarity(x, y).isDefined, "\(measure.id)")
    }
  }

  @Test(arguments: CovarianceTesting.measures)
  func constantLayer(_ measure: any StatisticsMeasure) throws {
    let (_, y) = Self.pair(rows: 30, 5, 5, seed: 34)
    // Every row equal, with values whose Float32 mean is inexact: the statistics' shift still makes X̃ exactly 0.
    let constant = Matrix(rows: 30, columns: 5, storage: (0 ..< 30).flatMap { _ in [0.1, 0.7, 1 / 3, 50.3, -2.9] })
    let zeros = Matrix(rows: 30, columns: 5)
    for (x, y) in [(constant, y), (y, constant), (zeros, y), (constant, constant)] {
      let value = try measure.similarity(x, y)
      #expect(value.value.isNaN)
      #expect(value.reason == "constant representation", "\(measure.id): \(value)")
    }
  }

  @Test func smallN() throws {
    let (x, y) = Self.pair(rows: 3, 3, 3, seed: 35)
    let debiased = try DebiasedLinearCKA().similarity(x, y)
    #expect(debiased.value.isNaN && debiased.reason?.hasPrefix("n < 4") == true)
    #expect(try LinearCKA().similarity(x, y).isDefined)
    #expect(try SVCCA(.count(1)).similarity(x, y).isDefined)
    #expect(try MeanCCA().similarity(x, y).reason?.hasPrefix("n too small") == true)
    // n < 4 is a shape rule: it comes before the constant check.
    let constant = Matrix(rows: 3, columns: 3, repeating: 1)
    #expect(try DebiasedLinearCKA().similarity(constant, y).reason?.hasPrefix("n < 4") == true)
    // One row, or none: nothing crashes, and the NaN has a reason.
    let one = Matrix(rows: 1, columns: 3, storage: [1, 2, 3])
    let none = Matrix(rows: 0, columns: 3)
    for measure in CovarianceTesting.measures {
      for x in [one, none] {
        let value = try measure.similarity(x, x)
        #expect(value.value.isNaN && value.reason != nil, "\(measure.id), \(x.rows) rows: \(value)")
      }
    }
  }

  @Test func firstInputWiderComesFirst() throws {
    // pwcca.contrasim: the shape rule precedes the constant rule.
    let (x, y) = Self.pair(rows: 40, 6, 4, seed: 36)
    #expect(try ContraSimPWCCA().similarity(x, y).reason == "first input wider than the second")
    let constant = Matrix(rows: 40, columns: 4)
    #expect(try ContraSimPWCCA().similarity(x, constant).reason == "first input wider than the second")
    #expect(try ContraSimPWCCA().similarity(y, x).isDefined)
    // The second input is rank-deficient below d₁: also undefined.
    var (a, b) = Self.pair(rows: 40, 4, 5, seed: 37)
    for i in 0 ..< b.rows {
      b[i, 0] = 0
      b[i, 1] = 2 * b[i, 2]
    }
    #expect(try ContraSimPWCCA().similarity(a, b).reason == "rank-deficient: canonical directions not unique")
    a = CovarianceTesting.selectedColumns(a, [0, 1, 2])
    #expect(try ContraSimPWCCA().similarity(a, b).isDefined)
  }

  @Test func definedValuesStayInRange() throws {
    for seed in UInt64(40) ..< 60 {
      let (x, y) = Self.pair(rows: 60, 5, 7, seed: seed)
      for measure in [MeanCCA(), MeanSquaredCCA(), SVCCA(), FullSVCCA(), PWCCA(), ContraSimPWCCA(), LinearCKA()]
        as [any StatisticsMeasure]
      {
        let value = try measure.similarity(x, y).value
        #expect(value >= 0 && value <= 1 + 1e-12, "seed \(seed), \(measure.id): \(value)")
      }
      #expect(try DebiasedLinearCKA().similarity(x, y).value <= 1)
      let angle = try Procrustes().similarity(x, y).value
      #expect(angle >= 0 && angle <= Double.pi / 2)
      let distance = try EuclideanProcrustes().similarity(x, y).value
      #expect(distance >= 0 && distance <= 2.0.squareRoot())
    }
  }

  @Test func rowCountsMustAgree() throws {
    let (x, _) = Self.pair(rows: 20, 3, 3, seed: 38)
    let (_, y) = Self.pair(rows: 21, 3, 3, seed: 39)
    #expect(throws: MeasureError.self) { try MeanCCA().similarity(x, y) }
  }
}
