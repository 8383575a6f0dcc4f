import RepStore

/// Query text that could not be parsed: the source, which statement, the line and column, and what is wrong.
///
/// `description` is the one line the command-line tool prints as is:
///
///     statement 1, column 12: expected a selector, found 'with'
///
/// `caretDiagnostic` shows the same problem on three lines, the source line with a caret under the column, in the
/// style of `SelectorError.caretDiagnostic`. Lines count from 1; columns count `Character`s from 0 within the line,
/// as selector columns do, and may equal the line's length when something is missing at the end.
///
/// For the command-line form (`repstore sim cka a b`) the source is the arguments joined by single spaces.
public struct QuerySyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The whole text that was parsed: a statement, a script, or the arguments joined by spaces.
  public var source: String
  /// Which statement of the source, from 1; blank lines and comments do not count.
  public var statementNumber: Int
  /// The source line of the problem, from 1.
  public var line: Int
  /// The 0-based column, in `Character`s, of the problem in its line.
  public var column: Int
  /// What is wrong.
  public var kind: Kind

  /// Creates an error at character `offset` of `source`, finding its line and column.
  init(source: String, statementNumber: Int, offset: Int, kind: Kind) {
    self.source = source
    self.statementNumber = statementNumber
    self.kind = kind
    var line = 1
    var column = 0
    for (index, character) in source.enumerated() where index < offset {
      if character.isNewline {
        line += 1
        column = 0
      } else {
        column += 1
      }
    }
    self.line = line
    self.column = column + max(0, offset - source.count)
  }

  /// The message without location, e.g. `expected a selector, found 'with'`.
  public var message: String { kind.message }

  /// Whether the source has more than one line, so the location must name the line too.
  private var isMultiline: Bool { source.contains(where: \.isNewline) }

  /// One line: `statement 1, column 12: expected a selector, found 'with'`; the line is named when there are several.
  public var description: String {
    "statement \(statementNumber), " + (isMultiline ? "line \(line), " : "") + "column \(column): \(message)"
  }

  /// The text of the line the problem is on.
  public var sourceLine: String {
    let lines = source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    return line <= lines.count ? String(lines[line - 1]) : ""
  }

  /// Three lines: the source line, a caret under the offending column, and the message.
  ///
  /// Tabs before the column are copied into the caret line so the caret stays aligned in a terminal.
  public var caretDiagnostic: String {
    let text = sourceLine
    let padding = text.prefix(column).map { $0 == "\t" ? "\t" : " " }.joined()
    let overshoot = String(repeating: " ", count: max(0, column - text.count))
    return "\(text)\n\(padding)\(overshoot)^\n\(message)"
  }
}
