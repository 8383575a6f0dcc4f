import RepMath

/// One affine layer y = x·W + b over a batch of rows: W is in × out (row-major), b has `out` values.
public struct DenseLayer: Sendable, Equatable {
  /// W, `inputCount` × `outputCount`.
  public var weights: Matrix
  /// b, `outputCount` values.
  public var bias: [Float]

  public var inputCount: Int { weights.rows }
  public var outputCount: Int { weights.columns }

  /// A layer from given parameters.
  ///
  /// - Precondition: `bias.count == weights.columns`.
  public init(weights: Matrix, bias: [Float]) {
    precondition(bias.count == weights.columns, "DenseLayer: \(bias.count) biases for \(weights.columns) outputs")
    self.weights = weights
    self.bias = bias
  }

  /// PyTorch's default for `nn.Linear`: W and b uniform in ±1/√in.
  init(inputCount: Int, outputCount: Int, using generator: inout SplitMixGenerator) {
    let bound = 1 / Float(inputCount).squareRoot()
    let weights = (0 ..< inputCount * outputCount).map { _ in generator.uniform(in: -bound ... bound) }
    let bias = (0 ..< outputCount).map { _ in generator.uniform(in: -bound ... bound) }
    self.init(weights: Matrix(rows: inputCount, columns: outputCount, storage: weights), bias: bias)
  }

  /// x·W + b for a batch of rows.
  ///
  /// - Complexity: 2·n·in·out flops (`sgemm`).
  public func apply(_ x: Matrix) -> Matrix {
    var y = Matrix.unset(rows: x.rows, columns: outputCount)
    EncoderKernels.fillRows(&y, with: bias)
    BLAS.multiply(x, .none, weights, .none, beta: 1, into: &y)
    return y
  }

  /// The gradients of W and b given the layer's input and the loss's gradient with respect to its output:
  /// dW = xᵀ·dy, db = column sums of dy (summed in Float64).
  public func gradient(input x: Matrix, outputGradient dy: Matrix) -> Gradient {
    Gradient(weights: BLAS.product(x, .transposed, dy, .none), bias: EncoderKernels.columnSums(dy))
  }

  /// dx = dy·Wᵀ, the gradient passed on to the layer below.
  public func inputGradient(outputGradient dy: Matrix) -> Matrix {
    BLAS.product(dy, .none, weights, .transposed)
  }

  /// The gradient of a loss with respect to one layer's parameters, shaped like them.
  public struct Gradient: Sendable, Equatable {
    public var weights: Matrix
    public var bias: [Float]
  }
}

/// SplitMix64, for reproducible initialisation and shuffling from a seed.
public struct SplitMixGenerator: RandomNumberGenerator {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A Float uniform in `range`, from the top 24 bits of one draw.
  mutating func uniform(in range: ClosedRange<Float>) -> Float {
    let unit = Float(next() >> 40) / Float(1 << 24)
    return range.lowerBound + (range.upperBound - range.lowerBound) * unit
  }
}
