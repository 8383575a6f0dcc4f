import RepMath
import RepMeasures
import Testing

/// A measure undefined on every cell for one reason says what would work instead, and what it says does work.
@Suite struct RemedyTests {
  @Test(
    "the CCA family at n < 2·d: NaN 'n too small', and the suggested svcca(k=m) and cka are defined there",
    arguments: ["cca.mean", "cca.r2", "svcca(var=0.99)", "svcca.full", "pwcca", "pwcca.contrasim"])
  func smallSample(_ id: String) throws {
    var generator = SplitMix64(seed: 7)
    let (x, y) = CovarianceTesting.correlatedPair(rows: 30, 20, 24, using: &generator)
    let measure = try MeasureRegistry.make(MeasureID(parsing: id))
    let value = try measure.similarity(x, y)
    let reason = try #require(value.reason, "\(id) at n = 30, d = 20 and 24: \(value)")
    #expect(reason.hasPrefix("n too small"))
    // 2m ≤ n − 1: m = 14 at n = 30.
    let remedy = MeasureRegistry.remedy(for: measure.id, reason: reason, rowCount: 30)
    #expect(remedy == "svcca(k=14) or cka work with n < 2·d")
    for suggested in ["svcca(k=14)", "cka"] {
      #expect(try MeasureRegistry.make(MeasureID(parsing: suggested)).similarity(x, y).isDefined, "\(suggested)")
    }
    #expect(
      MeasureRegistry.remedy(for: measure.id, reason: reason, rowCount: 300) == "svcca(k=20) or cka work with n < 2·d")
  }

  @Test("no remedy for another reason, or from a measure that knows none")
  func noRemedy() throws {
    let small = "n too small: rank X + rank Y ≥ n, canonical correlations are trivially 1"
    #expect(
      MeasureRegistry.remedy(for: MeasureID(name: "pwcca"), reason: "constant representation", rowCount: 300) == nil)
    #expect(MeasureRegistry.remedy(for: MeasureID(name: "cka"), reason: small, rowCount: 300) == nil)
    #expect(MeasureRegistry.remedy(for: MeasureID(name: "contrasim"), reason: small, rowCount: 300) == nil)
  }
}
