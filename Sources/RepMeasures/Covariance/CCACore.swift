import RepMath

/// The canonical correlation analysis shared by `cca.mean`, `cca.r2`, `svcca`, `svcca.full`, `pwcca` and
/// `pwcca.contrasim`, on second-moment statistics only (docs/measures.md, "Rank handling for the CCA family").
///
/// Per side, the covariance Σxx = X̃ᵀX̃/(n−1) is eigendecomposed (Float64, `dsyevd`) and directions with
/// λ ≤ 1e-10·λ_max are dropped (the **rank cut**, which removes dead units and exact collinearity without a
/// regulariser); Σxx^(-1/2) = V_r Λ_r^(-1/2) V_rᵀ on the kept r directions. The canonical correlations ρ₁ ≥ … ≥ ρ_k,
/// k = min(r_x, r_y), are the singular values of T = Σxx^(-1/2) Σxy Σyy^(-1/2).
///
/// Checks, in the order of docs/measures.md (after any shape rule of the calling measure):
/// 1. a constant side (trace of its centered Gram exactly 0, which the statistics' per-column shift makes exact, or
///    r = 0): "constant representation";
/// 2. r_x + r_y > n − 1: "n too small: …" (rank X + rank Y ≥ n makes every canonical correlation trivially 1).
///
/// **Accuracy.** The statistics come from Float32 chunk products (~1e-7 relative); whitening divides that error by the
/// smallest kept eigenvalue, so ρ carries ~1e-7·κ (κ the condition number of the kept spectrum). For X against
/// itself at n = 3000 with column offsets ~30, cca.mean was 1 ± 1.4e-6: a value may exceed 1 by that much and is
/// reported as computed, never clamped. The 1e-10 rank cut is below that noise floor: an exactly collinear
/// direction's eigenvalue comes out at ~1e-8·λ_max of either sign (−9.4e-9 in the `collinear_wide` fixture, which
/// is then cut); when positive it is kept, which leaves ρ₁…ρ_k nearly unchanged there but counts in r_x.
enum CanonicalCorrelationCore {
  /// Directions with λ ≤ `rankCut`·λ_max are dropped.
  static let rankCut = 1e-10

  /// The reason for a constant side.
  static let constantReason = "constant representation"
  /// The reason for r_x + r_y > n − 1.
  static let smallSampleReason =
    "n too small: rank X + rank Y ≥ n, canonical correlations are trivially 1"

  /// What works where the rank rule fails: a measure without it (`cka`), or SVCCA keeping m directions a side with
  /// 2m ≤ n − 1 (m = 20 when n allows), whatever the widths. Nil for any other reason.
  static func remedy(forReason reason: String, rowCount n: Int) -> String? {
    guard reason == smallSampleReason else { return nil }
    let m = min(20, (n - 1) / 2)
    return m >= 1 ? "svcca(k=\(m)) or cka work with n < 2·d" : "cka works with n < 2·d"
  }

  /// What a mean of the canonical correlations declares (`cca.mean`, `cca.r2`, `svcca.full`): they are functions of
  /// the correlations alone, which invertible linear maps and translation of either side leave unchanged.
  static let meanProperties = MeasureProperties(
    largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]", invariances: [.invertibleLinear, .translation])

  /// The "constant representation" check on two sides' statistics: nil when both vary.
  static func constantCheck(_ x: ColumnStatistics, _ y: ColumnStatistics) -> MeasureValue? {
    isConstant(x) || isConstant(y) ? .undefined(constantReason) : nil
  }

  /// Whether every row of the side equals the first: its centered Gram has trace exactly 0 (the per-column shift of
  /// the statistics makes X̃ exactly 0 then). No rows at all count as constant too, and so would a trace that
  /// rounding made negative, which only a side with no measurable variance can give (its rank would be 0).
  static func isConstant(_ statistics: ColumnStatistics) -> Bool { statistics.isConstant }

  /// Runs the analysis on one pair of sides given as covariances.
  ///
  /// - Parameters:
  ///   - xCovariance: Σxx (d₁×d₁); `yCovariance`: Σyy (d₂×d₂); `crossCovariance`: Σxy (d₁×d₂).
  ///   - rowCount: n, for the rank rule.
  ///   - measure: the caller's id, for errors.
  /// - Returns: the analysis, or the NaN value with its reason.
  /// - Throws: `MeasureError.numerical` when LAPACK fails on the data.
  /// - Complexity: O(d₁³ + d₂³ + d₁·d₂·(d₁ + d₂)) flops.
  static func analyse(
    xCovariance: DoubleMatrix, yCovariance: DoubleMatrix, crossCovariance: DoubleMatrix, rowCount: Int,
    measure: MeasureID
  ) throws(MeasureError) -> Result<CanonicalCorrelationAnalysis, UndefinedMeasure> {
    try analyse(
      x: Whitening(covariance: xCovariance, measure: measure), y: Whitening(covariance: yCovariance, measure: measure),
      crossCovariance: crossCovariance, rowCount: rowCount, measure: measure)
  }

  /// `analyse` with both sides already whitened.
  static func analyse(
    x: Whitening, y: Whitening, crossCovariance: DoubleMatrix, rowCount: Int, measure: MeasureID
  ) throws(MeasureError) -> Result<CanonicalCorrelationAnalysis, UndefinedMeasure> {
    if x.rank == 0 || y.rank == 0 { return .failure(UndefinedMeasure(constantReason)) }
    if x.rank + y.rank > rowCount - 1 { return .failure(UndefinedMeasure(smallSampleReason)) }
    // T = Σxx^(-1/2) Σxy Σyy^(-1/2), decomposed exactly as numpy's `scipy.linalg.svd(T)` does: LAPACK sees T in
    // column-major order. Our `LAPACK.svd` reads its row-major argument as the transpose, so it is given Tᵀ, and T's
    // left singular vectors are the rows of the returned Vᵀ. The signs of these vectors are then those of the
    // fixture script, which `pwcca.contrasim` needs (it adds the neuron means back to Uᵀ X̃ᵀ).
    let t = x.inverseSquareRoot * crossCovariance * y.inverseSquareRoot
    let decomposition = try lapack(measure) { () throws(MathError) in try LAPACK.svd(t.transposed()) }
    let k = min(x.rank, y.rank)
    return .success(
      CanonicalCorrelationAnalysis(
        correlations: Array(decomposition.s.prefix(k)), leftSingularVectors: decomposition.vt.transposed(), x: x, y: y))
  }

  /// The canonical correlations alone (no vectors), the fast route of `cca.mean` and `svcca`: ρᵢ² are the
  /// eigenvalues of the smaller of MMᵀ and MᵀM for the whitened cross-covariance M (`whitenedCross`). Eigenvalues
  /// below 0 by round-off (a PSD matrix) count as 0.
  /// - Parameters:
  ///   - xColumns, yColumns: how many leading basis columns to use (the ranks by default; SVCCA passes m).
  /// - Complexity: O(d²·(r_x + r_y) + min(r_x, r_y)³) flops, no d×d inverse square roots, no singular vectors.
  static func correlations(
    _ x: ColumnStatistics, _ y: ColumnStatistics, xColumns: Int? = nil, yColumns: Int? = nil,
    crossCovariance: DoubleMatrix, measure: MeasureID
  ) throws(MeasureError) -> Result<[Double], UndefinedMeasure> {
    let whitened = try whitenedCross(
      x, y, xColumns: xColumns, yColumns: yColumns, crossCovariance: crossCovariance, measure: measure)
    guard case .success(let m) = whitened else { return whitened.map { _ in [] } }
    // MMᵀ or MᵀM, upper triangle only (all that symmetricEigenvalues reads): one dsyrk, half a dgemm.
    let (rx, ry) = (m.rows, m.columns)
    var small = DoubleMatrix(rows: min(rx, ry), columns: min(rx, ry))
    BLAS.symmetricRankKUpdate(m, rx <= ry ? .none : .transposed, triangle: .upper, into: &small)
    let values = try lapack(measure) { () throws(MathError) in try LAPACK.symmetricEigenvalues(small) }
    return .success(values.reversed().map { max(0, $0).squareRoot() })
  }

  /// Σᵢ ρᵢ² and k, without the correlations themselves: ‖M‖²_F of the whitened cross-covariance, no eigenvalues.
  static func squaredCorrelationSum(
    _ x: ColumnStatistics, _ y: ColumnStatistics, crossCovariance: DoubleMatrix, measure: MeasureID
  ) throws(MeasureError) -> Result<(sum: Double, count: Int), UndefinedMeasure> {
    try whitenedCross(x, y, crossCovariance: crossCovariance, measure: measure).map { m in
      (m.frobeniusNormSquared, min(m.rows, m.columns))
    }
  }

  /// A whitened cross-covariance M (r_x×r_y), whose singular values are the canonical correlations, after the rank
  /// rules.
  ///
  /// With the whitening bases W = V_r Λ_r^(-1/2) (d×r, or their first columns), the textbook M is W_xᵀ Σxy W_y: two
  /// general products. Each side's cached upper-trapezoidal factor F with FᵀF = WWᵀ (`whiteningFactor`) gives instead
  /// F_x Σxy F_yᵀ, from two triangular products, half the flops, with the same singular values: F = QWᵀ for some
  /// orthogonal Q (any two factors of WWᵀ with full row rank differ by one), so F_x Σxy F_yᵀ = Q_x (W_xᵀ Σxy W_y) Q_yᵀ.
  private static func whitenedCross(
    _ x: ColumnStatistics, _ y: ColumnStatistics, xColumns: Int? = nil, yColumns: Int? = nil,
    crossCovariance: DoubleMatrix, measure: MeasureID
  ) throws(MeasureError) -> Result<DoubleMatrix, UndefinedMeasure> {
    let (rankX, rankY) = (try x.whiteningRank(measure: measure), try y.whiteningRank(measure: measure))
    let rx = min(xColumns ?? rankX, rankX)
    let ry = min(yColumns ?? rankY, rankY)
    if rx == 0 || ry == 0 { return .failure(UndefinedMeasure(constantReason)) }
    if rx + ry > x.rowCount - 1 { return .failure(UndefinedMeasure(smallSampleReason)) }
    let fx = try x.whiteningFactor(columns: rx, measure: measure)
    let fy = try y.whiteningFactor(columns: ry, measure: measure)
    return .success(BLAS.trapezoidalSandwich(fx, crossCovariance, fy))
  }

  /// `analyse` on a pair's streamed statistics, after the constant check.
  static func analyse(
    _ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics, measure: MeasureID
  ) throws(MeasureError) -> Result<CanonicalCorrelationAnalysis, UndefinedMeasure> {
    if let constant = constantCheck(x, y) { return .failure(UndefinedMeasure(constant.reason ?? constantReason)) }
    return try analyse(
      x: x.whitening(measure: measure), y: y.whitening(measure: measure), crossCovariance: cross.crossCovariance(x, y),
      rowCount: x.rowCount, measure: measure)
  }

  /// `correlations` on a pair's streamed statistics (whitening cached per layer), after the constant check.
  static func correlations(
    _ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics, measure: MeasureID
  ) throws(MeasureError) -> Result<[Double], UndefinedMeasure> {
    if let constant = constantCheck(x, y) { return .failure(UndefinedMeasure(constant.reason ?? constantReason)) }
    return try correlations(x, y, crossCovariance: cross.crossCovariance(x, y), measure: measure)
  }
}

/// A NaN result with its reason, as the failure of a `Result`.
struct UndefinedMeasure: Error {
  var reason: String
  init(_ reason: String) { self.reason = reason }
  var value: MeasureValue { .undefined(reason) }
}

/// One side of the CCA family: its covariance eigendecomposition (descending) and the rank-cut inverse square root.
struct Whitening {
  /// Eigenvalues of the covariance, descending.
  let eigenvalues: [Double]
  /// The matching eigenvectors as columns (d×d), in the same order; signs are LAPACK's.
  let eigenvectors: DoubleMatrix
  /// The number of eigenvalues above `rankCut`·λ_max (0 when λ_max ≤ 0).
  let rank: Int
  /// W = V_r Λ_r^(-1/2) (d×r): the whitening basis, WᵀΣW = I.
  let whiteningBasis: DoubleMatrix

  /// Σ^(-1/2) = V_r Λ_r^(-1/2) V_rᵀ = W V_rᵀ on the kept directions (d×d); formed on demand (the exact route of the
  /// PWCCA variants), not by the correlations-only route.
  var inverseSquareRoot: DoubleMatrix {
    BLAS.product(whiteningBasis, .none, Whitening.columns(eigenvectors, count: rank), .transposed)
  }

  /// The first `columns` columns of W.
  func basis(columns: Int) -> DoubleMatrix {
    columns == rank ? whiteningBasis : Whitening.columns(whiteningBasis, count: columns)
  }

  /// - Throws: `MeasureError.numerical` when `dsyevd` fails.
  /// - Complexity: O(d³).
  init(covariance: DoubleMatrix, measure: MeasureID) throws(MeasureError) {
    let decomposition = try lapack(measure) { () throws(MathError) in try LAPACK.symmetricEigen(covariance) }
    let d = covariance.rows
    let order = Array((0 ..< d).reversed())
    eigenvalues = order.map { decomposition.values[$0] }
    var vectors = DoubleMatrix(rows: d, columns: d)
    for i in 0 ..< d {
      for (column, source) in order.enumerated() { vectors[i, column] = decomposition.vectors[i, source] }
    }
    eigenvectors = vectors
    let rank = Whitening.rank(ofDescending: eigenvalues)
    self.rank = rank
    // V_r diag(λ^(-1/2)) V_rᵀ
    let kept = Whitening.columns(vectors, count: rank)
    var scaled = kept
    for i in 0 ..< d {
      for j in 0 ..< rank { scaled[i, j] /= eigenvalues[j].squareRoot() }
    }
    whiteningBasis = scaled
  }

  /// The number of eigenvalues (descending) above `rankCut`·λ_max; 0 when λ_max ≤ 0.
  static func rank(ofDescending eigenvalues: [Double]) -> Int {
    let largest = eigenvalues.first ?? 0
    return largest > 0 ? eigenvalues.prefix { $0 > CanonicalCorrelationCore.rankCut * largest }.count : 0
  }

  /// The first `count` eigenvectors as a d×count matrix (the top principal directions).
  func leadingDirections(_ count: Int) -> DoubleMatrix {
    Whitening.columns(eigenvectors, count: count)
  }

  /// The first `count` columns of `matrix`.
  static func columns(_ matrix: DoubleMatrix, count: Int) -> DoubleMatrix {
    DoubleMatrix(
      rows: matrix.rows, columns: count,
      storage: (0 ..< matrix.rows).flatMap { i in (0 ..< count).map { matrix[i, $0] } })
  }
}

/// The result of `CanonicalCorrelationCore.analyse`.
struct CanonicalCorrelationAnalysis {
  /// ρ₁ ≥ … ≥ ρ_k, k = min(r_x, r_y).
  let correlations: [Double]
  /// U (d₁×min(d₁, d₂)), the left singular vectors of T, with the signs `dgesdd` gives on T in column-major order.
  let leftSingularVectors: DoubleMatrix
  let x: Whitening
  let y: Whitening

  /// The canonical weight vectors a_i = Σxx^(-1/2) u_i, i < k, as the columns of a d₁×k matrix.
  var xWeights: DoubleMatrix {
    x.inverseSquareRoot * Whitening.columns(leftSingularVectors, count: correlations.count)
  }
}

/// Runs a LAPACK call, turning its failure into `MeasureError.numerical` for `measure`.
func lapack<T>(_ measure: MeasureID, _ body: () throws(MathError) -> T) throws(MeasureError) -> T {
  do {
    return try body()
  } catch {
    throw MeasureError.numerical(measure: measure.description, message: error.description)
  }
}

extension Result where Failure == UndefinedMeasure {
  /// The value `transform` makes of a success, or the NaN value of a failure.
  func measureValue(_ transform: (Success) throws(MeasureError) -> MeasureValue) throws(MeasureError) -> MeasureValue {
    switch self {
    case .success(let success): return try transform(success)
    case .failure(let undefined): return undefined.value
    }
  }
}
