import Testing

@testable import RepMeasures

/// What the registry says about a measure it does not know.
@Suite struct RegistryTests {
  @Test("an unknown measure suggests near names; one that differs only in case is the only suggestion")
  func suggestions() throws {
    #expect(MeasureRegistry.suggestions(for: "CKA") == ["cka"])
    #expect(MeasureRegistry.suggestions(for: "Cka.Debiased") == ["cka.debiased"])
    #expect(MeasureRegistry.suggestions(for: "ckaa") == ["cka", "cknna"])
    #expect(MeasureRegistry.suggestions(for: "CKAA").first == "cka")
    #expect(MeasureRegistry.suggestions(for: "xyz").isEmpty)
    #expect(throws: MeasureError.unknownMeasure("CKA", suggestions: ["cka"])) {
      _ = try MeasureRegistry.make(MeasureID(parsing: "CKA"))
    }
    let error = MeasureError.unknownMeasure("CKA", suggestions: ["cka"])
    #expect("\(error)" == "unknown measure 'CKA'; did you mean cka? (`repstore measures` lists them)")
  }
}
