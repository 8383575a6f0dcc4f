import Foundation
import RepMath

/// The RBF (Gaussian) Gram matrix of one side with the median-scaled bandwidth of Kornblith et al. (2019):
///
/// ```
/// Kᵢⱼ = exp(−Dᵢⱼ / (2σ²)),   Dᵢⱼ = ‖xᵢ − xⱼ‖²,   σ² = t² · median of all n² entries of D (zero diagonal included)
/// ```
///
/// The bandwidth scales with the data, so K is unchanged by orthogonal maps, isotropic scaling and translation.
/// [Kornblith et al., "Similarity of Neural Network Representations Revisited", ICML 2019](https://arxiv.org/abs/1905.00414).
enum RBFGram {
  /// The reason given when σ² = 0 (more than half of the pairs of rows coincide).
  static let zeroBandwidthReason = "median squared distance is zero"

  /// K for the rows of `x` with threshold t, or nil when σ² = 0.
  ///
  /// - Precondition: `threshold > 0`, at least one row.
  /// - Complexity: n²·d flops (`dsyrk`, Float64) and n² exponentials; n² Float64 memory.
  static func gram(_ x: Matrix, threshold: Double) -> SymmetricGram? {
    precondition(threshold > 0 && x.rows >= 1, "RBFGram: threshold \(threshold), \(x.rows) rows")
    var gram = RowDistances.squared(x)
    let sigmaSquared = threshold * threshold * RowDistances.medianOfAllEntries(gram)
    guard sigmaSquared > 0 else { return nil }
    let scale = 2 * sigmaSquared
    gram.transformEntries { exp(-$0 / scale) }
    return gram
  }
}

extension RBFGram {
  /// The `threshold` parameter of `cka.rbf` and `cka.rbf.debiased`: a positive finite number, 1.0 by default.
  ///
  /// - Throws: `MeasureError.badParameter` for anything else.
  static func threshold(from parameters: MeasureParameters) throws -> Double {
    guard let text = parameters.values["threshold"] else { return 1.0 }
    guard let value = Double(text), value > 0, value.isFinite else {
      throw MeasureError.badParameter(
        measure: parameters.measure, parameter: "threshold", message: "'\(text)' is not a positive number")
    }
    return value
  }

  /// The declaration of the `threshold` parameter.
  static let thresholdSpec = ParameterSpec(
    "threshold", default: "1.0", "bandwidth: σ² = threshold² × median squared distance between rows (> 0)")
}

/// `cka.rbf` and `cka.rbf.debiased`: CKA of the two sides' RBF Grams, which differ only in the HSIC estimator. Their
/// one parameter, the id built from it and the Grams with their NaN rules are here once.
public protocol RBFKernelMeasure: NamedMeasure, RowLimitedMeasure {
  /// t in σ² = t²·median(D); larger t means a wider kernel (closer to linear CKA).
  var threshold: Double { get }
  init(threshold: Double, rowLimit: Int)
}

extension RBFKernelMeasure {
  /// - Throws: `MeasureError.badParameter` when `threshold` is not a positive number.
  public init(parameters: MeasureParameters) throws {
    self.init(threshold: try RBFGram.threshold(from: parameters), rowLimit: Self.defaultRowLimit)
  }

  public var id: MeasureID { MeasureID(name: Self.name, parameters: ["threshold": canonicalNumber(threshold)]) }

  /// K and L, or why they are undefined, in this order: "constant representation" when either side has every row
  /// equal, "median squared distance is zero" when σ² = 0 for either side.
  func grams(_ x: Matrix, _ y: Matrix) -> Result<(k: SymmetricGram, l: SymmetricGram), UndefinedMeasure> {
    if x.hasIdenticalRows || y.hasIdenticalRows {
      return .failure(UndefinedMeasure(CanonicalCorrelationCore.constantReason))
    }
    guard let k = RBFGram.gram(x, threshold: threshold), let l = RBFGram.gram(y, threshold: threshold) else {
      return .failure(UndefinedMeasure(RBFGram.zeroBandwidthReason))
    }
    return .success((k, l))
  }
}
