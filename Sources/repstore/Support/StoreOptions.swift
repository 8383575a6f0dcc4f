import ArgumentParser
import RepStore

/// `--store`, shared by every command.
struct StoreOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The store folder.", discussion: "Default: $REPSTORE, else ./\(StoreLocation.defaultFolderName).",
      valueName: "dir"))
  var store: String?

  var path: String { StoreLocation.resolve(explicit: store) }

  /// Opens an existing store (read commands never create one).
  func open() throws -> Store { try Store.open(at: path) }

  /// Opens the store and the tensors `selector` names in it, what `export` and `rm` act on.
  /// - Throws: `SelectorError` for a malformed selector, `StoreError` when it matches nothing.
  func openSelecting(_ selector: String) throws -> (store: Store, tensors: [TensorInfo]) {
    let store = try open()
    return (store, try store.tensors(matching: Selector.parse(selector)))
  }
}

/// `--wait`, for commands that change the store.
struct LockOptions: ParsableArguments {
  @Flag(name: .long, help: "If another process is writing to the store, wait for it instead of failing.")
  var wait = false
}
