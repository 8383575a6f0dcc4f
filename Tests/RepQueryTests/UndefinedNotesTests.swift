import RepMeasures
import Testing

@testable import RepQuery
@testable import RepStore

/// The note for measures whose every cell is NaN: once per reason, naming the measures, with the way out the
/// measure knows.
@Suite("Notes on undefined measures") struct UndefinedNotesTests {
  static let smallSample = "n too small: rank X + rank Y ≥ n, canonical correlations are trivially 1"

  /// A 2×2 table of `measure` on 300 examples, every cell `undefined` when given.
  static func table(_ measure: String, undefined: String? = nil) -> SimilarityTable {
    let side = [HeatmapFixtures.tensor("a", "L1"), HeatmapFixtures.tensor("a", "L2")]
    return SimilarityTable(
      measure: MeasureID(name: measure),
      properties: MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]", invariances: []),
      rows: side, columns: side,
      values: (0..<2).map { _ in (0..<2).map { _ in undefined.map { .undefined($0) } ?? MeasureValue(0.5) } },
      examples: "val", exampleCount: 300, seconds: 0)
  }

  @Test("every cell NaN for one reason the measure knows a way out of: one note for all such measures, that says it")
  func remedy() {
    let notes = UndefinedNotes.notes(for: [
      Self.table("pwcca", undefined: Self.smallSample), Self.table("cka"),
      Self.table("cca.mean", undefined: Self.smallSample),
    ])
    #expect(notes == ["pwcca, cca.mean: every cell is NaN (\(Self.smallSample)); svcca(k=20) or cka work with n < 2·d"])
  }

  @Test("another reason is said without a remedy; a table with one defined cell says nothing")
  func noRemedy() {
    #expect(UndefinedNotes.notes(for: [Self.table("cca.r2", undefined: "constant representation")])
      == ["cca.r2: every cell is NaN (constant representation)"])
    var partly = Self.table("cca.mean", undefined: Self.smallSample)
    partly.values[0][0] = MeasureValue(0.5)
    #expect(UndefinedNotes.notes(for: [partly]).isEmpty)
  }

  @Test("a benchmark's entries: the measures in order, grouped by reason, the reasons of each sorted")
  func benchmarkLines() {
    let lines = UndefinedNotes.lines(
      [
        .init(measure: MeasureID(name: "pwcca"), reasons: [Self.smallSample], rowCount: 8),
        .init(measure: MeasureID(name: "contrasim"), reasons: ["b", "a"], rowCount: 8),
        .init(measure: MeasureID(name: "svcca", parameters: ["var": "0.99"]), reasons: [Self.smallSample], rowCount: 8),
      ], what: "no decisions")
    #expect(lines == [
      "pwcca, svcca(var=0.99): no decisions (\(Self.smallSample)); svcca(k=3) or cka work with n < 2·d",
      "contrasim: no decisions (a; b)",
    ])
  }
}
