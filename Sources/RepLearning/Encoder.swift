import RepMath

/// The ContraSim encoder: an MLP `in → 512 → 256 → out` with ReLU between layers (none after the last), and every
/// output row scaled to unit length, so that a dot product of two encoded rows is their cosine.
///
/// Float32 throughout, each layer one `sgemm` over a batch of rows. `forward` keeps what `backward` needs; the
/// gradients are written by hand (and checked against finite differences in the tests).
///
/// ```swift
/// var encoder = Encoder(sizes: [768, 512, 256, 128], seed: 7)
/// let pass = encoder.forward(batch)                      // pass.output: n × 128, unit rows
/// let gradient = encoder.backward(pass, outputGradient: dLoss)
/// adam.step(&encoder, gradient)
/// ```
public struct Encoder: Sendable, Equatable {
  /// The dense layers, input side first.
  public var layers: [DenseLayer]

  /// The widths: input, hidden layers, output.
  public var sizes: [Int] { (layers.first.map { [$0.inputCount] } ?? []) + layers.map(\.outputCount) }

  /// A freshly initialised encoder, as PyTorch initialises `nn.Linear`: weights and biases uniform in
  /// ±1/√(fan-in), drawn from a generator seeded with `seed` (the same seed gives the same encoder).
  ///
  /// - Precondition: at least two sizes, all positive.
  public init(sizes: [Int], seed: UInt64) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 },
                 "Encoder: sizes \(sizes) must be at least two positive widths")
    var generator = SplitMixGenerator(seed: seed)
    layers = zip(sizes, sizes.dropFirst()).map { DenseLayer(inputCount: $0, outputCount: $1, using: &generator) }
  }

  /// An encoder from given layers (loaded weights).
  ///
  /// - Precondition: consecutive widths match.
  public init(layers: [DenseLayer]) {
    precondition(!layers.isEmpty, "Encoder: no layers")
    for (a, b) in zip(layers, layers.dropFirst()) {
      precondition(a.outputCount == b.inputCount,
                   "Encoder: a \(a.outputCount)-wide layer feeds a \(b.inputCount)-wide one")
    }
    self.layers = layers
  }

  /// The encoded rows of `x` (n × out, each row of unit length; a zero row stays zero).
  public func encode(_ x: Matrix) -> Matrix { forward(x).output }

  /// The forward pass over a batch, keeping each layer's input and pre-activation for `backward`.
  ///
  /// - Precondition: `x.columns` equals the input width.
  /// - Complexity: 2·n·Σ(in·out) flops.
  public func forward(_ x: Matrix) -> EncoderPass {
    precondition(x.columns == layers[0].inputCount,
                 "Encoder: rows of \(x.columns) values for a \(layers[0].inputCount)-wide input")
    var inputs: [Matrix] = []
    var current = x
    for (index, layer) in layers.enumerated() {
      inputs.append(current)
      current = layer.apply(current)
      if index < layers.count - 1 { EncoderKernels.relu(&current) }
    }
    let norms = EncoderKernels.normaliseRows(&current)
    return EncoderPass(inputs: inputs, output: current, rowNorms: norms)
  }

  /// The gradients of a loss with respect to every weight and bias, given its gradient with respect to the encoded
  /// rows (`outputGradient`, n × out).
  ///
  /// - Complexity: about twice the flops of `forward`.
  public func backward(_ pass: EncoderPass, outputGradient: Matrix) -> EncoderGradient {
    precondition(outputGradient.rows == pass.output.rows && outputGradient.columns == pass.output.columns,
                 "Encoder.backward: gradient \(outputGradient.rows)×\(outputGradient.columns) for output "
                   + "\(pass.output.rows)×\(pass.output.columns)")
    // Through the row normalisation z = h/‖h‖: dh = (dz − z·(z·dz)) / ‖h‖.
    var gradient = outputGradient
    EncoderKernels.normalisationBackward(&gradient, output: pass.output, norms: pass.rowNorms)
    var layerGradients: [DenseLayer.Gradient] = []
    for index in layers.indices.reversed() {
      let input = pass.inputs[index]
      layerGradients.append(layers[index].gradient(input: input, outputGradient: gradient))
      guard index > 0 else { break }
      gradient = layers[index].inputGradient(outputGradient: gradient)
      // Through the ReLU that produced this layer's input: zero where the activation was zero.
      EncoderKernels.maskInactive(&gradient, activation: input)
    }
    return EncoderGradient(layers: layerGradients.reversed())
  }
}

/// What `Encoder.forward` keeps for `backward`.
public struct EncoderPass: Sendable {
  /// Each layer's input (the batch, then the ReLU outputs).
  public let inputs: [Matrix]
  /// The encoded rows, unit length.
  public let output: Matrix
  /// ‖h_i‖ of each row before normalisation.
  public let rowNorms: [Float]
}

/// The gradient of a loss with respect to every parameter of an `Encoder`, layer by layer.
public struct EncoderGradient: Sendable {
  public var layers: [DenseLayer.Gradient]
}
