import RepMath

/// Dot (the ContraSim paper's "Dot" baseline): the sum of the elementwise products of X and Y.
///
/// ```
/// dot = Σᵢⱼ Xᵢⱼ Yᵢⱼ
/// ```
///
/// Not divided by n and not normalised, so it grows with n and with the scale of the data (fixture values reach
/// ~10³). Any real value, larger is more similar, symmetric; invariant to one orthogonal map applied to both sides
/// (X → XQ, Y → YQ), not to maps of one side. Needs d₁ = d₂. Id `dot`. Defined for every input of equal widths,
/// a constant representation included. See `docs/measures.md`;
/// [Rahamim, Belinkov, "ContraSim", NAACL 2024](https://arxiv.org/abs/2303.16992).
///
/// Streams with any chunking: the state is one Float64 sum (each Float32 product is exact in Float64).
///
/// - Complexity: n·d multiply-adds; O(1) state.
public struct Dot: ParameterlessMeasure, RowwiseMeasure {
  public static let name = "dot"
  public static let summary = "Σᵢⱼ XᵢⱼYᵢⱼ, unnormalised (the ContraSim paper's Dot); needs equal widths"

  public init() {}

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "ℝ", invariances: [.jointOrthogonal])
  }

  /// Any chunking.
  public var chunkRows: Int? { nil }

  /// - Throws: `MeasureError.incompatibleInputs` when the widths differ.
  public func checkShapes(rows: Int, columns: (Int, Int)) throws {
    try requireEqualWidths(columns, measure: id.description)
  }

  /// - Precondition: equal widths (checked by `checkShapes`).
  public func accumulate(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, rows: Int, columns: (Int, Int),
    into state: inout RowwiseState
  ) {
    precondition(columns.0 == columns.1, "Dot.accumulate: widths \(columns.0) and \(columns.1)")
    if state.rows == 0 && state.sums.count != 1 { state.sums = [0] }
    var sum = 0.0
    for k in 0 ..< rows * columns.0 { sum += Double(x[k]) * Double(y[k]) }
    state.sums[0] += sum
    state.rows += rows
  }

  /// The sum; 0 for no rows.
  public func value(of state: RowwiseState) -> MeasureValue { MeasureValue(state.sums.first ?? 0) }
}
