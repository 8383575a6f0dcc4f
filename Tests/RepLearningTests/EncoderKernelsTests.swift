import RepMath
import Testing

@testable import RepLearning

/// The vectorised element-wise passes against plain loops, on shapes whose sizes are not multiples of the vector
/// width (so the tails run) and on enough rows that several threads share the work.
@Suite("Encoder kernels")
struct EncoderKernelsTests {
  init() { BLAS.setThreadCount(2) }

  static func values(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var generator = SplitMix64(seed: seed)
    return EncoderTests.randomMatrix(rows: rows, columns: columns, using: &generator)
  }

  @Test("relu and the ReLU mask equal their scalar forms", arguments: [(1, 1), (3, 19), (129, 37), (300, 512)])
  func masks(rows: Int, columns: Int) {
    let x = Self.values(rows: rows, columns: columns, seed: 1)
    var relu = x
    EncoderKernels.relu(&relu)
    #expect(relu.storage == x.storage.map { max($0, 0) })
    var gradient = Self.values(rows: rows, columns: columns, seed: 2)
    let expected = zip(gradient.storage, relu.storage).map { g, a in a > 0 ? g : 0 }
    EncoderKernels.maskInactive(&gradient, activation: relu)
    #expect(gradient.storage == expected)
  }

  @Test("row normalisation and its backward pass equal Float64 loops; a zero row stays zero and passes no gradient")
  func normalisation() {
    var h = Self.values(rows: 150, columns: 13, seed: 3)
    for j in 0 ..< 13 { h.storage[7 * 13 + j] = 0 }
    let original = h
    let norms = EncoderKernels.normaliseRows(&h)
    var dz = Self.values(rows: 150, columns: 13, seed: 4)
    let upstream = dz
    EncoderKernels.normalisationBackward(&dz, output: h, norms: norms)
    for i in 0 ..< 150 {
      let row = (0 ..< 13).map { Double(original.storage[i * 13 + $0]) }
      let length = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
      #expect(abs(Double(norms[i]) - length) <= 1e-6 * max(1, length))
      let g = (0 ..< 13).map { Double(upstream.storage[i * 13 + $0]) }
      let z = row.map { length > 0 ? $0 / length : 0 }
      let radial = zip(z, g).reduce(0) { $0 + $1.0 * $1.1 }
      for j in 0 ..< 13 {
        #expect(abs(Double(h.storage[i * 13 + j]) - z[j]) <= 1e-6)
        let expected = length > 0 ? (g[j] - z[j] * radial) / length : 0
        #expect(abs(Double(dz.storage[i * 13 + j]) - expected) <= 1e-5 * max(1, abs(expected)), "row \(i)")
      }
    }
  }

  @Test("column sums equal Float64 sums; bias rows are copies of the bias")
  func sumsAndBias() {
    let x = Self.values(rows: 1000, columns: 21, seed: 5)
    let sums = EncoderKernels.columnSums(x)
    for j in 0 ..< 21 {
      let expected = (0 ..< 1000).reduce(0.0) { $0 + Double(x.storage[$1 * 21 + j]) }
      #expect(abs(Double(sums[j]) - expected) <= Double(Float(expected).ulp), "column \(j)")
    }
    var y = Matrix(rows: 200, columns: 21)
    EncoderKernels.fillRows(&y, with: Array(x.storage[0 ..< 21]))
    #expect((0 ..< 200).allSatisfy { Array(y.storage[$0 * 21 ..< ($0 + 1) * 21]) == Array(x.storage[0 ..< 21]) })
  }

  @Test("empty matrices pass through")
  func empty() {
    var x = Matrix(rows: 0, columns: 4)
    EncoderKernels.relu(&x)
    #expect(EncoderKernels.normaliseRows(&x).isEmpty)
    #expect(EncoderKernels.columnSums(x) == [0, 0, 0, 0])
  }
}
