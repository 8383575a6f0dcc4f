import GRDB

extension Store {
  /// Every tensor, ordered by model, layer and example set in natural order (L2 before L10).
  public func allTensors() throws -> [TensorInfo] {
    try catalog.read { db in try checked(db, Catalog.allTensors(db)) }.sorted(by: Store.naturalOrder)
  }

  /// `tensors`, each checked against its digest.
  private func checked(_ db: Database, _ tensors: [TensorInfo]) throws -> [TensorInfo] {
    let names = Dictionary(tensors.map { ($0.id, $0.fullName) }, uniquingKeysWith: { first, _ in first })
    try catalog.requireIntact(db, .tensor, ids: tensors.map(\.id), names: names)
    return tensors
  }

  /// The tensors a selector picks, in natural order.
  /// - Throws: `StoreError(.invalidInput)` when nothing matches, naming the nearest models or layers that exist.
  public func tensors(matching selector: Selector) throws -> [TensorInfo] {
    let (all, matched) = try catalog.read { db in
      let all = try Catalog.allTensors(db)
      let matched = all.filter { selector.matches(model: $0.model, layer: $0.layer, exampleSet: $0.exampleSet) }
      return (all, try checked(db, matched))
    }
    // Sorting only what matched: a sim of 13 layers in a store of 1,000 tensors sorted all of them, twice.
    guard matched.isEmpty else { return matched.sorted(by: Store.naturalOrder) }
    throw StoreError.noMatch(
      storePath: path, sentence: Store.noMatchMessage(for: selector, among: all, storePath: path))
  }

  /// Example sets with their sizes and how many tensors use them, by name.
  public func exampleSets() throws -> [ExampleSetInfo] {
    try catalog.read { db in
      let sets = try Catalog.exampleSets(db)
      let names = Dictionary(sets.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
      try catalog.requireIntact(db, .exampleSet, ids: sets.map(\.id), names: names)
      return sets
    }.sorted {
      NaturalOrder.areInIncreasingOrder($0.name, $1.name)
    }
  }

  /// The ordered keys of an example set.
  public func exampleKeys(ofSet name: String) throws -> [String] {
    try catalog.read { db in
      guard let set = try Catalog.exampleSet(db, named: name) else {
        throw StoreError.invalidInput(path: path, detail: "no example set named '\(name)'")
      }
      try catalog.requireIntact(db, .exampleSet, ids: [set.id], names: [set.id: set.name])
      let keys = try Catalog.exampleKeys(db, of: set)
      try catalog.requireKeys(keys, of: set)
      return keys
    }
  }

  static func naturalOrder(_ a: TensorInfo, _ b: TensorInfo) -> Bool {
    if a.model != b.model { return NaturalOrder.areInIncreasingOrder(a.model, b.model) }
    if a.layer != b.layer { return NaturalOrder.areInIncreasingOrder(a.layer, b.layer) }
    return NaturalOrder.areInIncreasingOrder(a.exampleSet, b.exampleSet)
  }

  /// "selector X matches nothing" with the part that failed and the nearest names that exist.
  static func noMatchMessage(for selector: Selector, among tensors: [TensorInfo], storePath: String) -> String {
    let head = "selector '\(selector)' matches no tensor in \(storePath)"
    if tensors.isEmpty { return head + " (the store is empty)" }
    let models = Array(Set(tensors.map(\.model))).sorted(by: NaturalOrder.areInIncreasingOrder)
    let modelMatches = tensors.filter { selector.model.matches($0.model) }
    if modelMatches.isEmpty {
      let near = NamePattern.suggestions(for: selector.model, among: models, limit: 3)
      return head + ": no model matches '\(selector.model)'" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?")
        + " (models: \(models.prefix(8).joined(separator: ", "))\(models.count > 8 ? ", ..." : ""))"
    }
    let layerMatches = modelMatches.filter { selector.layer.matches($0.layer) }
    if layerMatches.isEmpty {
      let layers = Array(Set(modelMatches.map(\.layer))).sorted(by: NaturalOrder.areInIncreasingOrder)
      let near = NamePattern.suggestions(for: selector.layer, among: layers, limit: 3)
      return head + ": no layer matches '\(selector.layer)'" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: ", "))?")
        + " (layers: \(layers.prefix(12).joined(separator: ", "))\(layers.count > 12 ? ", ..." : ""))"
    }
    return head + ": " + missingSetMessage(for: selector, among: layerMatches)
  }

  /// "no example set matches 'sents'", then which sets do hold what the model and layer select: a tensor imported
  /// without `--examples` is in set `default`, and this is where its owner finds out.
  private static func missingSetMessage(for selector: Selector, among tensors: [TensorInfo]) -> String {
    let pattern = selector.exampleSet ?? .any
    let sets = Array(Set(tensors.map(\.exampleSet))).sorted(by: NaturalOrder.areInIncreasingOrder)
    let names = Array(Set(tensors.map(\.qualifiedName)))
    let holders =
      names.count == 1 ? "\(names[0]) is" : "the \(tensors.count) tensors of \(selector.model)/\(selector.layer) are"
    let held = holders + (sets.count == 1 ? " only in set \(sets[0])" : " in sets \(sets.joined(separator: ", "))")
    let head = "no example set matches '\(pattern)'"
    let near = NamePattern.suggestions(for: pattern, among: sets, limit: 3)
    if !near.isEmpty { return head + "; did you mean \(near.joined(separator: ", "))? (\(held))" }
    let select = names.count == 1 && sets.count == 1 ? " (select it as \(names[0])@\(sets[0]))" : ""
    return head + "; " + held + select
  }
}
