import Foundation

/// Pauses at named points when `REPSTORE_FAULT_DELAY_MS` asks for it (`point:milliseconds[,point:milliseconds]`), so
/// the fault-injection suite can widen the windows in which races happen. Unset, it costs one dictionary lookup.
package enum FaultHooks {
  private static let delays: [String: UInt32] = {
    guard let text = ProcessInfo.processInfo.environment["REPSTORE_FAULT_DELAY_MS"] else { return [:] }
    var delays: [String: UInt32] = [:]
    for item in text.split(separator: ",") {
      let parts = item.split(separator: ":")
      if parts.count == 2, let milliseconds = UInt32(parts[1]) { delays[String(parts[0])] = milliseconds }
    }
    return delays
  }()

  /// Sleeps for the delay set for `point`, if any.
  package static func pause(at point: String) {
    if let milliseconds = delays[point] { usleep(milliseconds * 1000) }
  }
}
