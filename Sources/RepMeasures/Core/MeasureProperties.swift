/// Transformations a measure's value does not change under (applied to one or both inputs as stated).
public enum Invariance: String, Sendable, CaseIterable, Comparable {
  /// X → XQ for orthogonal Q (either side).
  case orthogonal
  /// X → cX for c > 0 (either side).
  case isotropicScaling = "isotropic-scaling"
  /// X → X + 1bᵀ (either side).
  case translation
  /// X → XA for invertible A (either side).
  case invertibleLinear = "invertible-linear"
  /// The same row permutation applied to both sides.
  case rowPermutation = "row-permutation"
  /// Each row multiplied by its own positive factor.
  case rowScaling = "row-scaling"
  /// The same orthogonal map applied to both sides (not each side separately).
  case jointOrthogonal = "joint-orthogonal"
  /// X → XP for a permutation P of the units (columns), either side.
  case unitPermutation = "unit-permutation"

  public static func < (a: Invariance, b: Invariance) -> Bool { a.rawValue < b.rawValue }
}

/// What a measure declares about itself; each declared invariance has a test that applies it.
public struct MeasureProperties: Sendable, Equatable {
  /// True when larger values mean more similar; false for distances.
  public var largerIsMoreSimilar: Bool
  public var isSymmetric: Bool
  /// The range of values on inputs where the measure is defined, as text ("[0, 1]", "[0, π/2]", "ℝ").
  public var range: String
  public var invariances: Set<Invariance>

  public init(largerIsMoreSimilar: Bool, isSymmetric: Bool, range: String, invariances: Set<Invariance>) {
    self.largerIsMoreSimilar = largerIsMoreSimilar
    self.isSymmetric = isSymmetric
    self.range = range
    self.invariances = invariances
  }
}

/// A measure's value: a number, or NaN with the reason it is undefined for these inputs.
public struct MeasureValue: Sendable, Equatable, CustomStringConvertible {
  public var value: Double
  /// Why the value is NaN; nil for a defined value.
  public var reason: String?

  public init(_ value: Double) {
    self.value = value
    reason = nil
  }

  public static func undefined(_ reason: String) -> MeasureValue {
    var result = MeasureValue(.nan)
    result.reason = reason
    return result
  }

  public var isDefined: Bool { reason == nil && !value.isNaN }
  public var description: String { reason.map { "NaN (\($0))" } ?? "\(value)" }
}
