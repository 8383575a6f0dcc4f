import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The first bytes of every segment file.
let segmentMagic: [UInt8] = Array("RPSEG001".utf8)

/// An append-only segment being written by the one writer. Bytes are never rewritten once the catalog
/// references them; a segment that no catalog row references is garbage that `gc` removes.
final class SegmentWriter {
  let number: Int
  let path: String
  private let descriptor: Int32
  private(set) var length: Int64

  /// Creates a new segment file; fails if it exists (segment numbers are never reused while a file is there).
  init(number: Int, path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StoreError.io(call: "create", path: path) }
    self.number = number
    self.path = path
    self.descriptor = fd
    self.length = 0
    try append(segmentMagic.withUnsafeBytes { UnsafeRawBufferPointer($0) })
  }

  deinit { close(descriptor) }

  /// Appends bytes and returns the offset where they start.
  @discardableResult
  func append(_ bytes: UnsafeRawBufferPointer) throws -> Int64 {
    let start = length
    var written = 0
    while written < bytes.count {
      let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(start) + off_t(written))
      if result < 0 {
        if errno == EINTR { continue }
        throw StoreError.io(call: "write", path: path, offset: start)
      }
      written += result
    }
    length += Int64(bytes.count)
    return start
  }

  /// Flushes the file's data to stable storage.
  func sync() throws {
    guard fsync(descriptor) == 0 else { throw StoreError.io(call: "fsync", path: path) }
  }
}

/// Read access to one segment file by offset. Reads may come from several threads at once (`pread`).
final class SegmentReader: @unchecked Sendable {
  let path: String
  private let descriptor: Int32
  let length: Int64

  init(path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw StoreError.io(call: "open segment", path: path) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let failure = StoreError.io(call: "stat", path: path)
      close(fd)
      throw failure
    }
    self.path = path
    self.descriptor = fd
    self.length = Int64(info.st_size)
  }

  deinit { close(descriptor) }

  /// Throws `StoreError.corrupt` unless the file holds all `byteCount` bytes of a block at `offset`.
  func checkSpan(at offset: Int64, byteCount: Int) throws {
    guard offset >= 0, offset + Int64(byteCount) <= length else {
      throw StoreError.corrupt(
        path: path, offset: offset,
        detail: "block of \(byteCount) bytes runs past the end (file is \(length) bytes)")
    }
  }

  /// Reads exactly `buffer.count` bytes at `offset`.
  func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
    try checkSpan(at: offset, byteCount: buffer.count)
    var done = 0
    while done < buffer.count {
      let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
      if result < 0 {
        if errno == EINTR { continue }
        throw StoreError.io(call: "read", path: path, offset: offset)
      }
      if result == 0 {
        throw StoreError.corrupt(
          path: path, offset: offset, detail: "unexpected end of file after \(done) of \(buffer.count) bytes")
      }
      done += result
    }
  }
}

/// fsyncs a directory so that files created or removed in it survive a crash.
func syncDirectory(_ path: String) throws {
  let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
  guard fd >= 0 else { throw StoreError.io(call: "open directory", path: path) }
  defer { close(fd) }
  guard fsync(fd) == 0 else { throw StoreError.io(call: "fsync directory", path: path) }
}
