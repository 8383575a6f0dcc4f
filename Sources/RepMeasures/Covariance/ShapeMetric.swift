import Foundation
import RepMath

/// Generalized shape metric with partial whitening (Williams et al. 2021, "Generalized Shape Metrics on Neural
/// Representations", NeurIPS; netrep's `LinearMetric(alpha, score_method="angular")`), angular form:
///
/// ```
/// shape(α)(X, Y) = arccos( ‖BₓᵀÃᵀB̃B_y‖_* / (‖ÃBₓ‖_F ‖B̃B_y‖_F) ),   Ã = X̃/‖X̃‖_F,  B̃ = Ỹ/‖Ỹ‖_F
/// Bₓ = Vₓ diag(α + (1 − α)/sqrt(λᵢ)) Vₓᵀ,   ÃᵀÃ = Vₓ diag(λ) Vₓᵀ
/// ```
///
/// the angle between the partially whitened, centered representations after the best rotation of one onto the
/// other. α = 1 leaves the data as it is: shape(alpha=1) **is** `procrustes` (same code, same value). α = 0 whitens
/// fully: the cosine is Σρᵢ/sqrt(rₓr_y) over the canonical correlations (CCA). netrep's `preserve_variance` rescaling
/// does not change an angle and is left out.
///
/// **Conventions.** The inputs are scaled to unit Frobenius norm first (netrep's LinearMetric on Ã and B̃): for
/// 0 < α < 1 the partial whitening αI + (1 − α)(X̃ᵀX̃)^(-1/2) is not scale-free, so netrep's value on raw inputs
/// changes when a layer is multiplied by a constant (and grows toward α = 0's as n grows); at α = 0 and 1 the two
/// agree. Directions with λ ≤ 1e-10·λ_max are dropped (the rank cut of the CCA family): X̃ is 0 along them,
/// so in exact arithmetic they add nothing, and dropping them keeps 1/sqrt(λ) of rounding noise out. netrep instead
/// clips λ at an absolute 1e-7 (scale-dependent); the two agree whenever every λ exceeds 1e-7 and the cut. Different
/// widths need no padding (netrep zero-pads, which gives the same value). Unlike `cca.*`, no "n too small" rule
/// (netrep has none); at α = 0 with rₓ + r_y ≥ n the value is trivially 0.
///
/// Range [0, π/2], a **distance**, symmetric. Invariant to orthogonal maps, isotropic scaling and translation; at α = 0
/// to every invertible linear map. NaN: "constant representation"; the proven round-off guard of `procrustes`, here
/// with the whitening's gain ‖B‖₂ in the bound (`ShapeBasis`).
///
/// - Complexity: per layer once, O(d³) (eigendecomposition, B and tr BᵀX̃ᵀX̃B); per pair O(d₁·d₂·(r₁ + r₂)) flops.
public struct ShapeMetric: ShapeMetricForm {
  public static let name = "shape"
  public static let summary =
    "Angular shape metric with partial whitening α (netrep LinearMetric; α=1 is procrustes, α=0 CCA-based)"
  public var alpha: Double

  /// - Precondition: 0 ≤ alpha ≤ 1.
  public init(alpha: Double = 1) {
    precondition((0 ... 1).contains(alpha), "ShapeMetric: alpha must be in [0, 1], got \(alpha)")
    self.alpha = alpha
  }

  public var properties: MeasureProperties { shapeProperties(range: "[0, π/2]") }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ShapeBasis.cosine(x, y, cross: cross, alpha: alpha, measure: id).measureValue { MeasureValue(acos($0)) }
  }
}

/// The Euclidean form of the generalized shape metric: sqrt(2 − 2c) with c the cosine of `shape(α)`, which is
/// netrep's `LinearMetric(alpha, score_method="euclidean")` on inputs scaled to ‖X̃‖_F = ‖Ỹ‖_F = 1 (its whitening
/// preserves that total variance). shape.euclidean(alpha=1) is `procrustes.euclidean`. Range [0, √2], a distance,
/// symmetric; invariances, conventions and NaN rules as `shape`.
///
/// - Complexity: as `shape`.
public struct EuclideanShapeMetric: ShapeMetricForm {
  public static let name = "shape.euclidean"
  public static let summary = "Euclidean shape metric sqrt(2 − 2cos) with partial whitening α (netrep LinearMetric)"
  public var alpha: Double

  /// - Precondition: 0 ≤ alpha ≤ 1.
  public init(alpha: Double = 1) {
    precondition((0 ... 1).contains(alpha), "EuclideanShapeMetric: alpha must be in [0, 1], got \(alpha)")
    self.alpha = alpha
  }

  public var properties: MeasureProperties { shapeProperties(range: "[0, √2]") }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ShapeBasis.cosine(x, y, cross: cross, alpha: alpha, measure: id).measureValue {
      MeasureValue((2 - 2 * $0).squareRoot())
    }
  }
}

/// The two forms of the generalized shape metric share the parameter α, the id, the invariances (those of CCA at α = 0)
/// and Float64 products; each maps the cosine its own way.
protocol ShapeMetricForm: StatisticsMeasure, NamedMeasure {
  var alpha: Double { get }
  init(alpha: Double)
}

extension ShapeMetricForm {
  public static var parameterSpecs: [ParameterSpec] { [ShapeBasis.alphaSpec] }

  public init(parameters: MeasureParameters) throws {
    self.init(alpha: try parameters.double("alpha", default: 1, in: 0 ... 1))
  }

  public var id: MeasureID { MeasureID(name: Self.name, parameters: ["alpha": canonicalNumber(alpha)]) }

  public var productPrecision: ProductPrecision { .double }

  func shapeProperties(range: String) -> MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: false, isSymmetric: true, range: range,
      invariances: alpha == 0 ? [.invertibleLinear, .translation] : [.orthogonal, .isotropicScaling, .translation])
  }
}

/// One layer's partial-whitening basis B = V_r diag(α + (1 − α)/sqrt(λ)) (d×r, the rank-cut eigenvectors of X̃ᵀX̃),
/// with what the guard needs: t = tr(BᵀX̃ᵀX̃B) = ‖X̃B‖²_F formed from the computed B (so that the cosine is that of the
/// matrices X̃Bₓ and ỸB_y actually used, whatever the eigenvectors' own rounding), a bound on ‖B‖₂ from the computed
/// orthogonality defect of V_r, ‖B‖_F, and the rounding of forming t.
struct ShapeBasis {
  var basis: DoubleMatrix
  var normSquared: Double
  var normSquaredError: Double
  var spectralBound: Double
  var frobenius: Double

  static let alphaSpec = ParameterSpec(
    "alpha", default: "1.0", "partial whitening in [0, 1]: 1 rotations only (procrustes), 0 full whitening (CCA)")

  /// The layer's basis for `alpha`, computed once per layer (cached in its statistics).
  static func of(_ x: ColumnStatistics, alpha: Double, rounding gramError: Double, measure: MeasureID)
    throws(MeasureError) -> ShapeBasis
  {
    do {
      return try x.derived.value("shape.basis.\(canonicalNumber(alpha))") { () throws -> ShapeBasis in
        try make(x, alpha: alpha, gramError: gramError)
      }
    } catch let error as MathError {
      throw MeasureError.numerical(measure: measure.description, message: error.description)
    } catch {
      throw MeasureError.numerical(measure: measure.description, message: "\(error)")
    }
  }

  private static func make(_ x: ColumnStatistics, alpha: Double, gramError: Double) throws(MathError) -> ShapeBasis {
    let unit = ProductPrecision.double.unitRoundoff
    let gram = x.cachedCenteredGram
    let d = x.columnCount
    let (values, vectors) = try LAPACK.symmetricEigen(gram)
    let largest = values.last ?? 0
    // The whitening of X̃/‖X̃‖_F: its eigenvalues are λ/tr X̃ᵀX̃ (the scale then cancels from the cosine).
    let total = gram.trace
    let kept = (0 ..< d).reversed().filter { values[$0] > 1e-10 * largest && values[$0] > 0 }
    let r = kept.count
    var basis = DoubleMatrix(rows: d, columns: r)
    var orthonormal = DoubleMatrix(rows: d, columns: r)
    var largestScale = 0.0
    for (c, k) in kept.enumerated() {
      let scale = alpha + (1 - alpha) / (values[k] / total).squareRoot()
      largestScale = max(largestScale, scale)
      for i in 0 ..< d {
        orthonormal.storage[i * r + c] = vectors.storage[i * d + k]
        basis.storage[i * r + c] = vectors.storage[i * d + k] * scale
      }
    }
    // ‖V_r‖₂² ≤ ‖V_rᵀV_r‖₂ ≤ 1 + ‖V_rᵀV_r − I‖_F (+ its own rounding, γ_d per entry of a product of unit vectors).
    let defect = (BLAS.product(orthonormal, .transposed, orthonormal, .none) - DoubleMatrix.identity(r))
      .frobeniusNormSquared.squareRoot()
    let spectral = largestScale * (1 + defect + 2 * ProductPrecision.double.gamma(d) * Double(r)).squareRoot()
    let frobenius = basis.frobeniusNormSquared.squareRoot()
    // t = Σ (X̃ᵀX̃·B) ∘ B, summed in Float64.
    let product = BLAS.product(gram, .none, basis, .none)
    var t = 0.0
    for e in 0 ..< product.storage.count { t += product.storage[e] * basis.storage[e] }
    // Error of t: the Gram's error through B (|tr BᵀΔSB| ≤ ‖B‖₂²·‖ΔS‖_* ≤ ‖B‖₂²·sqrt(d)·‖ΔS‖_F), then the product and
    // the sum (γ_d for each entry of SB, γ_{dr} for the sum), on |B|ᵀ|S||B| whose trace is ≤ ‖B‖²_F‖S‖_F.
    let gramNorm = gram.frobeniusNormSquared.squareRoot()
    let error = spectral * spectral * Double(d).squareRoot() * gramError
      + 1.1 * (ProductPrecision.double.gamma(d) + ProductPrecision.double.gamma(d * max(r, 1)) + 2 * unit)
      * frobenius * frobenius * gramNorm
    return ShapeBasis(basis: basis, normSquared: t, normSquaredError: error, spectralBound: spectral,
                      frobenius: frobenius)
  }

  /// The cosine of shape(α): for α = 1 exactly `procrustes`'s, otherwise ‖BₓᵀX̃ᵀỸB_y‖_*/sqrt(tₓt_y) with the guard.
  static func cosine(
    _ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics, alpha: Double, measure: MeasureID
  ) throws(MeasureError) -> Result<Double, UndefinedMeasure> {
    if alpha == 1 { return try ProcrustesAlignment.nuclearNorm(x, y, cross: cross, measure: measure) }
    if CanonicalCorrelationCore.isConstant(x) || CanonicalCorrelationCore.isConstant(y) {
      return .failure(UndefinedMeasure(CanonicalCorrelationCore.constantReason))
    }
    let rounding = StatisticsRounding(x, y, cross: cross)
    let bx = try of(x, alpha: alpha, rounding: rounding.xGram, measure: measure)
    let by = try of(y, alpha: alpha, rounding: rounding.yGram, measure: measure)
    let m = cross.centeredCross(x, y)
    let w = BLAS.product(BLAS.product(bx.basis, .transposed, m, .none), .none, by.basis, .none)
    let singularValues = try lapack(measure) { () throws(MathError) in try LAPACK.singularValues(w) }
    // ΔW: M's error through the bases, then the two products (γ_{d₁} + γ_{d₂} on |Bₓ|ᵀ|M||B_y|).
    let mNorm = m.frobeniusNormSquared.squareRoot()
    let matrixError = bx.spectralBound * by.spectralBound * rounding.cross
      + 1.1 * (ProductPrecision.double.gamma(x.columnCount) + ProductPrecision.double.gamma(y.columnCount))
      * bx.frobenius * (mNorm + rounding.cross) * by.frobenius
    return BoundedCosine.cosine(BoundedCosine.Computed(
      numerator: singularValues.reduce(0, +),
      numeratorError: BoundedCosine.nuclearNormError(
        singularValues: singularValues, largestDimension: max(w.rows, w.columns), matrixError: matrixError),
      xNormSquared: bx.normSquared, xNormError: bx.normSquaredError,
      yNormSquared: by.normSquared, yNormError: by.normSquaredError))
  }
}
