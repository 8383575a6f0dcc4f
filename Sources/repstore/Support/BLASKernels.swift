import Foundation
import RepMath

/// The OpenBLAS kernels the product-heavy commands run on (the choice itself: `KernelChoice` in RepMath).
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, before any of our code runs; so when the choice
/// differs from OpenBLAS's pick, `sim`, `train`, `bench` and `query` set it and re-execute themselves, once (same
/// process id, arguments and open files; about 13 ms). Reading commands skip this to start fast. A value the user set
/// is never changed.
enum BLASKernels {
  /// The subcommands whose time goes to BLAS products.
  static let productHeavyCommands: Set<String> = ["sim", "train", "bench", "query"]

  /// Carries the reason across the re-execution, so that the new process can tell our setting from the user's.
  private static let choiceVariable = "REPSTORE_KERNEL_CHOICE"
  /// For benchmarks and tests only: repstore decides as if OpenBLAS had picked this core.
  private static let fallbackVariable = "REPSTORE_FORCE_FALLBACK_CORE"

  /// The decision in force in this process, set by `applyChoice()`.
  nonisolated(unsafe) private(set) static var inForce: KernelChoice.Decision?

  /// What this CPU and environment call for, whatever the command.
  static func decision(environment: [String: String] = ProcessInfo.processInfo.environment) -> KernelChoice.Decision {
    KernelChoice.decide(
      cpu: CPUFeatures.current, openBLASPick: environment[fallbackVariable] ?? BLAS.coreName,
      userSetting: environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 })
  }

  /// Switches kernels by re-executing when a product-heavy command runs and the choice differs from OpenBLAS's pick.
  static func applyChoice(arguments: [String] = CommandLine.arguments) {
    let environment = ProcessInfo.processInfo.environment
    if let reason = environment[choiceVariable], let core = environment["OPENBLAS_CORETYPE"] {
      // The re-executed process: OpenBLAS has loaded `core`. Children choose for themselves again.
      inForce = .use(core: core, reason: reason)
      unsetenv(choiceVariable)
      unsetenv("OPENBLAS_CORETYPE")
      return
    }
    guard arguments.count > 1, productHeavyCommands.contains(arguments[1]) else { return }
    let decision = decision(environment: environment)
    inForce = decision
    guard case .use(let core, let reason) = decision else { return }
    setenv("OPENBLAS_CORETYPE", core, 1)
    setenv(choiceVariable, reason, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // Only reached when the re-execution failed: carry on with the kernels already loaded.
    unsetenv("OPENBLAS_CORETYPE")
    unsetenv(choiceVariable)
    inForce = .keep(reason: "re-execution failed: \(String(cString: strerror(errno)))")
  }

  /// `repstore --version`'s account: the kernels OpenBLAS loaded, and those the product-heavy commands run.
  static var description: String {
    switch inForce ?? decision() {
    case .keep(let reason):
      return "\(BLAS.coreName) kernels: \(reason)"
    case .use(let core, let reason):
      let loaded = inForce == nil ? "" : " (loaded)"
      return "\(core) kernels for sim, train, bench and query\(loaded), chosen by repstore: \(reason); "
        + "OPENBLAS_CORETYPE overrides"
    }
  }
}
