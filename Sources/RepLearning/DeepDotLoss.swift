import RepMath

/// The DeepDot baseline's loss (spec §2.8, §3.6): minus the ContraSim similarity of the encoded positive pairs,
///
///     loss = −(1/n) Σ_i a_i·b_i,   dloss/dA = −B/n,   dloss/dB = −A/n,
///
/// so it pulls each pair together with no negatives; comparing it with ContraSim isolates what negatives add.
/// It is −1 for identical unit rows, its minimum over unit rows.
public struct DeepDotLoss: PairedLoss {
  /// The DeepDot loss; it has no parameters.
  public init() {}

  /// The loss of aligned encoded rows and its gradients.
  ///
  /// - Precondition: `left` and `right` have the same shape, with at least one row.
  /// - Complexity: O(n·d), summed in Float64.
  public func lossAndGradient(_ left: DoubleMatrix, _ right: DoubleMatrix)
    -> (loss: Double, leftGradient: DoubleMatrix, rightGradient: DoubleMatrix)
  {
    precondition(left.rows == right.rows && left.columns == right.columns && left.rows >= 1,
                 "DeepDotLoss: shapes \(left.rows)×\(left.columns) and \(right.rows)×\(right.columns)")
    var dot = 0.0
    for k in left.storage.indices { dot += left.storage[k] * right.storage[k] }
    let scale = -1 / Double(left.rows)
    return (scale * dot, scale * right, scale * left)
  }
}
