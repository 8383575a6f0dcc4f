import Testing

@testable import RepQuery

/// Which projection names are derived from what they train on, and what a missing name's error suggests.
@Suite("Projection names") struct ProjectionNamesTests {
  static let derived = (0 ..< 16).map { "contrasim-" + String(repeating: "0", count: 15) + String($0, radix: 16) }

  @Test func derivedNames() {
    #expect(ProjectionNames.isDerived("contrasim-105c9b8d3f7ab814"))
    #expect(ProjectionNames.isDerived("contrasim.dist-0000000000000000"))
    #expect(ProjectionNames.isDerived("deepcka-ffffffffffffffff"))
    #expect(!ProjectionNames.isDerived("contrasim-105C9B8D3F7AB814"))
    #expect(!ProjectionNames.isDerived("contrasim-105c9b8d3f7ab81"))
    #expect(!ProjectionNames.isDerived("probe-105c9b8d3f7ab814"))
    #expect(!ProjectionNames.isDerived("para-L6"))
  }

  @Test("a name in the wrong case is suggested alone, not the sixteen derived names")
  func wrongCase() {
    let error = ProjectionNames.missing("para-l6", among: Self.derived + ["para-L5", "para-L6"])
    #expect(error.kind == .notFound)
    #expect(error.message == "no projection named 'para-l6'; did you mean 'para-L6'? (`repstore projections` lists the 18 stored)")
  }

  @Test("without a near name, the given names are listed and the derived ones counted")
  func listing() {
    #expect(ProjectionNames.missing("probe", among: Self.derived + ["para-L6"]).message
      == "no projection named 'probe' (stored: 'para-L6' and 16 auto-named; `repstore projections` lists the 17 stored)")
    #expect(ProjectionNames.missing("x", among: ["deepdot-0123456789abcdef"]).message
      == "no projection named 'x' (stored: 1 auto-named; `repstore projections` lists it)")
    #expect(ProjectionNames.missing("x", among: []).message == "no projection named 'x'; none is stored yet")
    let many = (1 ... 10).map { "p\($0)" }
    #expect(ProjectionNames.missing("zzzz", among: many).message
      == "no projection named 'zzzz' (stored: 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8' and 2 more; "
        + "`repstore projections` lists the 10 stored)")
  }
}
