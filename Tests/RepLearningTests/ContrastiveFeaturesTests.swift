import RepMath
import Testing
@testable import RepLearning

@Suite("ContrastiveFeatures")
struct ContrastiveFeaturesTests {
  @Test("[B, V, D] layout, views and the view-major stacking r = v·B + b")
  func layout() {
    // Value 100·b + 10·v + k at (b, v, k): B = 3, V = 2, D = 2.
    let values = tensorValues(shape: [3, 2, 2]) { Double(100 * $0[0] + 10 * $0[1] + $0[2]) }
    let features = ContrastiveFeatures(classCount: 3, viewCount: 2, featureCount: 2, values: values)
    #expect(features[class: 2, view: 1, feature: 0] == 210)
    #expect(features.view(1) == DoubleMatrix(rows: 3, columns: 2, storage: [10, 11, 110, 111, 210, 211]))
    #expect(ContrastiveFeatures(views: [features.view(0), features.view(1)]) == features)
    let z = features.viewMajorRows()
    #expect(z.storage == [0, 1, 100, 101, 200, 201, 10, 11, 110, 111, 210, 211])
    #expect(ContrastiveFeatures(viewMajorRows: z, classCount: 3) == features)
  }

  @Test("a value count that does not match the shape traps")
  func wrongCountTraps() async {
    await #expect(processExitsWith: .failure) {
      _ = ContrastiveFeatures(classCount: 2, viewCount: 2, featureCount: 2, values: [1, 2, 3])
    }
  }
}
