import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Whether this process may change a store's files, asked once when the store is opened.
///
/// A store is read-only when its folder, its `segments/` folder or its catalog cannot be written by this process:
/// a folder owned by someone else, or a read-only mount. Reading such a store must then create nothing (no lock
/// file, no `-wal` or `-shm`), and a command that must write says so before it starts.
struct StoreAccess: Sendable {
  /// Why this process cannot write to the store, or nil when it can.
  let readOnlyReason: String?

  var isWritable: Bool { readOnlyReason == nil }

  /// Checks the folder and the files a writer changes with `access(2)`, which answers for this process's user and
  /// for the mount (`EROFS` even for root). Missing files are not checked: a writer creates them in the folder.
  init(storePath: String) {
    var reason: String?
    for (path, what) in [
      (storePath, "folder"), (storePath + "/" + Store.segmentsFolderName, "segments folder"),
      (storePath + "/" + Store.catalogFileName, Store.catalogFileName),
    ] where access(path, F_OK) == 0 && access(path, W_OK) != 0 {
      reason = errno == EROFS ? "read-only file system" : "\(what) not writable by uid \(geteuid())"
      break
    }
    readOnlyReason = reason
  }

  /// The error a writing command gets on a read-only store: `read-only store: PATH (WHY)`.
  func refusal(storePath: String) -> StoreError? {
    readOnlyReason.map { StoreError.readOnly(storePath: storePath, reason: $0) }
  }
}
