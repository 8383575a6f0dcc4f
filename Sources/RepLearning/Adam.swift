#if canImport(Glibc)
import Glibc
#endif
import RepMath

/// Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as PyTorch's `torch.optim.Adam(weight_decay:)`
/// does (not AdamW's decoupled decay): g ← g + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// θ ← θ − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
///
/// The moments are kept in Float32 like the parameters; the bias corrections in Float64.
public struct Adam: Sendable {
  public var learningRate: Float
  public var beta1: Float = 0.9
  public var beta2: Float = 0.999
  public var epsilon: Float = 1e-8
  public var weightDecay: Float
  /// Steps taken so far (t).
  public private(set) var stepCount = 0
  /// First and second moments, one pair of buffers per parameter tensor (weights, bias of each layer).
  private var firstMoments: [[Float]] = []
  private var secondMoments: [[Float]] = []

  public init(learningRate: Float = 1e-4, weightDecay: Float = 0) {
    self.learningRate = learningRate
    self.weightDecay = weightDecay
  }

  /// One update of every parameter of `encoder` by its gradient.
  ///
  /// - Precondition: the gradient has the encoder's shapes, and so did every earlier step.
  public mutating func step(_ encoder: inout Encoder, _ gradient: EncoderGradient) {
    precondition(gradient.layers.count == encoder.layers.count, "Adam.step: gradient and encoder differ in depth")
    if firstMoments.isEmpty {
      let counts = encoder.layers.flatMap { [$0.weights.storage.count, $0.bias.count] }
      firstMoments = counts.map { [Float](repeating: 0, count: $0) }
      secondMoments = firstMoments
    }
    stepCount += 1
    let t = Double(stepCount)
    let firstCorrection = Float(1 - pow(Double(beta1), t))
    let secondCorrection = Float(1 - pow(Double(beta2), t))
    for index in encoder.layers.indices {
      update(&encoder.layers[index].weights.storage, gradient.layers[index].weights.storage, slot: 2 * index,
             firstCorrection, secondCorrection)
      update(&encoder.layers[index].bias, gradient.layers[index].bias, slot: 2 * index + 1, firstCorrection,
             secondCorrection)
    }
  }

  private mutating func update(
    _ parameters: inout [Float], _ gradient: [Float], slot: Int, _ firstCorrection: Float, _ secondCorrection: Float
  ) {
    precondition(parameters.count == gradient.count && firstMoments[slot].count == gradient.count,
                 "Adam.step: a gradient of \(gradient.count) values for \(parameters.count) parameters")
    let (b1, b2, rate, decay, eps) = (beta1, beta2, learningRate, weightDecay, epsilon)
    firstMoments[slot].withUnsafeMutableBufferPointer { m in
      secondMoments[slot].withUnsafeMutableBufferPointer { v in
        parameters.withUnsafeMutableBufferPointer { theta in
          for k in theta.indices {
            let g = gradient[k] + decay * theta[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            let mHat = m[k] / firstCorrection
            let vHat = v[k] / secondCorrection
            theta[k] -= rate * mHat / (vHat.squareRoot() + eps)
          }
        }
      }
    }
  }
}
