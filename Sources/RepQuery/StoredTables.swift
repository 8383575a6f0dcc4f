import RepMeasures
import RepStore

/// Stored result tables as `SimilarityTable`s, for re-reading without the tensors they were computed from.
public enum StoredTables {
  /// Table `id` of the store, or nil when there is none. Cells never stored (an interrupted table) are NaN with the
  /// reason "not computed".
  public static func table(id: Int64, in store: Store) throws -> SimilarityTable? {
    guard let stored = try store.resultTable(id: id) else { return nil }
    let header = stored.header
    let tensor = { (entry: ResultAxisEntry) in
      TensorInfo(
        id: 0, model: entry.model, layer: entry.layer, exampleSet: entry.exampleSet, rowCount: header.exampleCount,
        columnCount: 0, digest: entry.tensorDigest)
    }
    var values = Array(
      repeating: Array(repeating: MeasureValue.undefined("not computed"), count: header.columns.count),
      count: header.rows.count)
    for cell in stored.cells where cell.row < header.rows.count && cell.column < header.columns.count {
      values[cell.row][cell.column] = cell.value.map(MeasureValue.init) ?? .undefined(cell.reason ?? "")
    }
    // The measure's declared properties when it is still known; otherwise what was stored.
    let properties =
      (try? MeasureRegistry.make(MeasureID(parsing: header.measure)).properties)
      ?? MeasureProperties(
        largerIsMoreSimilar: header.largerIsSimilar, isSymmetric: header.isSymmetric, range: "", invariances: [])
    let measure = (try? MeasureID(parsing: header.measure)) ?? MeasureID(name: header.measure)
    return SimilarityTable(
      measure: measure, properties: properties, rows: header.rows.map(tensor), columns: header.columns.map(tensor),
      values: values, examples: header.examples, exampleCount: header.exampleCount, seconds: header.seconds,
      route: header.route.flatMap(StatisticsRoute.init(rawValue:)))
  }
}
