import Foundation
import RepMath

/// How a projection is trained.
public struct TrainingOptions: Sendable, Equatable {
  /// The objective: ContraSim's supervised contrastive loss (or its distance form), or the positive-only losses of the
  /// learned baselines.
  public enum Objective: String, Sendable, CaseIterable {
    case contrastive = "contrasim"
    case contrastiveDistance = "contrasim.dist"
    case deepDot = "deepdot"
    case deepCKA = "deepcka"
  }

  public var objective = Objective.contrastive
  public var epochs = 50
  /// Examples (rows) per batch.
  public var batchSize = 1024
  public var learningRate: Float = 1e-4
  /// L2 weight decay (PyTorch Adam's `weight_decay`).
  public var weightDecay: Float = 0
  /// τ of the contrastive loss (the distance form's default is 1, as in the reference code).
  public var temperature: Double?
  public var hidden = [512, 256]
  public var outputDimension = 128
  public var seed: UInt64 = 0
  /// The fraction of the examples held out to watch for over-fitting (0: none). With a hold-out, training stops once
  /// the held-out loss has not improved for `patience` epochs, and the encoders of its best epoch are kept.
  public var validationFraction = 0.0
  /// Epochs without a better held-out loss before training stops.
  public var patience = 5
  /// Whether each input matrix is standardized by its own column means and deviations before the encoder
  /// (`ColumnStandardization`); the trained projection then says `.perTensor`, and whoever compares through it
  /// standardizes each compared tensor by that tensor's statistics. The paper feeds raw rows.
  public var standardizeInputs = false

  /// τ of the contrastive loss when `temperature` is nil, as in the paper's code.
  public static let contrastiveTemperature = 0.07
  /// τ of the distance form when `temperature` is nil.
  public static let distanceTemperature = 1.0

  public init() {}

  /// What the trained projection's encoders take.
  public var inputStandardization: Projection.InputStandardization { standardizeInputs ? .perTensor : .none }

  /// The contrastive loss of the objective; nil for the positive-only ones.
  var contrastiveLoss: (any ContrastiveLoss)? {
    switch objective {
    case .contrastive: SupervisedContrastiveLoss(temperature: temperature ?? Self.contrastiveTemperature)
    case .contrastiveDistance: DistanceContrastiveLoss(temperature: temperature ?? Self.distanceTemperature)
    case .deepDot, .deepCKA: nil
    }
  }

  /// The paired loss of a positive-only objective.
  var pairedLoss: any PairedLoss { objective == .deepCKA ? DeepCKALoss() : DeepDotLoss() }
}

/// One epoch's summary, for progress reports and the stored history.
public struct EpochReport: Sendable, Equatable {
  public var epoch: Int
  /// The mean loss over the epoch's batches.
  public var loss: Double
  /// The mean loss over the held-out examples after the epoch, when some are held out.
  public var validationLoss: Double?
  public var seconds: Double
  /// Examples trained on in the epoch.
  public var examples = 0
  /// The loss a constant encoder would get on the epoch's batches (contrastive objectives only): log(N − 1) per batch
  /// of N samples.
  public var collapsedLoss: Double?
  /// 1 − ‖mean encoded row‖² over a sample of the training rows after the epoch (`CollapseDiagnosis.spread`).
  public var spread: Double?
  /// Set while the run has collapsed (`CollapseDetector`).
  public var collapse: CollapseDiagnosis?
}

/// A trained projection and how it got there.
public struct TrainedProjection: Sendable {
  public var projection: Projection
  public var epochs: [EpochReport]
  /// The epoch whose encoders were kept: the one with the lowest held-out loss, or the last without a hold-out.
  public var keptEpoch: Int
  /// The held-out examples (row indices), empty without a hold-out.
  public var validationRows: [Int]
  /// Set when the kept encoders come from a collapsed stretch of the run.
  public var collapse: CollapseDiagnosis?
  /// Set when `shouldStop` ended the run before its last epoch. The projection is then the best held-out epoch's
  /// or the last finished epoch's (`keptEpoch`), never the half-trained one of the epoch that was cut; with no
  /// finished epoch (`epochs` empty) there is nothing worth keeping.
  public var wasInterrupted = false

  public init(
    projection: Projection, epochs: [EpochReport], keptEpoch: Int, validationRows: [Int], collapse: CollapseDiagnosis?
  ) {
    (self.projection, self.epochs, self.keptEpoch, self.validationRows, self.collapse) =
      (projection, epochs, keptEpoch, validationRows, collapse)
  }
}

/// Training ContraSim's encoders (and the learned baselines'), deterministic for a given seed and thread count.
///
/// Two ways of declaring positives (spec §3.4):
/// - **same example** (`trainPairedRows`): row i of X and row i of Y are the same example in two views (a sentence
///   and its translation, an image and its caption, one input seen by two models); a batch of b examples is a
///   `[b, 2, out]` contrastive batch whose negatives are the other examples of the batch.
/// - **same layer** (`trainSameLayer`): the models differ only in seed, and layer l of every model is the positive of
///   layer l of the others; a sample is a whole layer's batch of encoded rows, divided by its Frobenius norm √b and
///   flattened, so that the dot product of two samples is the mean cosine ContraSim reports; classes are layers,
///   views are models, and the other layers (of every model, the same one included) are the negatives.
public enum ContraSimTraining {
  /// Trains on aligned rows of two matrices (same-example positives).
  ///
  /// - Parameters:
  ///   - batchOrder: the rows of each epoch's batches; by default a seeded shuffle per epoch. Hard negatives come in
  ///     through here: batches of anchors with their nearest neighbours (see `NearestNeighbours`). Held-out rows are
  ///     taken out of these batches.
  /// - Precondition: equal row counts, at least two rows to train on.
  public static func trainPairedRows(
    _ x: Matrix, _ y: Matrix, options: TrainingOptions, batchOrder: ((Int) -> [[Int]])? = nil,
    progress: ((EpochReport) -> Void)? = nil, shouldStop: (() -> Bool)? = nil
  ) -> TrainedProjection {
    precondition(x.rows == y.rows && x.rows >= 2, "ContraSimTraining: \(x.rows) and \(y.rows) rows")
    var trainer = PairedRowsTrainer(
      x: prepared(x, options), y: prepared(y, options), options: options,
      projection: Projection(
        widths: [x.columns, y.columns], hidden: options.hidden, outputDimension: options.outputDimension, seed: options.seed))
    return run(
      &trainer, rows: x.rows, options: options, salt: 0x5EED, batchOrder: batchOrder, progress: progress,
      shouldStop: shouldStop)
  }

  /// The rows the encoder sees: `x` itself, or standardized by its own statistics.
  public static func prepared(_ x: Matrix, _ options: TrainingOptions) -> Matrix {
    options.standardizeInputs ? ColumnStandardization(x).apply(x) : x
  }

  /// Trains on the layers of several models over the same examples (same-layer positives): `layers[m][l]` is layer
  /// l of model m, all with the same rows.
  ///
  /// - Precondition: at least two models with the same number of layers (at least two), all with the same rows;
  ///   layer l has the same width in every model.
  public static func trainSameLayer(
    _ layers: [[Matrix]], options: TrainingOptions, progress: ((EpochReport) -> Void)? = nil,
    shouldStop: (() -> Bool)? = nil
  ) -> TrainedProjection {
    let modelCount = layers.count
    let layerCount = layers.first?.count ?? 0
    precondition(modelCount >= 2 && layerCount >= 2 && layers.allSatisfy { $0.count == layerCount },
                 "ContraSimTraining: \(modelCount) models of \(layers.map(\.count)) layers")
    let n = layers[0][0].rows
    precondition(layers.allSatisfy { $0.allSatisfy { $0.rows == n } }, "ContraSimTraining: row counts differ")
    let widths = Set(layers.flatMap { $0.map(\.columns) })
    var trainer = SameLayerTrainer(
      layers: layers.map { $0.map { prepared($0, options) } }, options: options,
      projection: Projection(widths: widths, hidden: options.hidden, outputDimension: options.outputDimension, seed: options.seed))
    return run(
      &trainer, rows: n, options: options, salt: 0x1A7E, batchOrder: nil, progress: progress, shouldStop: shouldStop)
  }

  /// The epochs: one optimiser step per batch of training rows, then the held-out loss if rows are held out, until
  /// `options.epochs` or until the held-out loss has not improved for `options.patience` epochs. `shouldStop` is
  /// asked before every batch; when it says yes the run ends there, `wasInterrupted` set, keeping the encoders of the
  /// best (held-out) or last finished epoch.
  static func run<Trainer: BatchTrainer>(
    _ trainer: inout Trainer, rows: Int, options: TrainingOptions, salt: UInt64, batchOrder: ((Int) -> [[Int]])?,
    progress: ((EpochReport) -> Void)?, shouldStop: (() -> Bool)? = nil
  ) -> TrainedProjection {
    let split = ValidationSplit(count: rows, fraction: options.validationFraction, seed: options.seed)
    precondition(split.training.count >= 2, "ContraSimTraining: \(split.training.count) rows left to train on")
    var generator = SplitMixGenerator(seed: options.seed ^ salt)
    var reports: [EpochReport] = []
    var best: (epoch: Int, loss: Double, projection: Projection)?
    // The encoders at the end of the last finished epoch: what an interrupted run keeps without a hold-out.
    var finished: Projection?
    var detector = CollapseDetector()
    // The rows whose encodings measure the spread after each epoch: a fixed sample of the training rows.
    let spreadRows = Array(split.training.prefix(512))
    for epoch in 1 ... max(1, options.epochs) {
      let started = Date()
      let batches = batchOrder.map { order in order(epoch).map { $0.filter(split.isTraining) } }
        ?? shuffledBatches(split.training, size: options.batchSize, using: &generator)
      var total = 0.0
      var collapsedTotal: Double? = 0
      var counted = 0
      var examples = 0
      for batch in batches where batch.count >= 2 {
        if shouldStop?() == true {
          let kept = best?.epoch ?? reports.count
          var projection = best?.projection ?? finished ?? trainer.projection
          projection.inputStandardization = options.inputStandardization
          var stopped = TrainedProjection(
            projection: projection, epochs: reports, keptEpoch: kept, validationRows: split.validation,
            collapse: collapse(atEpoch: kept, of: reports))
          stopped.wasInterrupted = true
          return stopped
        }
        total += trainer.step(batch)
        collapsedTotal = collapsedTotal.flatMap { sum in trainer.collapsedLoss(batchSize: batch.count).map { sum + $0 } }
        counted += 1
        examples += batch.count
      }
      var report = EpochReport(epoch: epoch, loss: total / Double(max(1, counted)), seconds: 0)
      report.examples = examples
      report.collapsedLoss = counted > 0 ? collapsedTotal.map { $0 / Double(counted) } : nil
      report.spread = trainer.spread(spreadRows)
      if !split.validation.isEmpty {
        let batches = stride(from: 0, to: split.validation.count, by: max(2, options.batchSize)).map {
          Array(split.validation[$0 ..< min($0 + max(2, options.batchSize), split.validation.count)])
        }.filter { $0.count >= 2 }
        let loss = batches.reduce(0.0) { $0 + trainer.loss($1) * Double($1.count) }
          / Double(max(1, batches.reduce(0) { $0 + $1.count }))
        report.validationLoss = loss
        if best == nil || loss < best!.loss { best = (epoch, loss, trainer.projection) }
      }
      let stopping = epoch == max(1, options.epochs) || best.map { epoch - $0.epoch >= options.patience } == true
      report.collapse = detector.observe(report, isLast: stopping)
      report.seconds = Date().timeIntervalSince(started)
      reports.append(report)
      finished = trainer.projection
      progress?(report)
      if stopping { break }
    }
    let kept = best?.epoch ?? reports.count
    var projection = best?.projection ?? trainer.projection
    projection.inputStandardization = options.inputStandardization
    return TrainedProjection(
      projection: projection, epochs: reports, keptEpoch: kept, validationRows: split.validation,
      collapse: collapse(atEpoch: kept, of: reports))
  }

  /// The diagnosis of the kept epoch: whether it ends a collapsed stretch (a run cut short counts every epoch).
  static func collapse(atEpoch kept: Int, of reports: [EpochReport]) -> CollapseDiagnosis? {
    var detector = CollapseDetector()
    var diagnosis: CollapseDiagnosis?
    for report in reports.prefix(kept) { diagnosis = detector.observe(report, isLast: report.epoch == kept) }
    return diagnosis
  }

  // MARK: Losses of a batch

  /// The loss of one batch of paired encoded rows and its gradients with respect to both sides.
  static func pairLossAndGradients(
    _ a: Matrix, _ b: Matrix, _ options: TrainingOptions
  ) -> (Double, Matrix, Matrix) {
    if let contrastive = options.contrastiveLoss {
      let features = ContrastiveFeatures(views: [DoubleMatrix(a), DoubleMatrix(b)])
      let (loss, gradient) = contrastive.lossAndGradient(features)
      return (loss, Matrix(gradient.view(0)), Matrix(gradient.view(1)))
    }
    let (loss, left, right) = options.pairedLoss.lossAndGradient(DoubleMatrix(a), DoubleMatrix(b))
    return (loss, Matrix(left), Matrix(right))
  }

  /// Same-layer contrastive batch: sample (l, m) is model m's layer l, encoded, divided by √rows, flattened.
  static func sameLayerContrastive(
    _ outputs: [[Matrix]], rows: Int, loss: any ContrastiveLoss
  ) -> (Double, [[Matrix]]) {
    let (modelCount, layerCount) = (outputs.count, outputs[0].count)
    let out = outputs[0][0].columns
    let scale = 1 / Double(rows).squareRoot()
    let d = rows * out
    var values = [Double](repeating: 0, count: layerCount * modelCount * d)
    for l in 0 ..< layerCount {
      for m in 0 ..< modelCount {
        let base = (l * modelCount + m) * d
        for (k, value) in outputs[m][l].storage.enumerated() { values[base + k] = Double(value) * scale }
      }
    }
    let features = ContrastiveFeatures(classCount: layerCount, viewCount: modelCount, featureCount: d, values: values)
    let (value, gradient) = loss.lossAndGradient(features)
    let gradients = (0 ..< modelCount).map { m in
      (0 ..< layerCount).map { l in
        let base = (l * modelCount + m) * d
        return Matrix(rows: rows, columns: out,
                      storage: (0 ..< d).map { Float(gradient.values[base + $0] * scale) })
      }
    }
    return (value, gradients)
  }

  /// Same-layer positive-only batch: the paired loss summed over every pair of models at every layer (the positives
  /// only, unlike the reference code, which also pushes non-matching layers together).
  static func sameLayerPaired(_ outputs: [[Matrix]], loss: any PairedLoss) -> (Double, [[Matrix]]) {
    let (modelCount, layerCount) = (outputs.count, outputs[0].count)
    var gradients = outputs.map { $0.map { Matrix(rows: $0.rows, columns: $0.columns) } }
    var total = 0.0
    for l in 0 ..< layerCount {
      for m in 0 ..< modelCount {
        for other in m + 1 ..< modelCount {
          let (value, left, right) = loss.lossAndGradient(
            DoubleMatrix(outputs[m][l]), DoubleMatrix(outputs[other][l]))
          total += value
          for k in left.storage.indices {
            gradients[m][l].storage[k] += Float(left.storage[k])
            gradients[other][l].storage[k] += Float(right.storage[k])
          }
        }
      }
    }
    return (total, gradients)
  }

  /// The rows 0 ..< count in a seeded random order, cut into batches of `size` (the last one may be smaller).
  static func shuffledBatches(count: Int, size: Int, using generator: inout SplitMixGenerator) -> [[Int]] {
    shuffledBatches(Array(0 ..< count), size: size, using: &generator)
  }

  /// `rows` in a seeded random order, cut into batches of `size` (the last one may be smaller).
  static func shuffledBatches(_ rows: [Int], size: Int, using generator: inout SplitMixGenerator) -> [[Int]] {
    let order = rows.shuffled(using: &generator)
    return stride(from: 0, to: order.count, by: max(1, size)).map {
      Array(order[$0 ..< min($0 + max(1, size), order.count)])
    }
  }
}

extension EncoderGradient {
  /// The sum of two gradients of the same encoder (an encoder shared by several inputs of a batch).
  func adding(_ other: EncoderGradient) -> EncoderGradient {
    EncoderGradient(layers: zip(layers, other.layers).map { a, b in
      var sum = a
      for k in sum.weights.storage.indices { sum.weights.storage[k] += b.weights.storage[k] }
      for k in sum.bias.indices { sum.bias[k] += b.bias[k] }
      return sum
    })
  }
}

extension Matrix {
  /// The matrices one under another (equal widths).
  init(stacking parts: [Matrix]) {
    let columns = parts.first?.columns ?? 0
    self.init(rows: parts.reduce(0) { $0 + $1.rows }, columns: columns, storage: parts.flatMap(\.storage))
  }

  /// Rows `range` as a matrix of their own.
  func rows(_ range: Range<Int>) -> Matrix {
    Matrix(rows: range.count, columns: columns,
           storage: Array(storage[range.lowerBound * columns ..< range.upperBound * columns]))
  }

  /// The given rows of each matrix, one matrix's rows under the previous one's (equal widths).
  init(gathering rows: [Int], from parts: [Matrix]) {
    let columns = parts.first?.columns ?? 0
    precondition(parts.allSatisfy { $0.columns == columns }, "Matrix(gathering:from:): widths differ")
    self = .unset(rows: rows.count * parts.count, columns: columns)  // every row is copied in below
    let n = rows.count
    storage.withUnsafeMutableBufferPointer { target in
      guard let base = target.baseAddress else { return }
      forEachRowRange(parts.count, minimumRows: 1) { range in
        for k in range {
          parts[k].storage.withUnsafeBufferPointer { source in
            for (position, row) in rows.enumerated() {
              (base + (k * n + position) * columns).update(from: source.baseAddress! + row * columns, count: columns)
            }
          }
        }
      }
    }
  }
}
