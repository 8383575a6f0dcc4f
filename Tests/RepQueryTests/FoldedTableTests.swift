import Foundation
import RepMeasures
import RepStore
import Testing

@testable import RepQuery

/// Tables of cross-validated measures (`FoldedStatisticsMeasure`: ridge), which stream per-fold statistics.
@Suite("Tables of per-fold statistics measures") struct FoldedTableTests {
  @Test("measures with the same folds share one pass; other fold counts take their own")
  func passesPerFoldCount() throws {
    let fixture = try TableFixture(rows: 300, widths: [6, 5, 7], blockBytes: 200, seed: 21)
    let tensors = try fixture.tensors("m/*")
    let spy = ProgressSpy()
    let measures = try MeasureRegistry.make(
      list: "ridge,ridge(score=pearson),cka,ridge(folds=3),ridge(penalty=absolute,alpha=1.0)")
    let tables = try TableExecutor.run(TableRequest(measures: measures, rows: tensors, columns: tensors), in: fixture.store,
                                       progress: spy)
    #expect(spy.labels == ["statistics", "fold statistics", "fold statistics"])
    #expect(tables.map(\.measure.description) == measures.map(\.id.description))
    for table in tables where table.measure.name == "ridge" {
      #expect(table.route == nil)
      // Asymmetric: predicting L1 from L0 is not predicting L0 from L1, and each cell is its own computation.
      #expect(abs(table.values[0][1].value - table.values[1][0].value) > 1e-4, "\(table.measure)")
      for row in table.values { #expect(row.allSatisfy { $0.isDefined }, "\(table.measure)") }
    }
  }

  @Test("explain shows the folds route with the memory of K sets of statistics")
  func explainText() throws {
    let fixture = try TableFixture(rows: 50, widths: [4, 4, 4], blockBytes: 400, seed: 3)
    let text = try PlanTests.explain("explain sim ridge,cka,ridge(folds=10) m/* m/*", in: fixture.store)
    // 5 folds × (3 layers' 4×4 and 3 pairs' 4×4 Float64s, 768 B) + a 2,048-row chunk of every layer (98,304 B) and
    // its Float64 copy (twice that).
    #expect(text.hasSuffix("""
      route features (cka): 1 pass, reads 2.40 KB, holds 99.1 KB
      route folds (ridge): 1 pass, reads 2.40 KB, holds 299 KB
      route folds (ridge(folds=10)): 1 pass, reads 2.40 KB, holds 303 KB

      """))
  }
}
