#if canImport(Glibc)
import Glibc
#endif
import RepMath
import Testing

@testable import RepLearning

/// The encoder's forward pass against an independent Float64 computation, and its hand-written gradients against
/// finite differences of that computation.
@Suite("Encoder and Adam")
struct EncoderTests {
  init() { BLAS.setThreadCount(1) }

  /// The encoder's function in Float64 from its (Float32) parameters: affine layers, ReLU between, unit rows.
  static func referenceOutput(_ layers: [(weights: [[Double]], bias: [Double])], _ x: [[Double]]) -> [[Double]] {
    var current = x
    for (index, layer) in layers.enumerated() {
      current = current.map { row in
        (0 ..< layer.bias.count).map { j in
          let value = layer.bias[j] + row.indices.reduce(0.0) { $0 + row[$1] * layer.weights[$1][j] }
          return index < layers.count - 1 ? max(value, 0) : value
        }
      }
    }
    return current.map { row in
      let norm = row.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
      return row.map { $0 / norm }
    }
  }

  static func parameters(_ encoder: Encoder) -> [(weights: [[Double]], bias: [Double])] {
    encoder.layers.map { layer in
      let weights = (0 ..< layer.inputCount).map { i in
        (0 ..< layer.outputCount).map { Double(layer.weights.storage[i * layer.outputCount + $0]) }
      }
      return (weights, layer.bias.map(Double.init))
    }
  }

  static func randomMatrix(rows: Int, columns: Int, using generator: inout SplitMix64) -> Matrix {
    Matrix(rows: rows, columns: columns,
           storage: (0 ..< rows * columns).map { _ in Float.random(in: -1 ... 1, using: &generator) })
  }

  @Test("forward equals a Float64 computation; rows are unit length; the seed fixes the encoder")
  func forward() {
    var generator = SplitMix64(seed: 51)
    let encoder = Encoder(sizes: [6, 9, 7, 5], seed: 3)
    #expect(encoder.sizes == [6, 9, 7, 5])
    #expect(encoder == Encoder(sizes: [6, 9, 7, 5], seed: 3) && encoder != Encoder(sizes: [6, 9, 7, 5], seed: 4))
    // PyTorch's bound: ±1/√fan-in.
    #expect(encoder.layers[0].weights.storage.allSatisfy { abs($0) <= 1 / Float(6).squareRoot() })
    let x = Self.randomMatrix(rows: 8, columns: 6, using: &generator)
    let output = encoder.encode(x)
    let reference = Self.referenceOutput(
      Self.parameters(encoder), (0 ..< 8).map { i in (0 ..< 6).map { Double(x.storage[i * 6 + $0]) } })
    for i in 0 ..< 8 {
      var norm = 0.0
      for j in 0 ..< 5 {
        let value = Double(output.storage[i * 5 + j])
        norm += value * value
        #expect(abs(value - reference[i][j]) <= 2e-6, "row \(i), column \(j)")
      }
      #expect(abs(norm - 1) <= 1e-6)
    }
  }

  @Test("every gradient matches central differences of the Float64 forward pass", arguments: [1, 2, 3] as [UInt64])
  func gradients(seed: UInt64) {
    var generator = SplitMix64(seed: 60 + seed)
    let encoder = Encoder(sizes: [5, 8, 6, 4], seed: seed)
    let x = Self.randomMatrix(rows: 7, columns: 5, using: &generator)
    // The loss Σ c ⊙ output, a random linear functional of the encoded rows: its output gradient is c.
    let c = Self.randomMatrix(rows: 7, columns: 4, using: &generator)
    let gradient = encoder.backward(encoder.forward(x), outputGradient: c)
    let rows = (0 ..< 7).map { i in (0 ..< 5).map { Double(x.storage[i * 5 + $0]) } }
    func loss(_ parameters: [(weights: [[Double]], bias: [Double])]) -> Double {
      let output = Self.referenceOutput(parameters, rows)
      return (0 ..< 7).reduce(0.0) { sum, i in
        sum + (0 ..< 4).reduce(0.0) { $0 + Double(c.storage[i * 4 + $1]) * output[i][$1] }
      }
    }
    let base = Self.parameters(encoder)
    let h = 1e-6
    var worst = 0.0
    for (index, layer) in encoder.layers.enumerated() {
      for i in 0 ..< layer.inputCount {
        for j in 0 ..< layer.outputCount {
          var plus = base, minus = base
          plus[index].weights[i][j] += h
          minus[index].weights[i][j] -= h
          let numeric = (loss(plus) - loss(minus)) / (2 * h)
          let analytic = Double(gradient.layers[index].weights.storage[i * layer.outputCount + j])
          worst = max(worst, abs(numeric - analytic) / max(1e-2, abs(numeric)))
        }
      }
      for j in 0 ..< layer.outputCount {
        var plus = base, minus = base
        plus[index].bias[j] += h
        minus[index].bias[j] -= h
        let numeric = (loss(plus) - loss(minus)) / (2 * h)
        worst = max(worst, abs(numeric - Double(gradient.layers[index].bias[j])) / max(1e-2, abs(numeric)))
      }
    }
    // The analytic gradient is computed in Float32: agreement to Float32 precision.
    #expect(worst <= 1e-4, "worst relative error \(worst)")
  }

  @Test("Adam takes the steps computed by hand, with L2 weight decay added to the gradient")
  func adamSteps() {
    let layer = DenseLayer(weights: Matrix(rows: 1, columns: 2, storage: [0.5, -1]), bias: [0.25, 0])
    var encoder = Encoder(layers: [layer])
    var adam = Adam(learningRate: 0.1, weightDecay: 0.01)
    let gradients: [[Float]] = [[0.2, -0.4, 1, 0], [0.1, 0.3, -2, 0.5]]
    // By hand, in Float64, for the four parameters (w₀, w₁, b₀, b₁).
    var theta = [0.5, -1, 0.25, 0]
    var m = [0.0, 0, 0, 0], v = [0.0, 0, 0, 0]
    for (t, g) in gradients.enumerated() {
      adam.step(
        &encoder,
        EncoderGradient(layers: [.init(weights: Matrix(rows: 1, columns: 2, storage: Array(g[0 ..< 2])),
                                       bias: Array(g[2 ..< 4]))]))
      for k in 0 ..< 4 {
        let gk = Double(g[k]) + 0.01 * theta[k]
        m[k] = 0.9 * m[k] + 0.1 * gk
        v[k] = 0.999 * v[k] + 0.001 * gk * gk
        let mHat = m[k] / (1 - pow(0.9, Double(t + 1)))
        let vHat = v[k] / (1 - pow(0.999, Double(t + 1)))
        theta[k] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
      }
      let got = encoder.layers[0].weights.storage + encoder.layers[0].bias
      for k in 0 ..< 4 { #expect(abs(Double(got[k]) - theta[k]) <= 1e-6, "step \(t + 1), parameter \(k)") }
    }
    #expect(adam.stepCount == 2)
  }
}
