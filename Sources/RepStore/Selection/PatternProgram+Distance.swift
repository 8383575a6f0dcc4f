extension PatternProgram {
  /// The fewest single-character edits (insert, delete, substitute) that turn `name` into a name this pattern matches.
  ///
  /// For a literal pattern this is the Levenshtein distance; `*` absorbs any run for free and `?` or a class matches one
  /// character for free. A numeric range counts 1 for standing in for any other run of at most its width (an out-of-range
  /// number, say), or for being dropped. It is 0 exactly when the pattern matches. The evaluation is the matcher's position-set
  /// simulation with a cost per position instead of a flag (approximate matching after Myers & Miller 1989,
  /// https://doi.org/10.1007/BF02459948).
  ///
  /// - Complexity: O(s × n) for s steps and a name of n characters, plus O(n × w²) per numeric range.
  func editDistance(to name: [Character]) -> Int {
    let start = Array(0...name.count)  // dropping the first p characters of the name costs p
    return Self.advanceCosts(steps, from: start, over: name)[name.count]
  }

  /// Costs after `steps`, given the cost of having consumed `name[..<p]` before them.
  private static func advanceCosts(_ steps: [Step], from costs: [Int], over name: [Character]) -> [Int] {
    var current = costs
    for step in steps {
      var next: [Int]
      switch step {
      case .character, .anyCharacter, .characterClass:
        next = current.map { $0 + 1 }  // the pattern character matches nothing in the name
        for p in name.indices {
          let isMatch = switch step {
          case .character(let c): name[p] == c
          case .characterClass(let characterClass): characterClass.contains(name[p])
          default: true
          }
          next[p + 1] = min(next[p + 1], current[p] + (isMatch ? 0 : 1))
        }
      case .anyRun:
        next = current
        for p in name.indices { next[p + 1] = min(next[p + 1], next[p]) }
      case .alternation(let alternatives):
        next = [Int](repeating: Int.max / 2, count: name.count + 1)  // alternatives are never empty
        for alternative in alternatives {
          let reached = advanceCosts(alternative, from: current, over: name)
          for p in reached.indices { next[p] = min(next[p], reached[p]) }
        }
      case .number(let range):
        next = current.map { $0 + 1 }  // the number is missing from the name
        for p in name.indices {
          var end = p
          while end < name.count, end - p < range.longestRun {  // any short run: one wrong number
            end += 1
            next[end] = min(next[end], current[p] + 1)
          }
          range.forEachEnd(in: name, from: p) { next[$0] = min(next[$0], current[p]) }
        }
      }
      for p in name.indices { next[p + 1] = min(next[p + 1], next[p] + 1) }  // an extra character in the name
      current = next
    }
    return current
  }
}
