/// What a model, layer or example-set name may be: non-empty, no `/` or `@` (they delimit selectors
/// `model:NAME/LAYER@SET`), no glob metacharacters and no `..` (a selector reads `L2..L7` as a numeric range; a
/// name must be selectable literally), no control characters, no leading or trailing spaces.
package enum NameRules {
  static let forbidden: Set<Character> = ["/", "@", "*", "?", "[", "]", "{", "}", "\\"]
  /// Names are file-name sized: a selector, a listing or a message quoting one stays readable.
  package static let maximumByteCount = 255
  /// What a projection name may not contain besides: it is written inside measure ids (`contrasim(using=NAME)`)
  /// and after `--using`, where white space, parentheses, `,` and `=` would end it.
  static let forbiddenInProjections: Set<Character> = ["(", ")", ",", "=", "'", "\""]

  /// Returns nil when `name` is acceptable, else what is wrong with it.
  package static func problem(with name: String) -> String? {
    if name.isEmpty { return "is empty" }
    if name.utf8.count > maximumByteCount {
      return "is \(name.utf8.count) bytes long (at most \(maximumByteCount))"
    }
    if let bad = name.first(where: { forbidden.contains($0) }) {
      return "contains '\(bad)' (names may not contain / @ * ? [ ] { } \\)"
    }
    if name.contains("..") {
      return "contains '..' (a selector would read it as a numeric range such as L2..L7)"
    }
    if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      return "contains a control character"
    }
    if name.first?.isWhitespace == true || name.last?.isWhitespace == true {
      return "starts or ends with white space"
    }
    return nil
  }

  /// Returns nil when `name` is acceptable for a trained projection, else what is wrong with it: the rules of
  /// every name, and no white space or measure-id punctuation.
  package static func projectionProblem(with name: String) -> String? {
    if let problem = problem(with: name) { return problem }
    if let bad = name.first(where: { $0.isWhitespace || forbiddenInProjections.contains($0) }) {
      return bad.isWhitespace
        ? "contains white space" : "contains '\(bad)' (projection names may not contain ( ) , = ' \")"
    }
    return nil
  }

  /// A name as a message quotes it: on one line (control characters escaped, as Swift writes them) and at most 64
  /// characters (the rest elided).
  package static func quoted(_ name: String) -> String {
    let shown = name.count > 64 ? String(name.prefix(64)) + "…" : name
    return name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
      ? String(reflecting: shown) : "'\(shown)'"
  }

  /// Throws `StoreError(.invalidInput)` naming the kind of name, the name and the source when it is not acceptable.
  static func check(_ name: String, kind: String, source: String) throws {
    if let problem = problem(with: name) {
      throw StoreError.invalidInput(path: source, detail: "\(kind) name \(quoted(name)) \(problem)")
    }
  }
}
