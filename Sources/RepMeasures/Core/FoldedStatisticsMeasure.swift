import RepMath

/// A cross-validated measure: a function of the Float64 moments (means, X̃ᵀX̃, X̃ᵀỸ) of each of K contiguous folds of
/// the rows (`ContiguousFolds`), from which it derives every training set (all folds but one) by exact algebra. It
/// streams like a `StatisticsMeasure`, with K sets of statistics: memory O(K·(d₁² + d₁·d₂)), any n. Ridge
/// predictivity is of this kind.
public protocol FoldedStatisticsMeasure: SimilarityMeasure {
  /// K, the number of contiguous folds the rows are cut into.
  var foldCount: Int { get }
  /// X against Y from their moments on each fold: `x.folds[k]`, `y.folds[k]` and `cross[k]` = X̃ᵀỸ (each side
  /// centered by its own means on the fold) for the rows of fold k, folds in row order as
  /// `ContiguousFolds.ranges(rowCount:folds: foldCount)` cuts them.
  func similarity(_ x: FoldedColumnStatistics, _ y: FoldedColumnStatistics, cross: [DoubleMatrix]) throws
    -> MeasureValue
}

extension FoldedStatisticsMeasure {
  /// The in-memory form is the streaming form fed the whole matrices, so the two agree exactly. A matrix against an
  /// equal one takes the pair from its own statistics, as the table executor does for a layer against itself.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    guard x.rows == y.rows else {
      throw MeasureError.incompatibleInputs(measure: id.description, message: "row counts differ (\(x.rows) vs \(y.rows))")
    }
    let ranges = ContiguousFolds.ranges(rowCount: x.rows, folds: foldCount)
    if x == y {
      let statistics = FoldedJointStatistics([x], foldRanges: ranges)
      let layer = statistics.columnStatistics(0)
      return try similarity(layer, layer, cross: statistics.centeredCross(0, 0))
    }
    let statistics = FoldedJointStatistics([x, y], pairs: [(0, 1)], foldRanges: ranges)
    return try similarity(
      statistics.columnStatistics(0), statistics.columnStatistics(1), cross: statistics.centeredCross(0, 1))
  }
}
