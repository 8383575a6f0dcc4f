import RepMath

/// A positive-only loss on two aligned matrices (row i of each encodes the same item), returning its gradient with
/// respect to both, as the DeepDot and DeepCKA baselines train (spec §3.6): no negatives, one step per aligned pair.
public protocol PairedLoss: Sendable {
  /// The loss of the aligned n×d matrices `left` and `right` and its gradients dLoss/dleft and dLoss/dright.
  ///
  /// - Precondition: the two matrices have the same number of rows, at least one.
  func lossAndGradient(_ left: DoubleMatrix, _ right: DoubleMatrix)
    -> (loss: Double, leftGradient: DoubleMatrix, rightGradient: DoubleMatrix)
}
