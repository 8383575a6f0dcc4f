import RepMath

/// ContraSim's training loss: the supervised contrastive loss (SupConLoss of Khosla et al. 2020, as released in
/// HobbitLong/SupContrast and used by ContraSim, spec §3.2) with dot-product logits L = ZZᵀ/τ.
///
/// Z stacks the views view-major (row r = v·B + b). Each anchor's positives are its own class in the other V − 1 views;
/// every other row is a negative, and only the anchor itself leaves the denominator (see `PositiveLogLikelihood`):
///
///     loss = (1/VB) Σ_r [ log Σ_{t≠r} exp(z_r·z_t/τ) − (1/(V−1)) Σ_{s≠r, s≡r mod B} z_r·z_s/τ ]
///
/// Nothing here normalises: callers pass unit rows (the encoder's output) or Frobenius-normalised flattened matrices
/// (layer prediction, spec §3.4), as the reference does. The reference's extra factor τ/τ_base is 1 and is left out.
/// An anchor without a positive (V = 1) would divide by zero in the reference; here it is a programmer error and traps,
/// since with this layout either every anchor has V − 1 positives or none has.
public struct SupervisedContrastiveLoss: GramContrastiveLoss {
  /// τ, dividing the dot products; ContraSim's default is 0.07.
  public var temperature: Double

  /// A loss with temperature τ.
  ///
  /// - Precondition: `temperature > 0`.
  public init(temperature: Double = 0.07) {
    precondition(temperature > 0, "SupervisedContrastiveLoss: temperature must be positive, got \(temperature)")
    self.temperature = temperature
  }

  /// The loss of a `[B, V, D]` batch and its gradient with respect to every feature.
  ///
  /// The gradient follows from G = ZZᵀ: dZ = (dG + dGᵀ)·Z.
  /// - Precondition: `features.viewCount >= 2`, `features.classCount >= 1`.
  /// - Complexity: O(N²·D) flops for N = V·B (two `dgemm`s) and O(N²) exponentials; O(N² + N·D) memory.
  public func lossAndGradient(_ features: ContrastiveFeatures) -> (loss: Double, gradient: ContrastiveFeatures) {
    let z = features.viewMajorRows()
    var gram = DoubleMatrix(rows: z.rows, columns: z.rows)
    BLAS.multiply(z, .none, z, .transposed, into: &gram)
    let (loss, gramGradient) = lossAndGramGradient(gram: gram, classCount: features.classCount)
    var gradient = DoubleMatrix(rows: z.rows, columns: z.columns)
    BLAS.multiply(gramGradient + gramGradient.transposed(), .none, z, .none, into: &gradient)
    return (loss, ContrastiveFeatures(viewMajorRows: gradient, classCount: features.classCount))
  }

  /// The loss for the Gram matrix of the view-major rows and ∂loss/∂G: the logits are G/τ, so ∂loss/∂G = ∂loss/∂L / τ.
  ///
  /// - Precondition: `gram` is square, N = V·B rows with V ≥ 2.
  /// - Complexity: O(N²) exponentials.
  public func lossAndGramGradient(gram: DoubleMatrix, classCount: Int) -> (loss: Double, gramGradient: DoubleMatrix) {
    let (loss, logitGradient) = PositiveLogLikelihood.lossAndLogitGradient(
      logits: (1 / temperature) * gram, classCount: classCount)
    return (loss, (1 / temperature) * logitGradient)
  }
}
