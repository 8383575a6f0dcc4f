import Foundation
import RepMath

/// Angular Procrustes distance (Williams et al. 2021, "Generalized Shape Metrics on Neural Representations",
/// NeurIPS; netrep's angular shape metric with α = 1):
///
/// ```
/// procrustes(X, Y) = arccos ‖ÃᵀB̃‖_*,   Ã = X̃/‖X̃‖_F,  B̃ = Ỹ/‖Ỹ‖_F
///                  = arccos( Σ σᵢ(X̃ᵀỸ) / sqrt(tr X̃ᵀX̃ · tr ỸᵀỸ) )
/// ```
///
/// the angle left after the best rotation of one centered, normalised representation onto the other (the nuclear
/// norm is the trace of that rotation's alignment; different widths are padded with zeros implicitly).
/// Range [0, π/2], a **distance** (smaller is more similar), symmetric; invariant to orthogonal maps, isotropic
/// scaling and translation. NaN: "constant representation".
///
/// **Accuracy.** arccos magnifies near 0: an angle right to 1e-6 needs the cosine right to ~5e-13, which Float32 chunk
/// products (~1e-7) cannot give. The measure therefore asks for Float64 products (`productPrecision`): every entry
/// of X̃ᵀỸ, X̃ᵀX̃ and ỸᵀỸ is then a Float64 sum of exact products, the cosine is right to about 1e-14, and the angle
/// of X against itself is 0 within 1e-6 (measured ≤ 2e-7) on every BLAS kernel, whether the pair comes from a
/// general product or from X's own Gram. Measured against a Float64 numpy reference: see docs/measures.md.
///
/// **Round-off guard.** The exact cosine is at most 1. A computed one above 1 by no more than its proven rounding
/// bound (`BoundedCosine.roundingBound`, from `StatisticsRounding` for the actual n, widths, norms and product
/// precision: about 1e-10 for n = 20,000, d = 768 with Float64 products) is 1; a larger excess is NaN with the
/// reason, never clamped. Statistics of Float32 products still work, with the bound and the error of Float32.
///
/// - Complexity: from the statistics, O(d₁·d₂·min(d₁, d₂)) flops (singular values of the d₁×d₂ cross product).
public struct Procrustes: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "procrustes"
  public static let summary = "Angular Procrustes distance arccos‖ÃᵀB̃‖_* of centered, unit-Frobenius X and Y (netrep)"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: false, isSymmetric: true, range: "[0, π/2]",
      invariances: [.orthogonal, .isotropicScaling, .translation])
  }

  public init() {}

  /// Float64 chunk products: arccos near 0 needs the cosine to ~5e-13.
  public var productPrecision: ProductPrecision { .double }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ProcrustesAlignment.nuclearNorm(x, y, cross: cross, measure: id).measureValue { MeasureValue(acos($0)) }
  }
}

/// The normalised nuclear norm ‖ÃᵀB̃‖_* shared by the Procrustes family, with the proven round-off guard.
enum ProcrustesAlignment {
  /// ‖ÃᵀB̃‖_* = ‖X̃ᵀỸ‖_*/sqrt(tr X̃ᵀX̃ · tr ỸᵀỸ) in [0, 1], or the reason it is undefined.
  /// - Throws: `MeasureError.numerical` when `dgesdd` fails.
  static func nuclearNorm(
    _ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics, measure: MeasureID
  ) throws(MeasureError) -> Result<Double, UndefinedMeasure> {
    if CanonicalCorrelationCore.isConstant(x) || CanonicalCorrelationCore.isConstant(y) {
      return .failure(UndefinedMeasure(CanonicalCorrelationCore.constantReason))
    }
    let centeredCross = cross.centeredCross(x, y)
    let singularValues = try lapack(measure) { () throws(MathError) in try LAPACK.singularValues(centeredCross) }
    let rounding = StatisticsRounding(x, y, cross: cross)
    return BoundedCosine.cosine(BoundedCosine.Computed(
      numerator: singularValues.reduce(0, +),
      numeratorError: BoundedCosine.nuclearNormError(
        singularValues: singularValues, largestDimension: max(x.columnCount, y.columnCount),
        matrixError: rounding.cross),
      xNormSquared: x.centeredGramTrace, xNormError: rounding.xTrace,
      yNormSquared: y.centeredGramTrace, yNormError: rounding.yTrace))
  }
}
