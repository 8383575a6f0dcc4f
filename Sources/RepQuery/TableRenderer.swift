import Foundation
import RepMeasures

/// Output formats of similarity tables.
public enum TableFormat: String, Sendable, CaseIterable {
  /// An aligned matrix for people (rows = first selector, columns = second).
  case table
  /// One row per cell: `a,b,value,reason` (NaN written as NaN).
  case csv, tsv
  /// One object: measure, direction, rows, columns, cells (NaN as null with its reason).
  case json
  /// One JSON object per cell per line.
  case ndjson
}

/// Renders tables as text. Values print with full precision in data formats, 4 decimals in the matrix view.
public enum TableRenderer {
  /// The header line of CSV or TSV output (`a,b,value,reason,measure`), written once before any table.
  public static func header(for format: TableFormat) -> String? {
    switch format {
    case .csv: "a,b,value,reason,measure\n"
    case .tsv: "a\tb\tvalue\treason\tmeasure\n"
    default: nil
    }
  }

  /// Several tables in one output: CSV/TSV rows under one header, a JSON array, ndjson lines, matrices one after
  /// another. With `colour`, the `table` format paints each value with 24-bit ANSI escapes (see
  /// `terminalWantsColour(isTTY:environment:)`); the data formats ignore it.
  public static func render(
    _ tables: [SimilarityTable], as format: TableFormat, bestOnly: Bool = false, colour: Bool = false
  ) -> String {
    let bodies = tables.map { render($0, as: format, bestOnly: bestOnly, colour: colour) }
    switch format {
    case .csv, .tsv: return (header(for: format) ?? "") + bodies.joined()
    case .json: return tables.count == 1 ? bodies[0] : "[\n" + bodies.map { $0.trimmingCharacters(in: .newlines) }.joined(separator: ",\n") + "\n]\n"
    case .ndjson: return bodies.joined()
    case .table: return bodies.joined(separator: "\n")
    }
  }

  /// One table (CSV/TSV without the header line). `colour` paints the `table` format's values, as above.
  public static func render(
    _ table: SimilarityTable, as format: TableFormat, bestOnly: Bool = false, colour: Bool = false
  ) -> String {
    let cells = cellList(table, bestOnly: bestOnly)
    switch format {
    case .csv: return delimited(table, cells, separator: ",", escape: TextEscaping.csvField)
    case .tsv: return delimited(table, cells, separator: "\t", escape: TextEscaping.tsvField)
    case .json: return json(table, cells)
    case .ndjson:
      return cells.map { cellJSON(table, $0) }.joined(separator: "\n") + (cells.isEmpty ? "" : "\n")
    case .table: return bestOnly ? matchList(table, cells, colour: colour) : matrix(table, colour: colour)
    }
  }

  typealias Cell = (a: String, b: String, value: MeasureValue)

  static func cellList(_ table: SimilarityTable, bestOnly: Bool) -> [Cell] {
    if bestOnly {
      return table.bestMatches().map { match in
        (table.label(table.rows[match.row]), match.column.map { table.label(table.columns[$0]) } ?? "", match.value)
      }
    }
    var cells: [Cell] = []
    for (i, row) in table.rows.enumerated() {
      for (j, column) in table.columns.enumerated() {
        cells.append((table.label(row), table.label(column), table.values[i][j]))
      }
    }
    return cells
  }

  static func number(_ value: MeasureValue) -> String {
    value.isDefined ? "\(value.value)" : "NaN"
  }

  static func delimited(_ table: SimilarityTable, _ cells: [Cell], separator: String, escape: (String) -> String) -> String {
    var lines = [String]()
    for cell in cells {
      lines.append(
        [escape(cell.a), escape(cell.b), number(cell.value), escape(cell.value.reason ?? ""), escape(table.measure.description)]
          .joined(separator: separator))
    }
    return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
  }

  static func json(_ table: SimilarityTable, _ cells: [Cell]) -> String {
    let header = [
      "\"measure\": \(TextEscaping.jsonString(table.measure.description))",
      "\"larger_is_similar\": \(table.properties.largerIsMoreSimilar)",
      "\"symmetric\": \(table.properties.isSymmetric)",
      "\"examples\": \(TextEscaping.jsonString(table.examples))",
      "\"example_count\": \(table.exampleCount)",
      "\"rows\": [" + table.rows.map { TextEscaping.jsonString(table.label($0)) }.joined(separator: ", ") + "]",
      "\"columns\": [" + table.columns.map { TextEscaping.jsonString(table.label($0)) }.joined(separator: ", ") + "]",
      "\"seconds\": \(table.seconds)",
    ] + (table.route.map { ["\"route\": \(TextEscaping.jsonString($0.rawValue))"] } ?? [])
    let body = cells.map { "    " + cellJSON(table, $0) }.joined(separator: ",\n")
    return "{\n  " + header.joined(separator: ",\n  ") + ",\n  \"cells\": [\n" + body + "\n  ]\n}\n"
  }

  static func cellJSON(_ table: SimilarityTable, _ cell: Cell) -> String {
    var fields = [
      "\"a\": \(TextEscaping.jsonString(cell.a))", "\"b\": \(TextEscaping.jsonString(cell.b))",
      "\"value\": \(cell.value.isDefined ? "\(cell.value.value)" : "null")",
    ]
    if let reason = cell.value.reason { fields.append("\"reason\": \(TextEscaping.jsonString(reason))") }
    fields.append("\"measure\": \(TextEscaping.jsonString(table.measure.description))")
    return "{" + fields.joined(separator: ", ") + "}"
  }

  static func matrix(_ table: SimilarityTable, colour: Bool = false) -> String {
    let rowLabels = table.rows.map(table.label)
    let columnLabels = table.columns.map(table.label)
    let texts = table.values.map { row in row.map { $0.isDefined ? String(format: "%.4f", $0.value) : "NaN" } }
    let firstWidth = max(rowLabels.map(\.count).max() ?? 0, 1)
    let widths = columnLabels.indices.map { j in max(columnLabels[j].count, texts.map { $0[j].count }.max() ?? 0) }
    func pad(_ text: String, _ width: Int, right: Bool) -> String {
      let padding = String(repeating: " ", count: max(0, width - text.count))
      return right ? padding + text : text + padding
    }
    var lines = [
      pad("", firstWidth, right: false) + "  "
        + columnLabels.enumerated().map { pad($1, widths[$0], right: true) }.joined(separator: "  ")
    ]
    // Painted cells take one space of padding on each side inside their colour, so columns stay where they are.
    let scale = ColourScale(for: table, range: .automatic)
    for (i, label) in rowLabels.enumerated() {
      let fields = texts[i].enumerated().map { pad($1, widths[$0], right: true) }
      let body =
        colour
        ? " " + fields.enumerated().map { paint(" " + $1 + " ", table.values[i][$0], scale: scale) }.joined()
        : "  " + fields.joined(separator: "  ")
      lines.append(pad(label, firstWidth, right: false) + body)
    }
    lines.append(footer(table))
    if colour { lines.append(colourKey(scale)) }
    let reasons = Set(table.values.joined().compactMap(\.reason))
    for reason in reasons.sorted() { lines.append("NaN: \(reason)") }
    return lines.joined(separator: "\n") + "\n"
  }

  static func matchList(_ table: SimilarityTable, _ cells: [Cell], colour: Bool = false) -> String {
    let width = cells.map(\.a.count).max() ?? 0
    let scale = ColourScale(for: table, range: .automatic)
    var lines = cells.map { cell in
      let number = cell.value.isDefined ? String(format: "%.4f", cell.value.value) : "NaN"
      return cell.a + String(repeating: " ", count: width - cell.a.count) + "  →  " + cell.b
        + (colour ? " " + paint(" " + number + " ", cell.value, scale: scale) : "  " + number)
    }
    lines.append(footer(table))
    if colour { lines.append(colourKey(scale)) }
    return lines.joined(separator: "\n") + "\n"
  }

  static func footer(_ table: SimilarityTable) -> String {
    "\(table.measure) (\(table.properties.largerIsMoreSimilar ? "larger is more similar" : "a distance: smaller is more similar"))"
      + " on \(table.exampleCount) examples of \(table.examples)"
  }
}
