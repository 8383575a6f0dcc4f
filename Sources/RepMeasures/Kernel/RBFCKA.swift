import RepMath

/// RBF CKA (Kornblith et al. 2019): CKA of the RBF Grams of X and Y with biased HSIC (centering HKH).
///
/// ```
/// CKA = ⟨HKH, HLH⟩_F / (‖HKH‖_F ‖HLH‖_F),   H = I − 11ᵀ/n
/// Kᵢⱼ = exp(−‖xᵢ − xⱼ‖² / (2σ²)),   σ² = t² · median of all n² squared distances (zero diagonal included)
/// ```
///
/// L is the same for Y, with its own σ². Range 0...1, larger is more similar, symmetric. Invariant to orthogonal maps,
/// isotropic scaling and translation of either side (the bandwidth follows the data), not to general invertible
/// maps. Id `cka.rbf(threshold=t)`, t = 1.0 by default. See `docs/measures.md`;
/// [Kornblith et al., "Similarity of Neural Network Representations Revisited", ICML 2019](https://arxiv.org/abs/1905.00414).
///
/// Degenerate inputs, in this order: NaN ("constant representation") when either side has every row equal;
/// NaN ("median squared distance is zero") when σ² = 0 for either side.
///
/// - Complexity: O(n²·(d₁ + d₂)) flops (`dsyrk` in Float64) and 2n² exponentials; two n×n Float64 matrices
///   (16·n² bytes, 6.4 GB at the default limit of 20,000 rows).
public struct RBFCKA: RBFKernelMeasure {
  public static let name = "cka.rbf"
  public static let summary =
    "CKA of RBF Grams, σ² = threshold² × median squared distance, biased HSIC (Kornblith et al. 2019)"
  public static let parameterSpecs = [RBFGram.thresholdSpec]

  /// t in σ² = t²·median(D); larger t means a wider kernel (closer to linear CKA).
  public var threshold: Double
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  /// - Precondition: `threshold > 0` and finite.
  public init(threshold: Double = 1.0, rowLimit: Int = RBFCKA.defaultRowLimit) {
    precondition(threshold > 0 && threshold.isFinite, "RBFCKA: threshold must be a positive number, got \(threshold)")
    self.threshold = threshold
    self.rowLimit = rowLimit
  }

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
                      invariances: [.orthogonal, .isotropicScaling, .translation])
  }

  /// - Throws: `MeasureError.incompatibleInputs` when the row counts differ, `MeasureError.tooManyRows` above
  ///   `rowLimit`.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    try checkRows(x, y)
    return try grams(x, y).measureValue { grams in
      var (k, l) = grams
      k.center()
      l.center()
      let normalizer = k.frobeniusProduct(k) * l.frobeniusProduct(l)
      guard normalizer > 0 else { return .nonPositiveNormaliser }
      return MeasureValue(k.frobeniusProduct(l) / normalizer.squareRoot())
    }
  }
}
