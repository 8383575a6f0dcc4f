import Foundation

/// A file found by a path pattern, with the names its placeholders captured.
public struct PathMatch: Sendable, Equatable {
  public var path: String
  /// Placeholder name ("model", "layer", "examples") to the text it matched.
  public var captures: [String: String]

  public init(path: String, captures: [String: String] = [:]) {
    self.path = path
    self.captures = captures
  }
}

/// Path patterns for bulk imports: `dumps/{model}/{layer}.npy`, `runs/*/acts/{layer}.npy`.
///
/// Within one path component: `{model}`, `{layer}` and `{examples}` capture a non-empty name; `*` matches any
/// run of characters, `?` one character, `[abc]`/`[a-z]`/`[!x]` one character of a class. No pattern crosses
/// a `/`. Names starting with `.` are matched only by a component that starts with `.`.
public enum PathPattern {
  public static let placeholderNames: Set<String> = ["model", "layer", "examples"]

  /// Whether `text` needs expanding: it has glob characters or a `{word}` (a placeholder, or a misspelt one that
  /// `expand` then reports).
  public static func isPattern(_ text: String) -> Bool {
    text.contains(where: { "*?[".contains($0) }) || text.range(of: #"\{[A-Za-z]+\}"#, options: .regularExpression) != nil
  }

  /// The files matching `pattern`, in natural path order.
  /// - Throws: `StoreError(.invalidInput)` for an unknown placeholder, a malformed class, or no match.
  public static func expand(_ pattern: String) throws -> [PathMatch] {
    let absolute = pattern.hasPrefix("/")
    let components = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    var candidates = [PathMatch(path: absolute ? "/" : "", captures: [:])]
    for (position, component) in components.enumerated() {
      let isLast = position == components.count - 1
      let matcher = try ComponentMatcher(component, pattern: pattern)
      var next: [PathMatch] = []
      for candidate in candidates {
        let directory = candidate.path.isEmpty ? "." : candidate.path
        let join = { (name: String) in
          candidate.path.isEmpty ? name : (candidate.path.hasSuffix("/") ? candidate.path + name : candidate.path + "/" + name)
        }
        if matcher.isLiteral {
          next.append(PathMatch(path: join(component), captures: candidate.captures))
          continue
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for entry in entries.sorted() {
          if entry.hasPrefix(".") && !component.hasPrefix(".") { continue }
          // Earlier components' captures bind the same placeholders here, so backtracking looks for a split
          // that agrees with them (`{model}/{model}_{layer}` on `a_b/a_b_c` is model a_b, layer c).
          guard let captures = matcher.match(entry, given: candidate.captures) else { continue }
          let path = join(entry)
          if !isLast {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
              continue
            }
          }
          next.append(PathMatch(path: path, captures: captures))
        }
      }
      candidates = next
    }
    let files = candidates.filter { candidate in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
    guard !files.isEmpty else { throw StoreError.invalidInput(path: pattern, detail: "no file matches this pattern") }
    return files.sorted { NaturalOrder.areInIncreasingOrder($0.path, $1.path) }
  }
}

/// Matches one path component against a pattern with placeholders and globs.
struct ComponentMatcher {
  enum Token: Equatable {
    case literal(Character)
    case anyRun
    case anyOne
    case characterClass(ranges: [ClosedRange<Character>], negated: Bool)
    case placeholder(String)
  }

  let tokens: [Token]
  var isLiteral: Bool { tokens.allSatisfy { if case .literal = $0 { true } else { false } } }

  init(_ component: String, pattern: String) throws {
    var tokens: [Token] = []
    let characters = Array(component)
    var index = 0
    while index < characters.count {
      let character = characters[index]
      switch character {
      case "*": tokens.append(.anyRun)
      case "?": tokens.append(.anyOne)
      case "[":
        guard let close = characters[(index + 1)...].firstIndex(of: "]"), close > index + 1 else {
          throw StoreError.invalidInput(path: pattern, detail: "unclosed '[' in path pattern")
        }
        var body = Array(characters[(index + 1)..<close])
        let negated = body.first == "!" || body.first == "^"
        if negated { body.removeFirst() }
        var ranges: [ClosedRange<Character>] = []
        var position = 0
        while position < body.count {
          if position + 2 < body.count, body[position + 1] == "-", body[position] <= body[position + 2] {
            ranges.append(body[position]...body[position + 2])
            position += 3
          } else {
            ranges.append(body[position]...body[position])
            position += 1
          }
        }
        tokens.append(.characterClass(ranges: ranges, negated: negated))
        index = close
      case "{":
        if let close = characters[index...].firstIndex(of: "}") {
          let name = String(characters[(index + 1)..<close])
          if PathPattern.placeholderNames.contains(name) {
            tokens.append(.placeholder(name))
            index = close + 1
            continue
          }
          if name.allSatisfy({ $0.isLetter }) {
            throw StoreError.invalidInput(
              path: pattern, detail: "unknown placeholder {\(name)}; use {model}, {layer} or {examples}")
          }
        }
        tokens.append(.literal(character))
      default: tokens.append(.literal(character))
      }
      index += 1
    }
    self.tokens = tokens
  }

  /// The captures when `name` matches with every placeholder in `given` taking its given value, else nil.
  func match(_ name: String, given: [String: String] = [:]) -> [String: String]? {
    var steps = 0
    return match(name, given: given, steps: &steps)
  }

  /// `match`, counting the states it visits in `steps`.
  ///
  /// Backtracking over `*` alone is exponential (`*a*a*a*a*a*a*a*a*b` against a run of `a`s), so every state that
  /// failed, a token and a character position under the captures made so far, is remembered and never tried again:
  /// O(tokens × characters) states when no placeholder is involved, and a few more per placeholder split.
  func match(_ name: String, given: [String: String], steps: inout Int) -> [String: String]? {
    var search = Search(tokens: tokens, characters: Array(name), captures: given)
    let matched = search.matchFrom(0, 0)
    steps += search.steps
    return matched ? search.captures : nil
  }

  private struct Search {
    let tokens: [Token]
    let characters: [Character]
    var captures: [String: String]
    /// States (token, character, captures) known not to match.
    var failed = Set<State>()
    var steps = 0

    struct State: Hashable {
      var token: Int
      var character: Int
      var captures: [String: String]
    }

    mutating func matchFrom(_ t: Int, _ c: Int) -> Bool {
      let state = State(token: t, character: c, captures: captures)
      if failed.contains(state) { return false }
      steps += 1
      if attempt(t, c) { return true }
      failed.insert(state)
      return false
    }

    private mutating func attempt(_ t: Int, _ c: Int) -> Bool {
      if t == tokens.count { return c == characters.count }
      switch tokens[t] {
      case .literal(let expected):
        return c < characters.count && characters[c] == expected && matchFrom(t + 1, c + 1)
      case .anyOne:
        return c < characters.count && matchFrom(t + 1, c + 1)
      case .characterClass(let ranges, let negated):
        guard c < characters.count else { return false }
        let inClass = ranges.contains { $0.contains(characters[c]) }
        return inClass != negated && matchFrom(t + 1, c + 1)
      case .anyRun:
        for end in c...characters.count where matchFrom(t + 1, end) { return true }
        return false
      case .placeholder(let name):
        guard c < characters.count else { return false }
        for end in (c + 1)...characters.count {
          let value = String(characters[c..<end])
          if let earlier = captures[name], earlier != value { continue }
          let hadValue = captures[name] != nil
          captures[name] = value
          if matchFrom(t + 1, end) { return true }
          if !hadValue { captures[name] = nil }
        }
        return false
      }
    }
  }
}
