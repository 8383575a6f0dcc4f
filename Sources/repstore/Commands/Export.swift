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

        Files are written to a temporary name and renamed into place, so a failed export leaves nothing behind.

        Examples:
          repstore export model:gpt2/L3 -o L3.npy --keys-out L3.keys
          repstore export 'model:seed0/*' -o seed0.safetensors
          repstore export 'model:seed*/*' -o exported/
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("Which tensors to export.", valueName: "selector"))
    var selector: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output .npy, .safetensors or folder.", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("Also write the example keys (one per line) of the selected tensors' set.", valueName: "file"))
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
        if output.hasSuffix(".npy") {
          guard tensors.count == 1 else {
            throw ValidationError(
              "'\(selector)' selects \(tensors.count) tensors; a .npy holds one (use a folder or .safetensors for several)")
          }
          try store.exportNpy(tensors[0], to: output, progress: progress)
        } else if output.hasSuffix(".safetensors") {
          let models = Set(tensors.map(\.model))
          let named = tensors.map { tensor in
            let name =
              models.count == 1 && sets.count == 1
              ? tensor.layer : sets.count == 1 ? tensor.qualifiedName : "\(tensor.qualifiedName)@\(tensor.exampleSet)"
            return (name: name, tensor: tensor)
          }
          try store.exportSafetensors(named, to: output, progress: progress)
        } else {
          for tensor in tensors {
            let folder = output + "/" + tensor.model
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let file = folder + "/" + tensor.layer + (sets.count > 1 ? "@\(tensor.exampleSet)" : "") + ".npy"
            try store.exportNpy(tensor, to: file, progress: progress)
          }
        }
        if let keysOut, let set = sets.first {
          let keys = try store.exampleKeys(ofSet: set)
          try Data((keys.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: keysOut), options: .atomic)
        }
        if !quiet {
          printNote("exported \(tensors.count) tensor\(tensors.count == 1 ? "" : "s") to \(output)")
        }
      }
    }
  }
}
