/// A loss over a contrastive batch that also returns its gradient, so a training loop can take either of ContraSim's
/// losses (`SupervisedContrastiveLoss`, `DistanceContrastiveLoss`) and hand the gradient to the encoder's backward pass.
public protocol ContrastiveLoss: Sendable {
  /// The loss of `features` and its gradient dLoss/dfeatures, in the layout of `features`.
  ///
  /// - Precondition: `features.viewCount >= 2` and `features.classCount >= 1` (an anchor needs a positive).
  func lossAndGradient(_ features: ContrastiveFeatures) -> (loss: Double, gradient: ContrastiveFeatures)
}
