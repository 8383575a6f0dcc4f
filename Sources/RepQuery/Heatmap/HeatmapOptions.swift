/// How `HeatmapSVG.render(_:options:)` draws a table. The defaults suit tables from 1×1 to a few hundred layers a side.
public struct HeatmapOptions: Sendable {
  /// Tables with at most this many rows and at most this many columns print their values in the cells by default.
  public static let maximumSideWithValues = 15

  /// The values the colour map spans.
  public var colourRange: ColourRange
  /// Whether each cell prints its value (3 significant digits); nil prints them when rows and columns are both at
  /// most `maximumSideWithValues`, where the text still fits a cell large enough to read. Values that would need a
  /// font under 5 px are left out even when asked for.
  public var showsValues: Bool?
  /// Whether the best cell of each row (largest value, or smallest for a distance) is outlined.
  public var highlightsBestMatches: Bool
  /// The title line; nil writes "MEASURE on N examples of SET".
  public var title: String?
  /// The colour bar's second caption line, what the values are; nil says which way is more similar.
  public var valueCaption: String?
  /// The legend's line for hatched (NaN) cells; nil writes "undefined (NaN)".
  public var undefinedLegend: String?

  public init(
    colourRange: ColourRange = .automatic, showsValues: Bool? = nil, highlightsBestMatches: Bool = true,
    title: String? = nil, valueCaption: String? = nil, undefinedLegend: String? = nil
  ) {
    self.colourRange = colourRange
    self.showsValues = showsValues
    self.highlightsBestMatches = highlightsBestMatches
    self.title = title
    self.valueCaption = valueCaption
    self.undefinedLegend = undefinedLegend
  }
}
