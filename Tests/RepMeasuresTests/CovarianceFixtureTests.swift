import Foundation
import RepMath
import RepMeasures
import Testing

/// The covariance-family measures against the reference values of `Fixtures/measures.json`
/// (tools/fixtures/make_measure_fixtures.py): computed from the Float32 inputs, they must agree with the reference's
/// `value_f32_inputs` to 1e-5 relative (1e-6 absolute near 0), and undefined values must be NaN with the same reason.
@Suite struct CovarianceFixtureTests {
  /// Every (case, id) of the fixture file whose id is a covariance-family measure.
  static func pairs() throws -> [MeasureFixturePair] {
    try MeasureFixtures.cases().flatMap { fixture in
      fixture.measures.keys.sorted().filter(CovarianceTesting.isCovarianceID).compactMap { id in
        fixture.expectation(for: id).map { MeasureFixturePair(fixture: fixture, id: id, expected: $0) }
      }
    }
  }

  @Test func everyCovarianceIDIsCovered() throws {
    let ids = Set(try Self.pairs().map(\.id))
    for name in CovarianceTesting.types.map({ $0.name }) {
      #expect(ids.contains { $0 == name || $0.hasPrefix(name + "(") }, "no fixture value for \(name)")
    }
    #expect(try Self.pairs().count >= 190)
  }

  @Test(arguments: try pairs())
  func agreesWithFixture(_ pair: MeasureFixturePair) throws {
    let measure = try #require(try CovarianceTesting.measure(pair.id))
    #expect(measure.id.description == pair.id, "canonical id")
    let result = try measure.similarity(pair.fixture.x, pair.fixture.y)
    #expect(pair.expected.matchesFloat32Path(result), "\(pair.testDescription): got \(result), \(pair.expected)")
  }

  /// The (case, id) pairs of the measures with a Gram form.
  static func gramPairs() throws -> [MeasureFixturePair] {
    try pairs().filter { $0.id == "cka" || $0.id == "cka.debiased" }
  }

  @Test("the n×n Gram form agrees with the fixture as the feature form does", arguments: try gramPairs())
  func gramFormAgreesWithFixture(_ pair: MeasureFixturePair) throws {
    let measure = try #require(try CovarianceTesting.measure(pair.id) as? any GramMeasure)
    let result = try measure.similarity(CenteredGram(pair.fixture.x), CenteredGram(pair.fixture.y))
    #expect(pair.expected.matchesFloat32Path(result), "\(pair.testDescription): got \(result), \(pair.expected)")
  }

  @Test(arguments: try MeasureFixtures.cases())
  func canonicalCorrelations(_ fixture: MeasureFixtureCase) throws {
    let statistics = CrossStatistics.accumulating(fixture.x, fixture.y)
    let (rho, reason) = try MeanCCA().canonicalCorrelations(statistics.x, statistics.y, cross: statistics.cross)
    guard let expected = fixture.canonicalCorrelationsF32Inputs else {
      #expect(rho.isEmpty)
      #expect(MeasureExpectation.reason(reason, matches: fixture.canonicalCorrelationsF32InputsReason),
              "\(fixture.name): \(reason ?? "no reason")")
      return
    }
    #expect(reason == nil)
    #expect(rho.count == expected.count, "\(fixture.name): k")
    for (got, want) in zip(rho, expected) {
      #expect(abs(got - want) <= max(1e-5 * want, 1e-6), "\(fixture.name): ρ = \(rho), expected \(expected)")
    }
  }

  // MARK: Golden values of the reference notes, by name

  /// A golden value: case, measure id, reference value (computed in Float64 on the Float64 inputs) and the tolerance
  /// it is checked to from the Float32 inputs.
  struct Golden: Sendable, CustomTestStringConvertible {
    var fixture: String
    var id: String
    var value: Double
    var tolerance: Double
    var swapped = false
    var testDescription: String { "\(fixture) · \(id)\(swapped ? " (Y, X)" : "")" }
  }

  /// contrasim-spec §2.9 (the ContraSim reference code, n = 10), similarity-measures §6E (closed form, n = 12) and
  /// §6A (the Kornblith et al. colab, printed to 5 decimals). Float32 inputs move the values by up to ~7e-7
  /// relative, so the 1e-5 relative tolerance of the fixtures applies (5e-6 + the same for the 5-decimal colab).
  static let goldens: [Golden] = [
    // contrasim-spec §2.9: X 10×4, Y 10×3, Y4 10×4
    Golden(fixture: "contrasim_golden", id: "cka", value: 0.357822668381637, tolerance: 1e-5),
    Golden(fixture: "contrasim_golden", id: "cka.debiased", value: 0.0366714307524963, tolerance: 1e-5),
    Golden(fixture: "contrasim_golden", id: "cca.mean", value: 0.6522298578384, tolerance: 1e-5),
    Golden(fixture: "contrasim_golden", id: "svcca.full", value: 0.6522298577491, tolerance: 1e-5),
    Golden(fixture: "contrasim_golden", id: "pwcca.contrasim", value: 0.614590923454779, tolerance: 1e-5,
           swapped: true),  // PWCCA(Y, X)
    Golden(fixture: "contrasim_golden_yx", id: "pwcca.contrasim", value: 0.614590923454779, tolerance: 1e-5),
    Golden(fixture: "contrasim_golden_y4", id: "pwcca.contrasim", value: 0.677516871529814, tolerance: 1e-5),
    Golden(fixture: "contrasim_golden_y4", id: "cca.mean", value: 0.684663750309423, tolerance: 1e-5),
    // similarity-measures §6E
    Golden(fixture: "closed_form_E", id: "cka", value: 0.3940991670760164, tolerance: 1e-5),
    Golden(fixture: "closed_form_E", id: "cka.debiased", value: 0.08371339083408356, tolerance: 1e-5),
    Golden(fixture: "closed_form_E", id: "cca.mean", value: 0.5187620700230284, tolerance: 1e-5),
    Golden(fixture: "closed_form_E", id: "cca.r2", value: 0.35893325804850973, tolerance: 1e-5),
    Golden(fixture: "closed_form_E", id: "procrustes", value: 1.017828204484373, tolerance: 1e-5),
    Golden(fixture: "closed_form_E", id: "procrustes.euclidean", value: 0.974458495884496, tolerance: 1e-5),
    // similarity-measures §6A (Kornblith et al. colab; 5 decimals)
    Golden(fixture: "kornblith_A", id: "cka", value: 0.55761, tolerance: 2e-5),
    Golden(fixture: "kornblith_A", id: "cka.debiased", value: 0.51346, tolerance: 2e-5),
    // centered; the colab's QR of the uncentered inputs gives 0.54312
    Golden(fixture: "kornblith_A", id: "cca.r2", value: 0.545396, tolerance: 2e-5),
  ]

  @Test(arguments: goldens)
  func goldenValue(_ golden: Golden) throws {
    let fixture = try MeasureFixtures.case(named: golden.fixture)
    let measure = try #require(try CovarianceTesting.measure(golden.id))
    let result = golden.swapped
      ? try measure.similarity(fixture.y, fixture.x) : try measure.similarity(fixture.x, fixture.y)
    #expect(result.isDefined)
    #expect(abs(result.value - golden.value) <= golden.tolerance * abs(golden.value),
            "\(golden.testDescription): \(result.value), golden \(golden.value)")
  }

  @Test func goldenCanonicalCorrelations() throws {
    for (name, golden) in [
      ("contrasim_golden", [0.94424023, 0.54807816, 0.46437118]),
      ("closed_form_E", [0.9432861064487624, 0.6325951893988776, 0.35250054815356224, 0.1466664360909117]),
    ] {
      let fixture = try MeasureFixtures.case(named: name)
      let statistics = CrossStatistics.accumulating(fixture.x, fixture.y)
      let (rho, _) = try MeanCCA().canonicalCorrelations(statistics.x, statistics.y, cross: statistics.cross)
      #expect(rho.count == golden.count)
      for (got, want) in zip(rho, golden) { #expect(abs(got - want) <= 1e-5 * want, "\(name): ρ \(rho)") }
    }
  }

  @Test func goldenNuclearNorm() throws {
    // similarity-measures §6E: ‖ÃᵀB̃‖_* = 0.5252153198992628, so procrustes = arccos of it.
    let fixture = try MeasureFixtures.case(named: "closed_form_E")
    let angle = try Procrustes().similarity(fixture.x, fixture.y).value
    #expect(abs(cos(angle) - 0.5252153198992628) <= 1e-5 * 0.5252153198992628)
  }
}

/// Ids, declared properties and parameters of the covariance-family measures, as docs/measures.md lists them.
@Suite struct CovarianceMeasureDeclarationTests {
  struct Declaration: Sendable, CustomTestStringConvertible {
    var measure: any StatisticsMeasure
    var id: String
    var largerIsMoreSimilar: Bool
    var isSymmetric: Bool
    var range: String
    var invariances: Set<Invariance>
    var testDescription: String { id }
  }

  static let declarations: [Declaration] = [
    Declaration(measure: LinearCKA(), id: "cka", largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
                invariances: [.orthogonal, .isotropicScaling, .translation, .rowPermutation]),
    Declaration(measure: DebiasedLinearCKA(), id: "cka.debiased", largerIsMoreSimilar: true, isSymmetric: true,
                range: "≤ 1, can be < 0", invariances: [.orthogonal, .isotropicScaling, .translation, .rowPermutation]),
    Declaration(measure: MeanCCA(), id: "cca.mean", largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
                invariances: [.invertibleLinear, .translation]),
    Declaration(measure: MeanSquaredCCA(), id: "cca.r2", largerIsMoreSimilar: true, isSymmetric: true,
                range: "[0, 1]", invariances: [.invertibleLinear, .translation]),
    Declaration(measure: SVCCA(), id: "svcca(var=0.99)", largerIsMoreSimilar: true, isSymmetric: true,
                range: "[0, 1]", invariances: [.orthogonal, .isotropicScaling, .translation]),
    Declaration(measure: SVCCA(.count(3)), id: "svcca(k=3)", largerIsMoreSimilar: true, isSymmetric: true,
                range: "[0, 1]", invariances: [.orthogonal, .isotropicScaling, .translation]),
    Declaration(measure: FullSVCCA(), id: "svcca.full", largerIsMoreSimilar: true, isSymmetric: true,
                range: "[0, 1]", invariances: [.invertibleLinear, .translation]),
    Declaration(measure: PWCCA(), id: "pwcca", largerIsMoreSimilar: true, isSymmetric: false, range: "[0, 1]",
                invariances: [.isotropicScaling, .translation]),
    Declaration(measure: ContraSimPWCCA(), id: "pwcca.contrasim", largerIsMoreSimilar: true, isSymmetric: false,
                range: "[0, 1]", invariances: [.isotropicScaling]),
    Declaration(measure: Procrustes(), id: "procrustes", largerIsMoreSimilar: false, isSymmetric: true,
                range: "[0, π/2]", invariances: [.orthogonal, .isotropicScaling, .translation]),
    Declaration(measure: EuclideanProcrustes(), id: "procrustes.euclidean", largerIsMoreSimilar: false,
                isSymmetric: true, range: "[0, √2]", invariances: [.orthogonal, .isotropicScaling, .translation]),
  ]

  @Test(arguments: declarations)
  func declares(_ declaration: Declaration) throws {
    let measure = declaration.measure
    #expect(measure.id.description == declaration.id)
    #expect(measure.properties.largerIsMoreSimilar == declaration.largerIsMoreSimilar)
    #expect(measure.properties.isSymmetric == declaration.isSymmetric)
    #expect(measure.properties.range == declaration.range)
    #expect(measure.properties.invariances == declaration.invariances)
    // The id reads back to an equal measure.
    let rebuilt = try #require(try CovarianceTesting.measure(declaration.id))
    #expect(rebuilt.id == measure.id)
  }

  @Test func svccaParameters() throws {
    func svcca(_ values: [String: String]) throws -> SVCCA {
      try SVCCA(parameters: MeasureParameters(measure: "svcca", values: values))
    }
    #expect(try svcca([:]).id.description == "svcca(var=0.99)")
    #expect(try svcca(["var": "0.95"]).id.description == "svcca(var=0.95)")
    #expect(try svcca(["var": "1"]).id.description == "svcca(var=1.0)")
    #expect(try svcca(["k": "5"]).id.description == "svcca(k=5)")
    #expect(try svcca(["k": "5"]).truncation == .count(5))
    for bad in [["var": "0"], ["var": "1.5"], ["var": "-0.1"], ["var": "most"], ["k": "0"], ["k": "2.5"],
                ["var": "0.9", "k": "3"]] {
      #expect(throws: MeasureError.self, "\(bad)") { try svcca(bad) }
    }
    #expect(SVCCA.parameterSpecs.map(\.name) == ["var", "k"])
  }

  @Test func svccaPreconditions() async {
    await #expect(processExitsWith: .failure) { _ = SVCCA(.varianceFraction(0)) }
    await #expect(processExitsWith: .failure) { _ = SVCCA(.count(0)) }
  }

  @Test func measuresWithoutParameters() throws {
    for type in CovarianceTesting.types where type.name != SVCCA.name {
      #expect(type.parameterSpecs.isEmpty, "\(type.name)")
      let measure = try type.init(parameters: MeasureParameters(measure: type.name, values: [:]))
      #expect(measure.id.description == type.name)
      #expect(!type.summary.isEmpty)
    }
  }
}
