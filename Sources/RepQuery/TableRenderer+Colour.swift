import RepMeasures

/// Colour for the `table` text format: each number on a background of its value's viridis colour, the heatmap's map
/// and scale, so a terminal shows the same picture as `--heatmap`.
extension TableRenderer {
  /// Whether text written to this output should carry colour escapes: only on a terminal, never with `NO_COLOR` set
  /// to any value, even empty (no-color.org asks for non-empty; we are stricter) and never when `TERM=dumb`.
  public static func terminalWantsColour(isTTY: Bool, environment: [String: String]) -> Bool {
    isTTY && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
  }

  /// Control Sequence Introducer: `ESC [`.
  static let escape = "\u{1B}["
  static let reset = "\u{1B}[0m"

  /// `text` painted as `value`'s cell: its map colour as a 24-bit background and black or white text, whichever
  /// contrasts more, so it reads on dark and light terminals alike. NaN is dim text on the terminal's own background.
  static func paint(_ text: String, _ value: MeasureValue, scale: ColourScale) -> String {
    guard value.isDefined else { return escape + "2m" + text + reset }
    let background = ColourMap.viridis.colour(at: scale.position(of: value.value))
    return escape + "48;2;" + sgr(background) + ";38;2;" + sgr(background.contrastingText) + "m" + text + reset
  }

  /// A key for the colours: the scale's ends around a 24-step ramp of the map.
  static func colourKey(_ scale: ColourScale) -> String {
    let steps = 24
    let ramp = (0..<steps).map { step in
      escape + "48;2;" + sgr(ColourMap.viridis.colour(at: Double(step) / Double(steps - 1))) + "m "
    }
    return "colours: \(ShortNumber.text(scale.lower, trimmingZeros: true)) " + ramp.joined() + reset
      + " \(ShortNumber.text(scale.upper, trimmingZeros: true))"
  }

  /// `R;G;B` of an SGR 24-bit colour parameter.
  private static func sgr(_ colour: Colour) -> String {
    let (r, g, b) = colour.bytes
    return "\(r);\(g);\(b)"
  }
}
