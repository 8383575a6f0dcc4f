import Foundation
import RepFormats
import RepMath
import RepMeasures
import RepStore
import Testing

@testable import RepQuery

/// Counts a measure's calls, and can fail one of them (an interruption in the middle of a table).
final class CallCounter: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var calls = 0
  /// The call number (from 1) that throws, once.
  var failingCall: Int?

  struct Interrupted: Error {}

  func count() throws {
    lock.lock()
    defer { lock.unlock() }
    calls += 1
    if calls == failingCall {
      failingCall = nil
      throw Interrupted()
    }
  }
}

/// A whole-matrix measure whose value depends on its inputs (x₀₀ + 2·y₀₀) and that counts its calls.
struct CountingMeasure: SimilarityMeasure {
  let counter: CallCounter
  var id: MeasureID { MeasureID(name: "counting") }
  var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: false, range: "ℝ", invariances: [])
  }
  func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    try counter.count()
    return MeasureValue(Double(x.storage[0]) + 2 * Double(y.storage[0]))
  }
}

@Suite("Materialized tables") struct MaterializationTests {
  @Test("a second run reads the table back and makes no measure calls")
  func secondRunIsFree() throws {
    let fixture = try TableFixture(rows: 50, widths: [4, 4, 4], blockBytes: 400, seed: 21)
    let tensors = try fixture.tensors("m/*")
    let counter = CallCounter()
    var request = TableRequest(
      measures: [CountingMeasure(counter: counter), LinearCKA()], rows: tensors, columns: tensors)
    request.threads = 1
    let first = try TableMaterializer.run(request, statement: "sim counting,cka m/* m/*", in: fixture.store)
    #expect(counter.calls == 9)
    #expect(first.reused == [false, false] && first.tableIDs.allSatisfy { $0 != nil })
    let second = try TableMaterializer.run(request, statement: "sim counting,cka m/* m/*", in: fixture.store)
    #expect(counter.calls == 9, "no measure call the second time")
    #expect(second.reused == [true, true])
    #expect(second.tableIDs == first.tableIDs)
    for (a, b) in zip(first.tables, second.tables) { #expect(a.values == b.values) }
    // Stored and re-read through `repstore table N`'s path: the same cells.
    let id = try #require(first.tableIDs[1])
    #expect(try StoredTables.table(id: id, in: fixture.store)?.values == first.tables[1].values)
    // --recompute computes again and stores a new table.
    let again = try TableMaterializer.run(request, statement: "sim counting,cka m/* m/*", in: fixture.store,
                                          recompute: true)
    #expect(counter.calls == 18 && again.reused == [false, false] && again.tableIDs != first.tableIDs)
  }

  @Test("replacing a tensor invalidates exactly the tables that used it")
  func invalidation() throws {
    let fixture = try TableFixture(rows: 50, widths: [4, 4, 4], blockBytes: 400, seed: 22)
    let counter = CallCounter()
    let measure = CountingMeasure(counter: counter)
    let usesL0 = TableRequest(
      measures: [measure], rows: try fixture.tensors("m/L0"), columns: try fixture.tensors("m/L1"))
    let withoutL0 = TableRequest(
      measures: [measure], rows: try fixture.tensors("m/L1"), columns: try fixture.tensors("m/L2"))
    _ = try TableMaterializer.run(usesL0, statement: "a", in: fixture.store)
    _ = try TableMaterializer.run(withoutL0, statement: "b", in: fixture.store)
    #expect(counter.calls == 2)

    // Re-import L0 with other values.
    let path = fixture.folder + "/L0-new.npy"
    var bytes = NpyHeader.float32(shape: [50, 4])
    [Float](repeating: 3, count: 200).withUnsafeBytes { bytes.append(contentsOf: $0) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    var options = ImportOptions()
    options.replace = true
    _ = try Store.importDumps(
      [ImportSource(path: path, model: "m", layer: "L0", exampleSet: "default")], intoStoreAt: fixture.store.path,
      options: options)
    let store = try Store.open(at: fixture.store.path)
    #expect(try store.resultTables().map(\.isStale) == [true, false])

    let rerunL0 = TableRequest(measures: [measure], rows: try store.tensors(matching: .parse("m/L0")),
                               columns: try store.tensors(matching: .parse("m/L1")))
    let recomputed = try TableMaterializer.run(rerunL0, statement: "a", in: store)
    let rerunOther = TableRequest(measures: [measure], rows: try store.tensors(matching: .parse("m/L1")),
                                  columns: try store.tensors(matching: .parse("m/L2")))
    let kept = try TableMaterializer.run(rerunOther, statement: "b", in: store)
    #expect(recomputed.reused == [false] && kept.reused == [true])
    #expect(counter.calls == 3)
    #expect(recomputed.tables[0].values[0][0].value == 3 + 2 * Double(fixture.matrices["L1"]!.storage[0]))
  }

  @Test("an interrupted table keeps its computed cells and the next run computes only the rest")
  func resume() throws {
    let fixture = try TableFixture(rows: 40, widths: [3, 3, 3, 3], blockBytes: 400, seed: 23)
    let tensors = try fixture.tensors("m/*")
    let counter = CallCounter()
    counter.failingCall = 7
    var request = TableRequest(measures: [CountingMeasure(counter: counter)], rows: tensors, columns: tensors)
    request.threads = 1
    #expect(throws: CallCounter.Interrupted.self) {
      try TableMaterializer.run(request, statement: "sim counting m/* m/*", in: fixture.store)
    }
    let partial = try #require(try fixture.store.resultTables().first)
    #expect(partial.storedCellCount == 6 && !partial.header.isComplete)
    let resumed = try TableMaterializer.run(request, statement: "sim counting m/* m/*", in: fixture.store)
    #expect(counter.calls == 7 + 10, "16 cells: 6 kept, the failed one and 9 more computed")
    #expect(resumed.resumed == [true] && resumed.tableIDs[0] == partial.header.id)
    let full = try TableExecutor.run(request, in: fixture.store)[0]
    #expect(resumed.tables[0].values == full.values)
    #expect(try fixture.store.resultTables().first?.header.isComplete == true)
  }

  @Test("a table stopped by its interruption check keeps the cells before it, and the next run completes it")
  func stoppedByInterruptionCheck() throws {
    let fixture = try TableFixture(rows: 40, widths: [3, 3, 3], blockBytes: 400, seed: 24)
    let tensors = try fixture.tensors("m/*")
    let counter = CallCounter()
    var request = TableRequest(measures: [CountingMeasure(counter: counter)], rows: tensors, columns: tensors)
    request.threads = 1
    // As Ctrl-C would: the check before the fourth cell throws.
    request.checkInterruption = { if counter.calls == 3 { throw CallCounter.Interrupted() } }
    #expect(throws: CallCounter.Interrupted.self) {
      try TableMaterializer.run(request, statement: "sim counting m/* m/*", in: fixture.store)
    }
    let partial = try #require(try fixture.store.resultTables().first)
    #expect(partial.storedCellCount == 3 && !partial.header.isComplete)
    request.checkInterruption = {}
    let resumed = try TableMaterializer.run(request, statement: "sim counting m/* m/*", in: fixture.store)
    #expect(counter.calls == 9 && resumed.resumed == [true], "3 cells kept, 6 computed")
  }
}
