import RepMath

/// The DeepCKA baseline's loss (spec §2.8, §3.6): minus the biased linear CKA of the encoded positive pairs,
/// loss = −CKA(A, B) with CKA = ‖ÃᵀB̃‖²_F / (‖ÃᵀÃ‖_F ‖B̃ᵀB̃‖_F) on column-centered Ã, B̃.
///
/// Only aligned pairs enter (the reference's layer-prediction loop also maximised non-matching layer pairs and never
/// cleared its gradients, spec §6 items 4 and 6; a caller here passes positives and the step starts from zero).
/// The minimum −1 is reached when the centered Gram matrices ÃÃᵀ and B̃B̃ᵀ are proportional (B = A, or B a scaled
/// rotation of A), where the gradient vanishes.
/// The loss and gradients are NaN when either side is constant over the rows (zero variance), as CKA is.
public struct DeepCKALoss: PairedLoss {
  /// The DeepCKA loss; it has no parameters.
  public init() {}

  /// The loss of aligned encoded rows and its gradients, through the column centering.
  ///
  /// - Precondition: equal row counts, at least one; the widths may differ.
  /// - Complexity: O(n·(d₁ + d₂)²) flops in BLAS, O((d₁ + d₂)² + n·(d₁ + d₂)) memory, summed in Float64.
  public func lossAndGradient(_ left: DoubleMatrix, _ right: DoubleMatrix)
    -> (loss: Double, leftGradient: DoubleMatrix, rightGradient: DoubleMatrix)
  {
    let terms = LinearCKATerms(left, right)
    let gradients = terms.gradients()
    return (-terms.value, -1 * gradients.left, -1 * gradients.right)
  }
}
