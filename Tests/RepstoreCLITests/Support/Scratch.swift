import Foundation
import Testing

/// A fresh temporary folder for one test: input files, the store (`store.repstore` inside it), exports, and the
/// captured output of each run. `withScratch` removes it when the test ends.
struct Scratch {
  let folder: URL
  var path: String { folder.path }
  /// The store every `repstore(...)` call passes with `--store`.
  var store: String { folder.appendingPathComponent("store.repstore").path }
  private var outputFolder: URL { folder.appendingPathComponent(".runs") }

  fileprivate init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("repstore-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent(".runs"), withIntermediateDirectories: true)
  }

  /// The absolute path of `relative` inside the folder.
  func path(_ relative: String) -> String { folder.appendingPathComponent(relative).path }

  /// Writes `bytes` to `relative` (creating folders) and returns the absolute path.
  @discardableResult
  func write(_ bytes: [UInt8], to relative: String) throws -> String {
    let url = folder.appendingPathComponent(relative)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
    return url.path
  }

  /// Writes `text` to `relative` and returns the absolute path.
  @discardableResult
  func write(_ text: String, to relative: String) throws -> String {
    try write(Array(text.utf8), to: relative)
  }

  /// Writes a Float32 `.npy` of `matrix` and returns the absolute path.
  @discardableResult
  func writeNpy(_ matrix: Matrix, to relative: String) throws -> String {
    try write(matrix.npyBytes, to: relative)
  }

  func bytes(_ relative: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: relative.hasPrefix("/") ? relative : path(relative))))
  }

  func exists(_ relative: String) -> Bool {
    FileManager.default.fileExists(atPath: relative.hasPrefix("/") ? relative : path(relative))
  }

  /// Runs `repstore arguments --store STORE` and waits for it.
  @discardableResult
  func repstore(_ arguments: String..., environment: [String: String] = [:]) throws -> CommandResult {
    try run(arguments + ["--store", store], environment: environment)
  }

  /// Runs `repstore arguments` exactly as given (no `--store` added) in this folder and waits for it.
  @discardableResult
  func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 900) throws -> CommandResult {
    try start(arguments, environment: environment).wait(timeout: timeout)
  }

  /// Starts `repstore arguments --store STORE` in the background.
  func startRepstore(_ arguments: String...) throws -> RunningCommand {
    try start(arguments + ["--store", store])
  }

  /// Starts `repstore arguments` exactly as given in the background, in this folder, with a clean environment.
  func start(
    _ arguments: [String], environment: [String: String] = [:], input: RunningCommand.Input = .none
  ) throws -> RunningCommand {
    try RunningCommand(
      arguments, in: folder, environment: Repstore.cleanEnvironment.merging(environment) { $1 },
      outputFolder: outputFolder, input: input)
  }

  /// Runs `repstore arguments --store STORE` with `input` on standard input and waits for it.
  func repstore(_ arguments: [String], input: RunningCommand.Input) throws -> CommandResult {
    try start(arguments + ["--store", store], input: input).wait()
  }

  /// Runs another program (such as `sqlite3`) in this folder with a clean environment and waits for it.
  func runTool(_ executable: URL, _ arguments: [String]) throws -> CommandResult {
    try RunningCommand(
      arguments, in: folder, environment: Repstore.cleanEnvironment, outputFolder: outputFolder, executable: executable
    ).wait()
  }

  /// Runs a repstore command that must succeed, recording its output if it does not.
  @discardableResult
  func succeed(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
    try succeed(arguments, sourceLocation: sourceLocation)
  }

  /// `succeed` with the arguments as an array.
  @discardableResult
  func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
    let result = try run(arguments + ["--store", store])
    #expect(result.succeeded, "\(result)", sourceLocation: sourceLocation)
    return result
  }

  /// `ls --format json`, parsed: one dictionary per tensor.
  func listing(_ selector: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
    let result = try run(["ls"] + (selector.map { [$0] } ?? []) + ["--format", "json", "--store", store])
    try #require(result.succeeded, "\(result)", sourceLocation: sourceLocation)
    let parsed = try JSONSerialization.jsonObject(with: result.stdoutData)
    return try #require(
      parsed as? [[String: Any]], "ls --format json: \(result.stdout)", sourceLocation: sourceLocation)
  }

  /// The tensors of `ls --format json` as `MODEL/LAYER@SET` names, in listing order.
  func tensorNames(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
    try listing(sourceLocation: sourceLocation).map {
      "\($0["model"] ?? "?")/\($0["layer"] ?? "?")@\($0["examples"] ?? "?")"
    }
  }

  /// What `verify --format json` reports, parsed; the run's result too.
  func verifyReport() throws -> (result: CommandResult, report: [String: Any]?) {
    let result = try run(["verify", "--format", "json", "--store", store])
    let parsed = try? JSONSerialization.jsonObject(with: result.stdoutData)
    return (result, (parsed as? [[String: Any]])?.first)
  }

  /// Everything a change to the store could touch: the `ls --format json` text and each file's size and content
  /// hash. The lock files are left out: they only say who last held the store, and a failed writer still takes them.
  /// So is `catalog.sqlite-shm`, SQLite's shared memory, which the first connection to open the catalog rebuilds.
  ///
  /// Three counters of the catalog's SQLite header (the file change counter at byte 24, the schema cookie at 40,
  /// version-valid-for at 92) are masked: they count changes rather than hold content; every other byte must
  /// match. Take the state before a change after the store was opened once (as this function's own `ls`
  /// does).
  func storeState() throws -> StoreState {
    let listing = try run(["ls", "--format", "json", "--store", store])
    var files: [String: StoreState.File] = [:]
    let root = URL(fileURLWithPath: store)
    if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
      for case let url as URL in walker {
        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
        let relative = String(url.path.dropFirst(root.path.count + 1))
        if relative == "LOCK" || relative == "READERS" || relative == "catalog.sqlite-shm" { continue }
        var bytes = [UInt8]((try? Data(contentsOf: url)) ?? Data())
        if relative == "catalog.sqlite", bytes.count >= 100 {
          for field in [24, 40, 92] { bytes.replaceSubrange(field..<(field + 4), with: [0, 0, 0, 0]) }
        }
        files[relative] = StoreState.File(size: bytes.count, hash: fnv1a(bytes))
      }
    }
    return StoreState(listing: listing.stdout, listingStatus: listing.status, files: files)
  }

  /// Sizes of the segment files, by name.
  func segmentSizes() throws -> [String: Int] {
    let folder = store + "/segments"
    var sizes: [String: Int] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
      let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)
      sizes[name] = (attributes[.size] as? NSNumber)?.intValue ?? -1
    }
    return sizes
  }
}

/// A store as seen from outside, for "the store is unchanged" checks.
struct StoreState: Equatable, CustomStringConvertible {
  struct File: Equatable {
    var size: Int
    var hash: UInt64
  }
  var listing: String
  var listingStatus: Int32
  var files: [String: File]

  var description: String {
    "ls (\(listingStatus)): \(listing)\nfiles: "
      + files.keys.sorted().map { "\($0) \(files[$0]!.size) B #\(String(files[$0]!.hash, radix: 16))" }.joined(
        separator: ", ")
  }
}

/// FNV-1a, 64 bits: enough to notice any change to a file.
func fnv1a(_ bytes: [UInt8]) -> UInt64 {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
  return hash
}

/// Runs `body` with a fresh scratch folder and removes the folder afterwards, whatever happens.
func withScratch<T>(_ body: (Scratch) throws -> T) throws -> T {
  let scratch = try Scratch()
  defer { try? FileManager.default.removeItem(at: scratch.folder) }
  return try body(scratch)
}

/// Files that ship with the package: format fixtures and the digits sample data.
enum PackageFiles {
  /// The package root, found from this file's path (`Tests/RepstoreCLITests/Support/Scratch.swift`).
  static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// A format fixture written by `tools/fixtures/make_format_fixtures.py`.
  static func fixture(_ relative: String) -> String {
    root.appendingPathComponent("Tests/RepFormatsTests/Fixtures/" + relative).path
  }

  /// A file of `data/digits/`.
  static func digits(_ name: String) -> String {
    root.appendingPathComponent("data/digits/" + name).path
  }

  /// A file of `data/text/`.
  static func text(_ name: String) -> String {
    root.appendingPathComponent("data/text/" + name).path
  }
}
