import Foundation
import RepMath
import Testing
@testable import RepLearning

/// The loss values the reference code gives (spec §2.9), for F[b, v, k] = sin(8b + 4v + k + 1), shape [3, 2, 4].
@Suite("Golden loss values of the reference code")
struct GoldenLossTests {
  /// F[b, v, k] = sin(8b + 4v + k + 1): B = 3 classes, V = 2 views, D = 4.
  static let features = ContrastiveFeatures(
    classCount: 3, viewCount: 2, featureCount: 4,
    values: tensorValues(shape: [3, 2, 4]) { index in
      let (b, v, k) = (index[0], index[1], index[2])
      return sin(Double(8 * b + 4 * v + k + 1))
    })

  @Test("SupConLoss, raw features, τ = 0.07")
  func supervisedRaw() {
    let loss = SupervisedContrastiveLoss().lossAndGradient(Self.features).loss
    #expect(relativeError(loss, 46.23595889198895) <= 1e-10, "got \(loss)")
  }

  @Test("SupConLoss, rows L2-normalised, τ = 0.07")
  func supervisedUnitRows() {
    let unit = Self.features.with(values: unitRows(Self.features.values, width: 4))
    let loss = SupervisedContrastiveLoss().lossAndGradient(unit).loss
    #expect(relativeError(loss, 21.94291003371602) <= 1e-10, "got \(loss)")
  }

  @Test("SupConLossDis, raw features, effective temperature 1")
  func distanceRaw() {
    let loss = DistanceContrastiveLoss().lossAndGradient(Self.features).loss
    #expect(relativeError(loss, 2.152673115285421) <= 1e-10, "got \(loss)")
  }

  @Test("SupConLoss on a [3, 2, 2, 4] tensor sin(16b + 8v + 4r + k + 1), flattened per view to D = 8")
  func supervisedFourDimensional() {
    let values = tensorValues(shape: [3, 2, 2, 4]) { index in
      let (b, v, r, k) = (index[0], index[1], index[2], index[3])
      return sin(Double(16 * b + 8 * v + 4 * r + k + 1))
    }
    let features = ContrastiveFeatures(classCount: 3, viewCount: 2, featureCount: 8, values: values)
    let loss = SupervisedContrastiveLoss().lossAndGradient(features).loss
    #expect(relativeError(loss, 51.46999087583293) <= 1e-10, "got \(loss)")
  }
}
