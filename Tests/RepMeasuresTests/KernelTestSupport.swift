import Foundation
import RepMath
@testable import RepMeasures
import Testing

// Helpers of the kernel, neighbourhood and elementwise measure tests: building a measure from a fixture id,
// repeatable random transformations, and a direct Float64 debiased linear CKA. Names carry a `Kernel` prefix where
// another test file could define the same thing.

/// The measures these tests cover, by name, built from the parameters of an id.
enum KernelMeasures {
  /// Names of the n×n kernel, neighbourhood and RSA measures.
  static let pairwiseNames: Set<String> = [
    RBFCKA.name, DebiasedRBFCKA.name, MinibatchCKA.name, RSA.name, MutualKNN.name,
  ]
  /// Names of the neighbour measures besides `mknn` (their fixture is `neighbours.json`).
  static let neighbourNames: Set<String> = [KNNJaccard.name, KNNRankSimilarity.name, SecondOrderCosine.name, CKNNA.name]
  /// Names of the elementwise measures.
  static let elementwiseNames: Set<String> = [Dot.name, Norm.name]

  /// The measure for a canonical id text such as `cka.rbf(threshold=0.5)`, or nil for a name not covered here.
  static func make(_ text: String) throws -> (any SimilarityMeasure)? {
    let id = try MeasureID(parsing: text)
    let parameters = MeasureParameters(measure: id.name, values: id.parameters)
    switch id.name {
    case RBFCKA.name: return try RBFCKA(parameters: parameters)
    case DebiasedRBFCKA.name: return try DebiasedRBFCKA(parameters: parameters)
    case MinibatchCKA.name: return try MinibatchCKA(parameters: parameters)
    case RSA.name: return try RSA(parameters: parameters)
    case MutualKNN.name: return try MutualKNN(parameters: parameters)
    case KNNJaccard.name: return try KNNJaccard(parameters: parameters)
    case KNNRankSimilarity.name: return try KNNRankSimilarity(parameters: parameters)
    case SecondOrderCosine.name: return try SecondOrderCosine(parameters: parameters)
    case CKNNA.name: return try CKNNA(parameters: parameters)
    case Dot.name: return try Dot(parameters: parameters)
    case Norm.name: return try Norm(parameters: parameters)
    default: return nil
    }
  }

  /// Every (fixture case, id) pair whose measure name is in `names`, in file order.
  static func fixturePairs(names: Set<String>) throws -> [MeasureFixturePair] {
    try MeasureFixtures.cases().flatMap { fixture in
      fixture.measures.keys.sorted().compactMap { id -> MeasureFixturePair? in
        guard let parsed = try? MeasureID(parsing: id), names.contains(parsed.name),
              let expected = fixture.expectation(for: id)
        else { return nil }
        return MeasureFixturePair(fixture: fixture, id: id, expected: expected)
      }
    }
  }
}

typealias KernelSplitMix64 = SplitMix64

/// Transformations of a Float32 data matrix, computed in Float64 and rounded once.
extension Matrix {
  /// X·A.
  func times(_ a: DoubleMatrix) -> Matrix { Matrix(DoubleMatrix(self) * a) }

  /// X with every element multiplied by c.
  func scaled(by c: Double) -> Matrix { Matrix(c * DoubleMatrix(self)) }

  /// X + 1bᵀ.
  func translated(by b: [Double]) -> Matrix {
    var result = DoubleMatrix(self)
    for i in 0 ..< rows {
      for j in 0 ..< columns { result[i, j] += b[j] }
    }
    return Matrix(result)
  }

  /// Row i multiplied by factors[i].
  func rowsScaled(by factors: [Double]) -> Matrix {
    var result = DoubleMatrix(self)
    for i in 0 ..< rows {
      for j in 0 ..< columns { result[i, j] *= factors[i] }
    }
    return Matrix(result)
  }

  /// Row i of the result is row order[i] of X.
  func rowsPermuted(_ order: [Int]) -> Matrix {
    Matrix(rows: rows, columns: columns,
           storage: order.flatMap { storage[($0 * columns) ..< (($0 + 1) * columns)] })
  }

  /// Rows start..<end.
  func rowRange(_ range: Range<Int>) -> Matrix {
    Matrix(rows: range.count, columns: columns,
           storage: Array(storage[(range.lowerBound * columns) ..< (range.upperBound * columns)]))
  }
}

/// Debiased linear CKA by the feature-space form of docs/measures.md, straight from the definition in Float64:
/// X̃, Ỹ centered, rₓ[i] = ‖X̃ᵢ‖², h(t, a, b, s_a, s_b) = t − n/(n−2)·⟨a, b⟩ + s_a s_b/((n−1)(n−2)).
func kernelTestDebiasedLinearCKA(_ x: Matrix, _ y: Matrix) -> Double {
  func centered(_ m: Matrix) -> DoubleMatrix {
    var result = DoubleMatrix(m)
    for j in 0 ..< m.columns {
      var mean = 0.0
      for i in 0 ..< m.rows { mean += result[i, j] }
      mean /= Double(m.rows)
      for i in 0 ..< m.rows { result[i, j] -= mean }
    }
    return result
  }
  let (a, b) = (centered(x), centered(y))
  let n = Double(x.rows)
  func rowNorms(_ m: DoubleMatrix) -> [Double] {
    (0 ..< m.rows).map { i in (0 ..< m.columns).reduce(0.0) { $0 + m[i, $1] * m[i, $1] } }
  }
  func crossNorm(_ p: DoubleMatrix, _ q: DoubleMatrix) -> Double {  // ‖PᵀQ‖²_F
    var total = 0.0
    for j in 0 ..< p.columns {
      for l in 0 ..< q.columns {
        var sum = 0.0
        for i in 0 ..< p.rows { sum += p[i, j] * q[i, l] }
        total += sum * sum
      }
    }
    return total
  }
  let (ra, rb) = (rowNorms(a), rowNorms(b))
  let (sa, sb) = (ra.reduce(0, +), rb.reduce(0, +))
  func h(_ t: Double, _ u: [Double], _ v: [Double], _ su: Double, _ sv: Double) -> Double {
    t - n / (n - 2) * zip(u, v).reduce(0.0) { $0 + $1.0 * $1.1 } + su * sv / ((n - 1) * (n - 2))
  }
  return h(crossNorm(a, b), ra, rb, sa, sb)
    / (h(crossNorm(a, a), ra, ra, sa, sa) * h(crossNorm(b, b), rb, rb, sb, sb)).squareRoot()
}

/// |a − b| ≤ max(relative·|b|, absolute).
func kernelTestIsClose(_ a: Double, _ b: Double, relative: Double = 1e-5, absolute: Double = 1e-6) -> Bool {
  abs(a - b) <= max(relative * abs(b), absolute)
}

/// Applies one declared invariance's transformation, with random parameters from `generator`, to side `side` (0 for
/// X, 1 for Y); the joint ones (`rowPermutation`, `jointOrthogonal`) transform both sides.
func kernelTestTransform(
  _ invariance: Invariance, side: Int, _ x: Matrix, _ y: Matrix, using generator: inout KernelSplitMix64
) throws -> (Matrix, Matrix) {
  func one(_ m: Matrix, _ generator: inout KernelSplitMix64) throws -> Matrix {
    switch invariance {
    case .orthogonal: return m.times(try generator.orthogonalMatrix(m.columns))
    case .isotropicScaling: return m.scaled(by: 3.7)
    case .translation: return m.translated(by: (0 ..< m.columns).map { _ in 5 * generator.gaussian() })
    case .invertibleLinear:
      let stretch = DoubleMatrix(diagonal: (0 ..< m.columns).map { _ in Double.random(in: 0.3 ..< 3, using: &generator) })
      return m.times(try generator.orthogonalMatrix(m.columns) * stretch)
    case .rowScaling: return m.rowsScaled(by: (0 ..< m.rows).map { _ in Double.random(in: 0.2 ..< 5, using: &generator) })
    case .unitPermutation:
      let order = generator.permutation(m.columns)
      var permuted = Matrix(rows: m.rows, columns: m.columns)
      for i in 0 ..< m.rows {
        for j in 0 ..< m.columns { permuted.storage[i * m.columns + j] = m.storage[i * m.columns + order[j]] }
      }
      return permuted
    case .rowPermutation, .jointOrthogonal: return m
    }
  }
  switch invariance {
  case .rowPermutation:
    let order = generator.permutation(x.rows)
    return (x.rowsPermuted(order), y.rowsPermuted(order))
  case .jointOrthogonal:
    let q = try generator.orthogonalMatrix(x.columns)
    return (x.times(q), y.times(q))
  default:
    return side == 0 ? (try one(x, &generator), y) : (x, try one(y, &generator))
  }
}
