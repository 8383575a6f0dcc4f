import RepMath

/// A trained projection: the encoders that map rows of each input width to the unit sphere where ContraSim compares
/// them. One encoder serves every input of its width (the paper shares one encoder across models, layers and sides);
/// inputs of different widths (a 384-wide model against a 768-wide one, images against text) get one each.
public struct Projection: Sendable, Equatable {
  /// How rows are prepared before the encoder.
  public enum InputStandardization: String, Sendable {
    /// Raw rows, as the paper feeds them.
    case none
    /// Each input tensor's columns standardized by that tensor's own means and deviations (`ColumnStandardization`):
    /// the caller standardizes, since only it knows which tensor the rows come from.
    case perTensor = "per-tensor"
  }

  /// The encoder of each input width.
  public var encoders: [Int: Encoder]
  /// What the encoders were trained on, and so what rows they must be given.
  public var inputStandardization: InputStandardization

  public init(encoders: [Int: Encoder], inputStandardization: InputStandardization = .none) {
    self.encoders = encoders
    self.inputStandardization = inputStandardization
  }

  /// Fresh encoders `width → hidden… → outputDimension` for the given input widths, each seeded from `seed` and its width
  /// (the same seed gives the same projection).
  public init(widths: Set<Int>, hidden: [Int], outputDimension: Int, seed: UInt64) {
    inputStandardization = .none
    encoders = Dictionary(uniqueKeysWithValues: widths.map { width in
      (width, Encoder(sizes: [width] + hidden + [outputDimension], seed: seed &+ UInt64(width) &* 0x9E37_79B9))
    })
  }

  /// The widths this projection can encode.
  public var inputWidths: [Int] { encoders.keys.sorted() }

  /// The encoded rows of `x` (unit length). With `.perTensor` standardization, `x` must already be standardized.
  /// - Throws: `ProjectionError.width` when no encoder takes rows of this width.
  public func encode(_ x: Matrix) throws -> Matrix {
    guard let encoder = encoders[x.columns] else {
      throw ProjectionError.width(x.columns, inputWidths)
    }
    return encoder.encode(x)
  }

  /// ContraSim's similarity of two aligned matrices: the mean cosine of their encoded rows.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> Double {
    EncodedSimilarity.contrasim(try encode(x), try encode(y))
  }
}

/// A projection that cannot be applied.
public enum ProjectionError: Error, CustomStringConvertible, Equatable {
  /// Rows of this width, for a projection trained on these widths.
  case width(Int, [Int])

  public var description: String {
    switch self {
    case .width(let width, let widths):
      "the projection takes rows of \(widths.map(String.init).joined(separator: " or ")) values, not \(width): "
        + "it was trained on other layers"
    }
  }
}
