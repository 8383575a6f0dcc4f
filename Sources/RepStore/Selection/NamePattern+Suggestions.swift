extension NamePattern {
  /// The existing names nearest to a pattern, for "selector matches nothing; did you mean …" messages.
  ///
  /// Nearness is `editDistance(to:)`: the fewest single-character edits that would make the pattern match the name.
  /// Names within `maxDistance` are returned nearest first, ties in `NaturalOrder`, duplicates removed. Names the pattern
  /// matches have distance 0 and come first; callers asking after an empty match will not see any.
  ///
  /// - Parameters:
  ///   - pattern: The pattern that matched nothing, e.g. `L3` or `laeyr*`.
  ///   - names: The names that exist, e.g. a model's layer names.
  ///   - limit: At most this many names are returned.
  ///   - maxDistance: The largest distance suggested; `nil` allows `max(1, name.count / 3)` for each name, so short
  ///     names need a near miss and longer ones may differ more.
  /// - Returns: Up to `limit` names.
  /// - Complexity: O(m × s × n) for m names of n characters and s pattern steps, plus O(m log m) to sort.
  public static func suggestions(
    for pattern: NamePattern, among names: [String], limit: Int = 3, maxDistance: Int? = nil
  ) -> [String] {
    guard limit > 0 else { return [] }
    var seen: Set<String> = []
    var candidates: [(name: String, distance: Int)] = []
    for name in names where seen.insert(name).inserted {
      let distance = pattern.editDistance(to: name)
      if distance <= maxDistance ?? max(1, name.count / 3) { candidates.append((name, distance)) }
    }
    candidates.sort {
      $0.distance != $1.distance ? $0.distance < $1.distance : NaturalOrder.areInIncreasingOrder($0.name, $1.name)
    }
    return candidates.prefix(limit).map(\.name)
  }

  /// The fewest single-character insertions, deletions and substitutions that turn `name` into one this pattern matches.
  ///
  /// 0 exactly when `matches(name)`. For a literal pattern it is the Levenshtein distance; `*`, `?` and classes absorb
  /// what they can match for free.
  /// - Complexity: O(s × n) for s pattern steps and n characters in `name`.
  package func editDistance(to name: String) -> Int {
    program.editDistance(to: Array(name))
  }
}
