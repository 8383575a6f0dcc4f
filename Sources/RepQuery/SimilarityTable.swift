import RepMeasures
import RepStore

/// A computed similarity table: one cell per (row tensor, column tensor) for one measure.
public struct SimilarityTable: Sendable {
  public var measure: MeasureID
  public var properties: MeasureProperties
  public var rows: [TensorInfo]
  public var columns: [TensorInfo]
  /// values[i][j] compares rows[i] with columns[j].
  public var values: [[MeasureValue]]
  /// What the rows are: the example set, or the intersection of sets.
  public var examples: String
  public var exampleCount: Int
  public var seconds: Double
  /// For a statistics measure, the route that computed it (d×d features or n×n Grams); nil for the others.
  public var route: StatisticsRoute?

  /// A label for a tensor in this table: MODEL/LAYER, with @SET when the table mixes example sets.
  public func label(_ tensor: TensorInfo) -> String {
    let sets = Set((rows + columns).map(\.exampleSet))
    return sets.count > 1 ? "\(tensor.qualifiedName)@\(tensor.exampleSet)" : tensor.qualifiedName
  }

  /// One cell per row: the column that matches it best (largest value, or smallest for a distance); ties go to the
  /// first column, NaN cells never win. A row whose cells are all NaN keeps a NaN cell.
  public func bestMatches() -> [(row: Int, column: Int?, value: MeasureValue)] {
    rows.indices.map { i in
      var best: Int?
      for j in columns.indices where values[i][j].isDefined {
        guard let current = best else {
          best = j
          continue
        }
        let better =
          properties.largerIsMoreSimilar
          ? values[i][j].value > values[i][current].value : values[i][j].value < values[i][current].value
        if better { best = j }
      }
      return (i, best, best.map { values[i][$0] } ?? .undefined("no defined cell in this row"))
    }
  }
}
