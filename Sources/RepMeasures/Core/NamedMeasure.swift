import Foundation

/// A parameter a measure accepts in its id, e.g. `threshold` in `cka.rbf(threshold=0.5)`.
public struct ParameterSpec: Sendable {
  public var name: String
  /// The default, as it prints in a canonical id.
  public var defaultValue: String
  public var help: String

  public init(_ name: String, default defaultValue: String, _ help: String) {
    self.name = name
    self.defaultValue = defaultValue
    self.help = help
  }
}

/// A measure the registry can build from an id: its name, a one-line definition, its parameters.
public protocol NamedMeasure: SimilarityMeasure {
  /// The dotted name without parameters ("cka.rbf").
  static var name: String { get }
  /// One line: the definition and the convention it follows.
  static var summary: String { get }
  static var parameterSpecs: [ParameterSpec] { get }
  /// Builds the measure from an id's parameters (already checked to be among `parameterSpecs`; missing ones absent).
  /// - Throws: `MeasureError.badParameter` for a value out of range.
  init(parameters: MeasureParameters) throws
}

extension NamedMeasure {
  public static var parameterSpecs: [ParameterSpec] { [] }
}

/// A named measure that takes no parameters, so its id is its name alone and an id builds it with `init()`.
public protocol ParameterlessMeasure: NamedMeasure {
  init()
}

extension ParameterlessMeasure {
  public var id: MeasureID { MeasureID(name: Self.name) }
  public init(parameters: MeasureParameters) throws { self.init() }
}

/// The parameters of one id, with typed, checked accessors that fall back to the declared defaults.
public struct MeasureParameters: Sendable {
  public var measure: String
  public var values: [String: String]

  public init(measure: String, values: [String: String]) {
    self.measure = measure
    self.values = values
  }

  /// A real parameter within `range`.
  public func double(_ name: String, default fallback: Double, in range: ClosedRange<Double>) throws -> Double {
    guard let text = values[name] else { return fallback }
    guard let value = Double(text), range.contains(value) else {
      throw MeasureError.badParameter(measure: measure, parameter: name, message: "'\(text)' is not a number in \(range)")
    }
    return value
  }

  /// An integer parameter within `range`.
  public func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
    guard let text = values[name] else { return fallback }
    guard let value = Int(text), range.contains(value) else {
      throw MeasureError.badParameter(measure: measure, parameter: name, message: "'\(text)' is not an integer in \(range)")
    }
    return value
  }

  /// One of a fixed set of words.
  public func choice(_ name: String, default fallback: String, among choices: [String]) throws -> String {
    guard let text = values[name] else { return fallback }
    guard choices.contains(text) else {
      throw MeasureError.badParameter(
        measure: measure, parameter: name, message: "'\(text)' is not one of \(choices.joined(separator: ", "))")
    }
    return text
  }

  public func has(_ name: String) -> Bool { values[name] != nil }
}

/// Formats a Double for a canonical id: shortest text that reads back to the same value ("0.5", "1.0").
public func canonicalNumber(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)"
}
