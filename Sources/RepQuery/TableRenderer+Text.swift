import Foundation
import RepMeasures

/// The `table` format, for people: an aligned matrix with short labels (`TableLabels`) that folds to the terminal's
/// width, or one line per cell of a reduction.
extension TableRenderer {
  /// The width the `table` format may take: `COLUMNS` when it is a positive number (as the shells and `ls` read it),
  /// else the terminal's when output goes to one; nil, no limit, for a file or a pipe, where nothing wraps and a
  /// script gets the same text on any machine.
  public static func textWidth(columnsVariable: String?, terminalColumns: Int?) -> Int? {
    if let text = columnsVariable, let columns = Int(text), columns > 0 { return columns }
    return terminalColumns.flatMap { $0 > 0 ? $0 : nil }
  }

  /// The matrix: rows = first selector, columns = second, short labels under a caption of what they leave out. When
  /// its lines are wider than `width`, the columns are cut into groups that fit, each under its own header and with
  /// the row labels again; when not even one column fits beside the row labels, one line per cell instead.
  static func matrix(_ table: SimilarityTable, colour: Bool = false, width: Int? = nil) -> String {
    let labels = TableLabels(table)
    let texts = table.values.map { row in row.map { $0.isDefined ? String(format: "%.4f", $0.value) : "NaN" } }
    let firstWidth = max(labels.rows.map(\.count).max() ?? 0, 1)
    let widths = labels.columns.indices.map { j in max(labels.columns[j].count, texts.map { $0[j].count }.max() ?? 0) }
    let scale = ColourScale(for: table, range: .automatic)
    var lines = labels.caption.map { [$0] } ?? []
    // Painted cells take one space of padding on each side inside their colour, one character more per line.
    let groups = columnGroups(firstWidth: firstWidth, widths: widths, limit: width.map { $0 - (colour ? 1 : 0) })
    if let groups {
      for (g, group) in groups.enumerated() {
        if g > 0 { lines.append("") }
        lines.append(
          pad("", firstWidth) + "  " + group.map { pad(labels.columns[$0], widths[$0], right: true) }
            .joined(separator: "  "))
        for (i, label) in labels.rows.enumerated() {
          let fields = group.map { (j: $0, text: pad(texts[i][$0], widths[$0], right: true)) }
          let body =
            colour
            ? " " + fields.map { paint(" " + $0.text + " ", table.values[i][$0.j], scale: scale) }.joined()
            : "  " + fields.map(\.text).joined(separator: "  ")
          lines.append(pad(label, firstWidth) + body)
        }
      }
    } else {
      let columnWidth = labels.columns.map(\.count).max() ?? 0
      for (i, row) in labels.rows.enumerated() {
        for (j, column) in labels.columns.enumerated() {
          let value = colour ? paint(" " + texts[i][j] + " ", table.values[i][j], scale: scale) : texts[i][j]
          lines.append(pad(row, firstWidth) + "  " + pad(column, columnWidth) + "  " + value)
        }
      }
    }
    lines.append(footer(table))
    if colour { lines.append(colourKey(scale)) }
    let reasons = Set(table.values.joined().compactMap(\.reason))
    for reason in reasons.sorted() { lines.append("NaN: \(reason)") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The columns of each group whose line (row labels, then two spaces and the column, per column) fits `limit`;
  /// one group without a limit or when all fit. Nil when the first column alone does not fit: the long form.
  static func columnGroups(firstWidth: Int, widths: [Int], limit: Int?) -> [[Int]]? {
    guard let limit else { return [Array(widths.indices)] }
    var groups: [[Int]] = [[]]
    var used = firstWidth
    for (j, width) in widths.enumerated() {
      if used + 2 + width > limit {
        guard !groups[groups.count - 1].isEmpty, firstWidth + 2 + width <= limit else { return nil }
        groups.append([])
        used = firstWidth
      }
      groups[groups.count - 1].append(j)
      used += 2 + width
    }
    return groups
  }

  /// One line per kept cell of a reduction, `a  joiner  b  value` in aligned columns (full labels: a list is never
  /// wide), then the reasons of its NaN cells.
  static func pairList(_ table: SimilarityTable, _ cells: [Cell], joiner: String, colour: Bool = false) -> String {
    let (aWidth, bWidth) = (cells.map(\.a.count).max() ?? 0, cells.map(\.b.count).max() ?? 0)
    let scale = ColourScale(for: table, range: .automatic)
    var lines = cells.map { cell in
      let number = cell.value.isDefined ? String(format: "%.4f", cell.value.value) : "NaN"
      return pad(cell.a, aWidth) + "  \(joiner)  " + pad(cell.b, bWidth)
        + (colour ? " " + paint(" " + number + " ", cell.value, scale: scale) : "  " + number)
    }
    lines.append(footer(table))
    if colour { lines.append(colourKey(scale)) }
    for reason in Set(cells.compactMap(\.value.reason)).sorted() { lines.append("NaN: \(reason)") }
    return lines.joined(separator: "\n") + "\n"
  }

  static func footer(_ table: SimilarityTable) -> String {
    let direction = table.properties.largerIsMoreSimilar ? "larger is more similar" : "a distance: smaller is more similar"
    return "\(table.measure) (\(direction)) on \(table.exampleCount) examples of \(table.examples)"
  }

  /// `text` padded with spaces to `width` characters, on the right (or on the left, `right`-aligned).
  private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
  }
}
