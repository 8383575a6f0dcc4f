import RepMath

/// The ContraSim code's "SVCCA" (`compute_svcca`, a port of google/svcca; contrasim-spec §2.3–2.4): every principal
/// direction kept, then that code's CCA with ε = 1e-10. Per side the activations are replaced by their SVD scores
/// X̃U (all min(d, n) directions, here from the covariance eigendecomposition); then
///
/// ```
/// Σxx ← Σxx / max|Σxx|,  Σyy ← Σyy / max|Σyy|,  Σxy ← Σxy / sqrt(max|Σxx| · max|Σyy|)
/// drop neurons whose scaled variance is < 1e-10;  Σxx += 1e-10·I,  Σyy += 1e-10·I
/// svcca.full = mean |singular values of Σxx^(-1/2) Σxy Σyy^(-1/2)|   (all min(kₓ, k_y) of them)
/// ```
///
/// CCA is invariant to invertible maps, so without the ridge this would be `cca.mean`. The ridge shrinks the correlations
/// of directions whose variance is near 1e-10·λ_max (a direction of variance λ enters scaled by about
/// sqrt(λ/(λ + 1e-10·λ_max))): ~1e-9 from `cca.mean` on well-conditioned layers (0.6522298577491 against 0.6522298578384
/// on the contrasim-spec §2.9 example), up to 3e-4 on the shipped digits layers with dead units (docs/measures.md). Range [0, 1], larger is more similar, symmetric; invariant to
/// invertible linear maps and translation. The family's NaN rules apply first: "constant representation", then "n
/// too small" on the rank-cut ranks (r_x + r_y > n − 1).
///
/// - Complexity: from the statistics, O(d₁³ + d₂³ + d₁·d₂·(d₁ + d₂)) flops.
public struct FullSVCCA: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "svcca.full"
  public static let summary =
    "The ContraSim code's SVCCA: all principal directions, scaled covariances, 1e-10 ridge (near cca.mean, not equal)"
  /// The code's ε: the variance floor for a neuron and the ridge.
  static let epsilon = 1e-10

  public var properties: MeasureProperties { CanonicalCorrelationCore.meanProperties }

  public init() {}

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    if let constant = CanonicalCorrelationCore.constantCheck(x, y) { return constant }
    let (xCovariance, yCovariance) = (x.covariance, y.covariance)
    let xSide = try Whitening(covariance: xCovariance, measure: id)
    let ySide = try Whitening(covariance: yCovariance, measure: id)
    let n = x.rowCount
    if xSide.rank == 0 || ySide.rank == 0 { return .undefined(CanonicalCorrelationCore.constantReason) }
    if xSide.rank + ySide.rank > n - 1 { return .undefined(CanonicalCorrelationCore.smallSampleReason) }

    // Covariances of the SVD scores X̃U: a thin SVD of the d×n matrix X̃ᵀ keeps min(d, n) directions.
    let ux = xSide.leadingDirections(min(x.columnCount, n))
    let uy = ySide.leadingDirections(min(y.columnCount, n))
    var sxx = BLAS.product(ux, .transposed, xCovariance * ux)
    var syy = BLAS.product(uy, .transposed, yCovariance * uy)
    var sxy = BLAS.product(ux, .transposed, cross.crossCovariance(x, y) * uy)
    let ax = sxx.storage.reduce(0) { max($0, abs($1)) }
    let ay = syy.storage.reduce(0) { max($0, abs($1)) }
    sxx = (1 / ax) * sxx
    syy = (1 / ay) * syy
    sxy = (1 / (ax * ay).squareRoot()) * sxy
    let (xVariances, yVariances) = (sxx.diagonal, syy.diagonal)
    let keptX = xVariances.indices.filter { xVariances[$0] >= Self.epsilon }
    let keptY = yVariances.indices.filter { yVariances[$0] >= Self.epsilon }
    let wx = try inverseSquareRoot(ridged(sxx, keptX))
    let wy = try inverseSquareRoot(ridged(syy, keptY))
    guard let wx, let wy else {
      return .undefined("non-positive eigenvalue of a scaled covariance after the ridge")
    }
    let t = wx * submatrix(sxy, rows: keptX, columns: keptY) * wy
    let s = try lapack(id) { () throws(MathError) in try LAPACK.singularValues(t) }
    return MeasureValue(s.reduce(0) { $0 + abs($1) } / Double(s.count))
  }

  /// A[kept, kept] + ε·I.
  private func ridged(_ a: DoubleMatrix, _ kept: [Int]) -> DoubleMatrix {
    submatrix(a, rows: kept, columns: kept) + Self.epsilon * DoubleMatrix.identity(kept.count)
  }

  private func submatrix(_ a: DoubleMatrix, rows: [Int], columns: [Int]) -> DoubleMatrix {
    DoubleMatrix(rows: rows.count, columns: columns.count, storage: rows.flatMap { i in columns.map { a[i, $0] } })
  }

  /// V diag(λ^(-1/2)) Vᵀ over every eigenvalue (no cut, as in the code); nil when one is ≤ 0 (the code gets NaN).
  private func inverseSquareRoot(_ a: DoubleMatrix) throws(MeasureError) -> DoubleMatrix? {
    let (values, vectors) = try lapack(id) { () throws(MathError) in try LAPACK.symmetricEigen(a) }
    guard values.allSatisfy({ $0 > 0 }) else { return nil }
    var scaled = vectors
    for i in 0 ..< a.rows {
      for j in 0 ..< a.columns { scaled[i, j] /= values[j].squareRoot() }
    }
    return BLAS.product(scaled, .none, vectors, .transposed)
  }
}
