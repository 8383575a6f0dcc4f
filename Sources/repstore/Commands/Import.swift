import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: "Import activation dumps (.npy, .npz, .safetensors) into the store.",
      discussion: """
        A 2-D .npy (n, d) is one layer, named by --layer, a {layer} placeholder, or the file name. A 3-D .npy (L, n, \
        d) holds L layers named by --layers or L0, L1, ... An .npz holds one layer per array and a .safetensors one \
        per tensor, named after their keys; a 3-D array KEY in them (stacked hidden states) holds the layers KEY.L0, \
        KEY.L1, ... (or those of --layers, when it is the file's only 3-D array). float16, bfloat16, float32 and \
        float64 are stored as Float32; float32 data round-trips bit for bit.

        Every tensor is bound to an example set: the ordered keys of its rows (--keys FILE, one per line; else \
        0..n-1). Tensors of one set must agree on n and keys; rows are only ever compared on the same keys.

        A folder the dump tool wrote (tools/dump_activations.py) is imported whole from its manifest.json: its \
        layers, its keys file, and its model name unless --model is given. Its files, given one by one or by a \
        pattern, take the keys file the manifest names when --keys is not given.

        Path patterns capture names: {model}, {layer} and {examples} match part of a file or folder name; *, ? and \
        [..] are globs. Quote patterns so the shell leaves them alone.

        '-' reads one dump from standard input (any of the three formats, recognised by content), e.g. from Python: \
        give --model, and --layer for a 2-D .npy. A pipe is first copied to an unnamed file beside the store.

        An import is atomic: it lands whole or not at all, also when killed.

        Examples:
          repstore import acts/L3.npy --model gpt2 --examples wiki --keys wiki.keys
          repstore import 'dumps/{model}/{layer}.npy' --examples wiki
          repstore import run.npy --model bert --layers emb,L1,L2,L3
          repstore import seed0.npz --model seed0 --examples digits-test
          repstore import dumps/minilm --examples sentences
          python3 make_acts.py | repstore import - --model m --layer L3
        """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var lockOptions: LockOptions

    @Argument(help: ArgumentHelp("Files or quoted path patterns to import; - for standard input.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("The model the tensors belong to (or use a {model} placeholder).", valueName: "name"))
    var model: String?

    @Option(help: ArgumentHelp("The layer name of a 2-D .npy (default: the file name without extension).", valueName: "name"))
    var layer: String?

    @Option(
      help: ArgumentHelp(
        "Comma-separated names for the layers of a 3-D array (default: L0, L1, ...).", valueName: "a,b,..."))
    var layers: String?

    @Option(name: .customLong("examples"), help: ArgumentHelp("The example set (default: 'default').", valueName: "set"))
    var exampleSet: String?

    @Option(help: ArgumentHelp("Example keys, one per line, in row order.", valueName: "file"))
    var keys: String?

    @Option(name: .customLong("assume-dtype"), help: ArgumentHelp("Read 2-byte void .npy data (|V2) as this type.", valueName: "bfloat16"))
    var assumeDType: AssumedDType?

    @Flag(help: "Store NaN and ±Inf instead of rejecting the file.")
    var allowNonfinite = false

    @Flag(help: "Replace tensors that already exist (same model, layer and example set).")
    var replace = false

    @Option(help: ArgumentHelp("zstd compression level for new blocks.", valueName: "n"))
    var level = 1

    @Option(help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
    var threads: Int?

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    enum AssumedDType: String, ExpressibleByArgument, CaseIterable { case bfloat16 }

    func validate() throws {
      if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
      if !(-7...22).contains(level) { throw ValidationError("--level must be in -7...22 (zstd levels)") }
      if layer != nil, layers != nil { throw ValidationError("--layer and --layers cannot be combined") }
    }

    func run() throws {
      try reportingErrors {
        let started = Date()
        var options = ImportOptions()
        options.layerNames = layers?.split(separator: ",", omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        options.assumeBFloat16 = assumeDType == .bfloat16
        options.allowNonFinite = allowNonfinite
        options.replace = replace
        options.compressionLevel = level
        options.threads = threads ?? defaultThreadCount
        options.waitForLock = lockOptions.wait
        let sources = try resolveSources(options)
        options.keysFile = try keys ?? Self.manifestKeys(of: sources)
        if keys == nil, let keysFile = options.keysFile, !quiet {
          printNote("example keys from \(keysFile), which the dump's manifest.json names")
        }
        let summary = try Store.importDumps(
          sources, intoStoreAt: storeOptions.path, options: options, progress: TerminalProgress.ifTerminal(quiet: quiet))
        if !quiet {
          printNote(Self.summaryLine(summary, store: storeOptions.path, seconds: Date().timeIntervalSince(started)))
          if setIsDefaulted { printNote(Self.defaultSetHint) }
        }
      }
    }

    /// Expands patterns and assigns model, layer and example-set names to each file; `-` is standard input.
    private func resolveSources(_ options: ImportOptions) throws -> [ImportSource] {
      var sources: [ImportSource] = []
      guard files.filter({ $0 == "-" }).count <= 1 else {
        throw ValidationError("'-' (standard input) can be given once")
      }
      for argument in files {
        if let manifest = try Self.manifest(at: argument) {
          guard layer == nil, layers == nil else {
            throw ValidationError("\(argument): the dump's manifest names its layers; --layer and --layers do not apply")
          }
          for entry in manifest.layers {
            sources.append(
              ImportSource(
                path: (argument as NSString).appendingPathComponent(entry.file), model: model ?? manifest.model,
                layer: entry.name, exampleSet: exampleSet ?? "default"))
          }
          continue
        }
        if argument == "-" {
          guard let model else { throw ValidationError("stdin: no model name; pass --model NAME") }
          sources.append(
            try .standardInput(
              model: model, layer: layer, exampleSet: exampleSet ?? "default", options: options,
              spoolingIn: Self.folderBeside(storeOptions.path)))
          continue
        }
        let matches =
          PathPattern.isPattern(argument)
          ? try PathPattern.expand(argument) : [PathMatch(path: argument, captures: [:])]
        for match in matches {
          if model != nil, match.captures["model"] != nil {
            throw ValidationError("give the model either with --model or with a {model} placeholder, not both")
          }
          if layer != nil, match.captures["layer"] != nil {
            throw ValidationError("give the layer either with --layer or with a {layer} placeholder, not both")
          }
          if exampleSet != nil, match.captures["examples"] != nil {
            throw ValidationError("give the example set either with --examples or with {examples}, not both")
          }
          guard let modelName = model ?? match.captures["model"] else {
            throw ValidationError("\(match.path): no model name; pass --model NAME or use a {model} placeholder")
          }
          sources.append(
            ImportSource(
              path: match.path, model: modelName, layer: layer ?? match.captures["layer"],
              exampleSet: exampleSet ?? match.captures["examples"] ?? "default"))
        }
      }
      return sources
    }

    /// The manifest of a dump folder given as an argument; nil for anything else.
    private static func manifest(at argument: String) throws -> DumpManifest? {
      var isFolder: ObjCBool = false
      guard argument != "-", FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder), isFolder.boolValue
      else { return nil }
      guard let manifest = try DumpManifest.read(inFolder: argument) else {
        throw ValidationError(
          "\(argument) is a folder without a dump manifest (manifest.json); give its files, or a pattern such as "
            + "'\(argument)/{layer}.npy'")
      }
      return manifest
    }

    /// The keys file the dump tool wrote beside the files, when every file imported is listed by its folder's
    /// manifest.json and they all name the same one; nil otherwise.
    private static func manifestKeys(of sources: [ImportSource]) throws -> String? {
      var found: Set<String> = []
      var manifests: [String: DumpManifest?] = [:]
      for source in sources {
        guard source.opened == nil else { return nil }
        let folder = (source.path as NSString).deletingLastPathComponent
        let file = (source.path as NSString).lastPathComponent
        if manifests[folder] == nil {
          manifests[folder] = try? DumpManifest.read(inFolder: folder.isEmpty ? "." : folder)
        }
        guard let manifest = manifests[folder] ?? nil, let keys = manifest.keys,
          manifest.layers.contains(where: { $0.file == file })
        else { return nil }
        found.insert((folder as NSString).appendingPathComponent(keys))
      }
      guard found.count <= 1 else {
        throw ValidationError(
          "the dumps name different key files (\(found.sorted().joined(separator: ", "))); import them one at a time "
            + "or give --keys")
      }
      return found.first
    }

    /// The nearest existing folder above the store: where standard input is copied, on the store's file system.
    private static func folderBeside(_ storePath: String) -> String {
      var folder = URL(fileURLWithPath: storePath).standardizedFileURL.deletingLastPathComponent()
      while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
        folder = folder.deletingLastPathComponent()
      }
      return folder.path
    }
  }
}
