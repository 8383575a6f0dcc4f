import Foundation
import RepMath
import Testing
@testable import RepLearning

@Suite("EncodedSimilarity")
struct EncodedSimilarityTests {
  /// X_ij = sin((i+1)(j+1)), 10×4, and Y4_ij = cos(0.5(i+1)(j+2)) + 0.5·X_ij, 10×4 (spec §2.9); Y is Y4's first
  /// three columns.
  static func goldenX() -> [Double] {
    tensorValues(shape: [10, 4]) { index in sin(Double((index[0] + 1) * (index[1] + 1))) }
  }

  static func goldenY(columns: Int) -> [Double] {
    tensorValues(shape: [10, columns]) { index in
      let (i, j) = (index[0], index[1])
      let x = sin(Double((i + 1) * (j + 1)))
      return cos(0.5 * Double((i + 1) * (j + 2))) + 0.5 * x
    }
  }

  /// The 10-row matrix of `values`, rounded to Float32, rows scaled to unit length first when `unit`.
  static func matrix(_ values: [Double], unit: Bool = false) -> Matrix {
    let width = values.count / 10
    let rows = unit ? unitRows(values, width: width) : values
    return Matrix(rows: 10, columns: width, storage: rows.map { Float($0) })
  }

  @Test("the distance form on unit rows is the reference's Norm(X, Y4) = 0.18333501293896903 (Float32 inputs)")
  func distanceGolden() {
    let value = EncodedSimilarity.contrasimDistance(
      Self.matrix(Self.goldenX(), unit: true), Self.matrix(Self.goldenY(columns: 4), unit: true))
    #expect(relativeError(value, 0.18333501293896903) <= 1e-6, "got \(value)")
  }

  @Test("deepCKA is the reference's biased linear CKA(X, Y) = 0.357822668381637 (Float32 inputs)")
  func deepCKAGolden() {
    let value = EncodedSimilarity.deepCKA(Self.matrix(Self.goldenX()), Self.matrix(Self.goldenY(columns: 3)))
    #expect(relativeError(value, 0.357822668381637) <= 1e-6, "got \(value)")
  }

  @Test("identical unit rows: contrasim 1, distance form 1, deepCKA 1")
  func identical() {
    let a = Self.matrix(Self.goldenX(), unit: true)
    #expect(abs(EncodedSimilarity.contrasim(a, a) - 1) <= 1e-6)
    #expect(EncodedSimilarity.contrasimDistance(a, a) == 1)
    #expect(abs(EncodedSimilarity.deepCKA(a, a) - 1) <= 1e-12)
  }

  @Test("contrasim is minus the DeepDot loss, and deepCKA minus the DeepCKA loss, on the same rows")
  func matchesTheTrainedLosses() {
    var generator = SplitMix64(seed: 41)
    let a = Matrix(DoubleMatrix.random(rows: 8, columns: 5, unit: true, using: &generator))
    let b = Matrix(DoubleMatrix.random(rows: 8, columns: 5, unit: true, using: &generator))
    let (wideA, wideB) = (DoubleMatrix(a), DoubleMatrix(b))
    #expect(abs(EncodedSimilarity.contrasim(a, b) + DeepDotLoss().lossAndGradient(wideA, wideB).loss) <= 1e-15)
    #expect(abs(EncodedSimilarity.deepCKA(a, b) + DeepCKALoss().lossAndGradient(wideA, wideB).loss) <= 1e-15)
  }

  @Test("misaligned matrices trap")
  func misalignedTraps() async {
    await #expect(processExitsWith: .failure) {
      _ = EncodedSimilarity.contrasim(Matrix(rows: 3, columns: 2), Matrix(rows: 3, columns: 3))
    }
  }
}
