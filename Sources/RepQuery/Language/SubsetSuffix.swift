/// Finds the example-subset suffix of a selector token, `@SET[0:1000]` or `@SET[keys=PATH]`, and keeps character
/// classes from being mistaken for one.
///
/// `[` also opens a character class in name patterns (`L[12]`), so only these read as a subset:
/// - `[keys=…]` after the `@`, running to a final `]` (the path may hold any character, `]` included);
/// - the last bracket group when it ends the token and holds a `:` and no `\` (`[0:1000]`, `[:500]`, `[1:x]`).
///
/// A class that would read as a subset is written with an escape instead (`[\:]`, `[\keys=…]`), which is what
/// `escapingLookalike(in:)` does for the printer. Groups inside `{…}` never count.
enum SubsetSuffix {
  /// A subset suffix: where its `[` is, whether it is closed by the last character, and whether an `@SET` precedes it.
  struct Location: Equatable {
    /// Whether the brackets hold `keys=PATH` rather than a row range.
    var isKeys: Bool
    /// The index of the opening `[` in the token text.
    var open: Int
    /// Whether the token ends with the `]` that closes it.
    var isClosed: Bool
    /// Whether an unescaped `@` comes before the `[`.
    var followsExampleSet: Bool
  }

  /// The subset suffix of a selector token's text, or `nil` if it has none.
  ///
  /// - Complexity: O(length of `characters`).
  static func locate(in characters: [Character]) -> Location? {
    let scan = groups(in: characters, readingKeysPath: true)
    guard let last = scan.groups.last else { return nil }
    let followsExampleSet = scan.atSign.map { $0 < last.open } ?? false
    let endsText = last.close == characters.count - 1
    if isKeys(characters, openingAt: last.open), followsExampleSet || endsText {
      return Location(isKeys: true, open: last.open, isClosed: endsText, followsExampleSet: followsExampleSet)
    }
    guard let close = last.close, endsText else { return nil }
    let content = characters[(last.open + 1)..<close]
    guard content.contains(":"), !content.contains("\\") else { return nil }
    return Location(isKeys: false, open: last.open, isClosed: true, followsExampleSet: followsExampleSet)
  }

  /// The selector text with every class that would read as a subset escaped: a leading `k` of `keys=` becomes
  /// `\k`, and, unless a subset will follow, the `:`s of a final group become `\:`. Escaped characters mean
  /// themselves, so the pattern is unchanged.
  static func escapingLookalike(in text: String, isFollowedBySubset: Bool) -> String {
    var characters = Array(text)
    let classes = groups(in: characters, readingKeysPath: false).groups
    for group in classes.reversed() {
      guard let close = group.close else { continue }
      if close == characters.count - 1, !isFollowedBySubset {
        let content = characters[(group.open + 1)..<close]
        if content.contains(":"), !content.contains("\\") {
          for index in content.indices.reversed() where characters[index] == ":" { characters.insert("\\", at: index) }
        }
      }
      if isKeys(characters, openingAt: group.open) { characters.insert("\\", at: group.open + 1) }
    }
    return String(characters)
  }

  /// Whether the text at `open` is `[keys=`.
  private static func isKeys(_ characters: [Character], openingAt open: Int) -> Bool {
    characters[(open + 1)...].starts(with: "keys=")
  }

  /// The bracket groups outside braces, in order, and the first unescaped `@` outside braces.
  ///
  /// When `readingKeysPath` is set, a `[keys=` after the `@` is the last group and runs to the final `]` of the
  /// text (`close` is the last index when the text ends with `]`, else `nil`). A class left open ends the scan.
  private static func groups(in characters: [Character], readingKeysPath: Bool)
    -> (groups: [(open: Int, close: Int?)], atSign: Int?)
  {
    var groups: [(open: Int, close: Int?)] = []
    var atSign: Int? = nil
    var braceDepth = 0
    var index = 0
    while index < characters.count {
      switch characters[index] {
      case "\\":
        index += 2
        continue
      case "{": braceDepth += 1
      case "}": braceDepth = max(0, braceDepth - 1)
      case "@" where braceDepth == 0 && atSign == nil: atSign = index
      case "[":
        if readingKeysPath, braceDepth == 0, atSign != nil, isKeys(characters, openingAt: index) {
          groups.append((index, characters.last == "]" ? characters.count - 1 : nil))
          return (groups, atSign)
        }
        var close = index + 1
        while close < characters.count, characters[close] != "]" { close += characters[close] == "\\" ? 2 : 1 }
        guard close < characters.count else { return (groups, atSign) }
        if braceDepth == 0 { groups.append((index, close)) }
        index = close
      default: break
      }
      index += 1
    }
    return (groups, atSign)
  }
}
