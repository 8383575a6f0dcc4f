import CKernelChoice
import Foundation
import RepMath

/// The OpenBLAS kernels the product-heavy commands run on.
///
/// Debian's OpenBLAS 0.3.21 takes its AVX-512 (Cooperlake) kernels on AMD Zen 4, whose 512-bit instructions run as two
/// 256-bit halves; its AVX2 Zen kernels run a similarity table's sgemm shapes 3.5% faster there, and the whole
/// `sim cka` table 3–5% faster (BENCHMARKS.md). OpenBLAS reads its choice, `OPENBLAS_CORETYPE`, once, when the
/// library loads, before any of our code runs; so on such a CPU `sim`, `train`, `bench` and `query` set it and
/// re-execute themselves, once (same process id, arguments and open files; about 13 ms). A value the user set is
/// never changed, and an OpenBLAS that already chose other kernels is left alone.
enum BLASKernels {
  /// The subcommands whose time goes to BLAS products.
  static let productHeavyCommands: Set<String> = ["sim", "train", "bench", "query"]

  static func preferFasterKernels(arguments: [String] = CommandLine.arguments) {
    guard arguments.count > 1, productHeavyCommands.contains(arguments[1]),
          ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
          ["Cooperlake", "SkylakeX"].contains(BLAS.coreName), repstore_cpu_is_amd_zen4() != 0
    else { return }
    setenv("OPENBLAS_CORETYPE", "ZEN", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // Only reached when the re-execution failed: carry on with the kernels already loaded.
    unsetenv("OPENBLAS_CORETYPE")
  }
}
