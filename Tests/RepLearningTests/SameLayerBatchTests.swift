import RepMath
import Testing

@testable import RepLearning

/// The same-layer batch's Gram route against the `[B, V, D]` route it replaces for the supervised contrastive loss.
@Suite("Same-layer batch")
struct SameLayerBatchTests {
  @Test("the Gram route gives the loss and gradients of the feature route, with two encoders whose members interleave")
  func gramRouteEqualsFeatureRoute() {
    var generator = SplitMix64(seed: 81)
    let (models, layers, rows, out) = (3, 4, 5, 6)
    // Layers 0 and 2 of every model through one encoder, 1 and 3 through another, listed in a mixed order.
    let members: [Int: [(model: Int, layer: Int)]] = [
      10: [(2, 0), (0, 0), (1, 2), (0, 2), (1, 0), (2, 2)],
      20: [(0, 1), (2, 3), (1, 1), (0, 3), (2, 1), (1, 3)],
    ]
    let outputs = members.mapValues { members in
      Matrix(rows: members.count * rows, columns: out,
             storage: (0 ..< members.count * rows * out).map { _ in Float.random(in: -1 ... 1, using: &generator) })
    }
    let batch = SameLayerBatch(outputs: outputs, members: members, rows: rows, modelCount: models, layerCount: layers)
    let loss = SupervisedContrastiveLoss(temperature: 0.1)
    let (gramLoss, gramGradients) = batch.gramContrastive(loss)
    let (featureLoss, blockGradients) = ContraSimTraining.sameLayerContrastive(batch.blocks(), rows: rows, loss: loss)
    let featureGradients = batch.stacked(blockGradients)
    #expect(relativeError(gramLoss, featureLoss) <= 1e-13)
    for width in [10, 20] {
      let (a, b) = (gramGradients[width]!.storage, featureGradients[width]!.storage)
      let scale = b.map { abs($0) }.max()!
      #expect(scale > 0.01 && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 * scale }, "width \(width)")
    }
    // The contrastive objective goes through the Gram route.
    var options = TrainingOptions()
    options.temperature = 0.1
    #expect(relativeError(batch.lossAndGradients(options).loss, featureLoss) <= 1e-13)
  }
}
