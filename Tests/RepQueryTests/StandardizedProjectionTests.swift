import Foundation
import RepLearning
import RepMath
import RepMeasures
import RepStore
import Testing

@testable import RepQuery

/// A projection trained on standardized inputs is compared through the same transform: each side's rows standardized by
/// the statistics of the whole stored tensor they come from, whichever rows (a subset) are compared and whichever
/// route (streamed chunks or whole matrices) the measure takes.
@Suite("Standardized projections")
struct StandardizedProjectionTests {
  static func projection(_ standardization: Projection.InputStandardization) -> Projection {
    var projection = Projection(widths: [6], hidden: [16], outputDimension: 8, seed: 4)
    projection.inputStandardization = standardization
    return projection
  }

  @Test("sim through a standardized projection: tensor statistics over all rows, applied to the compared rows")
  func tableMatchesTheTransform() throws {
    let fixture = try TableFixture(rows: 300, widths: [6, 6], blockBytes: 1_000, seed: 8)
    defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
    let (l0, l1) = (fixture.matrices["L0"]!, fixture.matrices["L1"]!)
    let compared = Array(40 ..< 90)
    for standardization in [Projection.InputStandardization.perTensor, .none] {
      let projection = Self.projection(standardization)
      let prepare = { (x: Matrix) in
        let rows = x.selectingRows(compared)
        return standardization == .perTensor ? ColumnStandardization(x).apply(rows) : rows
      }
      let (a, b) = (try projection.encode(prepare(l0)), try projection.encode(prepare(l1)))
      let measures: [any SimilarityMeasure] = [
        ProjectedSimilarity(form: .contrasim, projectionName: "p", projection: projection, contentIdentity: "1"),
        ProjectedCKA(projectionName: "p", projection: projection, contentIdentity: "1"),
      ]
      var request = TableRequest(
        measures: measures, rows: try fixture.tensors("m/L0"), columns: try fixture.tensors("m/L1"))
      request.subset = .rows(lowerBound: 40, upperBound: 90)
      request.chunkRows = 16
      let tables = try TableExecutor.run(request, in: fixture.store)
      let expected = [EncodedSimilarity.contrasim(a, b), EncodedSimilarity.deepCKA(a, b)]
      for (table, value) in zip(tables, expected) {
        let cell = table.values[0][0].value
        #expect(abs(cell - value) <= 1e-5 * max(1, abs(value)),
                "\(standardization) \(table.measure): \(cell) vs \(value)")
      }
    }
    // The two transforms give different scores here, so the comparison above tells them apart.
    let raw = try Self.projection(.none).similarity(l0.selectingRows(compared), l1.selectingRows(compared))
    let standardized = try Self.projection(.none).similarity(
      ColumnStandardization(l0).apply(l0.selectingRows(compared)),
      ColumnStandardization(l1).apply(l1.selectingRows(compared)))
    #expect(abs(raw - standardized) > 0.05, "raw \(raw), standardized \(standardized)")
  }

  @Test("a stored projection says how it was trained; one stored before standardization existed reads as raw")
  func storedStandardization() throws {
    func stored(_ options: String) -> StoredProjection {
      StoredProjection(
        name: "p", kind: "contrasim", statement: "train contrasim p on a b", optionsJSON: options, trainedOnJSON: "{}",
        losses: [], seconds: 0, layers: Self.projection(.none).storedLayers)
    }
    let perTensor = try Projection(stored("{\"epochs\": 3, \"standardize\": \"per-tensor\"}"))
    #expect(perTensor.inputStandardization == .perTensor)
    #expect(try Projection(stored("{\"epochs\": 3, \"standardize\": \"none\"}")).inputStandardization == .none)
    #expect(try Projection(stored("{\"epochs\": 3}")).inputStandardization == .none)
    #expect(throws: QueryError.self) { try Projection(stored("{\"standardize\": \"per-row\"}")) }
  }
}
