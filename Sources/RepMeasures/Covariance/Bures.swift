import Foundation
import RepMath

/// Normalized Bures similarity (Tang et al. 2020, "Similarity of Neural Networks with Gradients", arXiv:2003.11498)
/// of the centered linear Grams K = X̃X̃ᵀ and L = ỸỸᵀ (n×n), computed from the d×d statistics:
///
/// ```
/// bures(X, Y) = tr((K^½ L K^½)^½) / sqrt(tr K · tr L) = ‖X̃ᵀỸ‖_* / (‖X̃‖_F ‖Ỹ‖_F) = cos procrustes(X, Y)
/// ```
///
/// (K^½ L K^½ has the eigenvalues of (X̃ᵀỸ)ᵀ(X̃ᵀỸ) padded with zeros, so the trace of its square root is the nuclear
/// norm of X̃ᵀỸ; tr K = ‖X̃‖²_F.) Range [0, 1], larger is more similar, symmetric; invariant to orthogonal maps,
/// isotropic scaling and translation. NaN: "constant representation"; Float64 products and the proven round-off
/// guard of `procrustes` (the value itself does not magnify rounding, but it shares the computation).
///
/// - Complexity: from the statistics, O(d₁·d₂·min(d₁, d₂)) flops.
public struct NormalizedBuresSimilarity: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "bures"
  public static let summary = "Normalized Bures similarity of centered linear Grams, ‖X̃ᵀỸ‖_*/(‖X̃‖_F‖Ỹ‖_F) (Tang et al. 2020)"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
      invariances: [.orthogonal, .isotropicScaling, .translation])
  }

  public init() {}

  public var productPrecision: ProductPrecision { .double }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ProcrustesAlignment.nuclearNorm(x, y, cross: cross, measure: id).measureValue { MeasureValue($0) }
  }
}

/// Bures distance between the centered linear Grams K = X̃X̃ᵀ and L = ỸỸᵀ (unnormalised):
///
/// ```
/// bures.distance(X, Y) = sqrt(tr K + tr L − 2·tr((K^½ L K^½)^½)) = sqrt(‖X̃‖²_F + ‖Ỹ‖²_F − 2‖X̃ᵀỸ‖_*)
///                      = min_Q ‖X̃ − ỸQ‖_F   (orthogonal Q, widths padded with zeros)
/// ```
///
/// It carries the data's scale (it grows with sqrt(n) and with the activations); divided by ‖X̃‖_F = ‖Ỹ‖_F it is
/// `procrustes.euclidean`. Range [0, ∞), a **distance**, symmetric; invariant to orthogonal maps and translation
/// (not to scaling). NaN: "constant representation" (either side; the distance would be defined, but a constant
/// layer is reported as in the rest of the family); Float64 products and the round-off guard of `procrustes`.
///
/// - Complexity: as `bures`.
public struct BuresDistance: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "bures.distance"
  public static let summary = "Bures distance of centered linear Grams, sqrt(‖X̃‖²_F + ‖Ỹ‖²_F − 2‖X̃ᵀỸ‖_*)"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: false, isSymmetric: true, range: "[0, ∞)", invariances: [.orthogonal, .translation])
  }

  public init() {}

  public var productPrecision: ProductPrecision { .double }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    try ProcrustesAlignment.nuclearNorm(x, y, cross: cross, measure: id).measureValue { cosine in
      let (tx, ty) = (x.centeredGramTrace, y.centeredGramTrace)
      // (sqrt tₓ − sqrt t_y)² + 2(1 − c)·sqrt(tₓt_y): the same value without cancelling tₓ + t_y against 2N.
      let difference = tx.squareRoot() - ty.squareRoot()
      return MeasureValue((difference * difference + 2 * (1 - cosine) * (tx * ty).squareRoot()).squareRoot())
    }
  }
}

/// Angular linear CKA as netrep reports it (`netrep.metrics.LinearCKA`): the angle between the centered n×n Grams,
///
/// ```
/// cka.angular(X, Y) = arccos( ⟨K, L⟩_F / (‖K‖_F ‖L‖_F) ) = arccos cka(X, Y)
/// ```
///
/// since ⟨K, L⟩_F = ‖X̃ᵀỸ‖²_F and ‖K‖_F = ‖X̃ᵀX̃‖_F for K = X̃X̃ᵀ: a metric, where 1 − CKA is not. Range [0, π/2], a
/// **distance**, symmetric; invariances of `cka`. NaN: "constant representation". arccos magnifies near 0 as for
/// `procrustes`, so the measure asks for Float64 products, and a CKA above 1 by no more than its proven rounding bound
/// is 1 (bound: [sqrt((1 + eₓ/‖Ŝₓ‖_F)(1 + e_y/‖Ŝ_y‖_F)) + e_M/sqrt(‖Ŝₓ‖_F‖Ŝ_y‖_F)]²·(1 + 1.1·(γ_{d₁d₂} + γ_{d₁²} +
/// γ_{d₂²} + 8u)) − 1 with e the Frobenius error bounds of `StatisticsRounding`); beyond it NaN with the reason.
///
/// - Complexity: from the statistics, O(d₁² + d₂² + d₁·d₂).
public struct AngularCKA: StatisticsMeasure, ParameterlessMeasure {
  public static let name = "cka.angular"
  public static let summary = "arccos of linear CKA, the angle between centered Grams (netrep LinearCKA)"

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: false, isSymmetric: true, range: "[0, π/2]",
      invariances: [.orthogonal, .isotropicScaling, .translation, .rowPermutation])
  }

  public init() {}

  public var productPrecision: ProductPrecision { .double }

  public func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue {
    if let constant = CanonicalCorrelationCore.constantCheck(x, y) { return constant }
    let crossSquared = cross.centeredCrossFrobeniusSquared(x, y)
    let (sx, sy) = (x.centeredGramFrobeniusSquared.squareRoot(), y.centeredGramFrobeniusSquared.squareRoot())
    let cka = crossSquared / (sx * sy)
    if cka <= 1 { return MeasureValue(acos(cka)) }
    let rounding = StatisticsRounding(x, y, cross: cross)
    let double = ProductPrecision.double
    let bound: Double
    if sx > rounding.xGram, sy > rounding.yGram {
      let base = ((1 + rounding.xGram / sx) * (1 + rounding.yGram / sy)).squareRoot()
        + rounding.cross / (sx * sy).squareRoot()
      let sums = double.gamma(x.columnCount * y.columnCount) + double.gamma(x.columnCount * x.columnCount)
        + double.gamma(y.columnCount * y.columnCount) + 8 * double.unitRoundoff
      bound = base * base * (1 + 1.1 * sums) - 1
    } else {
      bound = .infinity
    }
    if cka - 1 <= bound { return MeasureValue(0) }
    return .undefined("cka \(cka) above 1 by \(cka - 1), more than its rounding bound \(bound)")
  }
}
