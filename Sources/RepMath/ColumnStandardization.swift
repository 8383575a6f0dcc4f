/// Standardizing one input tensor's columns before the encoder: x ↦ (x − μ) / σ with μ and σ the column means and
/// (population) standard deviations of that tensor's rows; a column with no spread keeps scale 1.
///
/// Transformer states have column offsets far larger than their spread (outlier dimensions, a [CLS] state's bias):
/// fed raw, every row of such a tensor points the same way, the encoder starts from nearly identical outputs, and the
/// contrastive loss can sit at its collapsed value for the whole run. Each tensor is standardized by its own
/// statistics, so that a model never seen in training, or a set of eight rows, needs nothing stored beside it.
///
/// ```swift
/// let standardization = ColumnStandardization(layer)      // from the whole matrix
/// let input = standardization.apply(layer.selectingRows(batch))
/// ```
public struct ColumnStandardization: Sendable, Equatable {
  /// μ, the column means.
  public var means: [Double]
  /// σ, the column standard deviations (dividing by n), or 1 where a column is constant.
  public var scales: [Double]

  public init(means: [Double], scales: [Double]) {
    precondition(means.count == scales.count, "ColumnStandardization: \(means.count) means, \(scales.count) scales")
    self.means = means
    self.scales = scales
  }

  /// The standardization of `matrix`'s columns.
  ///
  /// - Precondition: at least one row.
  public init(_ matrix: Matrix) {
    var moments = ColumnMoments(columnCount: matrix.columns)
    matrix.storage.withUnsafeBufferPointer { moments.accumulate($0, rows: matrix.rows) }
    self = moments.standardization
  }

  public var columnCount: Int { means.count }

  /// The standardized rows of `x`, in Float32.
  ///
  /// - Precondition: `x.columns == columnCount`.
  public func apply(_ x: Matrix) -> Matrix {
    precondition(x.columns == columnCount, "ColumnStandardization: rows of \(x.columns) values for \(columnCount)")
    var result = Matrix.unset(rows: x.rows, columns: x.columns)
    x.storage.withUnsafeBufferPointer { source in
      result.storage.withUnsafeMutableBufferPointer { apply(source, rows: x.rows, into: $0) }
    }
    return result
  }

  /// Standardizes `rows` rows of `source` (row-major, `columnCount` wide) into `target`.
  ///
  /// - Precondition: both buffers hold at least `rows · columnCount` values.
  public func apply(_ source: UnsafeBufferPointer<Float>, rows: Int, into target: UnsafeMutableBufferPointer<Float>) {
    let d = columnCount
    precondition(source.count >= rows * d && target.count >= rows * d, "ColumnStandardization: buffers too short")
    let inverse = scales.map { 1 / $0 }
    for i in 0 ..< rows {
      for k in 0 ..< d {
        target[i * d + k] = Float((Double(source[i * d + k]) - means[k]) * inverse[k])
      }
    }
  }
}

/// Column means and variances of a matrix fed in row chunks, for `ColumnStandardization`: Float64 sums of each value
/// minus a per-column shift (the first row), so that offsets far larger than the spread cost no digits of the
/// variance, and a constant column has a variance of exactly zero.
public struct ColumnMoments: Sendable {
  public let columnCount: Int
  public private(set) var rowCount = 0
  private var shift: [Double] = []
  private var sums: [Double]
  private var squareSums: [Double]

  public init(columnCount: Int) {
    self.columnCount = columnCount
    sums = [Double](repeating: 0, count: columnCount)
    squareSums = [Double](repeating: 0, count: columnCount)
  }

  /// Adds `rows` rows (row-major, `columnCount` wide).
  public mutating func accumulate(_ chunk: UnsafeBufferPointer<Float>, rows: Int) {
    let d = columnCount
    precondition(chunk.count >= rows * d, "ColumnMoments: \(chunk.count) values for \(rows) rows of \(d)")
    guard rows > 0 else { return }
    if shift.isEmpty { shift = (0 ..< d).map { Double(chunk[$0]) } }
    for i in 0 ..< rows {
      for k in 0 ..< d {
        let u = Double(chunk[i * d + k]) - shift[k]
        sums[k] += u
        squareSums[k] += u * u
      }
    }
    rowCount += rows
  }

  /// μ and σ of the rows so far; σ = 1 for a constant column.
  ///
  /// - Precondition: at least one row.
  public var standardization: ColumnStandardization {
    precondition(rowCount > 0, "ColumnMoments: no rows")
    let n = Double(rowCount)
    var means = [Double](repeating: 0, count: columnCount)
    var scales = [Double](repeating: 1, count: columnCount)
    for k in 0 ..< columnCount {
      let meanShifted = sums[k] / n
      means[k] = shift[k] + meanShifted
      let variance = max(0, squareSums[k] / n - meanShifted * meanShifted)
      let deviation = variance.squareRoot()
      if deviation > 0 && deviation.isFinite { scales[k] = deviation }
    }
    return ColumnStandardization(means: means, scales: scales)
  }
}
