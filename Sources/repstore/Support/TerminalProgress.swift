import Foundation
import RepQuery
import RepStore

#if canImport(Glibc)
  import Glibc
#endif

/// A one-line progress bar on stderr, drawn only when stderr is a terminal (never into pipes or logs).
final class TerminalProgress: ProgressReporter {
  private var label = ""
  private var total: Int64 = 0
  private var started = Date()
  private var lastDraw = Date.distantPast
  private var isDrawn = false

  /// A progress bar when stderr is a terminal and `quiet` is false; nil otherwise.
  static func ifTerminal(quiet: Bool) -> TerminalProgress? {
    quiet || isatty(STDERR_FILENO) == 0 ? nil : TerminalProgress()
  }

  func begin(_ label: String, totalByteCount: Int64) {
    self.label = label
    total = max(1, totalByteCount)
    started = Date()
    lastDraw = .distantPast
  }

  func advance(to byteCount: Int64) {
    let now = Date()
    guard now.timeIntervalSince(lastDraw) >= 0.1 || byteCount >= total else { return }
    lastDraw = now
    let fraction = min(1, Double(byteCount) / Double(total))
    let width = 30
    let filled = Int(fraction * Double(width))
    let elapsed = max(1e-3, now.timeIntervalSince(started))
    let rate = Double(byteCount) / elapsed
    let remaining = rate > 0 ? Double(total - byteCount) / rate : 0
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let line = String(
      format: "\r%@ [%@] %3.0f%%  %@ / %@  %@/s  ETA %.0fs", label, bar, fraction * 100,
      byteCountText(byteCount), byteCountText(total), byteCountText(Int64(rate)), remaining)
    FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    isDrawn = true
  }

  func end() {
    if isDrawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    isDrawn = false
  }
}
