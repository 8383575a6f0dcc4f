import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A repstore store: a folder holding `catalog.sqlite` (what exists), `segments/` (append-only block files)
/// and the lock files. Only this module knows that layout.
///
/// Any number of readers may use a store while one writer changes it; readers see only committed data.
public final class Store: @unchecked Sendable {
  public let path: String
  let catalog: Catalog
  /// Whether this process may change the store (asked once, at open).
  let access: StoreAccess
  /// Nil only on a read-only store that has no READERS file: no writer can delete anything there.
  private let readerLock: FileLock?

  /// Written into a new store's `store_info`, for people inspecting a store later.
  public static let formatVersion = "0.1.0"

  static let catalogFileName = "catalog.sqlite"
  static let segmentsFolderName = "segments"
  static let writerLockFileName = "LOCK"
  static let readerLockFileName = "READERS"

  var segmentsPath: String { path + "/" + Store.segmentsFolderName }
  func segmentPath(_ number: Int) -> String {
    let digits = String(number)
    return segmentsPath + "/" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".seg"
  }

  /// Set when the catalog lost commits it had made (see `Catalog.writeCounted`); only `verify` opens such a store.
  let lostCommits: String?

  init(path: String) throws {
    self.path = path
    access = StoreAccess(storePath: path)
    catalog = try Catalog(path: path + "/" + Store.catalogFileName, writeRefusal: access.refusal(storePath: path))
    lostCommits = try catalog.lostCommitsProblem(recorded: catalog.recordedCommits())
    readerLock = try FileLock.existing(path: path + "/" + Store.readerLockFileName, mayCreate: access.isWritable)
    // Readers hold a shared lock for the life of the handle; `gc` takes it exclusively before deleting
    // segment files, so no reader ever loses a file it may still read.
    _ = try readerLock?.lock(.shared, wait: true)
  }

  /// Whether `path` holds a store.
  public static func exists(at path: String) -> Bool {
    FileManager.default.fileExists(atPath: path + "/" + catalogFileName)
  }

  /// Opens an existing store for reading; nothing on disk changes until a writer takes `lockForWriting`.
  /// - Throws: `StoreError(.noStore)` when there is none at `path`; `.newerStore` for a store from a newer repstore.
  /// - Parameter evenIfDamaged: open a store whose catalog lost commits, for `verify` to report it.
  public static func open(at path: String, evenIfDamaged: Bool = false) throws -> Store {
    guard exists(at: path) else {
      throw StoreError.noStore(path: path)
    }
    let store = try Store(path: path)
    if let lostCommits = store.lostCommits, !evenIfDamaged {
      throw StoreError(
        .corrupt, path: path,
        detail: lostCommits + "; to use the store as its catalog now is, delete \(Catalog.commitsFileName)")
    }
    return store
  }

  /// Opens the store at `path`, creating an empty one (see `create`) if the folder does not exist or is empty.
  /// - Returns: the store and whether this call created it.
  public static func openOrCreate(at path: String) throws -> (store: Store, created: Bool) {
    let created = try create(at: path, wait: true) { _ in } != nil
    return (try open(at: path), created)
  }
}

// MARK: - Locks

/// The right to change a store, held until released or the process exits.
public final class WriterLock {
  private let lock: FileLock
  init(lock: FileLock) { self.lock = lock }
  deinit { lock.unlock() }
}

extension Store {
  /// Takes the writer lock.
  /// - Parameters:
  ///   - wait: block until the current writer finishes instead of failing at once.
  ///   - purpose: what this process is doing, shown to processes that find the store locked.
  /// - Throws: `StoreError(.locked)` naming the holder when `wait` is false and another process writes;
  ///   `.readOnly` when this process cannot write to the store.
  public func lockForWriting(wait: Bool, purpose: String) throws -> WriterLock {
    if let refusal = access.refusal(storePath: path) { throw refusal }
    let lock = try FileLock(path: path + "/" + Store.writerLockFileName)
    if try !lock.lock(.exclusive, wait: false) {
      let holder = lock.readHolder()
      if !wait {
        throw StoreError.locked(
          path: path,
          detail: "store is locked by \(holder.isEmpty ? "another process" : holder); retry later or pass --wait")
      }
      _ = try lock.lock(.exclusive, wait: true)
    }
    let hostName = ProcessInfo.processInfo.hostName
    lock.writeHolder("pid \(getpid()) on \(hostName) (\(purpose)) since \(Catalog.timestamp())")
    return WriterLock(lock: lock)
  }

  /// Runs `body` while no reader holds the store (used before deleting segment files).
  func withoutReaders<T>(wait: Bool, _ body: () throws -> T) throws -> T {
    // Without a READERS file the store is read-only: `lockForWriting` refused before a caller could get here.
    guard let readerLock else {
      throw access.refusal(storePath: path)
        ?? StoreError(.io, path: path, detail: "no \(Store.readerLockFileName) file")
    }
    readerLock.unlock()
    defer { _ = try? readerLock.lock(.shared, wait: true) }
    guard try readerLock.lock(.exclusive, wait: wait) else {
      throw StoreError.locked(path: path, detail: "other processes are reading the store; retry later or pass --wait")
    }
    return try body()
  }
}
