import RepMeasures

/// Draws a similarity table as a standalone SVG 1.1 heatmap: one square per cell, coloured by viridis.
///
/// The document is self-contained (no scripts, fonts, images or links) so it opens the same in any browser or
/// vector editor. Rows run top to bottom and columns left to right in table order; every cell carries a `<title>`
/// with both full labels and its value or NaN reason, which browsers show on hover. Colours are never inverted for
/// distances: the colour bar caption says which way is more similar.
public enum HeatmapSVG {
  /// The pattern that fills undefined (NaN) cells: diagonal grey hatching, distinct from every colour of the map.
  static let hatchID = "repstore-nan-hatch"
  /// The vertical gradient of the colour bar. Both ids carry a prefix so several heatmaps can share one HTML page.
  static let gradientID = "repstore-colour-bar"

  /// The SVG document for `table`, as UTF-8 text beginning with the XML declaration.
  /// - Complexity: O(rows × columns) elements.
  public static func render(_ table: SimilarityTable, options: HeatmapOptions = HeatmapOptions()) -> String {
    let map = ColourMap.viridis
    let scale = ColourScale(for: table, range: options.colourRange)
    let best: [Int?] =
      options.highlightsBestMatches ? table.bestMatches().map(\.column) : Array(repeating: nil, count: table.rows.count)
    let hasUndefined = table.values.joined().contains { !$0.isDefined }
    var legend: [HeatmapLayout.LegendLine] = []
    if hasUndefined { legend.append(.init(text: options.undefinedLegend ?? "undefined (NaN)", swatch: .undefined)) }
    if best.contains(where: { $0 != nil }) { legend.append(.init(text: "best match in its row", swatch: .bestMatch)) }
    let layout = HeatmapLayout(
      table, options: options, scale: scale,
      caption: (table.measure.description, options.valueCaption ?? direction(table.properties)),
      legend: legend)
    let n = SVGWriter.number

    var svg = SVGWriter()
    svg.line(#"<?xml version="1.0" encoding="UTF-8"?>"#)
    svg.open(
      "svg",
      [
        "xmlns": "http://www.w3.org/2000/svg", "version": "1.1", "width": n(layout.width), "height": n(layout.height),
        "viewBox": "0 0 \(n(layout.width)) \(n(layout.height))",
        "font-family": "DejaVu Sans, Arial, Helvetica, sans-serif",
      ])
    svg.element("title", content: layout.title)
    definitions(&svg, map: map)
    svg.empty("rect", ["width": "100%", "height": "100%", "fill": "#ffffff"])
    svg.element(
      "text",
      [
        "class": "title", "x": n(HeatmapLayout.margin), "y": n(layout.titleBaseline),
        "font-size": n(HeatmapLayout.titleFontSize), "font-weight": "bold",
      ],
      content: layout.title)
    axes(&svg, layout)
    cells(&svg, table, layout, map: map, scale: scale, best: best)
    colourBar(&svg, layout, scale: scale)
    svg.close("svg")
    return svg.text
  }

  /// "(larger = more similar)" or "(distance: smaller = more similar)": the colour bar's second caption line.
  static func direction(_ properties: MeasureProperties) -> String {
    properties.largerIsMoreSimilar ? "(larger = more similar)" : "(distance: smaller = more similar)"
  }

  /// The hatch pattern for NaN cells and the colour bar's gradient.
  private static func definitions(_ svg: inout SVGWriter, map: ColourMap) {
    svg.open("defs")
    svg.open(
      "pattern",
      ["id": hatchID, "width": "6", "height": "6", "patternUnits": "userSpaceOnUse", "patternTransform": "rotate(45)"])
    svg.empty("rect", ["width": "6", "height": "6", "fill": "#e6e6e6"])
    svg.empty("rect", ["width": "2", "height": "6", "fill": "#a8a8a8"])
    svg.close("pattern")
    // Bottom to top, the stops are the map's anchors: the bar shows exactly the interpolation the cells use.
    svg.open("linearGradient", ["id": gradientID, "x1": "0", "y1": "1", "x2": "0", "y2": "0"])
    for (index, colour) in map.anchors.enumerated() {
      let offset = Double(index) / Double(map.anchors.count - 1)
      svg.empty("stop", ["offset": SVGWriter.number(offset * 100) + "%", "stop-color": colour.hexString])
    }
    svg.close("linearGradient")
    svg.close("defs")
  }

  /// Row labels right-aligned left of the grid, column labels above it, and the shared model names as axis titles.
  private static func axes(_ svg: inout SVGWriter, _ layout: HeatmapLayout) {
    let n = SVGWriter.number
    let size = layout.labelFontSize
    svg.open("g", ["class": "row-labels", "font-size": n(size), "text-anchor": "end"])
    for (i, label) in layout.rowLabels.enumerated() {
      let y = layout.cellY(i) + layout.cellSide / 2 + 0.35 * size
      svg.element("text", ["x": n(layout.gridX - HeatmapLayout.gap), "y": n(y)], content: label)
    }
    svg.close("g")
    let anchor = layout.columnLabelAngle == 0 ? "middle" : "start"
    svg.open("g", ["class": "column-labels", "font-size": n(size), "text-anchor": anchor])
    for (j, label) in layout.columnLabels.enumerated() {
      let center = layout.cellX(j) + layout.cellSide / 2
      let y = layout.gridY - 4
      if layout.columnLabelAngle == 0 {
        svg.element("text", ["x": n(center), "y": n(y)], content: label)
      } else {
        // Shift the baseline so the glyphs, which sit above it, straddle the column's centre line.
        let x = center + (layout.columnLabelAngle == -90 ? 0.35 : 0.25) * size
        let rotation = "rotate(\(n(layout.columnLabelAngle)) \(n(x)) \(n(y)))"
        svg.element("text", ["x": n(x), "y": n(y), "transform": rotation], content: label)
      }
    }
    svg.close("g")
    let titleSize = n(HeatmapLayout.axisTitleFontSize)
    if let title = layout.rowAxisTitle {
      let (x, y) = (layout.rowAxisTitleX, layout.gridY + layout.gridHeight / 2)
      svg.element(
        "text",
        [
          "class": "axis-title", "x": n(x), "y": n(y), "font-size": titleSize, "font-weight": "bold",
          "text-anchor": "middle", "transform": "rotate(-90 \(n(x)) \(n(y)))",
        ],
        content: title)
    }
    if let title = layout.columnAxisTitle {
      svg.element(
        "text",
        [
          "class": "axis-title", "x": n(layout.gridX + layout.gridWidth / 2), "y": n(layout.columnAxisTitleBaseline),
          "font-size": titleSize, "font-weight": "bold", "text-anchor": "middle",
        ],
        content: title)
    }
  }

  /// The cells with their tooltips, then the printed values and best-match outlines drawn over them.
  private static func cells(
    _ svg: inout SVGWriter, _ table: SimilarityTable, _ layout: HeatmapLayout, map: ColourMap, scale: ColourScale,
    best: [Int?]
  ) {
    let n = SVGWriter.number
    let side = n(layout.cellSide)
    let rowLabels = table.rows.map(table.label)
    let columnLabels = table.columns.map(table.label)
    let colours = table.values.map { $0.map { $0.isDefined ? map.colour(at: scale.position(of: $0.value)) : nil } }
    // Thin white gaps separate cells large enough to print values; on dense grids they would drown the colours,
    // which instead meet edge to edge, unantialiased.
    if layout.cellTexts != nil {
      svg.open("g", ["class": "cells", "stroke": "#ffffff", "stroke-width": "1"])
    } else {
      svg.open("g", ["class": "cells", "shape-rendering": "crispEdges"])
    }
    for (i, row) in rowLabels.enumerated() {
      for (j, column) in columnLabels.enumerated() {
        let value = table.values[i][j]
        var tooltip =
          "\(row) × \(column): "
          + (value.isDefined
            ? ShortNumber.text(value.value, digits: 6, trimmingZeros: true) : "NaN (\(value.reason ?? "not a number"))")
        if best[i] == j { tooltip += ", best in its row" }
        svg.element(
          "rect",
          [
            "class": "cell", "x": n(layout.cellX(j)), "y": n(layout.cellY(i)), "width": side, "height": side,
            "fill": colours[i][j]?.hexString ?? "url(#\(hatchID))",
          ],
          tooltip: tooltip)
      }
    }
    svg.close("g")
    // Text and outlines let the pointer through to the cell beneath, so its tooltip still shows.
    if let (texts, fontSize) = layout.cellTexts {
      svg.open("g", ["class": "values", "font-size": n(fontSize), "text-anchor": "middle", "pointer-events": "none"])
      for (i, row) in texts.enumerated() {
        for (j, text) in row.enumerated() {
          let x = layout.cellX(j) + layout.cellSide / 2
          let y = layout.cellY(i) + layout.cellSide / 2 + 0.35 * fontSize
          let fill = colours[i][j]?.contrastingText.hexString ?? "#505050"
          svg.element("text", ["class": "value", "x": n(x), "y": n(y), "fill": fill], content: text)
        }
      }
      svg.close("g")
    }
    guard best.contains(where: { $0 != nil }) else { return }
    let stroke = min(2, layout.cellSide * 0.15)
    svg.open("g", ["class": "best-matches", "fill": "none", "stroke-width": n(stroke), "pointer-events": "none"])
    for (i, column) in best.enumerated() {
      guard let j = column, let colour = colours[i][j] else { continue }
      svg.empty(
        "rect",
        [
          "class": "best", "x": n(layout.cellX(j) + stroke / 2), "y": n(layout.cellY(i) + stroke / 2),
          "width": n(layout.cellSide - stroke), "height": n(layout.cellSide - stroke),
          "stroke": colour.contrastingText.hexString,
        ])
    }
    svg.close("g")
  }

  /// The colour bar with its ticks, the caption naming measure and direction, and the legend's swatches.
  private static func colourBar(_ svg: inout SVGWriter, _ layout: HeatmapLayout, scale: ColourScale) {
    let n = SVGWriter.number
    let (x, y, width, height) = (layout.barX, layout.barY, HeatmapLayout.barWidth, layout.barHeight)
    let fontSize = HeatmapLayout.smallFontSize
    svg.open("g", ["class": "colour-bar", "font-size": n(fontSize)])
    svg.empty(
      "rect",
      [
        "x": n(x), "y": n(y), "width": n(width), "height": n(height), "fill": "url(#\(gradientID))",
        "stroke": "#808080", "stroke-width": "0.5",
      ])
    for tick in layout.ticks {
      let tickY = y + height * (1 - scale.position(of: tick.value))
      svg.empty(
        "line", ["x1": n(x + width), "y1": n(tickY), "x2": n(x + width + 4), "y2": n(tickY), "stroke": "#404040"])
      svg.element(
        "text", ["class": "tick", "x": n(x + width + 7), "y": n(tickY + 0.35 * fontSize)], content: tick.text)
    }
    // The measure and its direction in one caption element, on two lines.
    let caption = layout.caption
    svg.line(
      "<text class=\"caption\" x=\"\(n(x))\" y=\"\(n(caption.baselines.0))\"><tspan font-size=\"12\" font-weight=\"bold\">"
        + TextEscaping.xml(caption.measure) + " </tspan><tspan x=\"\(n(x))\" y=\"\(n(caption.baselines.1))\">"
        + TextEscaping.xml(caption.direction) + "</tspan></text>")
    for line in layout.legend {
      let side = HeatmapLayout.swatchSide
      let top = line.baseline - 0.8 * fontSize - (side - fontSize) / 2
      switch line.swatch {
      case .undefined:
        svg.empty(
          "rect",
          [
            "x": n(x), "y": n(top), "width": n(side), "height": n(side), "fill": "url(#\(hatchID))",
            "stroke": "#808080", "stroke-width": "0.5",
          ])
      case .bestMatch:
        svg.empty(
          "rect",
          [
            "x": n(x + 1), "y": n(top + 1), "width": n(side - 2), "height": n(side - 2), "fill": "none",
            "stroke": "#000000", "stroke-width": "2",
          ])
      }
      svg.element(
        "text", ["class": "legend", "x": n(x + side + HeatmapLayout.gap), "y": n(line.baseline)], content: line.text)
    }
    svg.close("g")
  }
}
