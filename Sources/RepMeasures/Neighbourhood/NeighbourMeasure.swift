import RepMath

/// A measure of the neighbour family (`mknn*`, `cknna`): one parameter k, the row limit of an n×n measure, and a value
/// computed from both sides' exact cosine neighbours. They share the parameter, the id, the checks and the degenerate
/// cases (`NeighbourPair.make`); each supplies its value from the pair.
protocol NeighbourMeasure: NamedMeasure, RowLimitedMeasure {
  /// The number of neighbours per example and side.
  var k: Int { get }
  /// The smallest k the measure is defined for.
  static var smallestK: Int { get }
  /// The fewest rows the measure is defined for (below: NaN "n < m").
  static var minimumRows: Int { get }
  init(k: Int, rowLimit: Int)
  /// The value on inputs that passed the shared checks.
  func value(of pair: NeighbourPair) -> MeasureValue
}

extension NeighbourMeasure {
  static var smallestK: Int { 1 }
  static var minimumRows: Int { 2 }

  public static var parameterSpecs: [ParameterSpec] {
    [ParameterSpec("k", default: "10", "neighbours per example (≥ \(smallestK), < n)")]
  }

  /// - Throws: `MeasureError.badParameter` when `k` is not an integer ≥ `smallestK`.
  public init(parameters: MeasureParameters) throws {
    self.init(k: try parameters.integer("k", default: 10, in: Self.smallestK ... Int.max), rowLimit: Self.defaultRowLimit)
  }

  public var id: MeasureID { MeasureID(name: Self.name, parameters: ["k": String(k)]) }

  /// Symmetric, in [0, 1], invariant to what leaves cosines unchanged (`cknna` declares its own).
  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
                      invariances: [.orthogonal, .isotropicScaling, .rowScaling])
  }

  /// - Throws: `MeasureError.incompatibleInputs` when the row counts differ, `MeasureError.tooManyRows` above
  ///   `rowLimit`.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    try checkRows(x, y)
    switch NeighbourPair.make(x, y, k: k, minimumRows: Self.minimumRows) {
    case .failure(let degenerate): return degenerate.value
    case .success(let pair): return value(of: pair)
    }
  }
}
