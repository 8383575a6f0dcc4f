extension NamePattern {
  /// The existing names nearest to a pattern, for "selector matches nothing; did you mean …" messages.
  ///
  /// Nearness is `editDistance(to:)` ignoring case: the fewest single-character edits that would make the pattern
  /// match the name, a change of case free. Names stay case-sensitive, but a name typed in the wrong case is the
  /// likeliest slip: names the pattern matches but for case are the only ones returned when there are any (`l1` finds
  /// `L1`, not `L2` as well). Otherwise names within `maxDistance` are returned nearest first, ties to the nearer
  /// counting case, then in `NaturalOrder`, duplicates removed. Names the pattern matches have distance 0 and come
  /// first; callers asking after an empty match will not see any.
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
    var candidates: [(name: String, distance: Int, exactDistance: Int)] = []
    for name in names where seen.insert(name).inserted {
      let distance = pattern.editDistance(to: name, ignoringCase: true)
      if distance <= maxDistance ?? max(1, name.count / 3) {
        candidates.append((name, distance, pattern.editDistance(to: name)))
      }
    }
    candidates.sort {
      if $0.distance != $1.distance { return $0.distance < $1.distance }
      if $0.exactDistance != $1.exactDistance { return $0.exactDistance < $1.exactDistance }
      return NaturalOrder.areInIncreasingOrder($0.name, $1.name)
    }
    let sameButCase = candidates.filter { $0.distance == 0 }
    return (sameButCase.isEmpty ? candidates : sameButCase).prefix(limit).map(\.name)
  }

  /// The fewest single-character insertions, deletions and substitutions that turn `name` into one this pattern matches.
  ///
  /// 0 exactly when `matches(name)` (with `ignoringCase`, when it matches but for case). For a literal pattern it is
  /// the Levenshtein distance; `*`, `?` and classes absorb what they can match for free.
  /// - Complexity: O(s × n) for s pattern steps and n characters in `name`.
  package func editDistance(to name: String, ignoringCase: Bool = false) -> Int {
    program.editDistance(to: Array(name), ignoringCase: ignoringCase)
  }
}
