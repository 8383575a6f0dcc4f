import RepSupport

extension PatternProgram {
  /// The fewest single-character edits (insert, delete, substitute) that turn `name` into a name this pattern matches.
  ///
  /// For a literal pattern this is the Levenshtein distance: each character, `?` or class is one row step of
  /// `EditDistance`, where `?` and a class match one character for free. `*` absorbs any run for free. A numeric range
  /// counts 1 for standing in for any other run of at most its width (an out-of-range number, say), or for being
  /// dropped. It is 0 exactly when the pattern matches. The evaluation is the matcher's position-set simulation with a
  /// cost per position instead of a flag (approximate matching after Myers & Miller 1989,
  /// https://doi.org/10.1007/BF02459948).
  ///
  /// With `ignoringCase`, a character matches its other case for free (a class, when it holds either case).
  ///
  /// - Complexity: O(s × n) for s steps and a name of n characters, plus O(n × w²) per numeric range.
  func editDistance(to name: [Character], ignoringCase: Bool = false) -> Int {
    let folding = ignoringCase ? CaseFolding(name) : nil
    return Self.advanceCosts(steps, from: EditDistance.startingRow(count: name.count), over: name, folding: folding)[
      name.count]
  }

  /// Costs after `steps`, given the cost of having consumed `name[..<p]` before them.
  private static func advanceCosts(
    _ steps: [Step], from costs: [Int], over name: [Character], folding: CaseFolding?
  ) -> [Int] {
    var current = costs
    for step in steps {
      switch step {
      case .character(let c):
        if let folding {
          let lowered = CaseFolding.lowered(c)
          current = EditDistance.row(after: current) { folding.lowered[$0] == lowered }
        } else {
          current = EditDistance.row(after: current) { name[$0] == c }
        }
      case .characterClass(let characterClass):
        current = EditDistance.row(after: current) { p in
          characterClass.contains(name[p])
            || folding.map { characterClass.contains($0.lowered[p]) || characterClass.contains($0.uppered[p]) } == true
        }
      case .anyCharacter:
        current = EditDistance.row(after: current) { _ in true }
      case .anyRun:
        // Any run for free; the row then never rises, so extra characters need no step of their own.
        for p in name.indices { current[p + 1] = min(current[p + 1], current[p]) }
      case .alternation(let alternatives):
        // Each alternative's row already allows extra characters, and so does their minimum.
        var next = [Int](repeating: Int.max / 2, count: name.count + 1)  // alternatives are never empty
        for alternative in alternatives {
          let reached = advanceCosts(alternative, from: current, over: name, folding: folding)
          for p in reached.indices { next[p] = min(next[p], reached[p]) }
        }
        current = next
      case .number(let range):
        var next = current.map { $0 + 1 }  // the number is missing from the name
        for p in name.indices {
          var end = p
          while end < name.count, end - p < range.longestRun {  // any short run: one wrong number
            end += 1
            next[end] = min(next[end], current[p] + 1)
          }
          range.forEachEnd(in: name, from: p) { next[$0] = min(next[$0], current[p]) }
        }
        EditDistance.insertExtraCharacters(&next)
        current = next
      }
    }
    return current
  }
}

/// A name's characters in lower and upper case, for distances that ignore case. A character whose other case is more
/// than one character (`ß` → `SS`) stays as it is.
private struct CaseFolding {
  let lowered: [Character]
  let uppered: [Character]

  init(_ name: [Character]) {
    lowered = name.map(Self.lowered)
    uppered = name.map { Self.single($0.uppercased()) ?? $0 }
  }

  static func lowered(_ c: Character) -> Character { single(c.lowercased()) ?? c }

  private static func single(_ text: String) -> Character? { text.count == 1 ? text.first : nil }
}
