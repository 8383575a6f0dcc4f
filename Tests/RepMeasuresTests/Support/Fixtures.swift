import Foundation
import RepMath
import RepMeasures
import Testing

/// The golden measure values of `Fixtures/measures.json`, made by `tools/fixtures/make_measure_fixtures.py` (see
/// `tools/fixtures/README.md` for every field and case). Shared by every RepMeasures test file: load it here, never
/// parse the JSON again elsewhere.
///
/// ```swift
/// @Test(arguments: try MeasureFixtures.cases())
/// func agreesWithFixture(_ fixture: MeasureFixtureCase) throws {
///   guard let expected = fixture.expectation(for: "cka") else { return }
///   let value = try LinearCKA().similarity(fixture.x, fixture.y)
///   #expect(expected.matchesFloat32Path(value), "\(fixture.name): cka = \(value), \(expected)")
/// }
/// ```
///
/// The inputs come as `Matrix` (Float32, the rounding numpy's `astype(float32)` makes), which is what the
/// expectations' `valueF32Inputs` were computed from (in Float64). The Float64 inputs are kept as `xFloat64`/`yFloat64`.
enum MeasureFixtures {
  /// Every case of `measures.json`, in file order. Loaded once.
  /// - Throws: when the resource is missing or does not decode (the message names the file).
  static func cases() throws -> [MeasureFixtureCase] {
    try loaded.get()
  }

  /// The case called `name` (e.g. `"contrasim_golden"`).
  /// - Throws: `FixtureError` when there is no such case.
  static func `case`(named name: String) throws -> MeasureFixtureCase {
    guard let found = try cases().first(where: { $0.name == name }) else {
      throw FixtureError(message: "measures.json has no case '\(name)'")
    }
    return found
  }

  /// Every (case, measure id) pair for the given ids where the case lists the id (omitted ids are absent), for
  /// `@Test(arguments:)`.
  static func pairs(for ids: [String]) throws -> [MeasureFixturePair] {
    try cases().flatMap { fixture in
      ids.compactMap { id in fixture.expectation(for: id).map { MeasureFixturePair(fixture: fixture, id: id, expected: $0) } }
    }
  }

  private static let loaded: Result<[MeasureFixtureCase], FixtureError> = Result {
    guard let url = Bundle.module.url(forResource: "measures", withExtension: "json", subdirectory: "Fixtures") else {
      throw FixtureError(message: "Fixtures/measures.json is not in the test bundle")
    }
    do {
      let data = try Data(contentsOf: url)
      return try JSONDecoder().decode([RawCase].self, from: data).map(MeasureFixtureCase.init)
    } catch {
      throw FixtureError(message: "Fixtures/measures.json: \(error)")
    }
  }.mapError { $0 as? FixtureError ?? FixtureError(message: "\($0)") }
}

/// A fixture file that cannot be read or lacks what a test asked for.
struct FixtureError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// One case of `measures.json`: the two inputs and, per canonical measure id, what the reference computed.
struct MeasureFixtureCase: Sendable, CustomTestStringConvertible {
  /// The case name (`contrasim_golden`, `realistic_relu`, …), unique in the file.
  let name: String
  /// What the case is and what it exercises.
  let description: String
  /// Rows n and the widths d₁ of X, d₂ of Y.
  let rowCount: Int
  let xColumnCount: Int
  let yColumnCount: Int
  /// X (n×d₁) and Y (n×d₂) rounded to Float32: the inputs of every `valueF32Inputs`.
  let x: Matrix
  let y: Matrix
  /// X and Y exactly as stored (Float64): the inputs of every `value`.
  let xFloat64: DoubleMatrix
  let yFloat64: DoubleMatrix
  /// Canonical id (`svcca(var=0.99)`, `cka.rbf(threshold=1.0)`) to its expected values.
  let measures: [String: MeasureExpectation]
  /// ρ₁ ≥ … ≥ ρ_k on the Float64 inputs, or nil with `canonicalCorrelationsReason`.
  let canonicalCorrelations: [Double]?
  let canonicalCorrelationsReason: String?
  /// ρ₁ ≥ … ≥ ρ_k on the Float32-rounded inputs, or nil with `canonicalCorrelationsF32InputsReason`.
  let canonicalCorrelationsF32Inputs: [Double]?
  let canonicalCorrelationsF32InputsReason: String?
  /// Ids a Float32 path cannot be expected to match (mknn with neighbour margins below 1e-3).
  let float64Only: Set<String>
  /// Ids left out of this case, with the reason.
  let omitted: [String: String]
  /// The golden values this case was checked against (key: measure id, or `canonical_correlations`,
  /// `nuclear_norm`), each as a list (one element for a scalar).
  let asserted: [String: AssertedValue]

  /// The expectation for `id` (canonical spelling, e.g. `"svcca(var=0.99)"`), or nil when the case does not list it.
  func expectation(for id: String) -> MeasureExpectation? { measures[id] }

  var testDescription: String { name }
}

/// A golden value the fixture script asserted, with its tolerance and source.
struct AssertedValue: Sendable {
  /// The reference value(s): one element for a scalar, ρ₁ … ρ_k for canonical correlations.
  let reference: [Double]
  let tolerance: Double
  let source: String
}

/// What the fixture script computed for one measure on one case.
struct MeasureExpectation: Sendable, CustomStringConvertible {
  /// The measure on the Float64 inputs; nil when undefined (NaN), with `reason`.
  let value: Double?
  let reason: String?
  /// The measure (computed in Float64) on the inputs rounded to Float32; nil when undefined, with `reasonF32Inputs`.
  let valueF32Inputs: Double?
  let reasonF32Inputs: String?
  /// Max |change| of `value` over 4 random relative perturbations of the inputs by ≤ 2⁻²⁴; nil when undefined or
  /// absent.
  let perturbationSensitivity: Double?
  /// Set when Float32 rounding of the inputs changes whether the measure is defined.
  let note: String?

  /// The default tolerance for the Float32 data path: 1e-5 relative, 1e-6 absolute near zero.
  static let relativeTolerance = 1e-5
  static let absoluteTolerance = 1e-6

  /// Whether `result`, computed from the Float32 inputs, agrees with `valueF32Inputs`: |Δ| ≤ max(rel·|expected|, abs)
  /// for a defined value; for an undefined one, NaN with a reason that starts with the fixture's reason (measures
  /// may add detail after it, e.g. "n too small: rank X + rank Y ≥ n, …").
  func matchesFloat32Path(
    _ result: MeasureValue, relativeTolerance: Double = relativeTolerance, absoluteTolerance: Double = absoluteTolerance
  ) -> Bool {
    Self.matches(result, valueF32Inputs, reasonF32Inputs, relativeTolerance, absoluteTolerance)
  }

  /// As `matchesFloat32Path(_:)`, against the Float64-input `value` (for a Float64 computation).
  func matchesFloat64Path(
    _ result: MeasureValue, relativeTolerance: Double = 1e-6, absoluteTolerance: Double = 1e-9
  ) -> Bool {
    Self.matches(result, value, reason, relativeTolerance, absoluteTolerance)
  }

  /// Whether `actual` means the same as the fixture's `expected` reason: it starts with it.
  static func reason(_ actual: String?, matches expected: String?) -> Bool {
    guard let expected else { return actual == nil }
    return actual?.hasPrefix(expected) ?? false
  }

  private static func matches(
    _ result: MeasureValue, _ expected: Double?, _ expectedReason: String?, _ relative: Double, _ absolute: Double
  ) -> Bool {
    guard let expected else { return result.value.isNaN && reason(result.reason, matches: expectedReason) }
    guard result.reason == nil, result.value.isFinite else { return false }
    return abs(result.value - expected) <= max(relative * abs(expected), absolute)
  }

  var description: String {
    let f64 = value.map { "\($0)" } ?? "NaN (\(reason ?? "?"))"
    let f32 = valueF32Inputs.map { "\($0)" } ?? "NaN (\(reasonF32Inputs ?? "?"))"
    return "expected \(f32) on Float32 inputs, \(f64) on Float64 inputs"
  }
}

/// A (case, measure id) pair for parameterized tests.
struct MeasureFixturePair: Sendable, CustomTestStringConvertible {
  let fixture: MeasureFixtureCase
  let id: String
  let expected: MeasureExpectation
  var testDescription: String { "\(fixture.name) · \(id)" }
}

// MARK: - Decoding

private struct RawCase: Decodable {
  var name: String
  var description: String
  var n: Int
  var d1: Int
  var d2: Int
  var X: [[Double]]
  var Y: [[Double]]
  var measures: [String: RawEntry]
  var canonical_correlations: [Double]?
  var canonical_correlations_reason: String?
  var canonical_correlations_f32_inputs: [Double]?
  var canonical_correlations_f32_inputs_reason: String?
  var float64_only: [String]?
  var omitted: [String: String]?
  var asserted: [String: RawAsserted]?
}

private struct RawEntry: Decodable {
  var value: Double?
  var value_f32_inputs: Double?
  var reason: String?
  var reason_f32_inputs: String?
  var note: String?
  var perturbation_sensitivity: Double?

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    value = try c.decodeIfPresent(Double.self, forKey: .value)
    value_f32_inputs = try c.decodeIfPresent(Double.self, forKey: .value_f32_inputs)
    reason = try c.decodeIfPresent(String.self, forKey: .reason)
    reason_f32_inputs = try c.decodeIfPresent(String.self, forKey: .reason_f32_inputs)
    note = try c.decodeIfPresent(String.self, forKey: .note)
    // A number, or "undefined" when a perturbed value was NaN.
    perturbation_sensitivity = try? c.decodeIfPresent(Double.self, forKey: .perturbation_sensitivity)
  }

  enum Key: String, CodingKey {
    case value, value_f32_inputs, reason, reason_f32_inputs, note, perturbation_sensitivity
  }
}

private struct RawAsserted: Decodable {
  var reference: [Double]
  var tolerance: Double
  var source: String

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    if let scalar = try? c.decode(Double.self, forKey: .reference) {
      reference = [scalar]
    } else {
      reference = try c.decode([Double].self, forKey: .reference)
    }
    tolerance = try c.decode(Double.self, forKey: .tolerance)
    source = try c.decode(String.self, forKey: .source)
  }

  enum Key: String, CodingKey { case reference, tolerance, source }
}

extension MeasureFixtureCase {
  fileprivate init(_ raw: RawCase) throws {
    func matrix(_ rows: [[Double]], _ label: String, columns: Int) throws -> DoubleMatrix {
      guard rows.count == raw.n, rows.allSatisfy({ $0.count == columns }) else {
        throw FixtureError(message: "measures.json: case \(raw.name): \(label) is not \(raw.n)×\(columns)")
      }
      return DoubleMatrix(rows: raw.n, columns: columns, storage: rows.flatMap { $0 })
    }
    name = raw.name
    description = raw.description
    rowCount = raw.n
    xColumnCount = raw.d1
    yColumnCount = raw.d2
    xFloat64 = try matrix(raw.X, "X", columns: raw.d1)
    yFloat64 = try matrix(raw.Y, "Y", columns: raw.d2)
    x = Matrix(xFloat64)
    y = Matrix(yFloat64)
    measures = raw.measures.mapValues {
      MeasureExpectation(
        value: $0.value, reason: $0.reason, valueF32Inputs: $0.value_f32_inputs, reasonF32Inputs: $0.reason_f32_inputs,
        perturbationSensitivity: $0.perturbation_sensitivity, note: $0.note)
    }
    canonicalCorrelations = raw.canonical_correlations
    canonicalCorrelationsReason = raw.canonical_correlations_reason
    canonicalCorrelationsF32Inputs = raw.canonical_correlations_f32_inputs
    canonicalCorrelationsF32InputsReason = raw.canonical_correlations_f32_inputs_reason
    float64Only = Set(raw.float64_only ?? [])
    omitted = raw.omitted ?? [:]
    asserted = (raw.asserted ?? [:]).mapValues {
      AssertedValue(reference: $0.reference, tolerance: $0.tolerance, source: $0.source)
    }
  }
}
