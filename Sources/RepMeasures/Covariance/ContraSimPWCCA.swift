import RepMath

/// The PWCCA of the ContraSim code (`pwcca.compute_pwcca` with ε = 0, inherited from google/svcca; contrasim-spec
/// §2.5), reproducing its golden values (PWCCA(Y, X) = 0.614590923454779, PWCCA(X, Y4) = 0.677516871529814). Its
/// directions differ from the textbook ones (`pwcca`): no Σxx^(-1/2), and the neuron means μ are added back:
///
/// ```
/// H = Uᵀ(X − 1μᵀ)ᵀ + μ1ᵀ        d₁×n "directions" (U: left singular vectors of T, see CCACore)
/// P = the orthonormal factor of the QR of Hᵀ (n×d₁)
/// αᵢ = Σⱼ |⟨Pᵢ, xⱼ⟩|           against the UNcentered neuron vectors xⱼ; α normalised to sum 1
/// PWCCA = Σᵢ αᵢρᵢ               over all d₁ canonical correlations
/// ```
///
/// Nothing is formed over n. With D the n×d₁ data and G = X̃ᵀX̃: HHᵀ = UᵀGU + n·μμᵀ and H·D = UᵀG + n·μμᵀ; with
/// HHᵀ = LLᵀ (Cholesky), P = Hᵀ L⁻ᵀ up to column signs (which |·| ignores), so PᵀD = L⁻¹(H·D).
///
/// Because μ is added to direction i, the value depends on the sign of each uᵢ: U is computed exactly as the
/// fixture script does it, `dgesdd` on T in column-major order (see `CanonicalCorrelationCore.analyse`), so the
/// signs are LAPACK's for that matrix.
///
/// Range [0, 1], larger is more similar, not symmetric; invariant to isotropic scaling only (translation moves μ).
/// NaN, in order: "first input wider than the second" (d₁ > d₂: the code raises IndexError there); "constant
/// representation"; "n too small" (r_x + r_y > n − 1); "rank-deficient: canonical directions not unique" when
/// r_x < d₁ or r_y < d₁ (the code would weight arbitrary directions).
///
/// - Complexity: from the statistics, O(d₁³ + d₂³ + d₁·d₂·(d₁ + d₂)) flops.
public struct ContraSimPWCCA: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "pwcca.contrasim"
  public static let summary =
    "The ContraSim/google-svcca code's PWCCA (means added back, QR directions, uncentered weights); needs d₁ ≤ d₂"

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: false, range: "[0, 1]", invariances: [.isotropicScaling])
  }

  public init() {}

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    let d = x.columnCount
    guard d <= y.columnCount else { return .undefined("first input wider than the second") }
    let result = try CanonicalCorrelationCore.analyse(x, y, cross: cross, measure: id)
    return try result.measureValue { (analysis) throws(MeasureError) in
      guard analysis.x.rank == d, analysis.y.rank >= d else {
        return .undefined("rank-deficient: canonical directions not unique")
      }
      let u = analysis.leftSingularVectors  // d×d, as d ≤ d₂
      let gram = x.centeredGram
      let mean = x.mean
      let n = Double(x.rowCount)
      var outer = DoubleMatrix(rows: d, columns: d)  // n·μμᵀ
      for i in 0 ..< d {
        for j in 0 ..< d { outer[i, j] = n * mean[i] * mean[j] }
      }
      let uTG = BLAS.product(u, .transposed, gram)
      let directionGram = uTG * u + outer  // HHᵀ
      let directionsTimesData = uTG + outer  // H·D
      let lower = try lapack(id) { () throws(MathError) in try LAPACK.cholesky(directionGram) }
      let weights = Self.forwardSubstitution(lower, directionsTimesData)  // PᵀD up to row signs
      var alphas = [Double](repeating: 0, count: d)
      for i in 0 ..< d {
        for j in 0 ..< d { alphas[i] += abs(weights[i, j]) }
      }
      let total = alphas.reduce(0, +)
      var value = 0.0
      for i in 0 ..< d { value += alphas[i] / total * analysis.correlations[i] }
      return MeasureValue(value)
    }
  }

  /// L⁻¹B for a lower triangular L with a non-zero diagonal, by forward substitution (Float64).
  static func forwardSubstitution(_ lower: DoubleMatrix, _ b: DoubleMatrix) -> DoubleMatrix {
    var z = b
    for i in 0 ..< lower.rows {
      for column in 0 ..< b.columns {
        var sum = b[i, column]
        for k in 0 ..< i { sum -= lower[i, k] * z[k, column] }
        z[i, column] = sum / lower[i, i]
      }
    }
    return z
  }
}
