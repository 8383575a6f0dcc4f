import RepMath

/// One batch of same-layer training (spec §3.4): the encoded rows of every (model, layer) for the same b examples,
/// held as each encoder's stacked output, and the loss over it with its gradient in the same stacked layout.
///
/// Encoder `width` encoded its members' batches one under another: member k's b×out block is rows k·b ..< (k+1)·b of
/// `outputs[width]`, which in row-major storage is one contiguous run of b·out values: the flattened sample.
struct SameLayerBatch {
  /// Each encoder's stacked output, by input width.
  let outputs: [Int: Matrix]
  /// The (model, layer) of each stacked block, by input width.
  let members: [Int: [(model: Int, layer: Int)]]
  /// b, the examples in the batch.
  let rows: Int
  let modelCount: Int
  let layerCount: Int

  /// The loss of the batch under `options`' objective and its gradient, stacked like `outputs`.
  func lossAndGradients(_ options: TrainingOptions) -> (loss: Double, gradients: [Int: Matrix]) {
    if let loss = options.contrastiveLoss as? any GramContrastiveLoss { return gramContrastive(loss) }
    let perLayer: (Double, [[Matrix]])
    if let loss = options.contrastiveLoss {
      perLayer = ContraSimTraining.sameLayerContrastive(blocks(), rows: rows, loss: loss)
    } else {
      perLayer = ContraSimTraining.sameLayerPaired(blocks(), loss: options.pairedLoss)
    }
    return (perLayer.0, stacked(perLayer.1))
  }

  /// The contrastive loss through the Gram matrix of the samples, without building the `[B, V, D]` batch.
  ///
  /// Sample (m, l) is block (m, l) divided by √b, so with U the blocks flattened view-major (row m·L + l, in Float64),
  /// G = UUᵀ/b and dU = (dG + dGᵀ)·U/b: two `dgemm`s with N = M·L rows, and one conversion of the outputs each way.
  func gramContrastive(_ loss: any GramContrastiveLoss) -> (loss: Double, gradients: [Int: Matrix]) {
    let sampleCount = modelCount * layerCount
    let length = rows * (outputs.values.first?.columns ?? 0)
    var u = DoubleMatrix.unset(rows: sampleCount, columns: length)  // every block is written below
    u.storage.withUnsafeMutableBufferPointer { target in
      for (width, members) in members {
        outputs[width]!.storage.withUnsafeBufferPointer { source in
          let (from, to) = (source.baseAddress!, target.baseAddress!)
          forEachRowRange(members.count, minimumRows: 1) { range in
            for k in range {
              let (block, row) = (from + k * length, to + (members[k].model * layerCount + members[k].layer) * length)
              for j in 0 ..< length { row[j] = Double(block[j]) }
            }
          }
        }
      }
    }
    let scale = 1 / Double(rows)
    var gram = DoubleMatrix(rows: sampleCount, columns: sampleCount)
    BLAS.multiply(u, .none, u, .transposed, alpha: scale, into: &gram)
    let (value, gramGradient) = loss.lossAndGramGradient(gram: gram, classCount: layerCount)
    var du = DoubleMatrix.unset(rows: sampleCount, columns: length)
    BLAS.multiply(gramGradient + gramGradient.transposed(), .none, u, .none, alpha: scale, into: &du)
    var gradients: [Int: Matrix] = [:]
    du.storage.withUnsafeBufferPointer { source in
      for (width, members) in members {
        var gradient = Matrix.unset(rows: members.count * rows, columns: outputs[width]!.columns)
        gradient.storage.withUnsafeMutableBufferPointer { target in
          let (from, to) = (source.baseAddress!, target.baseAddress!)
          forEachRowRange(members.count, minimumRows: 1) { range in
            for k in range {
              let (row, block) = (from + (members[k].model * layerCount + members[k].layer) * length, to + k * length)
              for j in 0 ..< length { block[j] = Float(row[j]) }
            }
          }
        }
        gradients[width] = gradient
      }
    }
    return (value, gradients)
  }

  /// Block (m, l) of every model and layer, as matrices of their own: `blocks()[m][l]`.
  func blocks() -> [[Matrix]] {
    var result = [[Matrix]](
      repeating: [Matrix](repeating: Matrix(rows: 0, columns: 0), count: layerCount), count: modelCount)
    for (width, members) in members {
      for (k, member) in members.enumerated() {
        result[member.model][member.layer] = outputs[width]!.rows(k * rows ..< (k + 1) * rows)
      }
    }
    return result
  }

  /// Per-block gradients (`[m][l]`) stacked like `outputs`.
  func stacked(_ blockGradients: [[Matrix]]) -> [Int: Matrix] {
    members.mapValues { members in Matrix(stacking: members.map { blockGradients[$0.model][$0.layer] }) }
  }
}
