import Foundation

/// Numbers written for eyes rather than for data files: a few significant digits, so they fit in a heatmap cell or
/// beside a colour bar tick.
enum ShortNumber {
  /// `value` with `digits` significant digits in fixed notation ("0.987", "12.3", "0.0500"), or in exponent notation
  /// ("1.2e-05") below 0.001 and from 10⁶ up; "NaN", "inf" and "-inf" as such. With `trimmingZeros`, trailing zeros
  /// after the point go ("0.500" → "0.5", "1.00" → "1").
  static func text(_ value: Double, digits: Int = 3, trimmingZeros: Bool = false) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
    if value == 0 { return "0" }
    let exponent = Int(log10(abs(value)).rounded(.down))
    if exponent < -3 || exponent >= 6 { return String(format: "%.\(max(digits - 1, 0))e", value) }
    let text = String(format: "%.\(max(digits - 1 - exponent, 0))f", value)
    guard trimmingZeros, text.contains(".") else { return text }
    var trimmed = Substring(text)
    while trimmed.hasSuffix("0") { trimmed.removeLast() }
    if trimmed.hasSuffix(".") { trimmed.removeLast() }
    return trimmed == "-0" ? "0" : String(trimmed)
  }
}
