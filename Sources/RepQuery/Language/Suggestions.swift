import RepSupport

/// Near spellings for "did you mean …?" messages about verbs, keywords, option names, option values and projection
/// names.
enum Suggestions {
  /// The candidates within a small edit distance of `word`, nearest first.
  ///
  /// A candidate qualifies at distance ≤ max(1, its length / 3), or when one word is a prefix of the other, so
  /// `--reduc` finds `--reduce` and `smi` finds `sim`. Case is ignored in both, and candidates equal to the word but
  /// for case are the only ones suggested when there are any (`para-l6` finds `para-L6`, not `para-L5` as well).
  /// - Complexity: O(m × n²) for m candidates of about n characters.
  static func nearest(to word: String, among candidates: [String], limit: Int = 2) -> [String] {
    let lowered = word.lowercased()
    guard !lowered.isEmpty else { return [] }
    let scored = candidates.enumerated().compactMap { index, candidate -> (name: String, rank: [Int])? in
      let folded = candidate.lowercased()
      let distance = EditDistance.levenshtein(lowered, folded)
      let isPrefix = folded.hasPrefix(lowered) || lowered.hasPrefix(folded)
      let isNear = distance <= max(1, candidate.count / 3) || (isPrefix && lowered.count >= 2)
      return isNear ? (candidate, [distance, EditDistance.levenshtein(word, candidate), index]) : nil
    }
    let ranked = scored.sorted { $0.rank.lexicographicallyPrecedes($1.rank) }
    let sameButCase = ranked.filter { $0.rank[0] == 0 }
    return (sameButCase.isEmpty ? ranked : sameButCase).prefix(limit).map(\.name)
  }
}
