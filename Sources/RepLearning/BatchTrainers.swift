import Foundation
import RepMath

/// One way of turning a batch of example rows into an optimiser step, for `ContraSimTraining.run`'s epochs.
protocol BatchTrainer {
  /// The encoders as they are now.
  var projection: Projection { get }
  /// One forward and backward pass over the batch's rows and one Adam step per encoder; returns the batch's loss.
  mutating func step(_ rows: [Int]) -> Double
  /// The loss of the batch's rows, without changing anything (the held-out loss).
  func loss(_ rows: [Int]) -> Double
  /// The loss a constant encoder gets on a batch of `batchSize` examples; nil for the positive-only objectives,
  /// which a constant encoder satisfies.
  func collapsedLoss(batchSize: Int) -> Double?
  /// 1 − ‖mean encoded row‖² over every input's encodings of `rows`.
  func spread(_ rows: [Int]) -> Double
}

extension BatchTrainer {
  /// With every sample encoded alike, each of a contrastive batch's N samples sees N − 1 equal logits, one of them
  /// its positive (or the mean over its positives): the loss is log(N − 1), for SupCon and its distance form alike.
  static func contrastiveCollapsedLoss(samples: Int, options: TrainingOptions) -> Double? {
    options.contrastiveLoss == nil ? nil : log(Double(max(2, samples) - 1))
  }

  /// 1 − ‖mean row‖² of unit rows.
  static func spread(of encoded: [Matrix]) -> Double {
    let width = encoded.first?.columns ?? 0
    var mean = [Double](repeating: 0, count: width)
    var count = 0
    for matrix in encoded {
      for i in 0 ..< matrix.rows { for k in 0 ..< width { mean[k] += Double(matrix.storage[i * width + k]) } }
      count += matrix.rows
    }
    guard count > 0 else { return .nan }
    return 1 - mean.reduce(0) { $0 + ($1 / Double(count)) * ($1 / Double(count)) }
  }
}

/// Same-example positives: row i of `x` and row i of `y`.
struct PairedRowsTrainer: BatchTrainer {
  let x: Matrix
  let y: Matrix
  let options: TrainingOptions
  var projection: Projection
  private var optimizers: [Int: Adam]

  init(x: Matrix, y: Matrix, options: TrainingOptions, projection: Projection) {
    (self.x, self.y, self.options, self.projection) = (x, y, options, projection)
    optimizers = Dictionary(uniqueKeysWithValues: projection.inputWidths.map {
      ($0, Adam(learningRate: options.learningRate, weightDecay: options.weightDecay))
    })
  }

  mutating func step(_ rows: [Int]) -> Double {
    let (a, b) = (x.selectingRows(rows), y.selectingRows(rows))
    let (encoderA, encoderB) = (projection.encoders[a.columns]!, projection.encoders[b.columns]!)
    let (passA, passB) = (encoderA.forward(a), encoderB.forward(b))
    let (loss, gradientA, gradientB) = ContraSimTraining.pairLossAndGradients(passA.output, passB.output, options)
    // One encoder serves both sides when they have the same width: its gradient is the sum of both.
    var gradients: [Int: EncoderGradient] = [:]
    gradients[a.columns] = encoderA.backward(passA, outputGradient: gradientA)
    let fromB = encoderB.backward(passB, outputGradient: gradientB)
    gradients[b.columns] = gradients[b.columns].map { $0.adding(fromB) } ?? fromB
    for (width, gradient) in gradients { optimizers[width]!.step(&projection.encoders[width]!, gradient) }
    return loss
  }

  func loss(_ rows: [Int]) -> Double {
    let (a, b) = (x.selectingRows(rows), y.selectingRows(rows))
    return ContraSimTraining.pairLossAndGradients(
      projection.encoders[a.columns]!.encode(a), projection.encoders[b.columns]!.encode(b), options
    ).0
  }

  /// A batch of b pairs is 2b samples.
  func collapsedLoss(batchSize: Int) -> Double? {
    Self.contrastiveCollapsedLoss(samples: 2 * batchSize, options: options)
  }

  func spread(_ rows: [Int]) -> Double {
    let (a, b) = (x.selectingRows(rows), y.selectingRows(rows))
    return Self.spread(of: [projection.encoders[a.columns]!.encode(a), projection.encoders[b.columns]!.encode(b)])
  }
}

/// Same-layer positives: `layers[m][l]`, layer l of model m, all on the same rows.
struct SameLayerTrainer: BatchTrainer {
  let layers: [[Matrix]]
  let options: TrainingOptions
  var projection: Projection
  private var optimizers: [Int: Adam]
  /// The (model, layer) inputs of each encoder, in a fixed order.
  private let members: [(key: Int, value: [(model: Int, layer: Int)])]

  init(layers: [[Matrix]], options: TrainingOptions, projection: Projection) {
    (self.layers, self.options, self.projection) = (layers, options, projection)
    optimizers = Dictionary(uniqueKeysWithValues: projection.inputWidths.map {
      ($0, Adam(learningRate: options.learningRate, weightDecay: options.weightDecay))
    })
    members = projection.inputWidths.sorted().map { width in
      (width, layers.indices.flatMap { m in
        layers[m].indices.filter { layers[m][$0].columns == width }.map { (model: m, layer: $0) }
      })
    }
  }

  mutating func step(_ rows: [Int]) -> Double {
    // One forward pass per encoder: all (model, layer) batches of its width stacked, so that each layer of the MLP is
    // one large sgemm rather than one small one per (model, layer).
    var passes: [Int: EncoderPass] = [:]
    for (width, members) in members {
      passes[width] = projection.encoders[width]!.forward(
        Matrix(gathering: rows, from: members.map { layers[$0.model][$0.layer] }))
    }
    let (loss, outputGradients) = batch(rows.count, outputs: passes.mapValues(\.output)).lossAndGradients(options)
    for (width, _) in members {
      let gradient = projection.encoders[width]!.backward(passes[width]!, outputGradient: outputGradients[width]!)
      optimizers[width]!.step(&projection.encoders[width]!, gradient)
    }
    return loss
  }

  func loss(_ rows: [Int]) -> Double {
    let outputs = Dictionary(uniqueKeysWithValues: members.map { width, members in
      (width, projection.encoders[width]!.encode(
        Matrix(gathering: rows, from: members.map { layers[$0.model][$0.layer] })))
    })
    return batch(rows.count, outputs: outputs).lossAndGradients(options).loss
  }

  /// Every batch has one sample per (model, layer), whatever its rows.
  func collapsedLoss(batchSize: Int) -> Double? {
    Self.contrastiveCollapsedLoss(samples: layers.count * layers[0].count, options: options)
  }

  func spread(_ rows: [Int]) -> Double {
    Self.spread(of: members.map { width, members in
      projection.encoders[width]!.encode(Matrix(gathering: rows, from: members.map { layers[$0.model][$0.layer] }))
    })
  }

  private func batch(_ rows: Int, outputs: [Int: Matrix]) -> SameLayerBatch {
    SameLayerBatch(outputs: outputs, members: Dictionary(uniqueKeysWithValues: members), rows: rows,
                   modelCount: layers.count, layerCount: layers[0].count)
  }
}

/// The examples held out to watch for over-fitting: a seeded random `fraction` of the rows, and the rest.
struct ValidationSplit {
  /// The rows trained on, ascending.
  let training: [Int]
  /// The held-out rows, ascending.
  let validation: [Int]
  private let held: Set<Int>

  /// Holds out round(fraction · count) rows (none for a fraction of 0).
  init(count: Int, fraction: Double, seed: UInt64) {
    let heldCount = min(count, Int((fraction * Double(count)).rounded()))
    guard heldCount > 0 else {
      (training, validation, held) = (Array(0 ..< count), [], [])
      return
    }
    var generator = SplitMixGenerator(seed: seed ^ 0x0DD5_EED5)
    let order = Array(0 ..< count).shuffled(using: &generator)
    held = Set(order[..<heldCount])
    validation = order[..<heldCount].sorted()
    training = order[heldCount...].sorted()
  }

  func isTraining(_ row: Int) -> Bool { !held.contains(row) }
}
