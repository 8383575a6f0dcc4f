import RepMath
import Testing
@testable import RepLearning

@Suite("SupervisedContrastiveLoss")
struct SupervisedContrastiveLossTests {
  /// Shapes [B, V, D]: two views as in training, three and four views (layer prediction has ten), a single class
  /// (every other row is a positive), and B = 1, V = 2, where the loss is identically zero.
  static let shapes: [(classes: Int, views: Int, features: Int)] = [
    (3, 2, 4), (4, 3, 5), (2, 4, 2), (5, 2, 8), (1, 3, 4), (1, 2, 3),
  ]

  @Test("the gradient matches central differences", arguments: shapes, [0.07, 0.5])
  func gradientMatchesFiniteDifferences(shape: (classes: Int, views: Int, features: Int), temperature: Double) {
    let loss = SupervisedContrastiveLoss(temperature: temperature)
    for seed: UInt64 in 1 ... 3 {
      var generator = SplitMix64(seed: seed)
      let features = ContrastiveFeatures.random(
        classCount: shape.classes, viewCount: shape.views, featureCount: shape.features, using: &generator)
      let analytic = loss.lossAndGradient(features).gradient.values
      let numeric = centralDifferences(at: features.values) { loss.lossAndGradient(features.with(values: $0)).loss }
      let error = gradientError(analytic, numeric)
      #expect(error <= 1e-6, "seed \(seed) shape \(shape) τ \(temperature): relative error \(error)")
    }
  }

  @Test("one class in two views: each anchor's only other row is its positive, so the loss and gradient are zero")
  func singleClassTwoViewsIsZero() {
    var generator = SplitMix64(seed: 7)
    let features = ContrastiveFeatures.random(classCount: 1, viewCount: 2, featureCount: 5, using: &generator)
    let (loss, gradient) = SupervisedContrastiveLoss().lossAndGradient(features)
    #expect(loss == 0)
    #expect(gradient.values.allSatisfy { $0 == 0 })
  }

  @Test("permuting the classes the same way in every view changes neither the loss nor the permuted gradient")
  func classPermutationInvariance() {
    var generator = SplitMix64(seed: 11)
    let features = ContrastiveFeatures.random(classCount: 5, viewCount: 3, featureCount: 4, unit: true,
                                              using: &generator)
    let order = [3, 0, 4, 1, 2]
    let permuted = ContrastiveFeatures(views: (0 ..< 3).map { permutedRows(features.view($0), order) })
    let loss = SupervisedContrastiveLoss()
    let (original, gradient) = loss.lossAndGradient(features)
    let (moved, movedGradient) = loss.lossAndGradient(permuted)
    #expect(relativeError(moved, original) <= 1e-13)
    for v in 0 ..< 3 {
      let expected = permutedRows(gradient.view(v), order).storage
      #expect(gradientError(movedGradient.view(v).storage, expected) <= 1e-13)
    }
  }

  @Test("permuting the views changes nothing either: views are interchangeable")
  func viewPermutationInvariance() {
    var generator = SplitMix64(seed: 12)
    let features = ContrastiveFeatures.random(classCount: 4, viewCount: 3, featureCount: 3, using: &generator)
    let permuted = ContrastiveFeatures(views: [features.view(2), features.view(0), features.view(1)])
    let loss = SupervisedContrastiveLoss()
    #expect(relativeError(loss.lossAndGradient(permuted).loss, loss.lossAndGradient(features).loss) <= 1e-13)
  }

  @Test("a dominant self-similarity does not overflow: raw features with large norms stay finite")
  func largeLogitsStayFinite() {
    var generator = SplitMix64(seed: 13)
    var features = ContrastiveFeatures.random(classCount: 4, viewCount: 2, featureCount: 3, using: &generator)
    features.values = features.values.map { $0 * 100 }
    let (loss, gradient) = SupervisedContrastiveLoss().lossAndGradient(features)
    #expect(loss.isFinite)
    #expect(gradient.values.allSatisfy { $0.isFinite })
  }

  @Test("one view leaves every anchor without a positive, which traps (the reference divides by zero)")
  func singleViewTraps() async {
    await #expect(processExitsWith: .failure) {
      let features = ContrastiveFeatures(classCount: 3, viewCount: 1, featureCount: 2, values: [1, 2, 3, 4, 5, 6])
      _ = SupervisedContrastiveLoss().lossAndGradient(features)
    }
  }
}

/// Row i of the result is row `order[i]` of `matrix`.
func permutedRows(_ matrix: DoubleMatrix, _ order: [Int]) -> DoubleMatrix {
  DoubleMatrix(rows: order.count, columns: matrix.columns,
               storage: order.flatMap { matrix.storage[$0 * matrix.columns ..< ($0 + 1) * matrix.columns] })
}
