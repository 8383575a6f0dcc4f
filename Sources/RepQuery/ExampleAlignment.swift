import RepStore

/// A subset of a table's examples: `@SET[100:600]` (positions of the aligned order, half-open) or `@SET[keys=FILE]`
/// (the examples whose keys a file lists, kept in the set's order).
public enum ExampleRowSubset: Sendable, Equatable, CustomStringConvertible {
  /// Positions from `lowerBound` up to `upperBound` (excluded), or to the end when it is nil.
  case rows(lowerBound: Int, upperBound: Int?)
  /// The keys, and where they came from (for messages and the table's description).
  case keys([String], source: String)

  public var description: String {
    switch self {
    case .rows(let lower, let upper): "[\(lower):\(upper.map(String.init) ?? "")]"
    case .keys(_, let source): "[keys=\(source)]"
    }
  }
}

/// How the rows of a table's tensors line up: every compared pair must see the same examples in the same order.
public struct ExampleAlignment: Sendable {
  /// The example set name (or "A ∩ B ∩ ...") the table's rows are.
  public var description: String
  /// Number of examples compared.
  public var rowCount: Int
  /// Per example set name, the stored row at each position; nil when all tensors share one set (all rows, in order).
  public var rowIndices: [String: [Int]]?

  /// Checks that all tensors use one example set; with `intersect`, aligns different sets on their common keys,
  /// in the order of the first tensor's set.
  /// - Throws: `QueryError` of kind `.exampleSets` saying how the sets differ.
  /// With `subset`, only those examples are kept, in the same order.
  /// - Throws: `QueryError` of kind `.exampleSets` saying how the sets differ, `QueryError` of kind `.subset` for a subset that does not
  ///   fit the examples (a range beyond them, keys that are not there).
  public static func align(
    _ tensors: [TensorInfo], in store: Store, intersect: Bool, subset: ExampleRowSubset? = nil
  ) throws -> ExampleAlignment {
    let full = try align(tensors, in: store, intersect: intersect)
    guard let subset else { return full }
    var setNames: [String] = []
    for tensor in tensors where !setNames.contains(tensor.exampleSet) { setNames.append(tensor.exampleSet) }
    // Positions (into the full alignment) to keep.
    let positions: [Int]
    switch subset {
    case .rows(let lower, let upper):
      let end = upper ?? full.rowCount
      guard lower >= 0, end <= full.rowCount, lower < end else {
        throw QueryError(.subset, 
          "row range \(subset) does not fit the \(full.rowCount) examples of \(full.description)"
            + (lower >= end ? " (it is empty)" : "; the last possible end is \(full.rowCount)"))
      }
      positions = Array(lower..<end)
    case .keys(let keys, let source):
      let firstSet = setNames.first ?? ""
      let stored = try store.exampleKeys(ofSet: firstSet)
      let order = full.rowIndices?[firstSet].map { $0.map { stored[$0] } } ?? stored
      let wanted = Set(keys)
      positions = order.indices.filter { wanted.contains(order[$0]) }
      let missing = wanted.subtracting(order)
      guard missing.isEmpty, !positions.isEmpty else {
        let sample = missing.sorted().prefix(3).map { "'\($0)'" }.joined(separator: ", ")
        throw QueryError(.subset, 
          "\(source): \(missing.count) of its \(wanted.count) keys are not examples of \(full.description)"
            + (sample.isEmpty ? "" : " (e.g. \(sample))"))
      }
    }
    var indices: [String: [Int]] = [:]
    for name in setNames {
      let base = full.rowIndices?[name]
      indices[name] = positions.map { base?[$0] ?? $0 }
    }
    return ExampleAlignment(
      description: full.description + subset.description, rowCount: positions.count, rowIndices: indices)
  }

  /// `align(_:in:intersect:subset:)` without a subset.
  static func align(_ tensors: [TensorInfo], in store: Store, intersect: Bool) throws -> ExampleAlignment {
    var setNames: [String] = []
    for tensor in tensors where !setNames.contains(tensor.exampleSet) { setNames.append(tensor.exampleSet) }
    guard setNames.count > 1 else {
      return ExampleAlignment(description: setNames.first ?? "", rowCount: tensors.first?.rowCount ?? 0, rowIndices: nil)
    }
    let keysBySet = try setNames.map { try store.exampleKeys(ofSet: $0) }
    // Sets that hold the same keys in the same order hold the same examples: their rows line up as stored.
    if keysBySet.dropFirst().allSatisfy({ $0 == keysBySet[0] }) {
      return ExampleAlignment(
        description: setNames.joined(separator: " = "), rowCount: keysBySet[0].count, rowIndices: nil)
    }
    guard intersect else {
      throw QueryError(.exampleSets, Self.difference(setNames, keysBySet))
    }
    var common = Set(keysBySet[0])
    for keys in keysBySet.dropFirst() { common.formIntersection(keys) }
    let order = keysBySet[0].filter { common.contains($0) }
    guard !order.isEmpty else {
      throw QueryError(.exampleSets, "example sets \(setNames.joined(separator: ", ")) have no key in common")
    }
    var indices: [String: [Int]] = [:]
    for (name, keys) in zip(setNames, keysBySet) {
      var position: [String: Int] = [:]
      for (index, key) in keys.enumerated() { position[key] = index }
      indices[name] = order.map { position[$0] ?? 0 }
    }
    return ExampleAlignment(
      description: setNames.joined(separator: " ∩ "), rowCount: order.count, rowIndices: indices)
  }

  /// "sets A (n=…) and B (n=…) differ: …; pass --intersect or pick one set with @SET". A set with the first one's
  /// very keys in the same order is not a difference, and is not mentioned.
  static func difference(_ names: [String], _ keys: [[String]]) -> String {
    let first = Set(keys[0])
    var parts: [String] = []
    for (name, other) in zip(names, keys).dropFirst() where other != keys[0] {
      let otherSet = Set(other)
      let onlyFirst = first.subtracting(otherSet).count
      let onlyOther = otherSet.subtracting(first).count
      if onlyFirst == 0 && onlyOther == 0 {
        // Same keys, so same count; they differ somewhere.
        let row = other.indices.first { other[$0] != keys[0][$0] } ?? 0
        parts.append(
          "'\(names[0])' and '\(name)' hold the same \(other.count) keys in a different order (row \(row): "
            + "'\(keys[0][row])' in '\(names[0])', '\(other[row])' in '\(name)')")
      } else {
        parts.append(
          "'\(names[0])' (\(keys[0].count) rows) and '\(name)' (\(other.count) rows) share \(first.count - onlyFirst) keys; "
            + "\(onlyFirst) only in '\(names[0])', \(onlyOther) only in '\(name)'")
      }
    }
    return "the tensors use different example sets: " + parts.joined(separator: "; ")
      + "; rows are only compared on the same examples: pick one set with @SET or pass --intersect"
  }
}
