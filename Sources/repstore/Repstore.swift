import ArgumentParser
import RepMath
import RepStore

@main
struct Repstore: ParsableCommand {
  static let version = "0.1.0"

  /// The version, and the BLAS it runs on: `repstore --version`.
  static var versionDescription: String {
    let library = BLAS.configuration.split(separator: " ").prefix(2).joined(separator: " ")
    return "\(version) (\(library); \(BLASKernels.description))"
  }

  static let configuration = CommandConfiguration(
    commandName: "repstore",
    abstract: "An embedded store of neural-network activations, and the tools to compare them.",
    discussion: """
      A store is a folder: zstd-compressed Float32 blocks plus a SQLite catalog of models, layers and example sets. \
      Commands find it with --store DIR, else $REPSTORE, else ./\(StoreLocation.defaultFolderName).

      Examples:
        repstore import acts/L3.npy --model gpt2 --examples wiki --keys wiki.keys
        repstore import 'dumps/{model}/{layer}.npy' --examples wiki
        repstore ls 'model:seed*/L1..L4'
        repstore export model:gpt2/L3 -o L3.npy

      Exit status: 0 success; 1 error (bad input, conflict, I/O, damage found while reading, a change asked of a \
      read-only store; for `query`, any statement that failed); 2 verify found damage; 64 usage error (an unknown \
      option, or options that do not go together); 75 the store is locked by another writer (retry, or pass --wait); \
      130 interrupted (Ctrl-C or SIGTERM).
      """,
    version: versionDescription,
    subcommands: [
      Import.self, List.self, Export.self, Remove.self, Verify.self, GarbageCollect.self, Sim.self, Measures.self,
      Query.self, Tables.self, Table.self, Train.self, Projections.self, RemoveProjection.self, Bench.self,
    ])

  static func main() {
    BLASKernels.applyChoice()
    Interruption.install()
    if let word = CommandLine.arguments.dropFirst().prefix(while: { $0 != "--" }).first(where: looksLikeOptionsButIsNot) {
      // The argument parser would read "-0 show models" as the flags -0, -s, -h, ... and print the help.
      printError("'\(word)' starts with - but is not an option; to pass it as a statement or a name, put -- before it")
      Self.exit(withError: ExitCode.validationFailure)
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }

  /// A word that starts with one dash and holds a space: text (a statement, a name), never a cluster of short flags.
  private static func looksLikeOptionsButIsNot(_ word: String) -> Bool {
    word.hasPrefix("-") && !word.hasPrefix("--") && word.contains(where: \.isWhitespace)
  }
}
