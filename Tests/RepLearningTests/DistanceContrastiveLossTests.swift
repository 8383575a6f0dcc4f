import RepMath
import Testing
@testable import RepLearning

@Suite("DistanceContrastiveLoss")
struct DistanceContrastiveLossTests {
  @Test("the gradient through the normalisation matches central differences",
        arguments: SupervisedContrastiveLossTests.shapes, [1.0, 0.07])
  func gradientMatchesFiniteDifferences(shape: (classes: Int, views: Int, features: Int), temperature: Double) {
    let loss = DistanceContrastiveLoss(temperature: temperature)
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

  @Test("the logits are (1 − ‖ẑ_r − ẑ_s‖)/τ: scaling a row changes nothing")
  func scaleInvariance() {
    var generator = SplitMix64(seed: 21)
    let features = ContrastiveFeatures.random(classCount: 3, viewCount: 2, featureCount: 4, using: &generator)
    var scaled = features
    for k in 0 ..< 4 { scaled[class: 1, view: 0, feature: k] *= 3.5 }
    let loss = DistanceContrastiveLoss()
    #expect(relativeError(loss.lossAndGradient(scaled).loss, loss.lossAndGradient(features).loss) <= 1e-13)
  }

  @Test("rows at distance zero (the diagonal, duplicates) and a zero row give finite gradients, not NaN")
  func zeroDistancesStayFinite() {
    var generator = SplitMix64(seed: 22)
    var features = ContrastiveFeatures.random(classCount: 3, viewCount: 2, featureCount: 4, using: &generator)
    for k in 0 ..< 4 {
      features[class: 2, view: 0, feature: k] = features[class: 0, view: 1, feature: k]  // a duplicate negative
      features[class: 1, view: 1, feature: k] = 0  // a row the normalisation cannot scale
    }
    let (loss, gradient) = DistanceContrastiveLoss().lossAndGradient(features)
    #expect(loss.isFinite)
    #expect(gradient.values.allSatisfy { $0.isFinite })
  }

  @Test("one view traps, as for SupConLoss")
  func singleViewTraps() async {
    await #expect(processExitsWith: .failure) {
      let features = ContrastiveFeatures(classCount: 2, viewCount: 1, featureCount: 2, values: [1, 2, 3, 4])
      _ = DistanceContrastiveLoss().lossAndGradient(features)
    }
  }
}
