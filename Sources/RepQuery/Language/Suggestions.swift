import RepSupport

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
      let distance = EditDistance.levenshtein(lowered, candidate.lowercased())
      let isPrefix = candidate.hasPrefix(lowered) || lowered.hasPrefix(candidate)
      let isNear = distance <= max(1, candidate.count / 3) || (isPrefix && lowered.count >= 2)
      return isNear ? (candidate, distance, index) : nil
    }
    let ranked = scored.sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }
    return ranked.prefix(limit).map(\.name)
  }
}
