import ArgumentParser
import Foundation
import RepQuery
import RepStore

/// Where statements write when run from the command line: output on stdout; notes on stderr unless quiet; warnings
/// on stderr always.
struct TerminalSink: QuerySink {
  var quiet: Bool

  func write(_ text: String) {
    LiveLine.clear()
    FileHandle.standardOutput.write(Data(text.utf8))
  }
  func note(_ line: String) {
    guard !quiet else { return }
    LiveLine.clear()
    printNote(line)
  }
  func warning(_ line: String) {
    LiveLine.clear()
    printNote(line)
  }
  var progress: (any ProgressReporter)? { TerminalProgress.ifTerminal(quiet: quiet) }
  var showsStatus: Bool { !quiet && isatty(STDERR_FILENO) != 0 }
  func status(_ line: String) { if showsStatus { LiveLine.draw(line) } }
  var colour: Bool {
    TableRenderer.terminalWantsColour(isTTY: isatty(STDOUT_FILENO) != 0, environment: ProcessInfo.processInfo.environment)
  }
  var width: Int? { standardOutputWidth() }
}

/// The columns a text table on stdout may take: `COLUMNS`, else the terminal's width, else no limit.
func standardOutputWidth() -> Int? {
  var size = winsize()
  let isTerminal = isatty(STDOUT_FILENO) != 0 && ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0
  let terminal = isTerminal ? Int(size.ws_col) : nil
  return TableRenderer.textWidth(
    columnsVariable: ProcessInfo.processInfo.environment["COLUMNS"], terminalColumns: terminal)
}

extension QuerySession {
  /// A session on the store `--store` names, writing to the terminal.
  init(_ options: StoreOptions, quiet: Bool, format: TableFormat = .table) throws {
    self.init(store: try options.open(), sink: TerminalSink(quiet: quiet))
    defaultFormat = format
  }
}

/// Parses command-line words as a statement; a syntax error becomes a usage error with its caret diagnostic.
func parseStatement(_ arguments: [String]) throws -> QueryStatement {
  do { return try QueryParser.parseArguments(arguments) } catch { throw ValidationError(error.caretDiagnostic) }
}

extension ListingFormat: ExpressibleByArgument {}
