/// The shape rule of `dot` and `norm`: the two sides must have the same width.
///
/// - Throws: `MeasureError.incompatibleInputs` naming both widths.
func requireEqualWidths(_ columns: (Int, Int), measure: String) throws {
  guard columns.0 == columns.1 else {
    throw MeasureError.incompatibleInputs(
      measure: measure, message: "width mismatch: X has \(columns.0) columns, Y has \(columns.1); equal widths needed")
  }
}
