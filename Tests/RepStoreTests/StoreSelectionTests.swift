import Foundation
import Testing

import RepStore

// Store.allTensors and tensors(matching:): natural order, and what a selector that matches nothing says.

@Suite("Store selection")
struct StoreSelectionTests {
  /// A store with models m1, m2, m10 (layers L1, L2, L10, emb) in sets "val" and, for m1/L1, "train".
  private static func makeStore(_ folder: TemporaryFolder) throws -> Store {
    var tensors: [(model: String, layer: String, matrix: TestMatrix)] = []
    for model in ["m10", "m2", "m1"] {
      for layer in ["emb", "L10", "L2", "L1"] { tensors.append((model, layer, .finite(rows: 2, columns: 1, seed: 1))) }
    }
    try importMatrices(tensors, exampleSet: "val", into: folder.storePath, folder: folder)
    try importMatrices([("m1", "L1", .finite(rows: 3, columns: 1, seed: 2))], exampleSet: "train", into: folder.storePath, folder: folder)
    return try Store.open(at: folder.storePath)
  }

  @Test(
    "tensors(matching:) returns natural order",
    arguments: [
      ("*", [
        "m1/L1@train", "m1/L1@val", "m1/L2@val", "m1/L10@val", "m1/emb@val", "m2/L1@val", "m2/L2@val", "m2/L10@val",
        "m2/emb@val", "m10/L1@val", "m10/L2@val", "m10/L10@val", "m10/emb@val",
      ]),
      ("m*/L1@val", ["m1/L1@val", "m2/L1@val", "m10/L1@val"]),
      ("m1/L1..L10", ["m1/L1@train", "m1/L1@val", "m1/L2@val", "m1/L10@val"]),
      ("{m10,m2}/L?", ["m2/L1@val", "m2/L2@val", "m10/L1@val", "m10/L2@val"]),
      ("m1@train", ["m1/L1@train"]),
    ])
  func naturalOrder(selector: String, expected: [String]) throws {
    let folder = try TemporaryFolder()
    let store = try StoreSelectionTests.makeStore(folder)
    let found = try store.tensors(matching: Selector.parse(selector))
    #expect(found.map { "\($0.qualifiedName)@\($0.exampleSet)" } == expected)
  }

  @Test(
    "a selector that matches nothing says which part failed and what exists",
    arguments: [
      ("m3", "no model matches 'm3'; did you mean m1, m2? (models: m1, m2, m10)"),
      ("gpt", "no model matches 'gpt' (models: m1, m2, m10)"),
      ("m1/L3", "no layer matches 'L3'; did you mean L1, L2? (layers: L1, L2, L10, emb)"),
      ("m2/embb", "no layer matches 'embb'; did you mean emb? (layers: L1, L2, L10, emb)"),
      ("M1/L1", "no model matches 'M1'; did you mean m1? (models: m1, m2, m10)"),
      ("m1/l10", "no layer matches 'l10'; did you mean L10? (layers: L1, L2, L10, emb)"),
      ("m1/EMB", "no layer matches 'EMB'; did you mean emb? (layers: L1, L2, L10, emb)"),
      ("m1/L1@test", "no example set matches 'test'; m1/L1 is in sets train, val"),
      ("m2/L1@train", "no example set matches 'train'; m2/L1 is only in set val (select it as m2/L1@val)"),
      ("m1/L1@Val", "no example set matches 'Val'; did you mean val? (m1/L1 is in sets train, val)"),
    ])
  func noMatch(selector: String, detail: String) throws {
    let folder = try TemporaryFolder()
    let store = try StoreSelectionTests.makeStore(folder)
    let error = try storeError { _ = try store.tensors(matching: Selector.parse(selector)) }
    #expect(error.kind == .invalidInput)
    #expect(error.message == "selector '\(try Selector.parse(selector))' matches no tensor in \(folder.storePath): \(detail)")
  }

  @Test("a selector on an empty store says the store is empty")
  func emptyStore() throws {
    let folder = try TemporaryFolder()
    let (store, _) = try Store.openOrCreate(at: folder.storePath)
    let error = try storeError { _ = try store.tensors(matching: .all) }
    #expect(error.message.hasSuffix("matches no tensor in \(folder.storePath) (the store is empty)"), "\(error)")
  }
}
