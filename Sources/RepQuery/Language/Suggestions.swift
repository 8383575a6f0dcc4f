/// Near spellings for "did you mean …?" messages about verbs, keywords, option names and option values.
enum Suggestions {
  /// The candidates within a small edit distance of `word`, nearest first.
  ///
  /// A candidate qualifies at distance ≤ max(1, its length / 3), or when one word is a prefix of the other, so
  /// `--reduc` finds `--reduce` and `smi` finds `sim`; case is ignored.
  /// - Complexity: O(m × n²) for m candidates of about n characters.
  static func nearest(to word: String, among candidates: [String], limit: Int = 2) -> [String] {
    let lowered = word.lowercased()
    guard !lowered.isEmpty else { return [] }
    let scored = candidates.enumerated().compactMap { index, candidate -> (name: String, distance: Int, index: Int)? in
      let distance = editDistance(lowered, candidate.lowercased())
      let isPrefix = candidate.hasPrefix(lowered) || lowered.hasPrefix(candidate)
      let isNear = distance <= max(1, candidate.count / 3) || (isPrefix && lowered.count >= 2)
      return isNear ? (candidate, distance, index) : nil
    }
    let ranked = scored.sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }
    return ranked.prefix(limit).map(\.name)
  }

  /// The Levenshtein distance: the fewest single-character insertions, deletions and substitutions from `a` to `b`.
  /// - Complexity: O(|a| × |b|).
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }
}
