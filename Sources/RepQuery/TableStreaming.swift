import Foundation
import RepMeasures

/// ndjson lines for cells as they are computed, before their table is complete.
package struct CellStreamer: Sendable {
  /// One skeleton table per measure of the request: what a line needs (labels, measure id).
  private let tables: [SimilarityTable]

  package init(_ request: TableRequest) {
    tables = request.measures.map { measure in
      SimilarityTable(
        measure: measure.id, properties: measure.properties, rows: request.rows, columns: request.columns,
        values: [], examples: "", exampleCount: 0, seconds: 0)
    }
  }

  /// The ndjson line (with its newline) of one computed cell, as `TableRenderer` writes it in the final table.
  package func line(_ cell: ComputedCell) -> String {
    let table = tables[cell.measure]
    let a = table.label(table.rows[cell.row])
    let b = table.label(table.columns[cell.column])
    return TableRenderer.cellJSON(table, (a, b, cell.value)) + "\n"
  }
}
