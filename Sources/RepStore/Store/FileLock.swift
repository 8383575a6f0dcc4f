import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An advisory `flock(2)` lock on a file in the store folder. The kernel drops it when the process exits,
/// however it exits (`kill -9` included), so a crashed writer never leaves the store locked.
final class FileLock {
  enum Mode { case shared, exclusive }

  private let descriptor: Int32
  let path: String

  /// Opens (creating if needed) the lock file for reading and writing. Does not lock yet.
  convenience init(path: String) throws {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StoreError.io(call: "open", path: path) }
    self.init(descriptor: fd, path: path)
  }

  private init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
  }

  /// Opens a lock that is only ever locked, never written: read-only when the file exists (`flock` needs no write
  /// access), created only when `mayCreate`. Returns nil when the file is absent and may not be created.
  static func existing(path: String, mayCreate: Bool) throws -> FileLock? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 { return FileLock(descriptor: fd, path: path) }
    guard errno == ENOENT else { throw StoreError.io(call: "open", path: path) }
    return mayCreate ? try FileLock(path: path) : nil
  }

  deinit { close(descriptor) }

  /// Takes the lock. Returns false when `wait` is false and another process holds a conflicting lock.
  func lock(_ mode: Mode, wait: Bool) throws -> Bool {
    let operation = (mode == .exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
    while flock(descriptor, operation) != 0 {
      if errno == EINTR { continue }
      if errno == EWOULDBLOCK { return false }
      throw StoreError.io(call: "flock", path: path)
    }
    return true
  }

  func unlock() { _ = flock(descriptor, LOCK_UN) }

  /// Whether `path` still names the file this lock has open (a lock on a file since unlinked or replaced guards
  /// nothing).
  func isStillAt(_ path: String) -> Bool {
    var held = stat()
    var named = stat()
    guard fstat(descriptor, &held) == 0, stat(path, &named) == 0 else { return false }
    return held.st_dev == named.st_dev && held.st_ino == named.st_ino
  }

  /// Replaces the file's text (who holds the lock), for the message another process prints.
  func writeHolder(_ text: String) {
    _ = ftruncate(descriptor, 0)
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
  }

  /// The text the current holder wrote, if any.
  func readHolder() -> String {
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return "" }
    return String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
