import RepMath

/// Norm (the ContraSim paper's "Norm" baseline): one minus the mean distance between the L2-normalised rows.
///
/// ```
/// norm = (1/n) Σᵢ (1 − ‖x̂ᵢ − ŷᵢ‖₂),   x̂ = x/‖x‖₂ (a zero row stays zero)
/// ```
///
/// Range −1...1, larger is more similar, symmetric; invariant to a positive scaling of each row of either side. Needs
/// d₁ = d₂. A zero row contributes 1 − ‖0 − ŷᵢ‖ = 0 (or 1 when both rows are zero). Id `norm`. See
/// `docs/measures.md`; [Rahamim, Belinkov, "ContraSim", NAACL 2024](https://arxiv.org/abs/2303.16992).
///
/// Streams with any chunking: the state is one Float64 sum plus what the constant rule needs. Degenerate input:
/// NaN ("constant representation") when either side has every row equal (no rows included).
///
/// - Complexity: O(n·d) flops, all in Float64; O(d) state.
public struct Norm: ParameterlessMeasure, RowwiseMeasure {
  public static let name = "norm"
  public static let summary =
    "(1/n) Σᵢ (1 − ‖x̂ᵢ − ŷᵢ‖), rows L2-normalised (the ContraSim paper's Norm); needs equal widths"

  public init() {}

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[−1, 1]", invariances: [.rowScaling])
  }

  /// Any chunking.
  public var chunkRows: Int? { nil }

  // State: sums[0] = Σᵢ (1 − ‖x̂ᵢ − ŷᵢ‖); then the constant-rule slots.
  private static let slotsOffset = 1

  /// - Throws: `MeasureError.incompatibleInputs` when the widths differ.
  public func checkShapes(rows: Int, columns: (Int, Int)) throws {
    try requireEqualWidths(columns, measure: id.description)
  }

  /// - Precondition: equal widths (checked by `checkShapes`), the same on every call.
  public func accumulate(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, rows: Int, columns: (Int, Int),
    into state: inout RowwiseState
  ) {
    precondition(columns.0 == columns.1, "Norm.accumulate: widths \(columns.0) and \(columns.1)")
    let slots = ConstantRowsSlots(offset: Self.slotsOffset, columns: columns)
    if state.rows == 0 && state.sums.count != Self.slotsOffset + slots.count {
      state.sums = [Double](repeating: 0, count: Self.slotsOffset + slots.count)  // sized by the first chunk's widths
    }
    precondition(state.sums.count == Self.slotsOffset + slots.count, "Norm.accumulate: widths changed")
    slots.record(x, y, rowCount: rows, isFirstChunk: state.rows == 0, in: &state.sums)
    let d = columns.0
    var sum = 0.0
    for i in 0 ..< rows {
      var (xx, yy) = (0.0, 0.0)
      for j in 0 ..< d {
        let (a, b) = (Double(x[i * d + j]), Double(y[i * d + j]))
        xx += a * a
        yy += b * b
      }
      let (normX, normY) = (xx.squareRoot(), yy.squareRoot())
      var distance = 0.0
      for j in 0 ..< d {
        let a = normX > 0 ? Double(x[i * d + j]) / normX : 0
        let b = normY > 0 ? Double(y[i * d + j]) / normY : 0
        distance += (a - b) * (a - b)
      }
      sum += 1 - distance.squareRoot()
    }
    state.sums[0] += sum
    state.rows += rows
  }

  public func value(of state: RowwiseState) -> MeasureValue {
    if ConstantRowsSlots.eitherIsConstant(state.sums, offset: Self.slotsOffset) { return .constantRepresentation }
    return MeasureValue(state.sums[0] / Double(state.rows))
  }
}
