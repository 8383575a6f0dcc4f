import RepMath

/// A measure that builds n×n matrices over the examples (`cka.rbf*`, `rsa`, `mknn`), so its memory or time grows with
/// n² and it refuses inputs with more than `rowLimit` rows instead of exhausting memory.
///
/// The limit is not part of the id: it changes whether a value is computed, never the value.
public protocol RowLimitedMeasure: SimilarityMeasure {
  /// The most rows `similarity(_:_:)` accepts; above it the call throws `MeasureError.tooManyRows`.
  var rowLimit: Int { get }
}

extension RowLimitedMeasure {
  /// The limit used when none is given: 20,000 rows (`docs/measures.md`).
  public static var defaultRowLimit: Int { 20_000 }

  /// Checks the inputs of an n×n measure before any work: aligned rows, and n within `rowLimit`.
  ///
  /// - Throws: `MeasureError.incompatibleInputs` when the row counts differ, `MeasureError.tooManyRows` when n is
  ///   above `rowLimit`.
  func checkRows(_ x: Matrix, _ y: Matrix) throws {
    guard x.rows == y.rows else {
      throw MeasureError.incompatibleInputs(measure: id.description, message: "row counts differ (\(x.rows) vs \(y.rows))")
    }
    guard x.rows <= rowLimit else {
      throw MeasureError.tooManyRows(measure: id.description, rows: x.rows, limit: rowLimit)
    }
  }
}
