import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How a store comes to exist: built whole in a hidden sibling folder and moved into place only once its first
/// import has committed, under a lock file beside the store's path that is taken before anything exists.
///
/// So no process can ever open a store that is about to be deleted: a failed first import removes only its own hidden
/// folder, and a second first import of the same path waits (or exits 75) until the first one has ended, then imports
/// into the store it left, or creates one if it left none.
extension Store {
  /// Runs `fill` on a new, empty store and moves it to `path` when `fill` returns.
  /// - Parameters:
  ///   - wait: wait for another process creating the same store instead of failing at once.
  ///   - fill: what to do in the new store while nobody else can see it (the first import). Must not keep the store.
  /// - Returns: `fill`'s result, or nil when a store already exists at `path` once the creation lock is held (another
  ///   process created it first): open it instead.
  /// - Throws: `.invalidInput` when `path` is a file or a folder that holds something else; `.locked` when another
  ///   process creates the same store and `wait` is false; whatever `fill` throws, after removing the new store.
  static func create<T>(at path: String, wait: Bool, _ fill: (Store) throws -> T) throws -> T? {
    let (parent, name) = splitPath(path)
    try makeParentFolders(parent, storePath: path)
    let creation = try CreationLock(path: parent + "/." + name + ".repstore-lock", wait: wait, storePath: path)
    defer { creation.release() }
    if exists(at: path) { return nil }
    let targetExisted = try checkTargetIsFree(path)

    // A kill -9 during an earlier first import leaves its hidden folder; holding the lock, nobody else owns one.
    let stagingPrefix = "." + name + ".repstore-new-"
    for stale in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where stale.hasPrefix(stagingPrefix) {
      try? FileManager.default.removeItem(atPath: parent + "/" + stale)
    }
    let staging = parent + "/" + stagingPrefix + String(getpid())
    do {
      try makeFolders(staging + "/" + segmentsFolderName)
      let result = try fillNewStore(at: staging, fill)
      try moveIntoPlace(staging, to: path, targetExisted: targetExisted)
      try syncDirectory(parent)
      return result
    } catch {
      FaultHooks.pause(at: "remove-created-store")
      try? FileManager.default.removeItem(atPath: staging)
      throw error
    }
  }

  /// Opens the new store, records its creation and runs `fill`; the store (and its catalog connections) is closed
  /// when this returns, so its files may be moved.
  private static func fillNewStore<T>(at staging: String, _ fill: (Store) throws -> T) throws -> T {
    let store = try Store(path: staging)
    try store.catalog.recordCreation(by: "repstore \(Store.formatVersion)")
    return try fill(store)
  }

  /// `path`'s parent folder (`.` for a bare name) and last component, without trailing slashes.
  private static func splitPath(_ path: String) -> (parent: String, name: String) {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
    let parent = trimmed[..<slash]
    return (parent.isEmpty ? "/" : String(parent), String(trimmed[trimmed.index(after: slash)...]))
  }

  /// Creates the folders above the store, failing as `mkdir` of the store would when one of them is a file.
  private static func makeParentFolders(_ parent: String, storePath: String) throws {
    try makeFolders(parent)
    var info = stat()
    guard stat(parent, &info) == 0 else { throw StoreError.io(call: "stat", path: parent) }
    if (info.st_mode & S_IFMT) != S_IFDIR { throw StoreError.io(call: "mkdir", path: storePath, errno: ENOTDIR) }
  }

  /// Refuses a target that is a file or a folder with something in it. Returns whether an (empty) folder is there.
  private static func checkTargetIsFree(_ path: String) throws -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
    guard isDirectory.boolValue else {
      throw StoreError.invalidInput(path: path, detail: "exists and is not a folder")
    }
    guard ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).isEmpty else {
      throw StoreError.invalidInput(
        path: path, detail: "folder is not empty and holds no repstore catalog; refusing to create a store in it")
    }
    return true
  }

  /// Renames the new store to `path`. Into a folder that already existed (it may be a mount point, or carry the
  /// owner's permissions) the entries move one by one instead, the catalog last: it is what makes a folder a store.
  private static func moveIntoPlace(_ staging: String, to path: String, targetExisted: Bool) throws {
    guard targetExisted else {
      guard rename(staging, path) == 0 else { throw StoreError.io(call: "rename", path: path) }
      return
    }
    let manager = FileManager.default
    let entries = try manager.contentsOfDirectory(atPath: staging)
    let last = [catalogFileName + "-wal", catalogFileName + "-shm", catalogFileName]
    var moved: [String] = []
    do {
      for entry in entries.filter({ !last.contains($0) }) + last.filter(entries.contains) {
        guard rename(staging + "/" + entry, path + "/" + entry) == 0 else {
          throw StoreError.io(call: "rename", path: path + "/" + entry)
        }
        moved.append(entry)
      }
      try syncDirectory(path)
      _ = rmdir(staging)
    } catch {
      for entry in moved { try? manager.removeItem(atPath: path + "/" + entry) }
      throw error
    }
  }

  /// `mkdir -p` (mode 0777 less the umask, as FileManager's `createDirectory`), failing with the errno and the folder
  /// that could not be made: on Linux, FileManager reports a parent that is a file as Cocoa error 512, without either.
  static func makeFolders(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += component
      // EEXIST: already there; if it is a file, the next mkdir under it fails with ENOTDIR.
      if mkdir(prefix, 0o777) != 0 && errno != EEXIST { throw StoreError.io(call: "mkdir", path: prefix) }
      prefix += "/"
    }
  }
}

/// The exclusive `flock` on `.NAME.repstore-lock` beside a store being created. The file is removed on release, so
/// no trace is left; a process that locked the file just before its removal sees that the path now names another file
/// (or none) and locks again.
private struct CreationLock {
  let lock: FileLock

  init(path: String, wait: Bool, storePath: String) throws {
    while true {
      let candidate = try FileLock(path: path)
      if try !candidate.lock(.exclusive, wait: false) {
        guard wait else {
          let holder = candidate.readHolder()
          throw StoreError.locked(
            path: storePath,
            detail: "another import is creating this store (\(holder.isEmpty ? "another process" : holder)); "
              + "retry later or pass --wait")
        }
        _ = try candidate.lock(.exclusive, wait: true)
      }
      if candidate.isStillAt(path) {
        candidate.writeHolder("pid \(getpid()) on \(ProcessInfo.processInfo.hostName)")
        lock = candidate
        return
      }
    }
  }

  func release() {
    unlink(lock.path)
    lock.unlock()
  }
}
