import Foundation
import Testing

/// Help, usage errors, where the store is found, and what goes to stderr when it is not a terminal.
@Suite("Command line")
struct CommandLineTests {
  static let commands: [[String]] = [
    [], ["import"], ["ls"], ["export"], ["rm"], ["verify"], ["gc"], ["sim"], ["measures"], ["query"], ["tables"],
    ["table"], ["train"], ["projections"], ["rm-projection"], ["bench"], ["bench", "layer-prediction"], ["bench", "retrieval"], ["bench", "runs"],
    ["bench", "show"],
  ]

  /// The help text of `command`, as `Tests/RepstoreCLITests/Fixtures/help/` keeps it.
  static func helpFixture(_ command: [String]) -> String {
    PackageFiles.root.appendingPathComponent(
      "Tests/RepstoreCLITests/Fixtures/help/" + (["repstore"] + command).joined(separator: "-") + ".txt"
    ).path
  }

  /// Help text is part of the interface: every change to it shows up here. After a deliberate change, rewrite the
  /// fixtures with `REPSTORE_UPDATE_HELP=1 swift test --filter helpText` and review their diff.
  @Test("--help of repstore and of every command is exactly the text in Fixtures/help", arguments: commands)
  func helpText(command: [String]) throws {
    try withScratch { scratch in
      let result = try scratch.run(command + ["--help"])
      #expect(result.succeeded, "\(result)")
      let path = Self.helpFixture(command)
      if ProcessInfo.processInfo.environment["REPSTORE_UPDATE_HELP"] != nil {
        try result.stdoutData.write(to: URL(fileURLWithPath: path))
        return
      }
      let expected = try String(contentsOfFile: path, encoding: .utf8)
      let (got, want) = (result.stdout.components(separatedBy: "\n"), expected.components(separatedBy: "\n"))
      let first = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(got.count, want.count)
      #expect(
        result.stdout == expected,
        """
        \((["repstore"] + command + ["--help"]).joined(separator: " ")) differs from \(path) at line \(first + 1):
          got:      \(first < got.count ? got[first] : "(end)")
          expected: \(first < want.count ? want[first] : "(end)")
        (after a deliberate change: REPSTORE_UPDATE_HELP=1 swift test --filter helpText)
        """)
    }
  }

  @Test("--help of repstore and of every command exits 0 and shows examples", arguments: commands)
  func help(command: [String]) throws {
    try withScratch { scratch in
      let result = try scratch.run(command + ["--help"])
      #expect(result.succeeded, "\(result)")
      #expect(result.stdout.contains("Examples:\n"), "\(result.stdout)")
      #expect(result.stdout.contains("USAGE: repstore \(command.first.map { $0 + " " } ?? "")"), "\(result.stdout)")
      let examples = result.stdout.components(separatedBy: "Examples:\n").last ?? ""
      let firstExample = examples.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
      #expect(firstExample.hasPrefix("repstore \(command.joined(separator: " "))"), "\(firstExample)")
      #expect(result.stderr.isEmpty)
      #expect(!scratch.exists("store.repstore"))
    }
  }

  @Test("repstore --help lists every command and the exit statuses")
  func overview() throws {
    try withScratch { scratch in
      let result = try scratch.run(["--help"])
      for command in ["import", "ls", "export", "rm", "verify", "gc"] {
        #expect(result.stdout.contains("\n  \(command) "), "\(command) missing from:\n\(result.stdout)")
      }
      for status in ["0 success", "1 error", "2 verify found damage", "64 usage error", "75 the store is locked"] {
        #expect(result.stdout.replacingOccurrences(of: "\n", with: " ").contains(status), "\(status)")
      }
      let version = try scratch.run(["--version"])
      #expect(version.stdout.hasPrefix("0.1.0 (OpenBLAS "), "\(version.stdout)")
      // The kernels asked for with OPENBLAS_CORETYPE are the ones reported (and repstore never overrides them).
      let chosen = try scratch.run(["--version"], environment: ["OPENBLAS_CORETYPE": "HASWELL"])
      #expect(chosen.stdout.hasSuffix("; Haswell kernels: OPENBLAS_CORETYPE=HASWELL is set)\n"), "\(chosen.stdout)")
    }
  }

  /// Whether this CPU runs AVX2 and FMA (Linux's flags), so that a generic pick gets better kernels, and the tests do
  /// not name kernels themselves (`OPENBLAS_CORETYPE=Prescott make test` passes that on to every command).
  static let repstoreChoosesKernels = {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") }.map { $0.split(separator: " ") } ?? []
    return flags.contains("avx2") && flags.contains("fma") && Repstore.cleanEnvironment["OPENBLAS_CORETYPE"] == nil
  }()

  @Test("on a generic OpenBLAS pick, sim runs better kernels and gets the same table",
        .enabled(if: repstoreChoosesKernels))
  func kernelsChosenOnFallback() throws {
    try withScratch { scratch in
      let fallback = ["REPSTORE_FORCE_FALLBACK_CORE": "Prescott"]
      let version = try scratch.run(["--version"], environment: fallback)
      #expect(version.stdout.contains(" kernels, chosen by repstore: OpenBLAS picked Prescott, made for older CPUs, on "),
              "\(version.stdout)")
      try scratch.writeNpy(Matrix.seeded(rows: 300, columns: 6, seed: 1), to: "a.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 300, columns: 5, seed: 2), to: "b.npy")
      try scratch.succeed("import", scratch.path("a.npy"), scratch.path("b.npy"), "--model", "m")
      let arguments = ["sim", "cka,procrustes", "m/*", "m/*", "--format", "csv", "--recompute", "--store", scratch.store]
      let chosen = try scratch.run(arguments, environment: fallback)
      let generic = try scratch.run(arguments, environment: ["OPENBLAS_CORETYPE": "Prescott"])
      #expect(chosen.status == 0 && generic.status == 0, "\(chosen)\n\(generic)")
      let cells = { (csv: String) in
        csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
      }
      let (a, b) = (cells(chosen.stdout), cells(generic.stdout))
      #expect(a.count == 8 && b.count == 8, "\(chosen.stdout)")
      for (x, y) in zip(a, b) {
        #expect(x[0] == y[0] && x[1] == y[1] && x[4] == y[4])
        // Other kernels sum the Float32 products in another order: the cells agree to that rounding.
        let (u, v) = (Double(x[2]) ?? .nan, Double(y[2]) ?? .nan)
        #expect(abs(u - v) <= 1e-5, "\(x) vs \(y)")
      }
    }
  }

  static let usageErrors: [(arguments: [String], message: String, usage: String)] = [
    (["import", "x.npy", "--model", "m", "--threads", "0"], "Error: --threads must be at least 1", "repstore import"),
    (["import", "x.npy", "--model", "m", "--level", "23"], "Error: --level must be in -7...22", "repstore import"),
    (
      ["import", "x.npy", "--layer", "a", "--layers", "a,b"], "Error: --layer and --layers cannot be combined",
      "repstore import"
    ),
    (["import", "--model", "m"], "Error: Missing expected argument '<file> ...'", "repstore import"),
    (
      ["import", "x.npy", "--assume-dtype", "float32"], "Error: The value 'float32' is invalid for '--assume-dtype",
      "repstore import"
    ),
    (
      ["ls", "--sets", "seed1"], "Error: --sets lists every example set and takes no selector (got 'seed1')",
      "repstore ls"
    ),
    (["ls", "--format", "xml"], "Error: The value 'xml' is invalid for '--format <format>'", "repstore ls"),
    (["export", "seed0/L1"], "Error: Missing expected argument '--output <path>'", "repstore export"),
    (["rm"], "Error: Missing expected argument '<selector>'", "repstore rm"),
    (["verify", "--frobnicate"], "Error: Unknown option '--frobnicate'", "repstore verify"),
    (["frobnicate"], "Error: Unexpected argument 'frobnicate'", "repstore <subcommand>"),
  ]

  @Test("argument mistakes exit 64 with the command's usage", arguments: usageErrors)
  func usageError(arguments: [String], message: String, usage: String) throws {
    try withScratch { scratch in
      // No --store: the default, ./store.repstore, is the scratch store.
      let result = try scratch.run(arguments)
      #expect(result.status == 64 && !result.wasSignaled, "\(result)")
      #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
      #expect(result.stderr.contains("Usage: \(usage)"), "\(result.stderr)")
      #expect(result.stdout.isEmpty)
      #expect(!scratch.exists(scratch.store))
    }
  }

  @Test("mistakes found while running are one 'repstore: ' line with status 64")
  func usageErrorsFoundLate() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 1), to: "a.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 2), to: "b.npy")
      try scratch.succeed("import", scratch.path("a.npy"), scratch.path("b.npy"), "--model", "m")
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 2, seed: 3), to: "c.npy")
      try scratch.succeed("import", scratch.path("c.npy"), "--model", "m", "--examples", "four")
      let cases: [([String], String)] = [
        (
          ["export", "m/*", "-o", scratch.path("both.npy")],
          "repstore: 'm/*' selects 3 tensors; a .npy holds one (use a folder or .safetensors for several)\n"
        ),
        (
          ["import", scratch.path("a.npy")],
          "repstore: \(scratch.path("a.npy")): no model name; pass --model NAME or use a {model} placeholder\n"
        ),
        (
          ["export", "m/*", "-o", scratch.path("all"), "--keys-out", scratch.path("all.keys")],
          "repstore: --keys-out needs the selection to use one example set; 'm/*' uses default, four\n"
        ),
        (
          ["export", "m/*", "-o", scratch.path("all.safetensors"), "--keys-out", scratch.path("all.keys")],
          "repstore: --keys-out needs the selection to use one example set; 'm/*' uses default, four\n"
        ),
      ]
      for (arguments, message) in cases {
        let result = try scratch.run(arguments + ["--store", scratch.store])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr == message, "\(result)")
      }
      // Refused before anything was written.
      for file in ["both.npy", "all", "all.safetensors", "all.keys"] { #expect(!scratch.exists(file), "\(file)") }
    }
  }

  @Test("file system errors while exporting are one line naming the path")
  func exportFileErrors() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 1), to: "a.npy")
      try scratch.succeed("import", scratch.path("a.npy"), "--model", "m")
      try scratch.write("not a folder", to: "plain")
      let cases: [([String], String)] = [
        (["export", "m/a", "-o", scratch.path("plain")], "repstore: \(scratch.path("plain"))/m: Not a directory\n"),
        (
          ["export", "m/a", "-o", scratch.path("x.npy"), "--keys-out", scratch.path("missing/k.keys")],
          "repstore: \(scratch.path("missing/k.keys")): No such file or directory\n"
        ),
        (
          ["export", "m/a", "-o", scratch.path("missing/x.npy")], "repstore: \(scratch.path("missing/x.npy")).partial-"
        ),
      ]
      for (arguments, message) in cases {
        let result = try scratch.run(arguments + ["--store", scratch.store])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix(message) && result.stderrLines.count == 1, "\(result)")
      }
    }
  }

  @Test("the store is --store, else $REPSTORE, else ./store.repstore")
  func storeResolution() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 3, columns: 2, seed: 1), to: "a.npy")
      let fromEnvironment = scratch.path("env.repstore")
      let explicit = scratch.path("explicit.repstore")
      let environment = ["REPSTORE": fromEnvironment]

      let viaEnvironment = try scratch.run(
        ["import", scratch.path("a.npy"), "--model", "env"], environment: environment)
      #expect(viaEnvironment.succeeded, "\(viaEnvironment)")
      #expect(viaEnvironment.stderr.contains("into \(fromEnvironment) (new store)"), "\(viaEnvironment)")
      let viaOption = try scratch.run(
        ["import", scratch.path("a.npy"), "--model", "opt", "--store", explicit], environment: environment)
      #expect(viaOption.succeeded, "\(viaOption)")
      let viaDefault = try scratch.run(["import", scratch.path("a.npy"), "--model", "cwd"])
      #expect(viaDefault.succeeded, "\(viaDefault)")
      #expect(viaDefault.stderr.contains("into store.repstore (new store)"), "\(viaDefault)")

      func models(_ arguments: [String], _ environment: [String: String] = [:]) throws -> String {
        let result = try scratch.run(["ls", "--format", "csv"] + arguments, environment: environment)
        #expect(result.succeeded, "\(result)")
        return result.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }.joined(
          separator: " ")
      }
      #expect(try models([], environment) == "env")
      #expect(try models(["--store", explicit], environment) == "opt")
      #expect(try models([]) == "cwd")
      #expect(try models(["--store", fromEnvironment]) == "env")
      #expect(try models([], ["REPSTORE": ""]) == "cwd", "an empty REPSTORE counts as unset")
    }
  }

  @Test(
    "reading commands never create a store",
    arguments: [
      ["ls"], ["ls", "--sets"], ["verify"], ["export", "m/a", "-o", "a.npy"], ["rm", "m/a"], ["gc"],
    ])
  func missingStore(command: [String]) throws {
    try withScratch { scratch in
      for (arguments, environment, store) in [
        (command + ["--store", scratch.store], [String: String](), scratch.store),
        (command, ["REPSTORE": scratch.path("env.repstore")], scratch.path("env.repstore")),
        (command, [:], "store.repstore"),
      ] {
        let result = try scratch.run(arguments, environment: environment)
        #expect(result.status == 1 && !result.wasSignaled, "\(result)")
        #expect(
          result.stderr
            == "repstore: \(store): no repstore store here (create one with `repstore import`, or pass --store DIR)\n",
          "\(result)")
      }
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0 != ".runs" } == [])
    }
  }

  /// stderr is a file here, not a terminal: no carriage returns or escape sequences of a progress bar may reach it,
  /// only the one-line summaries.
  @Test("no progress bar when stderr is not a terminal")
  func noProgressBar() throws {
    try withScratch { scratch in
      let big = Matrix.seeded(rows: 5_000, columns: 300, seed: 2)
      try scratch.writeNpy(big, to: "big.npy")
      let runs = [
        try scratch.repstore("import", scratch.path("big.npy"), "--model", "m", "--examples", "s", "--threads", "1"),
        try scratch.repstore("export", "m/big", "-o", scratch.path("out.npy")),
        try scratch.repstore("export", "m/big", "-o", scratch.path("out.safetensors")),
        try scratch.repstore("verify", "--threads", "1"),
      ]
      for result in runs {
        #expect(result.succeeded, "\(result)")
        #expect(
          !result.stderrData.contains(0x1B) && !result.stderrData.contains(0x0D), "\(result.stderr.debugDescription)")
        #expect(!result.stdoutData.contains(0x1B) && !result.stdoutData.contains(0x0D))
      }
      #expect(
        runs[0].stderrLines.count == 1
          && runs[0].stderr.hasPrefix("imported 1 tensor of set 's' into \(scratch.store) (new store): 6.00 MB as "),
        "\(runs[0])")
      #expect(runs[1].stderr == "exported 1 tensor to \(scratch.path("out.npy"))\n")
      #expect(
        runs[3].stderr.isEmpty && runs[3].stdout.hasPrefix("ok: 1 tensors, 3 blocks, 6.00 MB checked in "), "\(runs[3])"
      )
      for quietly in [
        ["export", "m/big", "-o", scratch.path("out2.npy"), "--quiet"], ["verify", "-q"], ["gc", "-q"],
        ["rm", "m/big", "-q"],
      ] {
        let quiet = try scratch.run(quietly + ["--store", scratch.store])
        #expect(quiet.succeeded && quiet.stderr.isEmpty && quiet.stdout.isEmpty, "\(quiet)")
      }
    }
  }
}
