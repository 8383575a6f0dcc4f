import Foundation
import GRDB
import Testing

@testable import RepStore

/// The catalog is checked like the blocks: an edit to any row a result depends on is reported by `verify` (naming the
/// object) and refused when that object is read; random damage to the catalog file never changes a result silently.
@Suite("Catalog digests")
struct CatalogDigestTests {
  /// A store with two tensors over explicit keys, a projection, a complete 2 × 2 table and a benchmark run.
  static func makeStore(_ folder: TemporaryFolder) throws -> String {
    let keys = try folder.file("keys.txt")
    try (0..<6).map { "key\($0)" }.joined(separator: "\n").write(toFile: keys, atomically: true, encoding: .utf8)
    try importMatrices(
      [("m", "L1", .finite(rows: 6, columns: 3, seed: 1)), ("m", "L2", .finite(rows: 6, columns: 4, seed: 2))],
      into: folder.storePath, folder: folder, options: importOptions(keysFile: keys))
    let store = try Store.open(at: folder.storePath)
    let lock = try store.lockForWriting(wait: false, purpose: "test")
    defer { withExtendedLifetime(lock) {} }
    try store.saveProjection(
      StoredProjection(
        name: "p", kind: "contrasim", statement: "train contrasim p m/*", optionsJSON: "{\"epochs\":1}",
        trainedOnJSON: "[\"m/L1\"]", losses: [0.5, 0.25], seconds: 1,
        layers: [.init(inputWidth: 3, index: 0, rowCount: 3, columnCount: 2, weights: [1, 2, 3, 4, 5, 6], bias: [7, 8])]))
    let tensors = try store.allTensors()
    let axis = tensors.map(ResultAxisEntry.init)
    let id = try store.createResultTable(
      ResultTableHeader(
        statement: "sim cka m/* m/*", measure: "cka", largerIsSimilar: true, isSymmetric: true, inputsDigest: "abc",
        codeVersion: "1", route: nil, examples: "default", exampleCount: 6, rows: axis, columns: axis))
    try store.addResultCells([.init(row: 0, column: 0, value: 1, reason: nil)], toTable: id)
    // A cell stored twice keeps the later value, and the digest follows it.
    try store.addResultCells([.init(row: 0, column: 1, value: 0.1, reason: nil)], toTable: id)
    try store.addResultCells(
      [.init(row: 0, column: 1, value: 0.25, reason: nil), .init(row: 1, column: 0, value: 0.25, reason: nil),
       .init(row: 1, column: 1, value: nil, reason: "constant")], toTable: id)
    try store.updateResultTable(id: id, route: "features", examples: "default", exampleCount: 6)
    #expect(try store.completeResultTable(id: id))
    try store.saveBenchmarkRun(
      StoredBenchmarkRun(
        kind: "layer-prediction", statement: "bench layer-prediction", inputsDigest: "def", examples: "default",
        chance: 0.5, projections: ["contrasim": "p"], scores: [.init(measure: "cka", subject: "m", correct: 3, total: 4)],
        seconds: 2))
    return folder.storePath
  }

  /// Everything a command can read from the store, as text: equal readings mean equal results.
  static func reading(_ path: String) throws -> String {
    let store = try Store.open(at: path)
    var lines: [String] = []
    for tensor in try store.allTensors() {
      lines.append("\(tensor.fullName) \(tensor.rowCount)x\(tensor.columnCount) \(tensor.digest)")
      lines.append("\(try store.matrix(of: tensor).values)")
    }
    for set in try store.exampleSets() { lines.append("\(set.name) \(try store.exampleKeys(ofSet: set.name))") }
    let projection = try store.projection(named: "p")
    lines.append("\(projection.map { ($0.layers, $0.optionsJSON, $0.trainedOnJSON, $0.losses) } as Any)")
    let table = try store.resultTable(id: 1)
    lines.append("\(table.map { ($0.header.rows, $0.header.columns, $0.header.isComplete, $0.cells) } as Any)")
    lines.append("\(try store.benchmarkRuns().map { ($0.scores, $0.chance, $0.projections) })")
    return lines.joined(separator: "\n")
  }

  static func edit(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path + "/catalog.sqlite")
    try queue.write { db in try db.execute(sql: sql) }
    try queue.close()
  }

  static func copy(_ source: String, in folder: TemporaryFolder, as name: String) throws -> String {
    let target = folder.path + "/" + name
    try FileManager.default.copyItem(atPath: source, toPath: target)
    return target
  }

  @Test("a fresh store is sealed: verify --catalog-only finds nothing, and the same store reads the same")
  func freshStoreIsClean() throws {
    let folder = try TemporaryFolder()
    let path = try Self.makeStore(folder)
    let report = try Store.open(at: path).verify(catalogOnly: true)
    #expect(report.problems == [])
    #expect(try Self.reading(path) == Self.reading(path))
  }

  @Test(
    "an edit to any row a result depends on is named by verify and refused when read",
    arguments: [
      ("UPDATE projection_layers SET weights = x'0000803f000000400000404000008040000080400000c040'", "projection p (id 1)"),
      ("UPDATE projections SET options = '{\"epochs\":2}'", "projection p (id 1)"),
      ("UPDATE result_cells SET value = 0.5 WHERE row = 1 AND col = 0", "cells of result table 1"),
      ("DELETE FROM result_cells WHERE row = 1 AND col = 1", "cells of result table 1"),
      ("UPDATE result_axes SET layer = 'L9' WHERE axis = 'column' AND position = 1", "result table 1"),
      ("UPDATE result_tables SET complete = 0", "result table 1"),
      ("UPDATE example_keys SET key = 'other' WHERE ordinal = 2", "example set default (id 1)"),
      ("UPDATE tensors SET layer = 'L3' WHERE layer = 'L2'", "tensor m/L3@default (id 2)"),
      ("UPDATE models SET name = 'n'", "tensor n/L1@default (id 1)"),
      ("UPDATE blocks SET checksum = checksum + 1 WHERE tensor_id = 1", "block list of tensor m/L1@default (id 1)"),
      ("DELETE FROM blocks WHERE tensor_id = 2", "block list of tensor m/L2@default (id 2)"),
      ("UPDATE benchmark_scores SET correct = 4", "benchmark run 1"),
      ("UPDATE example_sets SET keys_digest = '0000000000000000'", "example set default (id 1)"),
    ])
  func editsAreCaught(sql: String, object: String) throws {
    let folder = try TemporaryFolder()
    let pristine = try Self.makeStore(folder)
    let damaged = try Self.copy(pristine, in: folder, as: "damaged")
    try Self.edit(damaged, sql)
    let report = try Store.open(at: damaged).verify(catalogOnly: true)
    #expect(report.problems.contains { $0.contains("catalog: " + object) }, "\(report.problems)")
    let error = try storeError { _ = try Self.reading(damaged) }
    #expect(error.kind == .corrupt, "\(error)")
    #expect(error.description.contains("the catalog is damaged"), "\(error)")
    #expect(!error.description.contains("\n"))
  }

  @Test("seeded bit flips in the catalog file: each is caught, or every reading is unchanged")
  func bitFlipsNeverChangeResultsSilently() throws {
    let folder = try TemporaryFolder()
    let pristine = try Self.makeStore(folder)
    let expected = try Self.reading(pristine)
    let size = try #require(
      FileManager.default.attributesOfItem(atPath: pristine + "/catalog.sqlite")[.size] as? Int)
    var random = TestRandom(seed: 2026)
    var (caught, harmless) = (0, 0)
    for trial in 0..<60 {
      let copy = try Self.copy(pristine, in: folder, as: "flip\(trial)")
      let handle = try #require(FileHandle(forUpdatingAtPath: copy + "/catalog.sqlite"))
      // The first page holds the header SQLite needs to open the file at all; a flip there is caught by SQLite.
      let offset = UInt64(100 + Int(random.next() % UInt64(size - 100)))
      try handle.seek(toOffset: offset)
      var byte = try #require(try handle.read(upToCount: 1)).first ?? 0
      byte ^= UInt8(1) << UInt8(random.next() % 8)
      try handle.seek(toOffset: offset)
      try handle.write(contentsOf: [byte])
      try handle.close()

      let problems: [String]
      do { problems = try Store.open(at: copy).verify(catalogOnly: true).problems } catch { problems = ["\(error)"] }
      let reading: String?
      do { reading = try Self.reading(copy) } catch { reading = nil }
      if !problems.isEmpty || reading == nil {
        caught += 1
      } else {
        #expect(reading == expected, "trial \(trial): byte \(offset) flipped, verify found nothing, results changed")
        harmless += 1
      }
    }
    #expect(caught + harmless == 60)
    #expect(caught > 0)
  }

  @Test("a reader that listed a tensor before it was replaced reads the version it listed, until gc")
  func readersKeepTheVersionTheyListed() throws {
    let folder = try TemporaryFolder()
    let old = TestMatrix.finite(rows: 5, columns: 3, seed: 1)
    try importMatrices([("m", "L1", old)], into: folder.storePath, folder: folder)
    let reader = try Store.open(at: folder.storePath)
    let listed = try reader.tensor("m", "L1")
    var options = importOptions()
    options.replace = true
    let new = TestMatrix.finite(rows: 5, columns: 3, seed: 2)
    try importMatrices([("m", "L1", new)], into: folder.storePath, folder: folder, options: options)
    #expect(try reader.matrix(of: listed) == old)
    #expect(try reader.matrix(of: reader.tensor("m", "L1")) == new)
    #expect(try reader.verify().problems == [])
  }

  @Test("a catalog that lost a committed import (its -wal deleted, an old copy put back) is refused and reported")
  func lostCommitsAreFound() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 4, columns: 2, seed: 1))], into: folder.storePath, folder: folder)
    let catalog = folder.storePath + "/catalog.sqlite"
    let before = try Data(contentsOf: URL(fileURLWithPath: catalog))
    try importMatrices([("m", "L2", .finite(rows: 4, columns: 2, seed: 2))], into: folder.storePath, folder: folder)
    try before.write(to: URL(fileURLWithPath: catalog))

    let error = try storeError { _ = try Store.open(at: folder.storePath) }
    #expect(error.kind == .corrupt, "\(error)")
    #expect(error.description.contains("catalog: lost 1 committed change (it counts 1 commits, the store made 2)"))
    #expect(!error.description.contains("\n"))
    let report = try Store.open(at: folder.storePath, evenIfDamaged: true).verify(catalogOnly: true)
    #expect(report.problems.count == 1 && report.problems[0].contains("lost 1 committed change"), "\(report.problems)")
  }
}
