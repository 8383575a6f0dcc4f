/// Edit distance for "did you mean …?" messages: the fewest single-character insertions, deletions and substitutions.
///
/// One table row at a time, so that a name pattern (RepStore's `PatternProgram`) can reuse the step for its literal
/// characters and classes and add its own for `*` and ranges: `costs[p]` is the cheapest way to turn the first p
/// characters of the name into what has been read so far.
public enum EditDistance {
  /// The Levenshtein distance from `a` to `b`.
  /// - Complexity: O(|a| × |b|).
  public static func levenshtein(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    var costs = startingRow(count: b.count)
    for character in a { costs = row(after: costs) { b[$0] == character } }
    return costs[b.count]
  }

  /// The Levenshtein distance between the lowercased words: `para-l6` is 0 from `para-L6`. Names are case-sensitive,
  /// but a name typed in the wrong case is the likeliest slip, so "did you mean" ranks by this first.
  /// - Complexity: O(|a| × |b|).
  public static func levenshteinIgnoringCase(_ a: String, _ b: String) -> Int {
    levenshtein(a.lowercased(), b.lowercased())
  }

  /// The row before anything is read: dropping the first p characters of a name of `count` costs p.
  public static func startingRow(count: Int) -> [Int] { Array(0 ... count) }

  /// The row after one more character that matches name character p when `matches(p)`: it stands for a name
  /// character (free when it matches, else a substitution) or is deleted, and extra name characters are inserted.
  public static func row(after costs: [Int], matching matches: (Int) -> Bool) -> [Int] {
    var next = costs.map { $0 + 1 }
    for p in 0 ..< costs.count - 1 { next[p + 1] = min(next[p + 1], costs[p] + (matches(p) ? 0 : 1)) }
    insertExtraCharacters(&next)
    return next
  }

  /// Lets a row also reach name character p + 1 from p by one inserted character.
  public static func insertExtraCharacters(_ costs: inout [Int]) {
    for p in 0 ..< costs.count - 1 { costs[p + 1] = min(costs[p + 1], costs[p] + 1) }
  }
}
