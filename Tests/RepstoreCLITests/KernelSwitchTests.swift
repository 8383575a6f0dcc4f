import Foundation
import Testing

/// repstore's switch to better OpenBLAS kernels happens in-process, while the threads OpenBLAS started at load time may
/// still be starting. Under load, one of them once selected a kernel table during the switch and the process crashed
/// (a NULL table, seen as signal 11 in the CLI tests). `Tests/Shims/openblas_thread_start.c` makes that interleaving
/// happen on every run.
@Suite("Kernel switch")
struct KernelSwitchTests {
  /// A C compiler for the shim: the system's, or the one beside the Swift toolchain.
  static let compiler: URL? = {
    var candidates = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"]
    if let swift = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map({ "\($0)/clang" }) {
      candidates += swift
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map(URL.init(fileURLWithPath:))
  }()

  static let shimSource = PackageFiles.root.appendingPathComponent("Tests/Shims/openblas_thread_start.c").path

  @Test("OpenBLAS's threads starting during the switch select no kernels, and the commands run",
        .enabled(if: CommandLineTests.repstoreChoosesKernels && compiler != nil))
  func threadsStartingDuringTheSwitch() throws {
    try withScratch { scratch in
      let shim = scratch.path("openblas_thread_start.so")
      let compiled = try scratch.runTool(
        try #require(Self.compiler), ["-shared", "-fPIC", "-O1", "-o", shim, Self.shimSource, "-ldl", "-lpthread"])
      try #require(compiled.status == 0, "\(compiled)")
      try scratch.writeNpy(Matrix.seeded(rows: 200, columns: 6, seed: 3), to: "a.npy")
      try scratch.succeed("import", scratch.path("a.npy"), "--model", "m")

      // Decided as if OpenBLAS had picked its generic kernels, so that every CPU with AVX2 switches.
      let environment = ["REPSTORE_FORCE_FALLBACK_CORE": "Prescott", "LD_PRELOAD": shim]
      for arguments in [["--version"], ["sim", "cka", "m/a", "m/a", "--format", "csv", "--store", scratch.store]] {
        let result = try scratch.run(arguments, environment: environment)
        #expect(result.status == 0 && !result.wasSignaled, "\(result)")
        // The shim ran and held the threads back until the switch (or this test proves nothing).
        #expect(result.stderr.contains("shim: switch began"), "\(result)")
        #expect(!result.stderr.contains("shim: a worker selected kernels during the switch"), "\(result)")
      }
    }
  }
}
