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
/// scaling and translation. NaN: "constant representation". Round-off guard (docs/measures.md): a nuclear norm above
/// 1 by less than 1e-6 (X = Y in Float32) is taken as 1; a larger excess is NaN, never clamped.
///
/// **Accuracy near 0.** X̃ᵀỸ comes from Float32 chunk products, ~1e-7 relative; tr X̃ᵀX̃ and tr ỸᵀỸ are taken from the
/// diagonals of the same kind of products (`centeredGramTrace`), so that the rounding shared by numerator and
/// denominator cancels: X against itself gives a norm of 1 up to the SVD's Float64 rounding, on any BLAS kernel. For
/// nearly identical but different inputs arccos(1 − ε) ≈ sqrt(2ε) still magnifies what does not cancel: the distance
/// can be off by up to a few 1e-4 absolute while its cosine is right to 1e-6. Away from 0 the relative error is that
/// of the statistics.
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

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ProcrustesAlignment.nuclearNorm(x, y, cross: cross, measure: id).measureValue { MeasureValue(acos($0)) }
  }
}

/// The normalised nuclear norm ‖ÃᵀB̃‖_* shared by the two Procrustes distances, with the round-off guard.
enum ProcrustesAlignment {
  /// A nuclear norm above 1 by less than this is round-off and taken as 1.
  static let roundOffAllowance = 1e-6

  /// ‖ÃᵀB̃‖_* in [0, 1], or the reason it is undefined.
  /// - Throws: `MeasureError.numerical` when `dgesdd` fails.
  static func nuclearNorm(
    _ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics, measure: MeasureID
  ) throws(MeasureError) -> Result<Double, UndefinedMeasure> {
    if CanonicalCorrelationCore.isConstant(x) || CanonicalCorrelationCore.isConstant(y) {
      return .failure(UndefinedMeasure(CanonicalCorrelationCore.constantReason))
    }
    let centeredCross = cross.centeredCross(x, y)
    let singularValues = try lapack(measure) { () throws(MathError) in try LAPACK.singularValues(centeredCross) }
    // Traces from the same Float32 products as the cross: their rounding cancels in the ratio (exactly for X = X).
    let norm = singularValues.reduce(0, +) / (x.centeredGramTrace * y.centeredGramTrace).squareRoot()
    if norm <= 1 { return .success(norm) }
    if norm - 1 < roundOffAllowance { return .success(1) }
    return .failure(UndefinedMeasure("nuclear norm \(norm) above 1 beyond round-off"))
  }
}
