import Foundation
import RepMath
import Testing

/// The shared loader of `measures.json` reads every case with its matrices and expectations.
@Suite struct FixtureLoaderTests {
  @Test func loadsEveryCase() throws {
    let cases = try MeasureFixtures.cases()
    #expect(cases.count == 16)
    for fixture in cases {
      #expect(fixture.x.rows == fixture.rowCount && fixture.x.columns == fixture.xColumnCount, "\(fixture.name)")
      #expect(fixture.y.rows == fixture.rowCount && fixture.y.columns == fixture.yColumnCount, "\(fixture.name)")
      #expect(!fixture.measures.isEmpty, "\(fixture.name)")
    }
  }

  @Test func readsValuesReasonsAndGoldens() throws {
    let golden = try MeasureFixtures.case(named: "contrasim_golden")
    #expect(golden.x[1, 2] == Float(Double(3 * 2).sin))
    #expect(golden.expectation(for: "cka")?.value == 0.357822668381637)
    #expect(golden.expectation(for: "pwcca.contrasim")?.reason == "first input wider than the second")
    #expect(golden.asserted["canonical_correlations"]?.reference == [0.94424023, 0.54807816, 0.46437118])
    let constant = try MeasureFixtures.case(named: "constant_x")
    #expect(constant.canonicalCorrelations == nil)
    #expect(constant.canonicalCorrelationsReason == "constant representation")
    #expect(try MeasureFixtures.case(named: "closed_form_E").float64Only == ["mknn(k=3)"])
  }
}

extension Double {
  fileprivate var sin: Double { Foundation.sin(self) }
}
