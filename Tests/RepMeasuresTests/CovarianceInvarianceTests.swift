import Foundation
import RepMath
import RepMeasures
import Testing

/// Each declared invariance of a covariance-family measure, applied to real-looking correlated data over a sweep of
/// seeds, and negative controls for transformations a measure does not declare.
///
/// Transformations are computed in Float64 and rounded to Float32 once, so the transformed input differs from the
/// exact image by one rounding: values then agree to about 1e-6 relative, checked at 1e-5 (1e-4 for a general
/// invertible map, whose conditioning amplifies that rounding).
@Suite struct CovarianceInvarianceTests {
  /// A transformation of the inputs.
  enum Transformation: String, CaseIterable, Sendable {
    /// X → XQ (and, separately, Y → YQ'), Q random orthogonal (QR of a Gaussian matrix).
    case orthogonal
    /// X → 3.7·X (and Y → 3.7·Y).
    case isotropicScaling
    /// X → X + 1bᵀ (and Y → Y + 1cᵀ), b, c random with entries of size ~10.
    case translation
    /// X → XA (and Y → YB), A, B invertible and far from orthogonal.
    case invertibleLinear
    /// The same random row permutation applied to X and Y.
    case rowPermutation

    var invariance: Invariance {
      switch self {
      case .orthogonal: .orthogonal
      case .isotropicScaling: .isotropicScaling
      case .translation: .translation
      case .invertibleLinear: .invertibleLinear
      case .rowPermutation: .rowPermutation
      }
    }

    /// The transformed pairs to compare with (X, Y): one side at a time, or both rows for a permutation.
    func apply(
      _ x: Matrix, _ y: Matrix, using generator: inout CovarianceTesting.Generator
    ) throws -> [(Matrix, Matrix)] {
      switch self {
      case .orthogonal:
        return [
          (CovarianceTesting.transformed(x, by: try CovarianceTesting.orthogonal(x.columns, using: &generator)), y),
          (x, CovarianceTesting.transformed(y, by: try CovarianceTesting.orthogonal(y.columns, using: &generator))),
        ]
      case .isotropicScaling:
        return [(CovarianceTesting.scaled(x, by: 3.7), y), (x, CovarianceTesting.scaled(y, by: 3.7))]
      case .translation:
        let b = (0 ..< x.columns).map { _ in 10 * generator.gaussian() }
        let c = (0 ..< y.columns).map { _ in 10 * generator.gaussian() }
        return [(CovarianceTesting.translated(x, by: b), y), (x, CovarianceTesting.translated(y, by: c))]
      case .invertibleLinear:
        return [
          (CovarianceTesting.transformed(x, by: CovarianceTesting.invertible(x.columns, using: &generator)), y),
          (x, CovarianceTesting.transformed(y, by: CovarianceTesting.invertible(y.columns, using: &generator))),
        ]
      case .rowPermutation:
        let permutation = Array(0 ..< x.rows).shuffled(using: &generator)
        return [(CovarianceTesting.permutedRows(x, permutation), CovarianceTesting.permutedRows(y, permutation))]
      }
    }

    var tolerance: Double { self == .invertibleLinear ? 1e-4 : 1e-5 }
  }

  /// A measure with one of its transformations.
  struct Case: Sendable, CustomTestStringConvertible {
    var measure: any StatisticsMeasure
    var transformation: Transformation
    var testDescription: String { "\(measure.id) · \(transformation.rawValue)" }
  }

  /// Every measure × every invariance it declares.
  static let declared: [Case] = CovarianceTesting.measures.flatMap { measure in
    Transformation.allCases.filter { measure.properties.invariances.contains($0.invariance) }.map {
      Case(measure: measure, transformation: $0)
    }
  }

  /// n = 150, X 6 wide, Y 9 wide (so that pwcca.contrasim, which needs d₁ ≤ d₂, is defined), sharing 4 latent
  /// factors, with column offsets.
  static func pair(seed: UInt64) -> (x: Matrix, y: Matrix, generator: CovarianceTesting.Generator) {
    var generator = CovarianceTesting.Generator(seed: seed)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 150, 6, 9, using: &generator)
    return (x, y, generator)
  }

  @Test(arguments: declared)
  func declaredInvarianceHolds(_ test: Case) throws {
    for seed in UInt64(1) ... 5 {
      var (x, y, generator) = Self.pair(seed: seed)
      let base = try test.measure.similarity(x, y)
      #expect(base.isDefined, "seed \(seed): \(base)")
      for (side, (tx, ty)) in try test.transformation.apply(x, y, using: &generator).enumerated() {
        let moved = try test.measure.similarity(tx, ty)
        #expect(CovarianceTesting.close(
                  moved.value, base.value, relative: test.transformation.tolerance, absolute: 1e-6),
                "seed \(seed), side \(side): \(base.value) → \(moved.value)")
      }
    }
  }

  /// Transformations a measure does NOT declare, which do change it on this data (by more than 1e-4, a hundred
  /// times the round-off).
  static let undeclared: [Case] = [
    // A general invertible map changes everything that is not CCA on all directions.
    Case(measure: LinearCKA(), transformation: .invertibleLinear),
    Case(measure: DebiasedLinearCKA(), transformation: .invertibleLinear),
    Case(measure: SVCCA(.count(2)), transformation: .invertibleLinear),
    Case(measure: PWCCA(), transformation: .invertibleLinear),
    Case(measure: ContraSimPWCCA(), transformation: .invertibleLinear),
    Case(measure: Procrustes(), transformation: .invertibleLinear),
    Case(measure: EuclideanProcrustes(), transformation: .invertibleLinear),
    // PWCCA weights sum over X's own columns: a rotation of X changes them.
    Case(measure: PWCCA(), transformation: .orthogonal),
    Case(measure: ContraSimPWCCA(), transformation: .orthogonal),
    // The ContraSim code adds the neuron means back into its directions.
    Case(measure: ContraSimPWCCA(), transformation: .translation),
  ]

  @Test(arguments: undeclared)
  func undeclaredTransformationChangesTheValue(_ test: Case) throws {
    #expect(!test.measure.properties.invariances.contains(test.transformation.invariance))
    var (x, y, generator) = Self.pair(seed: 11)
    let base = try test.measure.similarity(x, y)
    // Only the transformation of X (the first input) is used: for PWCCA that is the side that carries the weights.
    let (tx, ty) = try #require(try test.transformation.apply(x, y, using: &generator).first)
    let moved = try test.measure.similarity(tx, ty)
    #expect(moved.isDefined)
    #expect(abs(moved.value - base.value) > 1e-4, "\(base.value) → \(moved.value)")
  }

  @Test(arguments: CovarianceTesting.measures.map { Case(measure: $0, transformation: .rowPermutation) })
  func permutingRowsOfOneSideChangesEveryMeasure(_ test: Case) throws {
    var (x, y, generator) = Self.pair(seed: 12)
    let base = try test.measure.similarity(x, y)
    let permutation = Array(0 ..< x.rows).shuffled(using: &generator)
    let moved = try test.measure.similarity(CovarianceTesting.permutedRows(x, permutation), y)
    #expect(moved.isDefined)
    #expect(abs(moved.value - base.value) > 1e-2, "\(base.value) → \(moved.value)")
  }

  @Test func pwccaIsAsymmetric() throws {
    // Equal widths, so pwcca.contrasim is defined both ways.
    var generator = CovarianceTesting.Generator(seed: 13)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 200, 7, 7, using: &generator)
    for measure in [PWCCA() as any StatisticsMeasure, ContraSimPWCCA()] {
      #expect(!measure.properties.isSymmetric)
      let forward = try measure.similarity(x, y).value
      let backward = try measure.similarity(y, x).value
      #expect(abs(forward - backward) > 1e-3, "\(measure.id): \(forward) vs \(backward)")
    }
    // The realistic ReLU layers of the fixtures: 0.58459 one way, 0.59054 the other.
    let relu = try MeasureFixtures.case(named: "realistic_relu")
    let forward = try PWCCA().similarity(relu.x, relu.y).value
    let backward = try PWCCA().similarity(relu.y, relu.x).value
    #expect(abs(forward - 0.5845912614257057) < 1e-5 && abs(backward - 0.5905424981413613) < 1e-5)
  }

  @Test(arguments: CovarianceTesting.measures.filter { $0.properties.isSymmetric })
  func symmetricMeasuresAreSymmetric(_ measure: any StatisticsMeasure) throws {
    var generator = CovarianceTesting.Generator(seed: 14)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 150, 6, 9, using: &generator)
    let forward = try measure.similarity(x, y).value
    let backward = try measure.similarity(y, x).value
    // XᵀY and YᵀX are two Float32 products whose 150-term sums a BLAS kernel may order differently: their entries
    // agree to about √150·2⁻²⁴ ≈ 7e-7 of Σ|x||y| (measured: 5e-8 relative in the measures under Prescott kernels, 0
    // under Zen). 1e-6 holds on any kernel; an asymmetric measure differs by more than 1e-3 (`pwccaIsAsymmetric`).
    #expect(CovarianceTesting.close(forward, backward, relative: 1e-6), "\(measure.id): \(forward) vs \(backward)")
  }
}
