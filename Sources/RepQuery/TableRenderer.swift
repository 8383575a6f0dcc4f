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
  /// another. `reduction` keeps each row's best match (argmax, max) or the diagonal (diag) in every format. With
  /// `colour`, the `table` format paints each value with 24-bit ANSI escapes (see
  /// `terminalWantsColour(isTTY:environment:)`); `width` is the terminal's, which a wider matrix folds to (see
  /// `matrix`). The data formats ignore both.
  public static func render(
    _ tables: [SimilarityTable], as format: TableFormat, reduction: TableReduction? = nil, colour: Bool = false,
    width: Int? = nil
  ) -> String {
    let bodies = tables.map { render($0, as: format, reduction: reduction, colour: colour, width: width) }
    switch format {
    case .csv, .tsv: return (header(for: format) ?? "") + bodies.joined()
    case .json: return tables.count == 1 ? bodies[0] : "[\n" + bodies.map { $0.trimmingCharacters(in: .newlines) }.joined(separator: ",\n") + "\n]\n"
    case .ndjson: return bodies.joined()
    case .table: return bodies.joined(separator: "\n")
    }
  }

  /// One table (CSV/TSV without the header line). `reduction`, `colour` and `width` as above.
  public static func render(
    _ table: SimilarityTable, as format: TableFormat, reduction: TableReduction? = nil, colour: Bool = false,
    width: Int? = nil
  ) -> String {
    let cells = cellList(table, reduction: reduction)
    switch format {
    case .csv: return delimited(table, cells, separator: ",", escape: TextEscaping.csvField)
    case .tsv: return delimited(table, cells, separator: "\t", escape: TextEscaping.tsvField)
    case .json: return json(table, cells, reduction: reduction)
    case .ndjson:
      return cells.map { cellJSON(table, $0) }.joined(separator: "\n") + (cells.isEmpty ? "" : "\n")
    case .table:
      switch reduction {
      case nil: return matrix(table, colour: colour, width: width)
      case .argmax, .max: return pairList(table, cells, joiner: "→", colour: colour)
      case .diag: return pairList(table, cells, joiner: "vs", colour: colour)
      }
    }
  }

  typealias Cell = (a: String, b: String, value: MeasureValue)

  /// The cells a reduction keeps, row-major: every cell; each row's best match (argmax, max); or the cells (i, i)
  /// of the diagonal, as many as the shorter side has.
  static func cellList(_ table: SimilarityTable, reduction: TableReduction?) -> [Cell] {
    switch reduction {
    case .argmax, .max:
      return table.bestMatches().map { match in
        (table.label(table.rows[match.row]), match.column.map { table.label(table.columns[$0]) } ?? "", match.value)
      }
    case .diag:
      return (0..<min(table.rows.count, table.columns.count)).map { i in
        (table.label(table.rows[i]), table.label(table.columns[i]), table.values[i][i])
      }
    case nil:
      var cells: [Cell] = []
      for (i, row) in table.rows.enumerated() {
        for (j, column) in table.columns.enumerated() {
          cells.append((table.label(row), table.label(column), table.values[i][j]))
        }
      }
      return cells
    }
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

  /// One JSON object; under `diag`, `rows` and `columns` are the diagonal's (as many as its cells).
  static func json(_ table: SimilarityTable, _ cells: [Cell], reduction: TableReduction? = nil) -> String {
    let count = reduction == .diag ? min(table.rows.count, table.columns.count) : nil
    let rows = count.map { Array(table.rows.prefix($0)) } ?? table.rows
    let columns = count.map { Array(table.columns.prefix($0)) } ?? table.columns
    let header = [
      "\"measure\": \(TextEscaping.jsonString(table.measure.description))",
      "\"larger_is_similar\": \(table.properties.largerIsMoreSimilar)",
      "\"symmetric\": \(table.properties.isSymmetric)",
      "\"examples\": \(TextEscaping.jsonString(table.examples))",
      "\"example_count\": \(table.exampleCount)",
      "\"rows\": [" + rows.map { TextEscaping.jsonString(table.label($0)) }.joined(separator: ", ") + "]",
      "\"columns\": [" + columns.map { TextEscaping.jsonString(table.label($0)) }.joined(separator: ", ") + "]",
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
}
