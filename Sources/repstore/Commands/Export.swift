import ArgumentParser
import Foundation
import RepStore

extension Repstore {
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Write stored tensors back out as .npy or .safetensors, bit-identical to the Float32 data imported.",
      discussion: """
          -o FILE.npy          exactly one tensor, as a (n, d) '<f4' .npy
          -o FILE.safetensors  every selected tensor in one file, named LAYER (one
                               model and set), MODEL/LAYER (one set) or MODEL/LAYER@SET
          -o DIR               one DIR/MODEL/LAYER.npy per tensor (LAYER@SET.npy when
                               several sets are selected)
          -o -                 standard output: one tensor as .npy, or any number
                               with --format safetensors

        Files are written to a temporary name and renamed into place, so a failed export leaves nothing behind. A \
        pipe or device (-o -, /dev/stdout, a named pipe) is written straight through.

        Examples:
          repstore export model:gpt2/L3 -o L3.npy --keys-out L3.keys
          repstore export 'model:seed0/*' -o seed0.safetensors
          repstore export 'model:seed*/*' -o exported/
          repstore export 'model:gpt2/*' -o - --format safetensors \\
            | python3 analyse.py
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("Which tensors to export.", valueName: "selector"))
    var selector: String

    @Option(
      name: .shortAndLong,
      help: ArgumentHelp("Output .npy, .safetensors, folder, or - for standard output.", valueName: "path"))
    var output: String

    @Option(
      help: ArgumentHelp(
        "npy (one tensor) or safetensors (any number); default: the output's extension, npy for a stream.",
        valueName: "format"))
    var format: ExportFormat?

    @Option(
      help: ArgumentHelp(
        "Also write the example keys (one per line) of the selected tensors' set; - for standard output.",
        valueName: "file"))
    var keysOut: String?

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
      try reportingErrors {
        let (store, tensors) = try storeOptions.openSelecting(selector)
        let progress = TerminalProgress.ifTerminal(quiet: quiet)
        let sets = Set(tensors.map(\.exampleSet))
        // Checked before anything is written, so that a refused export leaves no files behind.
        if keysOut != nil, sets.count != 1 {
          throw ValidationError(
            "--keys-out needs the selection to use one example set; '\(selector)' uses "
              + sets.sorted(by: NaturalOrder.areInIncreasingOrder).joined(separator: ", "))
        }
        let isStream = Self.isStream(output)
        let chosen = format ?? (output.hasSuffix(".npy") || isStream ? .npy : output.hasSuffix(".safetensors") ? .safetensors : nil)
        if keysOut == "-", output == "-" || output == "/dev/stdout" {
          throw ValidationError("--keys-out - and the tensors cannot both go to standard output; give --keys-out a file")
        }
        switch chosen {
        case .npy:
          guard tensors.count == 1 else {
            throw ValidationError(
              "'\(selector)' selects \(tensors.count) tensors; a .npy holds one ("
                + (isStream ? "use --format safetensors to stream several" : "use a folder or .safetensors for several")
                + ")")
          }
          try store.exportNpy(tensors[0], to: output, progress: progress)
        case .safetensors:
          let models = Set(tensors.map(\.model))
          let named = tensors.map { tensor in
            let name =
              models.count == 1 && sets.count == 1
              ? tensor.layer : sets.count == 1 ? tensor.qualifiedName : "\(tensor.qualifiedName)@\(tensor.exampleSet)"
            return (name: name, tensor: tensor)
          }
          try store.exportSafetensors(named, to: output, progress: progress)
        case nil:
          for tensor in tensors {
            let folder = output + "/" + tensor.model
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let file = folder + "/" + tensor.layer + (sets.count > 1 ? "@\(tensor.exampleSet)" : "") + ".npy"
            try store.exportNpy(tensor, to: file, progress: progress)
          }
        }
        if let keysOut, let set = sets.first {
          let text = try store.exampleKeys(ofSet: set).joined(separator: "\n") + "\n"
          if keysOut == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
          } else {
            try Data(text.utf8).write(to: URL(fileURLWithPath: keysOut), options: .atomic)
          }
        }
        if !quiet {
          printNote("exported \(tensors.count) tensor\(tensors.count == 1 ? "" : "s") to \(output == "-" ? "stdout" : output)")
        }
      }
    }

    /// Whether `path` is written straight through: `-`, a name under /dev or /proc/self/fd (/dev/stdout even when it
    /// points at a file), or an existing pipe, terminal or device.
    private static func isStream(_ path: String) -> Bool {
      if path == "-" || path.hasPrefix("/dev/") || path.hasPrefix("/proc/self/fd/") { return true }
      var status = stat()
      return stat(path, &status) == 0 && ![S_IFREG, S_IFDIR].contains(status.st_mode & S_IFMT)
    }
  }
}

extension ExportFormat: ExpressibleByArgument {}
