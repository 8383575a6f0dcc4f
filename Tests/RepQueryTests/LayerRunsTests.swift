import Testing

@testable import RepQuery

/// How `repstore projections` writes the layers a projection trained on: runs of three or more as selector ranges.
@Suite("Layer runs") struct LayerRunsTests {
  @Test(arguments: [
    ([String](), ""),
    (["L1", "L2"], "L1 L2"),
    (["L1", "L2", "L3", "L4", "L5", "L6", "out"], "L1..L6 out"),
    (["emb", "L1", "L2", "L3", "L5", "L6"], "emb L1..L3 L5 L6"),
    (["h1.out", "h2.out", "h3.out", "h3.in"], "h1.out..h3.out h3.in"),
    (["L01", "L02", "L03"], "L01 L02 L03"),
    (["L9", "L10", "L11"], "L9..L11"),
    (["a", "b"], "a b"),
  ])
  func compact(names: [String], text: String) {
    #expect(LayerRuns.compact(names) == text)
  }
}
