import Foundation
import RepMath
import Testing

@testable import RepLearning

/// Inputs whose columns sit far from zero with a small spread (as transformer states do) leave raw contrastive training
/// at the loss of a constant encoder; standardizing each input fixes it, and the run says which happened.
@Suite("Training collapse")
struct CollapseTests {
  init() { BLAS.setThreadCount(1) }

  /// Paired views of one latent: `offset` added to every column, the latent's signal scaled by `spread`.
  static func offsetViews(rows: Int, offset: Float, spread: Float, seed: UInt64) -> (Matrix, Matrix) {
    var generator = SplitMix64(seed: seed)
    let latent = TrainingTests.gaussian(rows: rows, columns: 8, using: &generator)
    let mixX = TrainingTests.gaussian(rows: 8, columns: 24, using: &generator)
    let mixY = TrainingTests.gaussian(rows: 8, columns: 16, using: &generator)
    func view(_ mix: Matrix) -> Matrix {
      var view = BLAS.product(latent, .none, mix, .none)
      for k in view.storage.indices { view.storage[k] = offset + spread * view.storage[k] }
      return view
    }
    return (view(mixX), view(mixY))
  }

  static func options(standardize: Bool) -> TrainingOptions {
    var options = TrainingOptions()
    options.epochs = 12
    options.batchSize = 32
    options.learningRate = 3e-3
    options.hidden = [32, 32]
    options.outputDimension = 16
    options.seed = 3
    options.standardizeInputs = standardize
    return options
  }

  @Test("the collapsed loss is the loss of a constant encoding: log(N − 1) for N samples, both contrastive losses")
  func collapsedLossIsTheConstantEncodersLoss() {
    for (classes, views) in [(64, 2), (3, 4), (7, 2)] {
      let width = 5
      let row = (0 ..< width).map { Double($0 + 1) / 7.4162 }  // unit length: Σ k² = 55, √55 ≈ 7.4162
      let features = ContrastiveFeatures(
        classCount: classes, viewCount: views, featureCount: width,
        values: Array((0 ..< classes * views).map { _ in row }.joined()))
      var options = TrainingOptions()
      let expected = log(Double(classes * views - 1))
      for objective in [TrainingOptions.Objective.contrastive, .contrastiveDistance] {
        options.objective = objective
        let loss = options.contrastiveLoss!.lossAndGradient(features).loss
        #expect(abs(loss - expected) < 1e-3, "\(objective) \(classes)×\(views): \(loss) vs \(expected)")
        #expect(PairedRowsTrainer.contrastiveCollapsedLoss(samples: classes * views, options: options) == expected)
      }
      options.objective = .deepDot
      #expect(PairedRowsTrainer.contrastiveCollapsedLoss(samples: classes * views, options: options) == nil)
    }
  }

  @Test("spread: 0 for rows that all encode alike, about 1 for rows spread over the sphere")
  func spread() {
    let one = Matrix(rows: 4, columns: 2, storage: [0.6, 0.8, 0.6, 0.8, 0.6, 0.8, 0.6, 0.8])
    #expect(abs(PairedRowsTrainer.spread(of: [one, one])) < 1e-6)
    let opposite = Matrix(rows: 4, columns: 2, storage: [1, 0, -1, 0, 0, 1, 0, -1])
    #expect(abs(PairedRowsTrainer.spread(of: [opposite]) - 1) < 1e-12)
  }

  @Test("the detector wants three collapsed epochs in a row, or every epoch of a shorter run, and forgets on escape")
  func detector() {
    func report(_ epoch: Int, _ loss: Double, spread: Double = 0.5) -> EpochReport {
      var report = EpochReport(epoch: epoch, loss: loss, seconds: 0)
      report.collapsedLoss = 5.0
      report.spread = spread
      return report
    }
    var detector = CollapseDetector()
    #expect(detector.observe(report(1, 5.04)) == nil)
    #expect(detector.observe(report(2, 4.96)) == nil)
    let diagnosis = detector.observe(report(3, 5.0))
    #expect(diagnosis?.sinceEpoch == 1 && diagnosis?.loss == 5.0)
    #expect(diagnosis?.description.hasPrefix("since epoch 1, the loss has stayed within 1% of 5.0000") == true,
            "\(String(describing: diagnosis))")
    #expect(detector.observe(report(4, 4.8)) == nil, "5.2% below the collapsed loss is not collapsed")
    #expect(detector.observe(report(5, 5.0)) == nil)
    // No spread left counts too, whatever the loss.
    var flat = CollapseDetector(epochs: 1)
    let spreadOnly = flat.observe(report(1, 3.0, spread: 0.001))
    #expect(spreadOnly?.description.contains("almost no spread") == true)
    #expect(spreadOnly?.description.contains("within 1%") == false)
    // A positive-only objective has no collapsed loss and is never diagnosed, spread or not.
    var positiveOnly = CollapseDetector(epochs: 1)
    var deepDot = EpochReport(epoch: 1, loss: -0.99, seconds: 0)
    deepDot.spread = 0.001
    #expect(positiveOnly.observe(deepDot) == nil)
    // A run shorter than three epochs, collapsed throughout.
    var short = CollapseDetector()
    #expect(short.observe(report(1, 5.0)) == nil)
    #expect(short.observe(report(2, 5.0), isLast: true)?.sinceEpoch == 1)
  }

  @Test("offset inputs: raw training stays at the collapsed loss and says so; standardized inputs train")
  func offsetInputsCollapseUnlessStandardized() throws {
    let (x, y) = Self.offsetViews(rows: 256, offset: 40, spread: 0.05, seed: 11)
    let raw = ContraSimTraining.trainPairedRows(x, y, options: Self.options(standardize: false))
    let collapsedLoss = try #require(raw.epochs.last?.collapsedLoss)
    #expect(abs(collapsedLoss - log(63)) < 1e-12)
    let history = "losses \(raw.epochs.map(\.loss)), spreads \(raw.epochs.map { $0.spread ?? .nan })"
    try #require(raw.collapse != nil, "\(history)")
    #expect(raw.collapse!.sinceEpoch <= 9 && raw.epochs.last!.collapse != nil, "\(history)")
    #expect(raw.projection.inputStandardization == .none)

    let standardized = ContraSimTraining.trainPairedRows(x, y, options: Self.options(standardize: true))
    let trained = "losses \(standardized.epochs.map(\.loss)), spreads \(standardized.epochs.map { $0.spread ?? .nan })"
    #expect(standardized.collapse == nil && standardized.epochs.allSatisfy { $0.collapse == nil }, "\(trained)")
    #expect(standardized.epochs.last!.loss < 0.5 * collapsedLoss, "\(trained)")
    #expect(standardized.projection.inputStandardization == .perTensor)
    // Compared as trained: each side standardized by its own statistics, pairs score far above mismatched rows.
    let a = ColumnStandardization(x).apply(x)
    let b = ColumnStandardization(y).apply(y)
    let matched = try standardized.projection.similarity(a, b)
    let mismatched = try standardized.projection.similarity(a, b.selectingRows(Array((0 ..< 256).reversed())))
    #expect(matched > mismatched + 0.3, "matched \(matched), mismatched \(mismatched)")
  }
}
