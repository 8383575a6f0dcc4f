extension Selector {
  /// Parses a selector: `["model:"] modelPattern ["/" layerPattern] ["@" setPattern]`.
  ///
  /// `/` and `@` delimit wherever they appear unescaped (names never contain them). The `model:` prefix is optional
  /// (`a/L3` is `model:a/L3`) and is removed only once, so a model literally named `model:x` is `model:model:x`.
  /// Nothing is trimmed: spaces are part of names.
  ///
  /// - Parameter text: E.g. `model:a/L3`, `a/L2..L7@val`, `*`.
  /// - Returns: The selector; `layer` is `.any` without `/`, `exampleSet` is `nil` without `@`.
  /// - Throws: `SelectorError` with `input == text` and the column of the first problem from the left: an empty text,
  ///   an empty part (`/L3`, `a/`, `a@`), a second `/` or `@`, a `/` after `@`, or any `NamePattern` syntax error.
  /// - Complexity: O(length of `text`).
  public static func parse(_ text: String) throws -> Selector {
    guard !text.isEmpty else { throw SelectorError(input: text, column: 0, kind: .emptySelector) }
    var parser = PatternParser(input: text)
    if parser.characters.starts(with: "model:") { parser.position = 6 }

    var selector = Selector(model: try parser.parsePart(.model))
    if parser.current == "/" {
      parser.position += 1
      selector.layer = try parser.parsePart(.layer)
      if parser.current == "/" { throw parser.failure(.repeatedDelimiter("/"), at: parser.position) }
    }
    if parser.current == "@" {
      parser.position += 1
      selector.exampleSet = try parser.parsePart(.exampleSet)
      switch parser.current {
      case "/": throw parser.failure(.slashAfterExampleSet, at: parser.position)
      case "@": throw parser.failure(.repeatedDelimiter("@"), at: parser.position)
      default: break
      }
    }
    return selector
  }
}

extension PatternParser {
  /// Parses one selector part, which must not be empty.
  fileprivate mutating func parsePart(_ part: SelectorError.Part) throws(SelectorError) -> NamePattern {
    let start = position
    let syntax = try parsePattern()
    guard position > start else { throw failure(.emptyPart(part), at: start) }
    return NamePattern(syntax)
  }
}
