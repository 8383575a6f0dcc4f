import Foundation
import RepMath
import Testing

@testable import RepMeasures

/// One case of `Fixtures/predictivity.json` (made by `tools/fixtures/make_predictivity_fixtures.py`: scikit-learn's
/// Ridge + KFold + r2_score / scipy's pearsonr, float64, on the float32-rounded inputs stored here).
struct PredictivityFixture: Sendable, CustomTestStringConvertible {
  let name: String
  let x: Matrix
  let y: Matrix
  /// Canonical id → (value, reason); a nil value is NaN for `reason`.
  let expected: [(id: String, value: Double?, reason: String?)]

  var testDescription: String { name }

  private struct Raw: Decodable {
    struct Entry: Decodable {
      var value: Double?
      var reason: String?
    }
    var name: String
    var n: Int
    var d1: Int
    var d2: Int
    var X: [[Double]]
    var Y: [[Double]]
    var measures: [String: Entry]
  }

  /// Every case, in file order.
  static let all: [PredictivityFixture] = {
    guard let url = Bundle.module.url(forResource: "predictivity", withExtension: "json", subdirectory: "Fixtures"),
      let data = try? Data(contentsOf: url), let raw = try? JSONDecoder().decode([Raw].self, from: data)
    else { return [] }
    return raw.map { fixture in
      // The stored values are float32-representable: Float(_) is exact.
      func matrix(_ rows: [[Double]], _ columns: Int) -> Matrix {
        Matrix(rows: rows.count, columns: columns, storage: rows.flatMap { $0.map { Float($0) } })
      }
      return PredictivityFixture(
        name: fixture.name, x: matrix(fixture.X, fixture.d1), y: matrix(fixture.Y, fixture.d2),
        expected: fixture.measures.keys.sorted().map { ($0, fixture.measures[$0]!.value, fixture.measures[$0]!.reason) })
    }
  }()
}

@Suite("Ridge predictivity") struct PredictivityTests {
  static func measure(_ text: String) throws -> RidgePredictivity {
    let measure = try MeasureRegistry.make(MeasureID(parsing: text))
    return try #require(measure as? RidgePredictivity)
  }

  /// A correlated pair: Y a noisy linear map of X, both with column offsets.
  static func pair(rows: Int, _ d1: Int, _ d2: Int, seed: UInt64) -> (x: Matrix, y: Matrix) {
    var generator = SplitMix64(seed: seed)
    let x = generator.gaussianMatrix(rows: rows, columns: d1)
    var y = x * generator.gaussianMatrix(rows: d1, columns: d2) + generator.gaussianMatrix(rows: rows, columns: d2)
    var shifted = x
    for j in 0 ..< d1 {
      let offset = 3 * generator.gaussian()
      for i in 0 ..< rows { shifted[i, j] += offset }
    }
    for j in 0 ..< d2 {
      let offset = 3 * generator.gaussian()
      for i in 0 ..< rows { y[i, j] += offset }
    }
    return (Matrix(shifted), Matrix(y))
  }

  // MARK: Against scikit-learn

  @Test("agrees with scikit-learn to 1e-9 on every fixture case, and NaN with the same reason", 
        arguments: PredictivityFixture.all)
  func agreesWithScikitLearn(_ fixture: PredictivityFixture) throws {
    #expect(!fixture.expected.isEmpty)
    var largest = 0.0
    for (id, value, reason) in fixture.expected {
      let measure = try Self.measure(id)
      #expect(measure.id.description == id)
      let computed = try measure.similarity(fixture.x, fixture.y)
      if let value {
        #expect(computed.isDefined, "\(fixture.name) \(id): \(computed), expected \(value)")
        // Absolute: R² and Pearson are O(1) here (the smallest is −0.46). The moments and the solve are Float64 from
        // the Float32 inputs on, as in scikit-learn: measured ≤ 5e-14 apart on every BLAS kernel; 1e-9 leaves room
        // for the condition numbers (up to 1e4) to amplify another summation order, and catches any real error.
        #expect(abs(computed.value - value) <= 1e-9, "\(fixture.name) \(id): \(computed.value) vs sklearn \(value)")
        largest = max(largest, abs(computed.value - value))
      } else {
        #expect(computed.value.isNaN && computed.reason == reason, "\(fixture.name) \(id): \(computed)")
      }
    }
    print("ridge fixture \(fixture.name): largest difference from scikit-learn \(largest)")
  }

  @Test("the fixture file is there and covers every degenerate rule")
  func fixtureCoverage() {
    let reasons = Set(PredictivityFixture.all.flatMap { $0.expected.compactMap(\.reason) }.map { $0.prefix(12) })
    #expect(PredictivityFixture.all.count == 8)
    #expect(reasons == ["training Gra", "held-out fol", "constant rep", "n too small:"])
  }

  // MARK: Folds and streaming

  @Test("folds are cut like sklearn's KFold(shuffle=False)")
  func foldRanges() {
    #expect(ContiguousFolds.ranges(rowCount: 97, folds: 5) == [0 ..< 20, 20 ..< 40, 40 ..< 59, 59 ..< 78, 78 ..< 97])
    #expect(ContiguousFolds.ranges(rowCount: 10, folds: 5) == [0 ..< 2, 2 ..< 4, 4 ..< 6, 6 ..< 8, 8 ..< 10])
    #expect(ContiguousFolds.ranges(rowCount: 3, folds: 5) == [0 ..< 1, 1 ..< 2, 2 ..< 3, 3 ..< 3, 3 ..< 3])
  }

  @Test("each fold's moments are those of its rows alone (Float64), whatever the chunks", arguments: [7, 64, 2048])
  func foldMomentsMatchTheFoldsRows(chunkRows: Int) throws {
    let (x, y) = Self.pair(rows: 203, 9, 4, seed: 1)
    let ranges = ContiguousFolds.ranges(rowCount: 203, folds: 4)
    let folded = FoldedJointStatistics([x, y], pairs: [(0, 1)], foldRanges: ranges, chunkRows: chunkRows)
    #expect(folded.rowCount == 203)
    /// The fold's rows centered by their means, in Float64.
    func centered(_ m: Matrix, _ range: Range<Int>) -> (DoubleMatrix, [Double]) {
      var rows = DoubleMatrix(m.rowRange(range))
      let means = (0 ..< rows.columns).map { j in (0 ..< rows.rows).reduce(0.0) { $0 + rows[$1, j] } / Double(rows.rows) }
      for i in 0 ..< rows.rows { for j in 0 ..< rows.columns { rows[i, j] -= means[j] } }
      return (rows, means)
    }
    /// Agreement to 1e-12 of the largest magnitude: Float64 sums in another order.
    func close(_ a: [Double], _ b: [Double]) -> Bool {
      let scale = max(1, a.map(abs).max() ?? 0)
      return a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * scale }
    }
    let crosses = folded.centeredCross(0, 1)
    let transposed = folded.centeredCross(1, 0)
    let grams = folded.centeredCross(0, 0)
    for (k, range) in ranges.enumerated() {
      let (xc, xMeans) = centered(x, range)
      let (yc, yMeans) = centered(y, range)
      let moments = (folded.columnStatistics(0).folds[k], folded.columnStatistics(1).folds[k])
      #expect(moments.0.rowCount == range.count && moments.1.rowCount == range.count)
      #expect(close(xMeans, moments.0.mean) && close(yMeans, moments.1.mean), "fold \(k)")
      #expect(close((xc.transposed() * yc).storage, crosses[k].storage), "fold \(k)")
      #expect(close((yc.transposed() * xc).storage, transposed[k].storage), "fold \(k)")
      #expect(close((xc.transposed() * xc).storage, grams[k].storage), "fold \(k)")
    }
  }

  @Test("streamed through a chunker in blocks of any size, the value is the in-memory one to Float64 rounding")
  func streamingIsExact() throws {
    let (x, y) = Self.pair(rows: 2500, 10, 6, seed: 2)
    let ranges = ContiguousFolds.ranges(rowCount: 2500, folds: 5)
    var folded = FoldedJointStatistics(columnCounts: [10, 6], pairs: [(0, 1)], foldRanges: ranges)
    var chunker = RowChunker(columnCounts: [10, 6])
    var pushed = [0, 0]
    let blocks = [13, 29]
    while pushed != [2500, 2500] {
      let k = chunker.laggingMatrix
      let matrix = k == 0 ? x : y
      let rows = min(blocks[k], 2500 - pushed[k])
      matrix.storage.withUnsafeBufferPointer { storage in
        let block = UnsafeBufferPointer(rebasing: storage[pushed[k] * matrix.columns ..< (pushed[k] + rows) * matrix.columns])
        chunker.push(block, rows: rows, matrix: k) { folded.accumulate(chunks: $0.matrices, rows: $0.rows) }
      }
      pushed[k] += rows
    }
    chunker.finish { folded.accumulate(chunks: $0.matrices, rows: $0.rows) }
    for text in ["ridge", "ridge(score=pearson)", "ridge(penalty=absolute,alpha=2)"] {
      let measure = try Self.measure(text)
      let reference = try measure.similarity(x, y)
      let streamed = try measure.similarity(
        folded.columnStatistics(0), folded.columnStatistics(1), cross: folded.centeredCross(0, 1))
      // The same chunks make the same BLAS calls, but the BLAS thread count is global to the process (suites running
      // beside this one change it), which can move the last bit of a product.
      #expect(reference.isDefined && abs(streamed.value - reference.value) <= 1e-13 * abs(reference.value),
              "\(text): \(streamed) vs \(reference)")
    }
  }

  @Test("other chunk sizes change the value by Float64 rounding only (1e-12)", arguments: [5, 33, 500])
  func chunkSizes(chunkRows: Int) throws {
    let (x, y) = Self.pair(rows: 211, 10, 6, seed: 2)
    for text in ["ridge", "ridge(score=pearson,folds=3)", "ridge(penalty=absolute,alpha=2)"] {
      let measure = try Self.measure(text)
      let reference = try measure.similarity(x, y).value
      let folded = FoldedJointStatistics(
        [x, y], pairs: [(0, 1)], foldRanges: ContiguousFolds.ranges(rowCount: 211, folds: measure.foldCount),
        chunkRows: chunkRows)
      let streamed = try measure.similarity(
        folded.columnStatistics(0), folded.columnStatistics(1), cross: folded.centeredCross(0, 1)).value
      #expect(reference.isFinite && abs(streamed - reference) <= 1e-12, "\(text): \(streamed) vs \(reference)")
    }
  }

  // MARK: Declared invariances

  @Test("relative penalty: invariant to translation and isotropic scaling of either side (to 1e-6)")
  func invariances() throws {
    var generator = SplitMix64(seed: 3)
    let (x, y) = Self.pair(rows: 150, 8, 5, seed: 4)
    let shiftX = (0 ..< 8).map { _ in 50 * generator.gaussian() }
    let shiftY = (0 ..< 5).map { _ in 50 * generator.gaussian() }
    for text in ["ridge", "ridge(score=pearson)", "ridge(alpha=1.0,folds=3)"] {
      let measure = try Self.measure(text)
      #expect(measure.properties.invariances == [.translation, .isotropicScaling])
      let base = try measure.similarity(x, y).value
      #expect(base > 0.5 && base < 1, "\(text): \(base)")
      let transformed: [(String, Matrix, Matrix)] = [
        ("X translated", CovarianceTesting.translated(x, by: shiftX), y),
        ("Y translated", x, CovarianceTesting.translated(y, by: shiftY)),
        ("X scaled by 1e3", CovarianceTesting.scaled(x, by: 1e3), y),
        ("X scaled by 1e-3", CovarianceTesting.scaled(x, by: 1e-3), y),
        ("Y scaled by 37", x, CovarianceTesting.scaled(y, by: 37)),
      ]
      for (what, a, b) in transformed {
        let value = try measure.similarity(a, b).value
        #expect(abs(value - base) <= 1e-6, "\(text), \(what): \(value) vs \(base)")
      }
    }
  }

  @Test("absolute penalty: invariant to translation and to scaling Y, not to scaling X")
  func absolutePenalty() throws {
    let (x, y) = Self.pair(rows: 60, 8, 5, seed: 5)
    let measure = try Self.measure("ridge(penalty=absolute,alpha=10)")
    #expect(measure.properties.invariances == [.translation])
    let base = try measure.similarity(x, y).value
    #expect(abs(try measure.similarity(CovarianceTesting.translated(x, by: Array(repeating: 7, count: 8)), y).value
      - base) <= 1e-6)
    #expect(abs(try measure.similarity(x, CovarianceTesting.scaled(y, by: 0.01)).value - base) <= 1e-6)
    // A penalty of 10 on data 10× smaller weighs 100× more.
    let shrunk = try measure.similarity(CovarianceTesting.scaled(x, by: 0.1), y).value
    #expect(shrunk < base - 0.05, "\(shrunk) vs \(base)")
  }

  @Test("orthogonal maps of X leave it unchanged (ridge is rotation-equivariant); of Y, a permutation of rows, swapping X and Y do not")
  func orthogonalAndControls() throws {
    var generator = SplitMix64(seed: 6)
    let (x, y) = Self.pair(rows: 120, 7, 6, seed: 7)
    let measure = try Self.measure("ridge")
    let base = try measure.similarity(x, y).value
    let rotatedX = CovarianceTesting.transformed(x, by: try generator.orthogonalMatrix(7))
    #expect(abs(try measure.similarity(rotatedX, y).value - base) <= 1e-6)
    // Negative controls: each changes the value by far more than rounding.
    let rotatedY = CovarianceTesting.transformed(y, by: try generator.orthogonalMatrix(6))
    #expect(abs(try measure.similarity(x, rotatedY).value - base) > 1e-3)
    var order = Array(0 ..< 120)
    order.shuffle(using: &generator)
    let permuted = try measure.similarity(CovarianceTesting.permutedRows(x, order), CovarianceTesting.permutedRows(y, order))
    #expect(abs(permuted.value - base) > 1e-4)
    #expect(!measure.properties.isSymmetric)
    #expect(abs(try measure.similarity(y, x).value - base) > 1e-2)
  }

  @Test("X predicting itself: R² just under 1 by the penalty, exactly 1 without one")
  func selfPrediction() throws {
    let (x, _) = Self.pair(rows: 80, 6, 1, seed: 8)
    let penalised = try Self.measure("ridge").similarity(x, x).value
    #expect(penalised > 0.99 && penalised < 1)
    let unpenalised = try Self.measure("ridge(alpha=0)").similarity(x, x).value
    #expect(abs(unpenalised - 1) <= 1e-9)
  }

  // MARK: Degenerate inputs

  @Test("degenerate inputs are NaN with their reason")
  func degenerate() throws {
    let (x, y) = Self.pair(rows: 40, 5, 3, seed: 9)
    let measure = try Self.measure("ridge")
    let constant = Matrix(rows: 40, columns: 3, storage: Array(repeating: 2.5, count: 120))
    #expect(try measure.similarity(x, constant).reason == "constant representation")
    #expect(try measure.similarity(constant, y).reason == "constant representation")
    let few = try measure.similarity(x.rowRange(0 ..< 9), y.rowRange(0 ..< 9))
    #expect(few.reason == "n too small: 9 rows for 5 folds (each held-out fold needs at least 2 rows)")
    #expect(measure.remedy(forReason: few.reason!, rowCount: 9) == "ridge with folds=4 or fewer (2 rows per held-out fold)")
    // Exactly 2K rows is enough.
    #expect(try measure.similarity(x.rowRange(0 ..< 10), y.rowRange(0 ..< 10)).isDefined)
    // More columns than training rows: singular without a penalty, fine with one.
    let (wide, target) = Self.pair(rows: 30, 40, 2, seed: 10)
    #expect(try Self.measure("ridge(alpha=0)").similarity(wide, target).reason
      == "training Gram singular in fold 1 of 5 (condition above 1e12): use alpha > 0")
    #expect(try measure.similarity(wide, target).isDefined)
    #expect(throws: MeasureError.self) { try measure.similarity(x, y.rowRange(0 ..< 39)) }
  }

  @Test("a dead unit of Y is left out of the mean, not scored 0 or 1")
  func deadUnits() throws {
    let (x, y) = Self.pair(rows: 100, 6, 3, seed: 11)
    var withDead = DoubleMatrix(y)
    withDead = DoubleMatrix(rows: 100, columns: 4, storage: (0 ..< 100).flatMap { i in
      [withDead[i, 0], withDead[i, 1], 0.75, withDead[i, 2]]
    })
    for text in ["ridge", "ridge(score=pearson)"] {
      let measure = try Self.measure(text)
      let value = try measure.similarity(x, Matrix(withDead)).value
      #expect(abs(value - (try measure.similarity(x, y).value)) <= 1e-6, "\(text): \(value)")
    }
  }

  // MARK: Ids and parameters

  @Test("ids name every convention; parameters are checked")
  func identifiers() throws {
    #expect(try Self.measure("ridge").id.description == "ridge(alpha=0.01,penalty=relative,folds=5,score=r2)")
    #expect(try Self.measure("ridge(score=pearson,alpha=1,penalty=absolute,folds=10)").id.description
      == "ridge(alpha=1.0,penalty=absolute,folds=10,score=pearson)")
    for bad in ["ridge(folds=1)", "ridge(alpha=-1)", "ridge(score=spearman)", "ridge(penalty=none)", "ridge(k=2)"] {
      #expect(throws: MeasureError.self, "\(bad)") { _ = try MeasureRegistry.make(MeasureID(parsing: bad)) }
    }
    #expect(MeasureRegistry.types.contains { $0.name == "ridge" })
  }
}
