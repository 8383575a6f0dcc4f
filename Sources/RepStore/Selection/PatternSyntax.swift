/// The parsed form of one name pattern, or of one alternative inside braces.
///
/// A pattern is either a glob (a run of elements matched left to right) or a range form, `PREFIX low .. PREFIX high
/// SUFFIX`, such as `L2..L7` or, inside braces, `1..4`. The tree keeps what the user wrote (bound spelling, range
/// direction, the range form itself), so `sourceText` reproduces it canonically and parsing that text gives an equal
/// tree. Matching does not walk this tree: `PatternProgram` compiles it once.
indirect enum PatternSyntax: Sendable, Equatable {
  /// Elements matched in order against the whole name.
  case glob([Element])
  /// A numeric range between two literal bounds with a shared prefix and suffix.
  case range(RangeForm)

  /// One element of a glob.
  enum Element: Sendable, Equatable {
    /// One character, matched exactly (case-sensitive).
    case literal(Character)
    /// `*`: any run of characters, including none.
    case anyRun
    /// `?`: exactly one character.
    case anyCharacter
    /// `[abc]`, `[a-z]`, `[!a-c]`: one character from (or, negated, not from) a set.
    case characterClass(CharacterClass)
    /// `{a,b,c}`: any one of the alternatives, each a pattern of its own.
    case alternation([PatternSyntax])
  }

  /// The contents of `[…]`.
  struct CharacterClass: Sendable, Equatable {
    /// One entry between the brackets.
    enum Item: Sendable, Equatable {
      /// A single character.
      case single(Character)
      /// `low-high`, inclusive, in `Character` order; `low <= high`.
      case span(Character, Character)
    }

    /// `true` for `[!…]`, which matches one character not listed.
    var isNegated: Bool
    /// The listed characters and spans; never empty.
    var items: [Item]

    /// Whether `character` is one this class matches.
    ///
    /// - Complexity: O(`items.count`) character comparisons.
    func contains(_ character: Character) -> Bool {
      let isListed = items.contains { item in
        switch item {
        case .single(let c): c == character
        case .span(let low, let high): low <= character && character <= high
        }
      }
      return isListed != isNegated
    }
  }

  /// `PREFIX low .. PREFIX high SUFFIX`, e.g. `L2..L7` (prefix `L`) or `h2.out..h7.out` (suffix `.out`).
  struct RangeForm: Sendable, Equatable {
    /// Literal text before the number; never ends in a digit.
    var prefix: String
    /// The first bound's digits as written (leading zeros kept).
    var low: String
    /// The second bound's digits as written; may be smaller than `low` (a descending range means the same set).
    var high: String
    /// Literal text after the number; contains no digit.
    var suffix: String
  }
}

// MARK: - Canonical source text

extension PatternSyntax {
  /// Characters that must be escaped to stand for themselves outside brackets.
  private static let metacharacters: Set<Character> = ["\\", "*", "?", "[", "]", "{", "}", ",", "/", "@"]
  /// Characters that must be escaped to stand for themselves inside brackets.
  private static let classMetacharacters: Set<Character> = ["\\", "]", "-", "!", "^", "/", "@"]

  /// The canonical pattern text: metacharacters escaped, `[^…]` spelled `[!…]`, everything else as written.
  ///
  /// Parsing the result gives a tree equal to `self`.
  /// - Complexity: O(size of the pattern).
  var sourceText: String {
    switch self {
    case .glob(let elements): Self.text(of: elements)
    case .range(let form): Self.text(of: form)
    }
  }

  private static func text(of elements: [Element]) -> String {
    var text = ""
    var endsInBareDot = false  // a second bare '.' would read as '..'
    for element in elements {
      switch element {
      case .literal(let c):
        let mustEscape = metacharacters.contains(c) || (c == "." && endsInBareDot)
        text += mustEscape ? "\\\(c)" : "\(c)"
        endsInBareDot = c == "." && !mustEscape
        continue
      case .anyRun: text += "*"
      case .anyCharacter: text += "?"
      case .characterClass(let characterClass): text += self.text(of: characterClass)
      case .alternation(let alternatives): text += "{" + alternatives.map(\.sourceText).joined(separator: ",") + "}"
      }
      endsInBareDot = false
    }
    return text
  }

  private static func text(of characterClass: CharacterClass) -> String {
    func escaped(_ c: Character) -> String { classMetacharacters.contains(c) ? "\\\(c)" : "\(c)" }
    let items = characterClass.items.map { item in
      switch item {
      case .single(let c): escaped(c)
      case .span(let low, let high): escaped(low) + "-" + escaped(high)
      }
    }
    return "[" + (characterClass.isNegated ? "!" : "") + items.joined() + "]"
  }

  private static func text(of form: RangeForm) -> String {
    // A '.' is escaped when it would pair with a bare '.' before it, or, ending the suffix, with the separator.
    func escaped(_ affix: String, isSuffix: Bool) -> String {
      var text = ""
      var endsInBareDot = false
      for (offset, c) in affix.enumerated() {
        let isLast = isSuffix && offset == affix.count - 1
        let mustEscape = metacharacters.contains(c) || (c == "." && (endsInBareDot || isLast))
        text += mustEscape ? "\\\(c)" : "\(c)"
        endsInBareDot = c == "." && !mustEscape
      }
      return text
    }
    let prefix = escaped(form.prefix, isSuffix: false)
    let suffix = escaped(form.suffix, isSuffix: true)
    return prefix + form.low + suffix + ".." + prefix + form.high + suffix
  }
}
