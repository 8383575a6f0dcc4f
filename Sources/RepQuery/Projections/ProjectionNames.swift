import RepStore

/// Projection names as messages and listings show them: which are derived from what they were trained on, and what
/// to suggest for a name the store does not hold.
package enum ProjectionNames {
  /// Whether `name` is one `sim --train-on` (or a benchmark) derived from what it trains on, `KIND-` and 16 hex
  /// digits (`contrasim-5f1c09a2e4b7d3c8`, see `TrainOnProjections`), rather than one a `train` statement gave.
  package static func isDerived(_ name: String) -> Bool {
    guard let dash = name.lastIndex(of: "-") else { return false }
    let digits = name[name.index(after: dash)...]
    return LearnedMeasures.names.contains(String(name[..<dash])) && digits.count == 16
      && digits.allSatisfy { $0.isHexDigit && !$0.isUppercase }
  }

  /// The error for a name the store does not hold: the nearest stored names (case ignored, so `para-l6` finds
  /// `para-L6`), else the names a `train` statement gave, with derived ones only counted.
  package static func missing(_ name: String, among stored: [String]) -> QueryError {
    let head = "no projection named \(NameRules.quoted(name))"
    guard !stored.isEmpty else { return QueryError(.notFound, head + "; none is stored yet") }
    let listed = listing(stored.count)
    let near = Suggestions.nearest(to: name, among: stored, limit: 3)
    if !near.isEmpty {
      return QueryError(.notFound, head + "; did you mean \(quotedList(near))? (\(listed))")
    }
    let given = stored.filter { !isDerived($0) }
    let derived = stored.count - given.count
    var names = given.prefix(8).map { "'\($0)'" }
    if given.count > 8 { names.append("\(given.count - 8) more") }
    if derived > 0 { names.append("\(derived) auto-named") }
    return QueryError(.notFound, head + " (stored: \(list(names)); \(listed))")
  }

  /// Where to see the `count` stored projections: `` `repstore projections` lists the 3 stored ``.
  package static func listing(_ count: Int) -> String {
    "`repstore projections` lists " + (count == 1 ? "it" : "the \(count) stored")
  }

  /// `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`.
  private static func quotedList(_ names: [String]) -> String {
    let quoted = names.map { "'\($0)'" }
    return quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
  }

  /// `a`, `a and b`, `a, b and c`.
  private static func list(_ items: [String]) -> String {
    items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
  }
}
