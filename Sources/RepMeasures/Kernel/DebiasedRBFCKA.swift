import RepMath

/// Debiased RBF CKA: CKA of the RBF Grams of X and Y with the unbiased HSIC estimator (Song et al. 2012).
///
/// ```
/// CKA_u = HSIC_u(K, L) / sqrt(HSIC_u(K, K) · HSIC_u(L, L))
/// HSIC_u(K, L) = [tr(K̄L̄) + (1ᵀK̄1)(1ᵀL̄1)/((n−1)(n−2)) − 2/(n−2)·1ᵀK̄L̄1] / (n(n−3)),   K̄, L̄: zero diagonals
/// ```
///
/// K and L are the RBF Grams of `RBFCKA` (σ² = t²·median of all n² squared distances). At most 1 and possibly
/// negative, larger is more similar, symmetric; invariant to orthogonal maps, isotropic scaling and translation of
/// either side. Id `cka.rbf.debiased(threshold=t)`, t = 1.0 by default. See `docs/measures.md`;
/// [Song et al., JMLR 13 (2012)](https://jmlr.org/papers/v13/song12a.html),
/// [Kornblith et al., ICML 2019](https://arxiv.org/abs/1905.00414).
///
/// Degenerate inputs, in this order: NaN ("n < 4"); NaN ("constant representation") when either side has every row
/// equal; NaN ("median squared distance is zero") when σ² = 0; NaN ("non-positive value under the square root")
/// when HSIC_u(K, K) ≤ 0 or HSIC_u(L, L) ≤ 0 (each checked on its own).
///
/// - Complexity: O(n²·(d₁ + d₂)) flops (`dsyrk` in Float64) and 2n² exponentials; two n×n Float64 matrices
///   (16·n² bytes, 6.4 GB at the default limit of 20,000 rows).
public struct DebiasedRBFCKA: RBFKernelMeasure {
  public static let name = "cka.rbf.debiased"
  public static let summary =
    "CKA of RBF Grams, σ² = threshold² × median squared distance, unbiased HSIC (Song et al. 2012)"
  public static let parameterSpecs = [RBFGram.thresholdSpec]

  /// t in σ² = t²·median(D).
  public var threshold: Double
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  /// - Precondition: `threshold > 0` and finite.
  public init(threshold: Double = 1.0, rowLimit: Int = DebiasedRBFCKA.defaultRowLimit) {
    precondition(threshold > 0 && threshold.isFinite,
                 "DebiasedRBFCKA: threshold must be a positive number, got \(threshold)")
    self.threshold = threshold
    self.rowLimit = rowLimit
  }

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "≤ 1",
                      invariances: [.orthogonal, .isotropicScaling, .translation])
  }

  /// - Throws: `MeasureError.incompatibleInputs` when the row counts differ, `MeasureError.tooManyRows` above
  ///   `rowLimit`.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    try checkRows(x, y)
    if x.rows < 4 { return .fewerThanFourRows }
    return try grams(x, y).measureValue { grams in
      let hsic = UnbiasedHSIC.values(grams.k, grams.l)
      guard hsic.kk > 0, hsic.ll > 0 else { return .nonPositiveNormaliser }
      return MeasureValue(hsic.kl / (hsic.kk * hsic.ll).squareRoot())
    }
  }
}
