/// A name pattern compiled for matching: a flat list of steps, alternation nested, range forms expanded into literal
/// steps around a `NumberRange`.
///
/// Matching simulates all ways through the pattern at once. It carries the set of name positions reachable after each
/// step (a Thompson-style simulation rather than backtracking), so `*a*a*a*a*b` costs one pass per step however the name
/// is built: O(steps × name length) in all, never exponential.
struct PatternProgram: Sendable {
  /// One matching step.
  indirect enum Step: Sendable {
    /// Exactly this character.
    case character(Character)
    /// Any one character.
    case anyCharacter
    /// Any run of characters, including none.
    case anyRun
    /// One character the class contains.
    case characterClass(PatternSyntax.CharacterClass)
    /// Any one of several step lists.
    case alternation([[Step]])
    /// A digit run the range accepts.
    case number(NumberRange)
  }

  /// The steps, matched in order against the whole name.
  let steps: [Step]

  /// Compiles a parsed pattern.
  ///
  /// - Complexity: O(size of the pattern).
  init(_ syntax: PatternSyntax) {
    steps = Self.steps(for: syntax)
  }

  private static func steps(for syntax: PatternSyntax) -> [Step] {
    switch syntax {
    case .range(let form):
      return form.prefix.map(Step.character) + [.number(NumberRange(low: form.low, high: form.high))]
        + form.suffix.map(Step.character)
    case .glob(let elements):
      var steps: [Step] = []
      for element in elements {
        switch element {
        case .literal(let c): steps.append(.character(c))
        case .anyCharacter: steps.append(.anyCharacter)
        case .anyRun:
          if case .anyRun = steps.last { continue }  // `**` is `*`
          steps.append(.anyRun)
        case .characterClass(let characterClass): steps.append(.characterClass(characterClass))
        case .alternation(let alternatives): steps.append(.alternation(alternatives.map(Self.steps(for:))))
        }
      }
      return steps
    }
  }

  /// Whether the whole of `name` matches.
  ///
  /// - Complexity: O(s × n) character comparisons for s steps (counting steps inside alternatives) and a name of
  ///   n characters, plus O(n × w²) per numeric range with bounds of w digits.
  func matches(_ name: [Character]) -> Bool {
    var start = [Bool](repeating: false, count: name.count + 1)
    start[0] = true
    return Self.advance(steps, from: start, over: name)[name.count]
  }

  /// The positions reachable after matching `steps` starting from any position set in `positions`.
  private static func advance(_ steps: [Step], from positions: [Bool], over name: [Character]) -> [Bool] {
    var current = positions
    for step in steps {
      var next = [Bool](repeating: false, count: name.count + 1)
      switch step {
      case .character(let c):
        for p in name.indices where current[p] && name[p] == c { next[p + 1] = true }
      case .anyCharacter:
        for p in name.indices where current[p] { next[p + 1] = true }
      case .characterClass(let characterClass):
        for p in name.indices where current[p] && characterClass.contains(name[p]) { next[p + 1] = true }
      case .anyRun:
        if let first = current.firstIndex(of: true) {
          for p in first...name.count { next[p] = true }
        }
      case .alternation(let alternatives):
        for alternative in alternatives {
          let reached = advance(alternative, from: current, over: name)
          for p in reached.indices where reached[p] { next[p] = true }
        }
      case .number(let range):
        for p in name.indices where current[p] {
          range.forEachEnd(in: name, from: p) { next[$0] = true }
        }
      }
      guard next.contains(true) else { return next }
      current = next
    }
    return current
  }
}
