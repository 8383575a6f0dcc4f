import RepMath

/// The distance variant of ContraSim's loss (SupConLossDis, spec §3.3): SupConLoss with the logits
/// L_rs = (1 − ‖ẑ_r − ẑ_s‖₂)/τ, ẑ_r = z_r / max(‖z_r‖₂, 10⁻¹²) (the normalisation is inside the loss, as torch's
/// `F.normalize`), trained for the `contrasim_dis` similarity (1/n) Σ (1 − ‖f(x_i) − f(y_i)‖).
///
/// The released code never divides these logits by τ, so its effective temperature is 1 (spec §6 item 15); the default
/// here is 1 so that the reference's numbers reproduce, and a "fixed" run passes ContraSim's 0.07.
/// The distance of a row to itself is zero, where ‖·‖ has no derivative: the loss never reads the diagonal, so its
/// gradient is never formed; two distinct rows at distance zero get the zero subgradient, as torch's norm backward
/// gives. Anchors and positives are as in `SupervisedContrastiveLoss` (V ≥ 2, or a trap).
public struct DistanceContrastiveLoss: ContrastiveLoss {
  /// τ_d, dividing the logits; 1 reproduces the reference code.
  public var temperature: Double

  /// A loss with temperature τ_d.
  ///
  /// - Precondition: `temperature > 0`.
  public init(temperature: Double = 1) {
    precondition(temperature > 0, "DistanceContrastiveLoss: temperature must be positive, got \(temperature)")
    self.temperature = temperature
  }

  /// The loss of a `[B, V, D]` batch and its gradient with respect to every feature, through the row normalisation.
  ///
  /// - Precondition: `features.viewCount >= 2`, `features.classCount >= 1`.
  /// - Complexity: O(N²·D) flops for N = V·B, in hand loops over pairs of rows: differences rather than a Gram
  ///   matrix, so that the distance of two nearly equal rows keeps its digits. O(N² + N·D) memory.
  public func lossAndGradient(_ features: ContrastiveFeatures) -> (loss: Double, gradient: ContrastiveFeatures) {
    let normalised = RowNormalisation(features.viewMajorRows())
    let distances = PairwiseDistances(normalised.rows)
    // The diagonal logit 1/τ is never read (see `PositiveLogLikelihood`).
    let logits = DoubleMatrix(rows: distances.count, columns: distances.count,
                              storage: distances.storage.map { (1 - $0) / temperature })
    let (loss, logitGradient) = PositiveLogLikelihood.lossAndLogitGradient(
      logits: logits, classCount: features.classCount)
    // ∂L_rs/∂d_rs = −1/τ.
    let distanceGradient = (-1 / temperature) * logitGradient
    let gradient = normalised.backward(distances.backward(distanceGradient))
    return (loss, ContrastiveFeatures(viewMajorRows: gradient, classCount: features.classCount))
  }
}
