import RepMath

/// A similarity measure: a small value type with its canonical id, its declared properties, and its definition
/// on two in-memory matrices. Measures never touch files or the catalog: they see matrices or statistics.
public protocol SimilarityMeasure: Sendable {
  /// The canonical id, every parameter filled in (`cka.rbf(threshold=1.0)`).
  var id: MeasureID { get }
  var properties: MeasureProperties { get }
  /// X (n×d₁) against Y (n×d₂), rows aligned.
  /// - Throws: `MeasureError` when the inputs cannot be compared at all (e.g. widths that must match do not).
  func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue
}

/// A measure that is a function of per-layer and per-pair second-moment statistics (column sums, XᵀX, XᵀY and the
/// row-norm sums), which stream from disk in row chunks: memory O(d²), any n. CKA, debiased CKA, the CCA family
/// and Procrustes are of this kind.
public protocol StatisticsMeasure: SimilarityMeasure {
  /// The precision of chunk products the measure needs (`.single` by default): a table computes its statistics in the
  /// highest precision any of its measures asks for, so Float64 products are paid for only when one needs them. A
  /// measure must still be right (if less accurate) on statistics of lower precision than it asks for: it reads
  /// `productPrecision` from the statistics it is given.
  var productPrecision: ProductPrecision { get }
  func similarity(_ x: ColumnStatistics, _ y: ColumnStatistics, cross: CrossStatistics) throws -> MeasureValue
}

extension StatisticsMeasure {
  public var productPrecision: ProductPrecision { .single }

  /// The in-memory form is the streaming form fed the whole matrix, so the two agree exactly.
  ///
  /// A matrix against an equal one takes the pair from its own statistics, as the table executor does for a layer
  /// against itself: XᵀX from `syrk` and from `sgemm` differ in their last bits on some BLAS kernels, and a layer is
  /// then exactly as similar to itself as the measure's closed form says (CKA 1, Procrustes 0).
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    guard x.rows == y.rows else {
      throw MeasureError.incompatibleInputs(measure: id.description, message: "row counts differ (\(x.rows) vs \(y.rows))")
    }
    if x == y {
      let statistics = ColumnStatistics(x, precision: productPrecision)
      return try similarity(statistics, statistics, cross: CrossStatistics(diagonalOf: statistics))
    }
    let joint = JointStatistics([x, y], pairs: [(0, 1)], precision: productPrecision)
    return try similarity(joint.columnStatistics[0], joint.columnStatistics[1], cross: joint.cross(0, 1))
  }
}

/// A statistics measure that can also be computed from the two sides' centered n×n Gram matrices (linear CKA and
/// debiased CKA): the cheaper route when n is much smaller than the widths. Both routes give the same value up to
/// Float32 rounding.
public protocol GramMeasure: StatisticsMeasure {
  func similarity(_ x: CenteredGram, _ y: CenteredGram) throws -> MeasureValue
}

/// A measure accumulated over aligned row chunks of the two sides (a running sum), so it streams with O(1) state:
/// `dot`, `norm`, and `cka.minibatch` (whose chunks are its batches).
public protocol RowwiseMeasure: SimilarityMeasure {
  /// Rows per chunk the measure needs (its batch size), or nil for any chunking.
  var chunkRows: Int? { get }
  /// Adds one chunk of `rows` aligned rows (row-major, x: rows×d₁, y: rows×d₂) to `state`.
  func accumulate(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, rows: Int, columns: (Int, Int),
    into state: inout RowwiseState)
  func value(of state: RowwiseState) -> MeasureValue
  /// Checked once before streaming (e.g. widths that must match).
  func checkShapes(rows: Int, columns: (Int, Int)) throws
}

/// Running sums of a rowwise measure, all Float64.
public struct RowwiseState: Sendable {
  public var sums: [Double]
  public var rows = 0
  public init(count: Int) { sums = Array(repeating: 0, count: count) }
}

extension RowwiseMeasure {
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    guard x.rows == y.rows else {
      throw MeasureError.incompatibleInputs(measure: id.description, message: "row counts differ (\(x.rows) vs \(y.rows))")
    }
    try checkShapes(rows: x.rows, columns: (x.columns, y.columns))
    var state = RowwiseState(count: 0)
    let step = chunkRows ?? max(1, x.rows)
    x.storage.withUnsafeBufferPointer { xs in
      y.storage.withUnsafeBufferPointer { ys in
        var start = 0
        while start < x.rows {
          let rows = min(step, x.rows - start)
          accumulate(
            UnsafeBufferPointer(rebasing: xs[(start * x.columns)..<((start + rows) * x.columns)]),
            UnsafeBufferPointer(rebasing: ys[(start * y.columns)..<((start + rows) * y.columns)]),
            rows: rows, columns: (x.columns, y.columns), into: &state)
          start += rows
        }
      }
    }
    return value(of: state)
  }
}

