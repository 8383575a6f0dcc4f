import RepStore

/// What a heatmap shows and where, in SVG user units (px). There is no font engine here: text is estimated at
/// 0.6 em per character, generous for sans-serif faces, and every region is sized from its longest text, so no
/// label is clipped.
struct HeatmapLayout {
  static let margin = 16.0
  static let gap = 6.0
  static let titleFontSize = 14.0
  static let axisTitleFontSize = 12.0
  static let smallFontSize = 11.0
  static let barWidth = 14.0
  static let lineHeight = 16.0
  static let swatchSide = 12.0

  /// One line of the legend under the colour bar's caption, after a swatch of what it explains.
  struct LegendLine {
    enum Swatch { case undefined, bestMatch }
    var text: String
    var swatch: Swatch
    var baseline = 0.0
  }

  let rowCount: Int
  let columnCount: Int
  let cellSide: Double
  let labelFontSize: Double
  /// The text of every cell and its font size; nil when values are not printed.
  let cellTexts: (texts: [[String]], fontSize: Double)?
  /// Tick labels: the full labels, or without the model prefix they all share, which then becomes the axis title.
  let rowLabels: [String]
  let columnLabels: [String]
  let rowAxisTitle: String?
  let columnAxisTitle: String?
  /// 0 (horizontal, when every label fits its column), −45 or −90 degrees.
  let columnLabelAngle: Double
  let title: String
  let titleBaseline: Double
  let columnAxisTitleBaseline: Double
  let rowAxisTitleX: Double
  let gridX: Double
  let gridY: Double
  let barX: Double
  let barY: Double
  let barHeight: Double
  let ticks: [(value: Double, text: String)]
  /// The colour bar's caption, on two lines under it: the measure id, then which way is more similar.
  let caption: (measure: String, direction: String, baselines: (Double, Double))
  let legend: [LegendLine]
  let width: Double
  let height: Double

  var gridWidth: Double { Double(columnCount) * cellSide }
  var gridHeight: Double { Double(rowCount) * cellSide }
  func cellX(_ column: Int) -> Double { gridX + Double(column) * cellSide }
  func cellY(_ row: Int) -> Double { gridY + Double(row) * cellSide }

  /// Estimated advance width of `text`: 0.6 em per character.
  static func textWidth(_ text: String, fontSize: Double) -> Double { Double(text.count) * 0.6 * fontSize }

  /// Lays out `table`: the cell size from its dimensions, every region around the grid from its longest text.
  /// `caption` is the colour bar's measure and direction lines; `legend` the swatch lines under them.
  /// - Complexity: O(rows × columns) to format the cell texts.
  init(
    _ table: SimilarityTable, options: HeatmapOptions, scale: ColourScale, caption: (String, String),
    legend: [LegendLine]
  ) {
    rowCount = table.rows.count
    columnCount = table.columns.count
    let largestSide = Double(max(rowCount, columnCount, 1))
    let printsValues =
      options.showsValues
      ?? (rowCount <= HeatmapOptions.maximumSideWithValues && columnCount <= HeatmapOptions.maximumSideWithValues)
    // Cells big enough for "0.123" when values print; otherwise the grid aims at about 640 px, 6 to 24 px a cell.
    // Whole pixels, like the grid's corner, so neighbouring cells meet on pixel edges without antialiased seams.
    let side = (printsValues ? min(max(480 / largestSide, 40), 64) : min(max(640 / largestSide, 6), 24)).rounded(.down)
    let labelSize = min(12, side * 0.75)
    (cellSide, labelFontSize) = (side, labelSize)
    if printsValues {
      let texts = table.values.map { $0.map { $0.isDefined ? ShortNumber.text($0.value) : "NaN" } }
      let longest = Double(max(texts.joined().map(\.count).max() ?? 1, 1))
      let fontSize = min(side * 0.28, 14, (side - 6) / (longest * 0.6))
      cellTexts = fontSize >= 5 ? (texts, fontSize) : nil
    } else {
      cellTexts = nil
    }

    let gridWidth = Double(columnCount) * side
    let gridHeight = Double(rowCount) * side
    (rowLabels, rowAxisTitle) = Self.axis(table.rows, labels: table.rows.map(table.label), room: gridHeight)
    (columnLabels, columnAxisTitle) = Self.axis(
      table.columns, labels: table.columns.map(table.label), room: gridWidth)
    title = options.title ?? "\(table.measure) on \(table.exampleCount) examples of \(table.examples)"

    // Across: margin, row axis title, row labels, grid, colour bar with its ticks and legend, margin.
    var x = Self.margin
    rowAxisTitleX = x + 0.8 * Self.axisTitleFontSize
    if rowAxisTitle != nil { x += Self.axisTitleFontSize + Self.gap }
    x += (rowLabels.map { HeatmapLayout.textWidth($0, fontSize: labelSize) }.max() ?? 0) + Self.gap
    gridX = x.rounded(.up)

    // Down: margin, title, column axis title, column labels, grid.
    var y = Self.margin
    titleBaseline = y + 0.8 * Self.titleFontSize
    y += Self.titleFontSize + 10
    columnAxisTitleBaseline = y + 0.8 * Self.axisTitleFontSize
    if columnAxisTitle != nil { y += Self.axisTitleFontSize + Self.gap }
    let labelWidths = columnLabels.map { HeatmapLayout.textWidth($0, fontSize: labelSize) }
    let longestLabel = labelWidths.max() ?? 0
    let diagonal = 0.5.squareRoot()
    let labelSpill: Double  // how far column labels reach right of the grid
    if labelWidths.allSatisfy({ $0 <= side - 4 }) {
      columnLabelAngle = 0
      y += labelSize + Self.gap
      labelSpill = 0
    } else if side >= 1.6 * labelSize {
      // Neighbouring labels at −45° stand cellSide·√½ apart, enough for one line of text at this size.
      columnLabelAngle = -45
      y += (longestLabel + labelSize) * diagonal + Self.gap
      labelSpill =
        labelWidths.enumerated().map { j, width in (Double(j) + 0.5) * side + (width + labelSize) * diagonal }
        .max().map { $0 - gridWidth } ?? 0
    } else {
      columnLabelAngle = -90
      y += longestLabel + Self.gap
      labelSpill = labelSize
    }
    gridY = y.rounded(.up)

    barX = gridX + gridWidth + 24
    barY = gridY
    barHeight = min(max(gridHeight, 120), 360)
    let ticks = scale.ticks().map { ($0, ShortNumber.text($0, trimmingZeros: true)) }
    self.ticks = ticks
    let tickWidth = ticks.map { HeatmapLayout.textWidth($0.1, fontSize: HeatmapLayout.smallFontSize) }.max() ?? 0
    var baseline = barY + barHeight + 14 + 0.8 * Self.smallFontSize
    self.caption = (caption.0, caption.1, (baseline, baseline + Self.lineHeight))
    baseline += 2 * Self.lineHeight
    var lines = legend
    for index in lines.indices {
      lines[index].baseline = baseline
      baseline += Self.lineHeight
    }
    self.legend = lines
    let legendWidth = max(
      Self.textWidth(caption.0, fontSize: 12), Self.textWidth(caption.1, fontSize: Self.smallFontSize),
      lines.map { HeatmapLayout.textWidth($0.text, fontSize: 12) + HeatmapLayout.swatchSide + HeatmapLayout.gap }
        .max() ?? 0)

    let right = max(
      barX + Self.barWidth + 7 + tickWidth, barX + legendWidth, gridX + gridWidth + labelSpill,
      Self.margin + Self.textWidth(title, fontSize: Self.titleFontSize))
    width = (right + Self.margin).rounded(.up)
    height = (max(gridY + gridHeight, baseline - Self.lineHeight + 4) + Self.margin).rounded(.up)
  }

  /// Labels without the `MODEL/` prefix they all share, and the model as the axis title, when the title fits along
  /// the grid (`room` px); the full labels and no title otherwise.
  static func axis(_ tensors: [TensorInfo], labels: [String], room: Double) -> (labels: [String], title: String?) {
    guard let model = tensors.first?.model, tensors.allSatisfy({ $0.model == model }),
      textWidth(model, fontSize: axisTitleFontSize) <= room
    else { return (labels, nil) }
    let prefix = model + "/"
    guard labels.allSatisfy({ $0.hasPrefix(prefix) && $0.count > prefix.count }) else { return (labels, nil) }
    return (labels.map { String($0.dropFirst(prefix.count)) }, model)
  }
}
