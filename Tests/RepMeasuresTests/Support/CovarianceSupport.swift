import Foundation
import RepMath
import RepMeasures

/// Helpers for the covariance-family tests (`cka`, `cca.*`, `svcca*`, `pwcca*`, `procrustes*`), namespaced so that
/// they cannot collide with other test files' helpers.
enum CovarianceTesting {
  /// The covariance-family measure types, by name.
  static let types: [any (StatisticsMeasure & NamedMeasure).Type] = [
    LinearCKA.self, DebiasedLinearCKA.self, MeanCCA.self, MeanSquaredCCA.self, SVCCA.self, FullSVCCA.self,
    PWCCA.self, ContraSimPWCCA.self, Procrustes.self, EuclideanProcrustes.self,
  ]

  /// Builds the measure a canonical id names (`svcca(var=0.99)`), or nil when it is not one of ours.
  static func measure(_ id: String) throws -> (any StatisticsMeasure)? {
    let parsed = try MeasureID(parsing: id)
    guard let type = types.first(where: { $0.name == parsed.name }) else { return nil }
    return try type.init(parameters: MeasureParameters(measure: parsed.name, values: parsed.parameters))
  }

  /// Whether a fixture id belongs to the covariance family.
  static func isCovarianceID(_ id: String) -> Bool {
    guard let parsed = try? MeasureID(parsing: id) else { return false }
    return types.contains { $0.name == parsed.name }
  }

  /// One instance of every covariance measure (svcca with its default and with k = 2).
  static let measures: [any StatisticsMeasure] = [
    LinearCKA(), DebiasedLinearCKA(), MeanCCA(), MeanSquaredCCA(), SVCCA(), SVCCA(.count(2)), FullSVCCA(), PWCCA(),
    ContraSimPWCCA(), Procrustes(), EuclideanProcrustes(),
    ShapeMetric(alpha: 0.5), ShapeMetric(alpha: 0), EuclideanShapeMetric(alpha: 0.5), PermutationProcrustes(),
    NormalizedBuresSimilarity(), BuresDistance(), AngularCKA(),
  ]

  // MARK: Random inputs (repeatable)

  typealias Generator = SplitMix64

  /// An n×d Gaussian matrix (Float64).
  static func gaussian(_ rows: Int, _ columns: Int, using generator: inout Generator) -> DoubleMatrix {
    DoubleMatrix(rows: rows, columns: columns, storage: (0 ..< rows * columns).map { _ in generator.gaussian() })
  }

  /// A correlated pair: X = Z·A + noise (n×d₁), Y = Z·B + noise (n×d₂) with `factors` shared latent columns, plus
  /// column offsets; realistic enough that every measure is well away from its bounds.
  static func correlatedPair(
    rows: Int, _ d1: Int, _ d2: Int, factors: Int = 4, offset: Double = 3, using generator: inout Generator
  ) -> (x: Matrix, y: Matrix) {
    let z = gaussian(rows, factors, using: &generator)
    func side(_ d: Int) -> Matrix {
      var m = z * gaussian(factors, d, using: &generator) + 0.7 * gaussian(rows, d, using: &generator)
      for j in 0 ..< d {
        let shift = offset * generator.gaussian()
        for i in 0 ..< rows { m[i, j] += shift }
      }
      return Matrix(m)
    }
    return (side(d1), side(d2))
  }

  /// A random d×d orthogonal matrix: Q of the QR of a Gaussian matrix.
  static func orthogonal(_ d: Int, using generator: inout Generator) throws -> DoubleMatrix {
    try LAPACK.qr(gaussian(d, d, using: &generator)).q
  }

  /// A random invertible, far-from-orthogonal d×d matrix: Gaussian with its diagonal raised, and its columns scaled
  /// by factors from 0.2 to 5.
  static func invertible(_ d: Int, using generator: inout Generator) -> DoubleMatrix {
    var a = gaussian(d, d, using: &generator)
    for i in 0 ..< d { a[i, i] += 2.5 * (a[i, i] < 0 ? -1 : 1) }
    for j in 0 ..< d {
      let scale = Foundation.exp(Double.random(in: Foundation.log(0.2) ... Foundation.log(5), using: &generator))
      for i in 0 ..< d { a[i, j] *= scale }
    }
    return a
  }

  // MARK: Transformations (computed in Float64, rounded to Float32 once)

  /// X·A.
  static func transformed(_ x: Matrix, by a: DoubleMatrix) -> Matrix {
    Matrix(DoubleMatrix(x) * a)
  }

  /// c·X.
  static func scaled(_ x: Matrix, by c: Double) -> Matrix {
    Matrix(c * DoubleMatrix(x))
  }

  /// X + 1bᵀ.
  static func translated(_ x: Matrix, by b: [Double]) -> Matrix {
    var m = DoubleMatrix(x)
    for i in 0 ..< m.rows {
      for j in 0 ..< m.columns { m[i, j] += b[j] }
    }
    return Matrix(m)
  }

  /// The rows of X in the order `permutation` (row i of the result is row permutation[i] of X).
  static func permutedRows(_ x: Matrix, _ permutation: [Int]) -> Matrix {
    Matrix(rows: x.rows, columns: x.columns,
           storage: permutation.flatMap { x.storage[$0 * x.columns ..< ($0 + 1) * x.columns] })
  }

  /// The columns of X in the order `columns`.
  static func selectedColumns(_ x: Matrix, _ columns: [Int]) -> Matrix {
    Matrix(rows: x.rows, columns: columns.count,
           storage: (0 ..< x.rows).flatMap { i in columns.map { x[i, $0] } })
  }

  /// Whether two values agree to `relative` (of the larger magnitude), `absolute` near zero.
  static func close(_ a: Double, _ b: Double, relative: Double, absolute: Double = 1e-9) -> Bool {
    abs(a - b) <= max(relative * max(abs(a), abs(b)), absolute)
  }
}
