#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed system call: its name and errno.
struct SystemCallError: Error, CustomStringConvertible {
  /// The C function that failed, e.g. "pread".
  var call: String
  /// The errno it left.
  var code: Int32
  /// "pread: Input/output error (errno 5)".
  var description: String { "\(call): \(String(cString: strerror(code))) (errno \(code))" }
}

/// Every system call RepFormats makes, in one place. Each returns a `Result` and retries `EINTR`.
enum Syscalls {
  /// `open(path, O_RDONLY | O_CLOEXEC)`.
  static func openForReading(_ path: String) -> Result<Int32, SystemCallError> {
    retrying("open") { system_open(path, O_RDONLY | O_CLOEXEC) }
  }

  /// The size of the regular file behind `descriptor`, via `fstat`; `EISDIR` or `EINVAL` if it is not a regular file.
  static func regularFileSize(_ descriptor: Int32) -> Result<Int, SystemCallError> {
    var status = stat()
    if case .failure(let error) = retrying("fstat", { fstat(descriptor, &status) }) { return .failure(error) }
    let type = status.st_mode & S_IFMT
    guard type == S_IFREG else {
      return .failure(SystemCallError(call: "fstat", code: type == S_IFDIR ? EISDIR : EINVAL))
    }
    return .success(Int(status.st_size))
  }

  /// `pread` of up to `buffer.count` bytes at `offset`; 0 means end of file.
  static func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int)
    -> Result<Int, SystemCallError>
  {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return .success(0) }
    return retrying("pread") { system_pread(descriptor, base, buffer.count, off_t(offset)) }
  }

  /// `pwrite` of up to `buffer.count` bytes at `offset`; returns how many were written.
  static func pwrite(_ descriptor: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int)
    -> Result<Int, SystemCallError>
  {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return .success(0) }
    return retrying("pwrite") { system_pwrite(descriptor, base, buffer.count, off_t(offset)) }
  }

  /// `mkstemp` on `directory/prefixXXXXXX`, then `unlink` of the new name, so the file lives only as long as the
  /// returned descriptor and nothing is left behind by a crash.
  static func makeAnonymousTemporaryFile(in directory: String, prefix: String) -> Result<Int32, SystemCallError> {
    var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
    template += Array((prefix + "XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer -> Result<(Int32, String), SystemCallError> in
      guard let base = buffer.baseAddress else { return .failure(SystemCallError(call: "mkstemp", code: EINVAL)) }
      return retrying("mkstemp") { mkstemp(base) }.map { ($0, String(cString: base)) }
    }
    switch made {
    case .failure(let error): return .failure(error)
    case .success(let (descriptor, name)):
      if case .failure(let error) = retrying("unlink", { unlink(name) }) {
        close(descriptor)
        return .failure(error)
      }
      return .success(descriptor)
    }
  }

  /// `read` of up to `buffer.count` bytes from the descriptor's position; 0 means end of input.
  static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, SystemCallError> {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return .success(0) }
    return retrying("read") { system_read(descriptor, base, buffer.count) }
  }

  /// `fcntl(F_DUPFD_CLOEXEC)`: a new descriptor for the same open file.
  static func duplicate(_ descriptor: Int32) -> Result<Int32, SystemCallError> {
    retrying("dup") { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) }
  }

  /// The read position of `descriptor` (`lseek(fd, 0, SEEK_CUR)`); fails for pipes.
  static func position(_ descriptor: Int32) -> Result<Int, SystemCallError> {
    retrying("lseek") { Int(lseek(descriptor, 0, SEEK_CUR)) }
  }

  /// `close`, ignoring errors: used only on descriptors opened for reading or on unlinked scratch files.
  static func close(_ descriptor: Int32) {
    _ = system_close(descriptor)
  }

  /// Calls `body` until it does not fail with `EINTR`; a result of −1 becomes the errno.
  private static func retrying<T: BinaryInteger>(_ call: String, _ body: () -> T) -> Result<T, SystemCallError> {
    while true {
      let result = body()
      if result != -1 { return .success(result) }
      let code = errno
      if code != EINTR { return .failure(SystemCallError(call: call, code: code)) }
    }
  }
}

// The C functions under names that do not collide with the static methods above.
private func system_open(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func system_pread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: off_t) -> Int {
  pread(fd, buffer, count, offset)
}
private func system_pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: off_t) -> Int {
  pwrite(fd, buffer, count, offset)
}
private func system_close(_ fd: Int32) -> Int32 { close(fd) }
private func system_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
