import Foundation
import RepMeasures
import Testing

@testable import RepQuery
@testable import RepStore

/// The `table` format for people (short labels, folding to the terminal, the diagonal as a list) against the data
/// formats, which never change with the terminal.
@Suite("Similarity tables as text") struct TableTextTests {
  static func tensor(_ model: String, _ layer: String, set: String = "val") -> TensorInfo {
    TensorInfo(
      id: 0, model: model, layer: layer, exampleSet: set, rowCount: 100, columnCount: 384, sourceDType: "float32",
      source: "", digest: "", rawByteCount: 0, storedByteCount: 0, importedAt: "", blockCount: 1)
  }

  /// `rows` × `columns` cka, cell (i, j) = (10·i + j) / 100, so every value is distinct and exact in 4 decimals.
  static func table(_ rows: [TensorInfo], _ columns: [TensorInfo], undefined: String? = nil) -> SimilarityTable {
    SimilarityTable(
      measure: MeasureID(name: "cka"),
      properties: MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]", invariances: []),
      rows: rows, columns: columns,
      values: rows.indices.map { i in
        columns.indices.map { j in undefined.map { .undefined($0) } ?? MeasureValue(Double(10 * i + j) / 100) }
      },
      examples: "val", exampleCount: 300, seconds: 0)
  }

  /// A 7×7 table of two models with long names, the case that printed ~190 columns.
  static let wide = table(
    (1...7).map { tensor("sentence-transformers-minilm-seed0", "L\($0)") },
    (1...7).map { tensor("sentence-transformers-minilm-seed1", "L\($0)") })

  @Test("one model and one set per side: the layer names as labels, the model said once above the table")
  func shortLabels() {
    let text = TableRenderer.render(Self.wide, as: .table)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(
      lines[0] == "rows sentence-transformers-minilm-seed0/{layer}, columns sentence-transformers-minilm-seed1/{layer}")
    #expect(lines[1] == "        L1      L2      L3      L4      L5      L6      L7")
    #expect(lines[2] == "L1  0.0000  0.0100  0.0200  0.0300  0.0400  0.0500  0.0600")
    #expect(lines[8].hasPrefix("L7  0.6000"))
    #expect(!lines[1...8].contains { $0.contains("seed") }, "\(text)")
    // Scripts keep the full labels.
    let csv = TableRenderer.render([Self.wide], as: .csv).split(separator: "\n")
    #expect(csv[1] == "sentence-transformers-minilm-seed0/L1,sentence-transformers-minilm-seed1/L1,0.0,,cka")
  }

  @Test(
    "otherwise the parts that differ within a side: models, layers, sets",
    arguments: [
      // Several models at one layer: the model names, the layer in the caption.
      ([tensor("a", "L1"), tensor("b", "L1")], [tensor("a", "L1"), tensor("b", "L1")],
       "rows {model}/L1, columns {model}/L1", ["a", "b"]),
      // Models and layers both vary on the rows: full labels there, nothing to say about them.
      ([tensor("a", "L1"), tensor("b", "L2")], [tensor("c", "L1")], "columns c/{layer}", ["a/L1", "b/L2"]),
      // A table mixing example sets names the set of each side.
      ([tensor("a", "L1", set: "x"), tensor("a", "L2", set: "x")], [tensor("a", "L1", set: "y")],
       "rows a/{layer}@x, columns a/{layer}@y", ["L1", "L2"]),
      ([tensor("a", "L1", set: "x"), tensor("a", "L1", set: "y")], [tensor("a", "L1", set: "x")],
       "rows a/L1@{set}, columns a/{layer}@x", ["x", "y"]),
    ] as [([TensorInfo], [TensorInfo], String, [String])])
  func shortestLabels(rows: [TensorInfo], columns: [TensorInfo], caption: String, rowLabels: [String]) {
    let labels = TableLabels(Self.table(rows, columns))
    #expect(labels.caption == caption)
    #expect(labels.rows == rowLabels)
  }

  @Test("full labels everywhere: no caption line")
  func noCaption() {
    let side = [Self.tensor("a", "L1"), Self.tensor("b", "L2")]
    let labels = TableLabels(Self.table(side, side))
    #expect(labels.caption == nil && labels.columns == ["a/L1", "b/L2"])
  }

  @Test("wider than the terminal: column groups that fit, each with its header and the row labels, every cell once")
  func folds() throws {
    let full = TableRenderer.render(Self.wide, as: .table)
    let folded = TableRenderer.render(Self.wide, as: .table, width: 40)
    let lines = folded.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // The caption and the footer say what they say whatever the width; the grid fits.
    let grid = lines.filter { $0.hasPrefix(" ") || $0.hasPrefix("L") }
    #expect(grid.allSatisfy { $0.count <= 40 }, "\(folded)")
    #expect(grid.filter { $0.hasPrefix(" ") } == [
      "        L1      L2      L3      L4", "        L5      L6      L7",
    ])
    #expect(lines.filter(\.isEmpty).count == 2, "a blank line between the groups, and the final newline: \(folded)")
    let values = { (text: String) in
      text.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.contains(".") && $0.count == 6 }.sorted()
    }
    #expect(values(folded) == values(full) && values(full).count == 49)
    #expect(grid.contains("L7  0.6000  0.6100  0.6200  0.6300") && grid.contains("L7  0.6400  0.6500  0.6600"))
    // Wide enough: the one matrix.
    #expect(TableRenderer.render(Self.wide, as: .table, width: 58) == full)
    #expect(TableRenderer.render(Self.wide, as: .table, width: 57) != full)
  }

  @Test("not even one column beside the row labels: one line per cell")
  func longForm() {
    let text = TableRenderer.render(Self.wide, as: .table, width: 9)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[1] == "L1  L1  0.0000" && lines[2] == "L1  L2  0.0100" && lines[49] == "L7  L7  0.6600", "\(text)")
    #expect(lines.count == 1 + 49 + 1)
  }

  @Test("csv, tsv, json and ndjson never depend on the width", arguments: [TableFormat.csv, .tsv, .json, .ndjson])
  func dataFormatsIgnoreWidth(format: TableFormat) {
    for reduction in [nil] + TableReduction.allCases.map(Optional.some) {
      #expect(
        TableRenderer.render([Self.wide], as: format, reduction: reduction, width: 20)
          == TableRenderer.render([Self.wide], as: format, reduction: reduction))
    }
  }

  @Test("the width: COLUMNS when a positive number, else the terminal's, else no limit")
  func width() {
    #expect(TableRenderer.textWidth(columnsVariable: "100", terminalColumns: 80) == 100)
    #expect(TableRenderer.textWidth(columnsVariable: nil, terminalColumns: 80) == 80)
    #expect(TableRenderer.textWidth(columnsVariable: "wide", terminalColumns: 132) == 132)
    #expect(TableRenderer.textWidth(columnsVariable: "0", terminalColumns: nil) == nil)
    #expect(TableRenderer.textWidth(columnsVariable: nil, terminalColumns: nil) == nil)
  }

  @Test("--reduce diag keeps the cells (i, i) only, in every format", arguments: TableFormat.allCases)
  func diagonal(format: TableFormat) throws {
    let table = Self.table(
      (1...3).map { Self.tensor("a", "L\($0)") }, (1...4).map { Self.tensor("b", "L\($0)") })
    let text = TableRenderer.render([table], as: format, reduction: .diag)
    #expect(!text.contains("off the diagonal") && !text.contains("NaN") && !text.contains("null"), "\(text)")
    let lines = text.split(separator: "\n").map(String.init)
    switch format {
    case .csv, .tsv:
      let separator = format == .csv ? "," : "\t"
      #expect(lines.dropFirst() == ["a/L1", "a/L2", "a/L3"].enumerated().map { i, a in
        [a, "b/L\(i + 1)", "\(Double(11 * i) / 100)", "", "cka"].joined(separator: separator)
      }[...])
    case .json:
      let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
      let cells = try #require(object["cells"] as? [[String: Any]])
      #expect(cells.map { $0["a"] as? String } == ["a/L1", "a/L2", "a/L3"])
      #expect(cells.map { $0["b"] as? String } == ["b/L1", "b/L2", "b/L3"])
      #expect(object["columns"] as? [String] == ["b/L1", "b/L2", "b/L3"])
    case .ndjson:
      #expect(lines.count == 3 && lines[2].contains("\"a\": \"a/L3\", \"b\": \"b/L3\", \"value\": 0.22"))
    case .table:
      #expect(lines == [
        "a/L1  vs  b/L1  0.0000", "a/L2  vs  b/L2  0.1100", "a/L3  vs  b/L3  0.2200",
        "cka (larger is more similar) on 300 examples of val",
      ])
    }
  }
}
