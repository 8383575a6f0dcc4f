import Foundation
import RepMeasures

/// Which values a table's colour map spans.
public enum ColourRange: Sendable, Equatable {
  /// The measure's declared range when it is a bounded interval (cka's [0, 1], procrustes' [0, π/2]), widened to the
  /// table's finite values should rounding step outside it; the finite values alone otherwise. Colours then mean the
  /// same in every table of one measure.
  case automatic
  /// The table's smallest to largest finite value: the most contrast within one table.
  case data
  /// A range given by the caller, e.g. to compare several tables side by side; values outside take the end colours.
  case fixed(ClosedRange<Double>)
}

/// Maps a table's values to positions on a colour map: `lower` at 0, `upper` at 1, linear in between.
public struct ColourScale: Sendable, Equatable {
  public let lower: Double
  public let upper: Double

  /// A scale over `lower...upper`. An empty or reversed interval is widened by 0.5 on each side of its middle, so a
  /// table whose cells are all equal still gets a scale, drawn in the middle colour.
  public init(lower: Double, upper: Double) {
    precondition(lower.isFinite && upper.isFinite, "a colour scale needs finite ends")
    if upper > lower {
      (self.lower, self.upper) = (lower, upper)
    } else {
      let middle = (lower + upper) / 2
      (self.lower, self.upper) = (middle - 0.5, middle + 0.5)
    }
  }

  /// The scale `range` chooses for `table`. Only finite defined cells count; with none, and no declared range, 0...1.
  /// - Complexity: O(rows × columns).
  public init(for table: SimilarityTable, range: ColourRange) {
    let finite = table.values.joined().lazy.filter(\.isDefined).map(\.value).filter(\.isFinite)
    let data = finite.min().flatMap { low in finite.max().map { low...$0 } }
    switch range {
    case .fixed(let bounds):
      self.init(lower: bounds.lowerBound, upper: bounds.upperBound)
    case .data:
      self.init(lower: data?.lowerBound ?? 0, upper: data?.upperBound ?? 1)
    case .automatic:
      guard let declared = Self.interval(parsing: table.properties.range) else {
        self.init(lower: data?.lowerBound ?? 0, upper: data?.upperBound ?? 1)
        return
      }
      self.init(
        lower: min(declared.lowerBound, data?.lowerBound ?? .infinity),
        upper: max(declared.upperBound, data?.upperBound ?? -.infinity))
    }
  }

  /// Where `value` falls, 0 at `lower` and 1 at `upper`, clamped (infinities take the ends). NaN is a programmer error:
  /// undefined cells are drawn apart.
  public func position(of value: Double) -> Double {
    precondition(!value.isNaN, "NaN has no place on a colour scale")
    return min(max((value - lower) / (upper - lower), 0), 1)
  }

  /// Tick values for a colour bar: both ends, and the multiples of a 1-2-2.5-5 step in between that are not
  /// crowding an end (closer than 0.3 step), about `targetCount` in all.
  func ticks(targetCount: Int = 6) -> [Double] {
    let rough = (upper - lower) / Double(max(targetCount - 1, 1))
    let magnitude = pow(10, (log10(rough)).rounded(.down))
    let step = [1, 2, 2.5, 5].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
    let first = Int((lower / step).rounded(.up))
    let last = Int((upper / step).rounded(.down))
    let inner = first <= last ? (first...last).map { Double($0) * step } : []
    return [lower] + inner.filter { $0 > lower + 0.3 * step && $0 < upper - 0.3 * step } + [upper]
  }

  /// The interval in a declared range text such as "[0, 1]", "[−1, 1]", "[0, π/2]" or "[0, √2]"; nil for a text that
  /// is not a closed interval with two numeric ends ("ℝ", "≤ 1").
  static func interval(parsing text: String) -> ClosedRange<Double>? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
    let ends = trimmed.dropFirst().dropLast().split(separator: ",")
    guard ends.count == 2, let low = bound(ends[0]), let high = bound(ends[1]), low < high else { return nil }
    return low...high
  }

  /// One end of a range text: an optional sign, then a number, `π` or `√number`, optionally divided by a number.
  private static func bound(_ text: Substring) -> Double? {
    var body = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "−", with: "-")
    var sign = 1.0
    if body.hasPrefix("-") {
      sign = -1
      body.removeFirst()
    }
    let parts = body.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let numerator = term(parts[0]) else { return nil }
    guard parts.count == 2 else { return sign * numerator }
    guard let denominator = Double(parts[1]), denominator != 0 else { return nil }
    return sign * numerator / denominator
  }

  private static func term(_ text: Substring) -> Double? {
    if text == "π" { return .pi }
    if text.hasPrefix("√") { return Double(text.dropFirst()).map { $0.squareRoot() } }
    return Double(text)
  }
}
