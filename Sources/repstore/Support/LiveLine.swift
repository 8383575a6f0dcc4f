import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The one live status line at the bottom of a terminal's stderr: redrawn in place, cut to the terminal's width, and
/// cleared before any other line is written so that notes never run into it.
enum LiveLine {
  nonisolated(unsafe) private static var isDrawn = false
  private static let lock = NSLock()

  /// Draws `line` in place of the current one; "" clears it.
  static func draw(_ line: String) {
    lock.withLock {
      var text = "\r"
      if !line.isEmpty {
        let width = terminalWidth() - 1
        text += line.count > width ? String(line.prefix(max(0, width - 1))) + "…" : line
      }
      FileHandle.standardError.write(Data((text + "\u{1B}[K").utf8))
      isDrawn = !line.isEmpty
    }
  }

  /// Clears the live line if one is drawn; call before writing anything else to stderr.
  static func clear() {
    lock.withLock {
      guard isDrawn else { return }
      FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
      isDrawn = false
    }
  }

  /// The terminal's columns ($COLUMNS, else the tty's, else 80).
  static func terminalWidth() -> Int {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 10 { return columns }
    var size = winsize()
    if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 10 { return Int(size.ws_col) }
    return 80
  }
}
