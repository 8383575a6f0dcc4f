#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM turned into a clean failure: long operations check `isRequested` between blocks
/// and throw, so an interrupted import deletes its new segments like any failed one, instead of leaving them
/// for `gc`. A second signal ends the process at once (the store stays consistent either way).
public enum Interruption {
  nonisolated(unsafe) private static var requested: sig_atomic_t = 0

  /// Installs the handlers. Call once, early, from the command-line tool, before any other thread starts.
  public static func install() {
    // A process started by one whose thread blocks these signals (a worker thread of a test runner or a notebook
    // kernel) inherits the block, and Ctrl-C would wait until exit: unblock them for this thread and those it starts.
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber) { received in
        Interruption.requested = 1
        signal(received, SIG_DFL)
      }
    }
  }

  public static var isRequested: Bool { requested != 0 }

  /// The error of an operation that stopped for a signal before changing anything.
  public static var error: StoreError { StoreError.interrupted }

  /// The error of an operation that stopped for a signal and kept `outcome` (e.g. "the cells computed so far are
  /// stored").
  public static func error(keeping outcome: String) -> StoreError { StoreError.interrupted(outcome) }

  /// Throws `StoreError(.interrupted)` if a signal arrived.
  public static func check() throws {
    if isRequested { throw StoreError.interrupted }
  }
}
