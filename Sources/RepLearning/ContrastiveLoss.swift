import RepMath

/// A loss over a contrastive batch that also returns its gradient, so a training loop can take either of ContraSim's
/// losses (`SupervisedContrastiveLoss`, `DistanceContrastiveLoss`) and hand the gradient to the encoder's backward pass.
public protocol ContrastiveLoss: Sendable {
  /// The loss of `features` and its gradient dLoss/dfeatures, in the layout of `features`.
  ///
  /// - Precondition: `features.viewCount >= 2` and `features.classCount >= 1` (an anchor needs a positive).
  func lossAndGradient(_ features: ContrastiveFeatures) -> (loss: Double, gradient: ContrastiveFeatures)
}

/// A contrastive loss that sees its features only through their Gram matrix G = ZZᵀ (Z the view-major rows), so a
/// caller can form G however its features are stored (the same-layer trainer: from the encoders' stacked outputs,
/// without building the `[B, V, D]` batch) and get dZ = (dG + dGᵀ)·Z back.
public protocol GramContrastiveLoss: ContrastiveLoss {
  /// The loss and ∂loss/∂G for the Gram matrix of `classCount` classes' view-major rows.
  ///
  /// - Precondition: `gram` is square, N = V·B rows with V ≥ 2.
  func lossAndGramGradient(gram: DoubleMatrix, classCount: Int) -> (loss: Double, gramGradient: DoubleMatrix)
}
