import ArgumentParser
import Foundation
import RepQuery

/// Output formats for listings.
enum ListingFormat: String, CaseIterable, ExpressibleByArgument {
  case table, csv, tsv, json
}

/// A value in a listing: typed, so JSON keeps numbers as numbers.
enum Cell {
  case text(String)
  case integer(Int64)
  case number(Double)
  case null

  var plain: String {
    switch self {
    case .text(let text): text
    case .integer(let value): String(value)
    case .number(let value): value.isNaN ? "NaN" : String(value)
    case .null: ""
    }
  }

  var json: String {
    switch self {
    case .text(let text): TextEscaping.jsonString(text)
    case .integer(let value): String(value)
    case .number(let value): value.isFinite ? String(value) : "null"
    case .null: "null"
    }
  }
}

/// Rows of named columns, rendered as an aligned table (for people) or CSV, TSV and JSON (for scripts).
struct Listing {
  var columns: [String]
  var rows: [[Cell]] = []
  /// Columns right-aligned in the table.
  var numericColumns: Set<String> = []
  /// A line under the table (totals), shown in table format only.
  var footer: String?

  func render(_ format: ListingFormat) -> String {
    switch format {
    case .csv: return delimited(",", escape: TextEscaping.csvField)
    case .tsv: return delimited("\t", escape: TextEscaping.tsvField)
    case .json: return jsonArray()
    case .table: return table()
    }
  }

  private func delimited(_ separator: String, escape: (String) -> String) -> String {
    var lines = [columns.map(escape).joined(separator: separator)]
    for row in rows { lines.append(row.map { escape($0.plain) }.joined(separator: separator)) }
    return lines.joined(separator: "\n") + "\n"
  }

  private func jsonArray() -> String {
    if rows.isEmpty { return "[]\n" }
    let objects = rows.map { row in
      "  {" + zip(columns, row).map { "\(TextEscaping.jsonString($0)): \($1.json)" }.joined(separator: ", ") + "}"
    }
    return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
  }

  private func table() -> String {
    let header = columns.map { $0.uppercased() }
    let body = rows.map { row in
      row.map(\.plain)
    }
    var widths = header.map(\.count)
    for row in body { for (index, text) in row.enumerated() { widths[index] = max(widths[index], text.count) } }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, text in
        let padding = String(repeating: " ", count: widths[index] - text.count)
        return numericColumns.contains(columns[index]) ? padding + text : text + padding
      }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    var lines = [line(header)] + body.map(line)
    if let footer { lines.append(footer) }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// "1.5 GB", "312 KB": decimal units, three significant digits.
func byteCountText(_ count: Int64) -> String {
  let units = ["B", "KB", "MB", "GB", "TB", "PB"]
  var value = Double(count)
  var unit = 0
  while value >= 1000, unit < units.count - 1 {
    value /= 1000
    unit += 1
  }
  if unit == 0 { return "\(count) B" }
  return String(format: value >= 100 ? "%.0f %@" : value >= 10 ? "%.1f %@" : "%.2f %@", value, units[unit])
}
