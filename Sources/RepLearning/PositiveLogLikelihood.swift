import Foundation
import RepMath

/// The part of SupConLoss that sees only the logits (spec §3.2 steps 3–7), shared by both ContraSim losses, which
/// differ only in how they make logits from features.
///
/// For N = V·B view-major rows and logits L (N×N), anchor r has the P = V − 1 positives s ≠ r with s ≡ r (mod B), and
///
///     ℓ_r = −(1/P) Σ_{s positive} log p_rs,   log p_rs = L_rs − log Σ_{t≠r} exp(L_rt),   loss = (1/N) Σ_r ℓ_r.
///
/// The reference subtracts each row's maximum (diagonal included) first; any per-row constant cancels in log p, so this
/// subtracts the maximum over t ≠ r instead, which keeps the log-sum-exp finite even when the self-similarity dominates
/// the row (unnormalised features, small τ). The gradient is ∂loss/∂L_rt = (q_rt − [t positive]/P)/N for t ≠ r, with
/// q_r the softmax of row r over t ≠ r, and 0 on the diagonal, which the loss never reads.
enum PositiveLogLikelihood {
  /// The loss and ∂loss/∂L (N×N, zero diagonal) for view-major logits of `classCount` classes.
  ///
  /// - Precondition: `logits` is square with N = V·B rows, V ≥ 2, B ≥ 1.
  /// - Complexity: O(N²) exponentials and additions, summed in Float64.
  static func lossAndLogitGradient(logits: DoubleMatrix, classCount: Int)
    -> (loss: Double, logitGradient: DoubleMatrix)
  {
    let n = logits.rows
    precondition(logits.columns == n, "PositiveLogLikelihood: logits are \(logits.rows)×\(logits.columns)")
    precondition(classCount >= 1 && n % classCount == 0 && n / classCount >= 2,
                 "contrastive loss: \(n) rows of \(classCount) classes leave an anchor without a positive; need V ≥ 2")
    let positiveCount = Double(n / classCount - 1)
    let anchorWeight = 1 / Double(n)
    var gradient = DoubleMatrix(rows: n, columns: n)
    var total = 0.0
    for r in 0 ..< n {
      let row = r * n
      var shift = -Double.infinity
      for t in 0 ..< n where t != r { shift = max(shift, logits.storage[row + t]) }
      var partition = 0.0
      for t in 0 ..< n where t != r {
        let weight = exp(logits.storage[row + t] - shift)
        gradient.storage[row + t] = weight
        partition += weight
      }
      let logPartition = shift + log(partition)
      var positiveLogits = 0.0
      for s in stride(from: r % classCount, to: n, by: classCount) where s != r {
        positiveLogits += logits.storage[row + s]
      }
      total += logPartition - positiveLogits / positiveCount
      for t in 0 ..< n where t != r { gradient.storage[row + t] *= anchorWeight / partition }
      for s in stride(from: r % classCount, to: n, by: classCount) where s != r {
        gradient.storage[row + s] -= anchorWeight / positiveCount
      }
    }
    return (total * anchorWeight, gradient)
  }
}
