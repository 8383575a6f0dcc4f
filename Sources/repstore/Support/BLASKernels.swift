import Foundation
import RepMath

/// The OpenBLAS kernels this process runs (the choice itself: `KernelChoice` in RepMath).
///
/// OpenBLAS picks its kernels when the library loads, before any of our code runs. When the choice differs from that
/// pick, `applyChoice()` has OpenBLAS select again in this process, before the first BLAS call (microseconds). With an
/// OpenBLAS that cannot (built without dynamic architecture support), the product-heavy commands set
/// `OPENBLAS_CORETYPE` and re-execute themselves once instead (same process id, arguments and open files; about
/// 10 ms); the others keep the library's pick. A value the user set is never changed.
enum BLASKernels {
  /// The subcommands whose time goes to BLAS products: those worth a re-execution.
  static let productHeavyCommands: Set<String> = ["sim", "train", "bench", "query"]

  /// Carries the reason to a re-executed process and to child processes, so that they can tell our OPENBLAS_CORETYPE
  /// from the user's.
  private static let choiceVariable = "REPSTORE_KERNEL_CHOICE"
  /// For benchmarks and tests only: repstore decides as if OpenBLAS had picked this core.
  private static let fallbackVariable = "REPSTORE_FORCE_FALLBACK_CORE"

  /// The decision in force in this process, set by `applyChoice()`: nil before it, or when it left the kernels to a
  /// re-execution that this command does not make.
  nonisolated(unsafe) private(set) static var inForce: KernelChoice.Decision?

  /// What this CPU and environment call for.
  static func decision(environment: [String: String] = ProcessInfo.processInfo.environment) -> KernelChoice.Decision {
    KernelChoice.decide(
      cpu: CPUFeatures.current, openBLASPick: environment[fallbackVariable] ?? BLAS.coreName,
      userSetting: environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 })
  }

  /// Puts the chosen kernels in force; call it first thing in `main`.
  static func applyChoice(arguments: [String] = CommandLine.arguments) {
    let environment = ProcessInfo.processInfo.environment
    if let reason = environment[choiceVariable], let core = environment["OPENBLAS_CORETYPE"] {
      // Re-executed, or started by a process that chose: OpenBLAS has loaded `core`, for repstore's reason.
      inForce = .use(core: core, reason: reason)
      return
    }
    let decision = decision(environment: environment)
    guard case .use(let core, let reason) = decision else {
      inForce = decision
      return
    }
    // Set before OpenBLAS selects, and kept (as OPENBLAS_CORETYPE is): the environment must not change while
    // OpenBLAS's threads may read it.
    setenv(choiceVariable, reason, 1)
    if KernelChoice.select(core: core) {
      inForce = BLAS.coreName.lowercased() == core.lowercased()
        ? decision : .keep(reason: "OpenBLAS did not take \(core) (\(reason))")
      return
    }
    guard arguments.count > 1, productHeavyCommands.contains(arguments[1]) else {
      unsetenv(choiceVariable)
      return
    }
    setenv("OPENBLAS_CORETYPE", core, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // Only reached when the re-execution failed: carry on with the kernels already loaded.
    unsetenv("OPENBLAS_CORETYPE")
    unsetenv(choiceVariable)
    inForce = .keep(reason: "re-execution failed: \(String(cString: strerror(errno)))")
  }

  /// `repstore --version`'s account of the kernels, and why they run.
  static var description: String {
    switch inForce {
    case .keep(let reason):
      return "\(BLAS.coreName) kernels: \(reason)"
    case .use(let core, let reason):
      return "\(core) kernels, chosen by repstore: \(reason); OPENBLAS_CORETYPE overrides"
    case nil:
      guard case .use(let core, let reason) = decision() else { return "\(BLAS.coreName) kernels" }
      return "\(BLAS.coreName) kernels; \(core) for sim, train, bench and query, chosen by repstore: \(reason); "
        + "OPENBLAS_CORETYPE overrides"
    }
  }
}
