import Foundation
import RepFormats
import RepMath
import RepMeasures
import RepStore
import Testing

@testable import RepQuery

/// A store in a temporary folder with some random layers, imported with a given block size.
struct TableFixture {
  let folder: String
  let store: Store
  let matrices: [String: Matrix]

  /// Layers named L0, L1, ... of model `m` (widths as given, n rows), ReLU of correlated Gaussians plus an offset.
  init(rows: Int, widths: [Int], blockBytes: Int, seed: UInt64, exampleSet: String = "default", keys: [String]? = nil)
    throws
  {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("repquery-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var generator = SeededGenerator(seed: seed)
    var matrices: [String: Matrix] = [:]
    var base = (0..<(rows * 8)).map { _ in Float(generator.gaussian()) }
    var sources: [ImportSource] = []
    for (index, width) in widths.enumerated() {
      var storage = [Float](repeating: 0, count: rows * width)
      for i in 0..<rows {
        for j in 0..<width {
          let signal = base[i * 8 + j % 8] * Float(1 + j % 3)
          storage[i * width + j] = max(0, signal + 0.5 * Float(generator.gaussian())) + 5
        }
      }
      for k in base.indices { base[k] = 0.8 * base[k] + 0.6 * Float(generator.gaussian()) }
      let name = "L\(index)"
      let matrix = Matrix(rows: rows, columns: width, storage: storage)
      matrices[name] = matrix
      let path = folder + "/\(name).npy"
      var bytes = NpyHeader.float32(shape: [rows, width])
      storage.withUnsafeBytes { bytes.append(contentsOf: $0) }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      sources.append(ImportSource(path: path, model: "m", layer: name, exampleSet: exampleSet))
    }
    var options = ImportOptions()
    options.targetBlockByteCount = blockBytes
    options.threads = 1
    if let keys {
      let keysPath = folder + "/keys.txt"
      try Data((keys.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: keysPath))
      options.keysFile = keysPath
    }
    _ = try Store.importDumps(sources, intoStoreAt: folder + "/s.repstore", options: options)
    store = try Store.open(at: folder + "/s.repstore")
    self.matrices = matrices
  }

  func tensors(_ selector: String) throws -> [TensorInfo] { try store.tensors(matching: Selector.parse(selector)) }
}

/// SplitMix64 with a Box-Muller Gaussian, so failures replay from the seed.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func gaussian() -> Double {
    let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
    let v = Double.random(in: 0..<1, using: &self)
    return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
  }
}

final class ProgressSpy: ProgressReporter {
  var labels: [String] = []
  func begin(_ label: String, totalByteCount: Int64) { labels.append(label) }
  func advance(to byteCount: Int64) {}
  func end() {}
}

@Suite("Similarity tables") struct TableExecutorTests {
  static let measureIDs = [
    "cka", "cka.debiased", "cca.mean", "cca.r2", "svcca(var=0.99)", "pwcca", "procrustes", "dot", "norm",
    "cka.minibatch(batch=100)", "cka.rbf(threshold=1.0)", "rsa(rdm=correlation,compare=spearman)", "mknn(k=5)",
    "ridge", "ridge(alpha=1.0,penalty=absolute,folds=3,score=pearson)",
  ]

  @Test("every cell equals the measure on the in-memory matrices", arguments: measureIDs)
  func cellsMatchInMemory(_ id: String) throws {
    let fixture = try TableFixture(rows: 700, widths: [12, 12, 9], blockBytes: 300, seed: 1)
    let measure = try MeasureRegistry.make(MeasureID(parsing: id))
    let tensors = try fixture.tensors("m/*")
    let equalWidths = id == "dot" || id == "norm"
    let rows = equalWidths ? tensors.filter { $0.columnCount == 12 } : tensors
    let table = try TableExecutor.run(TableRequest(measures: [measure], rows: rows, columns: rows), in: fixture.store)[0]
    for (i, a) in rows.enumerated() {
      for (j, b) in rows.enumerated() {
        let expected = try measure.similarity(fixture.matrices[a.layer]!, fixture.matrices[b.layer]!)
        let got = table.values[i][j]
        #expect(got.reason == expected.reason, "\(id) \(a.layer)×\(b.layer)")
        guard expected.isDefined else { continue }
        // A layer against itself comes from its own statistics on both routes: equal to the last bits. Off the
        // diagonal the table multiplies the chunks of all three layers in panels and memory multiplies one pair, so
        // a BLAS kernel may order the Float32 sums differently: measured ≤ 3.5e-7 apart under the Prescott,
        // Haswell, SkylakeX and Zen kernels. A misaligned or mispaired cell is off by 1e-2 or more.
        let tolerance = a.id == b.id ? 1e-12 : 1e-5
        #expect(abs(got.value - expected.value) <= tolerance * max(1, abs(expected.value)), "\(id) \(a.layer)×\(b.layer)")
      }
    }
  }

  @Test("the table does not depend on the storage block size")
  func blockSizeIndependence() throws {
    let small = try TableFixture(rows: 1500, widths: [10, 7], blockBytes: 40, seed: 2)
    let large = try TableFixture(rows: 1500, widths: [10, 7], blockBytes: 1 << 20, seed: 2)
    let measures = try MeasureRegistry.make(list: "cka,cka.debiased,cca.mean,procrustes")
    let a = try TableExecutor.run(
      TableRequest(measures: measures, rows: small.tensors("m/*"), columns: small.tensors("m/*")), in: small.store)
    let b = try TableExecutor.run(
      TableRequest(measures: measures, rows: large.tensors("m/*"), columns: large.tensors("m/*")), in: large.store)
    // Bit-identical for a fixed BLAS thread count; but that count is global to the process, and suites running
    // concurrently change it, which can move the last bit of a product between the two runs.
    for (x, y) in zip(a, b) {
      for (u, v) in zip(x.values.joined(), y.values.joined()) {
        #expect(u.reason == v.reason, "\(x.measure): \(u.reason ?? "defined") vs \(v.reason ?? "defined")")
        guard u.isDefined && v.isDefined else { continue }
        #expect(abs(u.value - v.value) <= 1e-14 * max(1, abs(v.value)), "\(x.measure): \(u.value) vs \(v.value)")
      }
    }
  }

  @Test("a CCA cell is the same alone and inside a larger table (Float64 products)")
  func ccaCellIndependentOfSelection() throws {
    let fixture = try TableFixture(rows: 3000, widths: [24, 9, 31, 17, 40], blockBytes: 50_000, seed: 12)
    let measures = try MeasureRegistry.make(list: "cca.mean,pwcca")
    let table = try TableExecutor.run(
      TableRequest(measures: measures, rows: fixture.tensors("m/*"), columns: fixture.tensors("m/*")), in: fixture.store)
    let alone = try TableExecutor.run(
      TableRequest(measures: measures, rows: fixture.tensors("m/L0"), columns: fixture.tensors("m/L2")), in: fixture.store)
    for (whole, single) in zip(table, alone) {
      let (u, v) = (whole.values[0][2], single.values[0][0])
      // With Float32 chunk products they differ by 4e-9 (cca.mean) and 3e-7 (pwcca) here: the blocking of the products
      // depends on the selection. Float64 products leave only Float64 rounding, magnified by the whitening.
      #expect(abs(u.value - v.value) <= 1e-11, "\(whole.measure): \(u.value) vs \(v.value)")
    }
  }

  @Test("measures of the covariance family share one pass over the data")
  func onePassForTheFamily() throws {
    let fixture = try TableFixture(rows: 500, widths: [8, 8, 8], blockBytes: 1000, seed: 3)
    let spy = ProgressSpy()
    let tensors = try fixture.tensors("m/*")
    _ = try TableExecutor.run(
      TableRequest(
        measures: try MeasureRegistry.make(list: "cka,cca.mean,svcca(k=3),procrustes.euclidean"), rows: tensors,
        columns: tensors), in: fixture.store, progress: spy)
    #expect(spy.labels == ["statistics"])
  }

  @Test("n ≪ d: auto takes the n×n Gram route for cka and cka.debiased, agreeing with the feature route")
  func gramRoute() throws {
    let fixture = try TableFixture(rows: 40, widths: [300, 200, 250], blockBytes: 5000, seed: 8)
    let tensors = try fixture.tensors("m/*")
    let measures = try MeasureRegistry.make(list: "cka,cka.debiased")
    let spy = ProgressSpy()
    let auto = try TableExecutor.run(
      TableRequest(measures: measures, rows: tensors, columns: tensors), in: fixture.store, progress: spy)
    #expect(auto.allSatisfy { $0.route == .grams })
    #expect(spy.labels == ["grams 1/3", "grams 2/3", "grams 3/3"])
    var request = TableRequest(measures: measures, rows: tensors, columns: tensors)
    request.route = .features
    let features = try TableExecutor.run(request, in: fixture.store)
    #expect(features.allSatisfy { $0.route == .features })
    for (g, f) in zip(auto, features) {
      for i in tensors.indices {
        for j in tensors.indices {
          let (x, y) = (g.values[i][j].value, f.values[i][j].value)
          #expect(abs(x - y) <= 1e-6 * abs(y), "\(g.measure) \(i)×\(j): \(x) vs \(y)")
        }
      }
    }
    // Exact against the in-memory Gram form.
    let direct = try LinearCKA().similarity(
      CenteredGram(fixture.matrices["L0"]!), CenteredGram(fixture.matrices["L2"]!))
    #expect(auto[0].values[0][2] == direct)
  }

  @Test("n ≫ d, or a measure with no Gram form, keeps the feature route; forcing grams on one is an error")
  func featureRoute() throws {
    let fixture = try TableFixture(rows: 40, widths: [300, 200], blockBytes: 5000, seed: 9)
    let tensors = try fixture.tensors("m/*")
    let mixed = try TableExecutor.run(
      TableRequest(measures: try MeasureRegistry.make(list: "cka,cca.mean"), rows: tensors, columns: tensors),
      in: fixture.store)
    #expect(mixed.map(\.route) == [.features, .features])
    let tall = try TableFixture(rows: 600, widths: [10, 12], blockBytes: 5000, seed: 10)
    let tallTensors = try tall.tensors("m/*")
    let table = try TableExecutor.run(
      TableRequest(measures: [LinearCKA()], rows: tallTensors, columns: tallTensors), in: tall.store)
    #expect(table[0].route == .features)
    var forced = TableRequest(measures: try MeasureRegistry.make(list: "cka,cca.mean"), rows: tensors, columns: tensors)
    forced.route = .grams
    #expect(throws: QueryError.self) { try TableExecutor.run(forced, in: fixture.store) }
    let rsa = try TableExecutor.run(
      TableRequest(measures: [try MeasureRegistry.make(MeasureID(parsing: "rsa"))], rows: tensors, columns: tensors),
      in: fixture.store)
    #expect(rsa[0].route == nil)
  }

  @Test("an example subset (a row range, or a list of keys) compares only those rows")
  func exampleSubsets() throws {
    let keys = (0..<200).map { "k\($0)" }
    let fixture = try TableFixture(rows: 200, widths: [6, 5], blockBytes: 300, seed: 11, keys: keys)
    let tensors = try fixture.tensors("m/*")
    func rows(_ matrix: Matrix, _ picked: [Int]) -> Matrix {
      Matrix(rows: picked.count, columns: matrix.columns,
             storage: picked.flatMap { i in matrix.storage[i * matrix.columns ..< (i + 1) * matrix.columns] })
    }
    let (x, y) = (fixture.matrices["L0"]!, fixture.matrices["L1"]!)
    var request = TableRequest(measures: [LinearCKA()], rows: [tensors[0]], columns: [tensors[1]])
    request.subset = .rows(lowerBound: 50, upperBound: 170)
    let ranged = try TableExecutor.run(request, in: fixture.store)[0]
    #expect(ranged.exampleCount == 120 && ranged.examples == "default[50:170]")
    let expected = try LinearCKA().similarity(rows(x, Array(50..<170)), rows(y, Array(50..<170)))
    #expect(abs(ranged.values[0][0].value - expected.value) <= 1e-12)

    let picked = [3, 17, 18, 150, 199]
    request.subset = .keys(picked.reversed().map { "k\($0)" }, source: "some.keys")
    let byKeys = try TableExecutor.run(request, in: fixture.store)[0]
    #expect(byKeys.exampleCount == 5 && byKeys.examples == "default[keys=some.keys]")
    let expectedKeys = try LinearCKA().similarity(rows(x, picked), rows(y, picked))
    // 5 rows of 6 and 5 columns: the table takes the Gram route, equal to Float32 rounding.
    #expect(abs(byKeys.values[0][0].value - expectedKeys.value) <= 1e-6)

    request.subset = .rows(lowerBound: 100, upperBound: 300)
    #expect(throws: QueryError.self) { try TableExecutor.run(request, in: fixture.store) }
    request.subset = .keys(["k1", "nope"], source: "bad.keys")
    let error = #expect(throws: QueryError.self) { try TableExecutor.run(request, in: fixture.store) }
    #expect("\(error.map { "\($0)" } ?? "")".contains("bad.keys: 1 of its 2 keys are not examples of default"))
  }

  @Test("different example sets are refused, and --intersect aligns them by key")
  func exampleSets() throws {
    let keysA = (0..<300).map { "k\($0)" }
    let keysB = keysA.reversed().filter { $0 != "k7" }
    let a = try TableFixture(rows: 300, widths: [6], blockBytes: 100, seed: 4, exampleSet: "A", keys: keysA)
    let bFixture = try TableFixture(rows: 299, widths: [5], blockBytes: 100, seed: 5, exampleSet: "B", keys: keysB)
    // Put B's tensor into A's store under another model, with its own set.
    var options = ImportOptions()
    options.keysFile = bFixture.folder + "/keys.txt"
    _ = try Store.importDumps(
      [ImportSource(path: bFixture.folder + "/L0.npy", model: "n", layer: "L0", exampleSet: "B")],
      intoStoreAt: a.folder + "/s.repstore", options: options)
    let store = try Store.open(at: a.folder + "/s.repstore")
    let left = try store.tensors(matching: Selector.parse("m/L0"))
    let right = try store.tensors(matching: Selector.parse("n/L0"))
    let measure = try MeasureRegistry.make(MeasureID(parsing: "cka"))
    #expect {
      try TableExecutor.run(TableRequest(measures: [measure], rows: left, columns: right), in: store)
    } throws: { error in
      "\(error)".contains("'A' (300 rows) and 'B' (299 rows) share 299 keys") && "\(error)".contains("--intersect")
    }
    var request = TableRequest(measures: [measure], rows: left, columns: right)
    request.intersect = true
    let table = try TableExecutor.run(request, in: store)[0]
    #expect(table.exampleCount == 299)
    // In memory: A's rows without k7, and B's rows reordered to A's key order.
    let x = a.matrices["L0"]!
    let y = bFixture.matrices["L0"]!
    let order = keysA.filter { $0 != "k7" }
    let positionInB = Dictionary(uniqueKeysWithValues: keysB.enumerated().map { ($1, $0) })
    var xs: [Float] = []
    var ys: [Float] = []
    for key in order {
      let i = keysA.firstIndex(of: key)!
      xs += x.storage[(i * 6)..<(i * 6 + 6)]
      let k = positionInB[key]!
      ys += y.storage[(k * 5)..<(k * 5 + 5)]
    }
    let expected = try measure.similarity(
      Matrix(rows: 299, columns: 6, storage: xs), Matrix(rows: 299, columns: 5, storage: ys))
    #expect(abs(table.values[0][0].value - expected.value) < 1e-9)
  }

  @Test("argmax picks the largest value, or the smallest for a distance; NaN never wins")
  func bestMatches() throws {
    let fixture = try TableFixture(rows: 10, widths: [2], blockBytes: 100, seed: 6)
    let tensors = try fixture.tensors("m/*")
    var table = SimilarityTable(
      measure: MeasureID(name: "cka"),
      properties: MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]", invariances: []),
      rows: tensors + tensors, columns: tensors + tensors + tensors,
      values: [
        [MeasureValue(0.2), .undefined("x"), MeasureValue(0.9)],
        [.undefined("x"), .undefined("y"), .undefined("z")],
      ], examples: "default", exampleCount: 10, seconds: 0)
    #expect(table.bestMatches().map(\.column) == [2, nil])
    table.properties.largerIsMoreSimilar = false
    #expect(table.bestMatches().map(\.column) == [0, nil])
  }

  @Test("CSV, JSON and ndjson carry every cell, NaN with its reason")
  func renderers() throws {
    let fixture = try TableFixture(rows: 3, widths: [4, 4], blockBytes: 100, seed: 7)
    let tensors = try fixture.tensors("m/*")
    let tables = try TableExecutor.run(
      TableRequest(measures: try MeasureRegistry.make(list: "cka,cka.debiased"), rows: tensors, columns: tensors),
      in: fixture.store)
    let csv = TableRenderer.render(tables, as: .csv)
    let lines = csv.split(separator: "\n")
    #expect(lines.first == "a,b,value,reason,measure")
    #expect(lines.count == 1 + 2 * 4)
    #expect(lines.contains { $0.hasPrefix("m/L0,m/L1,NaN,") && $0.hasSuffix(",cka.debiased") })
    let json = try JSONSerialization.jsonObject(with: Data(TableRenderer.render(tables[1], as: .json).utf8))
    let object = try #require(json as? [String: Any])
    #expect(object["measure"] as? String == "cka.debiased")
    #expect(object["larger_is_similar"] as? Bool == true)
    let cells = try #require(object["cells"] as? [[String: Any]])
    #expect(cells.count == 4)
    #expect(cells.allSatisfy { $0["value"] is NSNull && ($0["reason"] as? String)?.isEmpty == false })
    let ndjson = TableRenderer.render(tables, as: .ndjson).split(separator: "\n")
    #expect(ndjson.count == 8)
    for line in ndjson { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
  }
}
