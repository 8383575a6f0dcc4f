import RepMath
import Testing
@testable import RepLearning

@Suite("DeepDotLoss and DeepCKALoss")
struct PairedLossTests {
  /// Aligned shapes (n, d_left, d_right); DeepDot needs equal widths, CKA does not.
  static let shapes: [(rows: Int, left: Int, right: Int)] = [(10, 4, 4), (7, 3, 5), (3, 2, 2), (16, 8, 3)]

  @Test("DeepDot: the gradients with respect to both sides match central differences", arguments: shapes)
  func deepDotGradients(shape: (rows: Int, left: Int, right: Int)) {
    checkGradients(of: DeepDotLoss(), rows: shape.rows, leftWidth: shape.left, rightWidth: shape.left)
  }

  @Test("DeepCKA: the gradients with respect to both sides match central differences", arguments: shapes)
  func deepCKAGradients(shape: (rows: Int, left: Int, right: Int)) {
    checkGradients(of: DeepCKALoss(), rows: shape.rows, leftWidth: shape.left, rightWidth: shape.right)
  }

  @Test("DeepDot of identical unit rows is −1")
  func deepDotIdentical() {
    var generator = SplitMix64(seed: 31)
    let a = DoubleMatrix.random(rows: 9, columns: 5, unit: true, using: &generator)
    #expect(abs(DeepDotLoss().lossAndGradient(a, a).loss + 1) <= 1e-15)
  }

  @Test("DeepCKA of a matrix with itself is −1 with zero gradients")
  func deepCKAIdentical() {
    var generator = SplitMix64(seed: 32)
    let a = DoubleMatrix.random(rows: 12, columns: 4, using: &generator)
    let (loss, left, right) = DeepCKALoss().lossAndGradient(a, a)
    #expect(abs(loss + 1) <= 1e-14)
    #expect(euclideanNorm(left.storage) <= 1e-14)
    #expect(euclideanNorm(right.storage) <= 1e-14)
  }

  @Test("DeepCKA of two rows is −1 whatever they hold: centered, both sides are multiples of (1, −1)")
  func deepCKATwoRowsIsConstant() {
    var generator = SplitMix64(seed: 35)
    let a = DoubleMatrix.random(rows: 2, columns: 3, using: &generator)
    let b = DoubleMatrix.random(rows: 2, columns: 5, using: &generator)
    let (loss, left, right) = DeepCKALoss().lossAndGradient(a, b)
    #expect(abs(loss + 1) <= 1e-14)
    #expect(euclideanNorm(left.storage) <= 1e-14)
    #expect(euclideanNorm(right.storage) <= 1e-14)
  }

  @Test("DeepCKA is invariant to isotropic scaling and translation of either side")
  func deepCKAInvariances() {
    var generator = SplitMix64(seed: 33)
    let a = DoubleMatrix.random(rows: 10, columns: 3, using: &generator)
    let b = DoubleMatrix.random(rows: 10, columns: 4, using: &generator)
    var moved = 2.5 * b
    for i in 0 ..< 10 { moved[i, 1] += 7 }
    let loss = DeepCKALoss()
    #expect(relativeError(loss.lossAndGradient(a, moved).loss, loss.lossAndGradient(a, b).loss) <= 1e-13)
  }

  @Test("DeepCKA of a constant side is NaN, as CKA is")
  func deepCKAConstantIsNaN() {
    let a = DoubleMatrix(rows: 4, columns: 2, repeating: 3)
    var generator = SplitMix64(seed: 34)
    #expect(DeepCKALoss().lossAndGradient(a, DoubleMatrix.random(rows: 4, columns: 2, using: &generator)).loss.isNaN)
  }

  @Test("misaligned matrices trap")
  func misalignedTraps() async {
    await #expect(processExitsWith: .failure) {
      _ = DeepDotLoss().lossAndGradient(DoubleMatrix(rows: 3, columns: 2), DoubleMatrix(rows: 2, columns: 2))
    }
    await #expect(processExitsWith: .failure) {
      _ = DeepCKALoss().lossAndGradient(DoubleMatrix(rows: 3, columns: 2), DoubleMatrix(rows: 2, columns: 2))
    }
  }

  /// Compares both analytic gradients of `loss` with central differences on unit rows for three seeds.
  private func checkGradients(of loss: some PairedLoss, rows: Int, leftWidth: Int, rightWidth: Int) {
    for seed: UInt64 in 1 ... 3 {
      var generator = SplitMix64(seed: seed)
      let a = DoubleMatrix.random(rows: rows, columns: leftWidth, unit: true, using: &generator)
      let b = DoubleMatrix.random(rows: rows, columns: rightWidth, unit: true, using: &generator)
      let (_, leftGradient, rightGradient) = loss.lossAndGradient(a, b)
      let leftNumeric = centralDifferences(at: a.storage) {
        loss.lossAndGradient(DoubleMatrix(rows: rows, columns: leftWidth, storage: $0), b).loss
      }
      let rightNumeric = centralDifferences(at: b.storage) {
        loss.lossAndGradient(a, DoubleMatrix(rows: rows, columns: rightWidth, storage: $0)).loss
      }
      let leftError = gradientError(leftGradient.storage, leftNumeric)
      let rightError = gradientError(rightGradient.storage, rightNumeric)
      #expect(leftError <= 1e-6, "seed \(seed) \(rows)×\(leftWidth): left relative error \(leftError)")
      #expect(rightError <= 1e-6, "seed \(seed) \(rows)×\(rightWidth): right relative error \(rightError)")
    }
  }
}
