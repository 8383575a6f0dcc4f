import Foundation
import RepMeasures
import Testing

@testable import RepQuery
@testable import RepStore

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The elements of a parsed XML document in document order, each with its attributes and all the text inside it.
final class ParsedXML: NSObject, XMLParserDelegate {
  struct Element {
    var name: String
    var attributes: [String: String]
    var text = ""
  }
  private(set) var elements: [Element] = []
  private var open: [Int] = []

  /// Parses `text`, or throws the parser's error: the document must be well-formed XML.
  init(_ text: String) throws {
    super.init()
    let parser = XMLParser(data: Data(text.utf8))
    parser.delegate = self
    guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
  }

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    open.append(elements.count)
    elements.append(Element(name: elementName, attributes: attributes))
  }

  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
    open.removeLast()
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    for index in open { elements[index].text += string }
  }

  func elements(class name: String) -> [Element] { elements.filter { $0.attributes["class"] == name } }
}

/// Tables built by hand, without a store: labels, values and NaN cells exactly where the tests want them.
enum HeatmapFixtures {
  static func tensor(_ model: String, _ layer: String) -> TensorInfo {
    TensorInfo(
      id: 0, model: model, layer: layer, exampleSet: "default", rowCount: 100, columnCount: 8, sourceDType: "float32",
      source: "", digest: "", rawByteCount: 0, storedByteCount: 0, importedAt: "", blockCount: 1)
  }

  static func table(
    _ measure: String, largerIsMoreSimilar: Bool = true, range: String = "[0, 1]", rows: [TensorInfo],
    columns: [TensorInfo], values: [[MeasureValue]]
  ) -> SimilarityTable {
    SimilarityTable(
      measure: MeasureID(name: measure),
      properties: MeasureProperties(
        largerIsMoreSimilar: largerIsMoreSimilar, isSymmetric: true, range: range, invariances: []),
      rows: rows, columns: columns, values: values, examples: "val", exampleCount: 512, seconds: 0)
  }

  /// A label with every character XML must escape.
  static let awkwardLayer = #"a&<b>"c'"#

  /// 3×4 cka, one NaN cell, labels with `& < > " '`.
  static let small = table(
    "cka", rows: [tensor("m", awkwardLayer), tensor("m", "L1"), tensor("m", "L2")],
    columns: (0..<4).map { tensor("n", "block.\($0).output") },
    values: [
      [MeasureValue(0.91), MeasureValue(0.42), .undefined("zero variance in m/L1"), MeasureValue(0.13)],
      [MeasureValue(0.35), MeasureValue(0.88), MeasureValue(0.51), MeasureValue(0.27)],
      [MeasureValue(0.05), MeasureValue(0.33), MeasureValue(0.79), MeasureValue(1.0)],
    ])

  static let single = table("cka", rows: [tensor("m", "L0")], columns: [tensor("m", "L0")], values: [[MeasureValue(1)]])

  /// 40×40 cka falling off away from the diagonal; row 7 all NaN.
  static let large = table(
    "cka", rows: (0..<40).map { tensor("gpt", "blocks.\($0).mlp") },
    columns: (0..<40).map { tensor("gpt", "blocks.\($0).mlp") },
    values: (0..<40).map { i in
      (0..<40).map { j in i == 7 ? .undefined("constant layer") : MeasureValue(1 / (1 + Double(abs(i - j)) / 6)) }
    })

  /// 5×6 procrustes angles between two models: smaller is more similar.
  static let distance = table(
    "procrustes", largerIsMoreSimilar: false, range: "[0, π/2]", rows: (0..<5).map { tensor("a", "L\($0)") },
    columns: (0..<6).map { tensor("b", "L\($0)") },
    values: (0..<5).map { i in (0..<6).map { j in MeasureValue(0.2 + 0.18 * Double(abs(i - j))) } })

  static let empty = table("cka", rows: [], columns: [], values: [])
}

@Suite("SVG heatmaps") struct HeatmapTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var table: SimilarityTable
    var undefinedCount: Int
    var printsValues: Bool
    var direction: String
    var testDescription: String { name }
  }

  static let cases = [
    Case(
      name: "3×4 with NaN", table: HeatmapFixtures.small, undefinedCount: 1, printsValues: true,
      direction: "larger = more similar"),
    Case(
      name: "1×1", table: HeatmapFixtures.single, undefinedCount: 0, printsValues: true,
      direction: "larger = more similar"),
    Case(
      name: "40×40", table: HeatmapFixtures.large, undefinedCount: 40, printsValues: false,
      direction: "larger = more similar"),
    Case(
      name: "5×6 distance", table: HeatmapFixtures.distance, undefinedCount: 0, printsValues: true,
      direction: "distance: smaller = more similar"),
    Case(name: "0×0", table: HeatmapFixtures.empty, undefinedCount: 0, printsValues: true, direction: "larger"),
  ]

  @Test(
    "well-formed standalone SVG: one titled cell per table cell, NaN hatched, values only when small", arguments: cases)
  func structure(_ test: Case) throws {
    let svg = HeatmapSVG.render(test.table)
    let document = try ParsedXML(svg)
    let root = try #require(document.elements.first)
    #expect(svg.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
    #expect(root.name == "svg")
    #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
    #expect(root.attributes["version"] == "1.1")
    #expect(Double(root.attributes["width"] ?? "") ?? 0 > 0 && Double(root.attributes["height"] ?? "") ?? 0 > 0)
    // Nothing external or active: no scripts, images, links or foreign content.
    #expect(!document.elements.contains { ["script", "image", "a", "foreignObject", "use"].contains($0.name) })
    #expect(!document.elements.contains { $0.attributes.keys.contains { $0.contains("href") || $0.hasPrefix("on") } })

    let rows = test.table.rows.count
    let columns = test.table.columns.count
    let cells = document.elements(class: "cell")
    #expect(cells.count == rows * columns)
    #expect(cells.allSatisfy { $0.name == "rect" && $0.text.contains(" × ") })
    let hatched = cells.filter { $0.attributes["fill"] == "url(#\(HeatmapSVG.hatchID))" }
    #expect(hatched.count == test.undefinedCount)
    #expect(hatched.allSatisfy { $0.text.contains(": NaN (") })
    let colours = cells.compactMap { $0.attributes["fill"] }.filter { $0.hasPrefix("#") }
    #expect(colours.count == rows * columns - test.undefinedCount)
    #expect(colours.allSatisfy { $0.count == 7 })
    #expect(document.elements(class: "value").count == (test.printsValues ? rows * columns : 0))

    let caption = try #require(document.elements(class: "caption").first)
    #expect(caption.text.contains(test.table.measure.description))
    #expect(caption.text.contains(test.direction))
    let title = try #require(document.elements(class: "title").first)
    #expect(title.text == "\(test.table.measure) on 512 examples of val")
    #expect(document.elements(class: "tick").count >= 2)
  }

  @Test("labels are escaped in the markup and read back intact from tooltips and axes")
  func escaping() throws {
    let svg = HeatmapSVG.render(HeatmapFixtures.small)
    #expect(svg.contains("a&amp;&lt;b&gt;&quot;c&apos;"))
    #expect(!svg.contains(HeatmapFixtures.awkwardLayer))
    let document = try ParsedXML(svg)
    let cells = document.elements(class: "cell")
    #expect(cells[0].text.hasPrefix("m/\(HeatmapFixtures.awkwardLayer) × n/block.0.output: 0.91"))
    #expect(cells[2].text.contains("NaN (zero variance in m/L1)"))
    // Rows share model m and columns model n: they become axis titles, and the labels drop the prefix.
    #expect(document.elements(class: "axis-title").map(\.text) == ["m", "n"])
    #expect(document.elements.contains { $0.name == "text" && $0.text == HeatmapFixtures.awkwardLayer })
  }

  @Test("the best cell of each row is outlined: argmax for similarities, argmin for distances; an option")
  func bestMatches() throws {
    for table in [HeatmapFixtures.small, HeatmapFixtures.distance, HeatmapFixtures.large] {
      let document = try ParsedXML(HeatmapSVG.render(table))
      let best = table.bestMatches().map(\.column)
      #expect(document.elements(class: "best").count == best.compactMap { $0 }.count, "\(table.measure)")
      let cells = document.elements(class: "cell")
      for (i, column) in best.enumerated() {
        let marked = table.columns.indices.filter {
          cells[i * table.columns.count + $0].text.hasSuffix("best in its row")
        }
        #expect(marked == column.map { [$0] } ?? [], "\(table.measure) row \(i)")
      }
      let plain = try ParsedXML(HeatmapSVG.render(table, options: HeatmapOptions(highlightsBestMatches: false)))
      #expect(plain.elements(class: "best").isEmpty)
    }
    // Procrustes: the diagonal is the smallest angle in each row.
    #expect(HeatmapFixtures.distance.bestMatches().map(\.column) == [0, 1, 2, 3, 4])
  }

  @Test("text colour contrasts with the cell: black on yellow, white on purple")
  func valueContrast() throws {
    let document = try ParsedXML(HeatmapSVG.render(HeatmapFixtures.small, options: HeatmapOptions(colourRange: .data)))
    let values = document.elements(class: "value")
    // Row 2: 0.05 is the smallest value (darkest), 1.0 the largest (lightest).
    #expect(values[8].text == "0.0500" && values[8].attributes["fill"] == "#ffffff")
    #expect(values[11].text == "1.00" && values[11].attributes["fill"] == "#000000")
    #expect(values[2].text == "NaN")
  }

  @Test("showsValues overrides the size rule both ways")
  func valueOverride() throws {
    let forced = try ParsedXML(HeatmapSVG.render(HeatmapFixtures.large, options: HeatmapOptions(showsValues: true)))
    #expect(forced.elements(class: "value").count == 1600)
    let hidden = try ParsedXML(HeatmapSVG.render(HeatmapFixtures.small, options: HeatmapOptions(showsValues: false)))
    #expect(hidden.elements(class: "value").isEmpty)
  }

  /// Set REPSTORE_HEATMAP_EXAMPLE=/path/example.svg to keep a rendering to look at; skipped (and reported so) without.
  @Test("an example rendering can be written for inspection",
        .enabled(if: ProcessInfo.processInfo.environment["REPSTORE_HEATMAP_EXAMPLE"] != nil,
                 "REPSTORE_HEATMAP_EXAMPLE names the file to write"))
  func example() throws {
    let path = try #require(ProcessInfo.processInfo.environment["REPSTORE_HEATMAP_EXAMPLE"])
    try HeatmapSVG.render(HeatmapFixtures.small).write(toFile: path, atomically: true, encoding: .utf8)
    for (name, table) in [
      ("large", HeatmapFixtures.large), ("distance", HeatmapFixtures.distance), ("single", HeatmapFixtures.single),
    ] {
      try HeatmapSVG.render(table).write(
        toFile: path.replacingOccurrences(of: ".svg", with: "-\(name).svg"), atomically: true, encoding: .utf8)
    }
  }
}

@Suite("Colour maps and scales") struct ColourMapTests {
  @Test("viridis ends at #440154 and #fde725 and passes #21918c in the middle")
  func viridisEnds() {
    #expect(ColourMap.viridis.colour(at: 0).hexString == "#440154")
    #expect(ColourMap.viridis.colour(at: 1).hexString == "#fde725")
    #expect(ColourMap.viridis.colour(at: -3).hexString == "#440154")
    #expect(ColourMap.viridis.colour(at: 7).hexString == "#fde725")
    let middle = ColourMap.viridis.colour(at: 0.5).bytes
    let expected = Colour(hex: 0x21918c).bytes
    #expect(abs(Int(middle.red) - Int(expected.red)) <= 2)
    #expect(abs(Int(middle.green) - Int(expected.green)) <= 2)
    #expect(abs(Int(middle.blue) - Int(expected.blue)) <= 2)
  }

  @Test("viridis luminance rises strictly from end to end")
  func monotonicLuminance() {
    let luminances = (0...255).map { ColourMap.viridis.colour(at: Double($0) / 255).relativeLuminance }
    #expect(zip(luminances, luminances.dropFirst()).allSatisfy { $0 < $1 })
    #expect(luminances[0] < 0.05 && luminances[255] > 0.75)
  }

  @Test(
    "declared ranges parse when they are closed intervals",
    arguments: [
      ("[0, 1]", 0.0...1.0), ("[−1, 1]", -1.0...1.0), ("[0, π/2]", 0.0...(Double.pi / 2)),
      ("[0, √2]", 0.0...2.0.squareRoot()),
      ("ℝ", nil), ("≤ 1", nil), ("≤ 1, can be < 0", nil), ("[1, 0]", nil),
    ] as [(String, ClosedRange<Double>?)])
  func declaredRanges(_ text: String, _ expected: ClosedRange<Double>?) {
    #expect(ColourScale.interval(parsing: text) == expected)
  }

  @Test("automatic takes the declared range widened to the data; data takes the finite values")
  func scaleChoice() {
    let base = HeatmapFixtures.table(
      "cka", rows: [HeatmapFixtures.tensor("m", "L0")],
      columns: [
        HeatmapFixtures.tensor("m", "L0"), HeatmapFixtures.tensor("m", "L1"), HeatmapFixtures.tensor("m", "L2"),
      ],
      values: [[MeasureValue(0.3), MeasureValue(0.9), .undefined("x")]])
    #expect(ColourScale(for: base, range: .automatic) == ColourScale(lower: 0, upper: 1))
    #expect(ColourScale(for: base, range: .data) == ColourScale(lower: 0.3, upper: 0.9))
    #expect(ColourScale(for: base, range: .fixed(0.5...0.6)) == ColourScale(lower: 0.5, upper: 0.6))
    var over = base
    over.values[0][1] = MeasureValue(1.000001)
    #expect(ColourScale(for: over, range: .automatic).upper == 1.000001)
    var unbounded = base
    unbounded.properties.range = "ℝ"
    #expect(ColourScale(for: unbounded, range: .automatic) == ColourScale(lower: 0.3, upper: 0.9))
    var constant = unbounded
    constant.values = [[MeasureValue(2), MeasureValue(2), MeasureValue(.infinity)]]
    #expect(ColourScale(for: constant, range: .automatic) == ColourScale(lower: 1.5, upper: 2.5))
    constant.values = [[.undefined("x"), .undefined("y"), .undefined("z")]]
    #expect(ColourScale(for: constant, range: .automatic) == ColourScale(lower: 0, upper: 1))
  }

  @Test("ticks: both ends, and round steps in between that do not crowd them")
  func ticks() {
    #expect(
      ColourScale(lower: 0, upper: 1).ticks().map { ShortNumber.text($0, trimmingZeros: true) } == [
        "0", "0.2", "0.4", "0.6", "0.8", "1",
      ])
    let ticks = ColourScale(lower: 0.312, upper: 0.987).ticks().map { ShortNumber.text($0, trimmingZeros: true) }
    #expect(ticks == ["0.312", "0.4", "0.6", "0.8", "0.987"])
    #expect(ColourScale(lower: 0, upper: .pi / 2).ticks().first == 0)
    #expect(ColourScale(lower: 0, upper: .pi / 2).ticks().last == .pi / 2)
  }

  @Test(
    "short numbers keep three significant digits",
    arguments: [
      (0.98765, false, "0.988"), (0.05, false, "0.0500"), (12.345, false, "12.3"), (1234.4, false, "1234"),
      (-0.123456, false, "-0.123"), (0.00001234, false, "1.23e-05"), (0, false, "0"), (Double.nan, false, "NaN"),
      (1.0, true, "1"), (0.5, true, "0.5"), (0.25, true, "0.25"),
    ])
  func shortNumbers(_ value: Double, _ trimming: Bool, _ expected: String) {
    #expect(ShortNumber.text(value, trimmingZeros: trimming) == expected)
  }

  @Test("XML escaping covers the five specials and characters XML 1.0 cannot carry")
  func xmlEscaping() {
    #expect(TextEscaping.xml("a&<>\"'\u{01}\tb\u{FFFF}é") == "a&amp;&lt;&gt;&quot;&apos;\u{FFFD}\tb\u{FFFD}é")
  }
}

@Suite("Coloured table text") struct TableColourTests {
  @Test(
    "colour only on a terminal, without NO_COLOR, and not for TERM=dumb",
    arguments: [
      (true, [:], true), (false, [:], false), (true, ["NO_COLOR": ""], false), (true, ["NO_COLOR": "1"], false),
      (true, ["TERM": "dumb"], false), (true, ["TERM": "xterm-256color"], true), (false, ["TERM": "xterm"], false),
    ] as [(Bool, [String: String], Bool)])
  func wantsColour(_ isTTY: Bool, _ environment: [String: String], _ expected: Bool) {
    #expect(TableRenderer.terminalWantsColour(isTTY: isTTY, environment: environment) == expected)
  }

  static func stripped(_ text: String) -> String {
    text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
  }

  @Test("escapes appear only when asked for, and the visible text keeps its columns")
  func colouredMatrix() {
    let table = HeatmapFixtures.small
    let plain = TableRenderer.render(table, as: .table)
    let coloured = TableRenderer.render(table, as: .table, colour: true)
    #expect(!plain.contains("\u{1B}"))
    #expect(coloured.contains("\u{1B}[48;2;"))
    #expect(coloured.contains("\u{1B}[2m") && coloured.contains(" NaN \u{1B}[0m"))
    // 1.0 is the top of cka's [0, 1]: yellow background, black text, padded to its column's short label.
    #expect(coloured.contains("\u{1B}[48;2;253;231;37;38;2;0;0;0m         1.0000 \u{1B}[0m"))
    let plainLines = plain.split(separator: "\n").map(String.init)
    let visible = Self.stripped(coloured).split(separator: "\n").map { String($0) }
    // The caption line (what the short labels leave out), the header, the rows.
    let gridLines = table.rows.count + 2
    #expect(
      visible.prefix(gridLines).map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) }
        == Array(plainLines.prefix(gridLines)))
    #expect(visible.contains { $0.hasPrefix("colours: 0 ") && $0.hasSuffix(" 1") })

    for format in TableFormat.allCases where format != .table {
      #expect(!TableRenderer.render([table], as: format, colour: true).contains("\u{1B}"), "\(format)")
    }
    let best = TableRenderer.render(table, as: .table, reduction: .argmax, colour: true)
    #expect(best.contains("\u{1B}[48;2;"))
    #expect(!TableRenderer.render(table, as: .table, reduction: .argmax).contains("\u{1B}"))
  }
}
