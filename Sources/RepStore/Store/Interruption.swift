#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM turned into a clean failure: long operations check `isRequested` between blocks
/// and throw, so an interrupted import deletes its new segments like any failed one, instead of leaving them
/// for `gc`. A second signal ends the process at once (the store stays consistent either way).
public enum Interruption {
  nonisolated(unsafe) private static var requested: sig_atomic_t = 0

  /// Installs the handlers. Call once, early, from the command-line tool.
  public static func install() {
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber) { received in
        Interruption.requested = 1
        signal(received, SIG_DFL)
      }
    }
  }

  public static var isRequested: Bool { requested != 0 }

  /// Throws `StoreError(.interrupted)` if a signal arrived.
  static func check() throws {
    if isRequested { throw StoreError.interrupted }
  }
}
