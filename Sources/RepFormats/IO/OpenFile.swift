import Foundation

/// An open file descriptor with exactly one owner, closed in `deinit`, read and written only at absolute offsets
/// (`pread`/`pwrite`), so several readers may share it from different threads.
final class OpenFile: Sendable {
  /// The descriptor; valid for the object's lifetime.
  let descriptor: Int32
  /// The size of the file in bytes when it was opened (for scratch files, the size they were created with: 0).
  let byteCount: Int
  /// Where errors about this file are reported.
  let site: ErrorSite

  private init(descriptor: Int32, byteCount: Int, site: ErrorSite) {
    self.descriptor = descriptor
    self.byteCount = byteCount
    self.site = site
  }

  deinit { Syscalls.close(descriptor) }

  /// Opens the regular file at `path` for reading.
  /// - Throws: `FormatError` of kind `.io` if it cannot be opened or is not a regular file.
  static func openForReading(path: String) throws(FormatError) -> OpenFile {
    let site = ErrorSite(path: path)
    let descriptor: Int32
    switch Syscalls.openForReading(path) {
    case .success(let value): descriptor = value
    case .failure(let error): throw site.error(.io, at: nil, found: "cannot \(error)", expected: "a readable file")
    }
    switch Syscalls.regularFileSize(descriptor) {
    case .success(let size):
      return OpenFile(descriptor: descriptor, byteCount: size, site: site)
    case .failure(let error):
      Syscalls.close(descriptor)
      throw site.error(.io, at: nil, found: "cannot use it: \(error)", expected: "a regular file")
    }
  }

  /// Creates an empty scratch file in `FileManager.default.temporaryDirectory` that no name refers to: its space is
  /// released when the returned object is.
  /// - Parameter site: where errors about the scratch file are reported (the dump and member it holds).
  /// - Throws: `FormatError` of kind `.io` if it cannot be created.
  static func makeScratch(for site: ErrorSite) throws(FormatError) -> OpenFile {
    let directory = FileManager.default.temporaryDirectory.path
    switch Syscalls.makeAnonymousTemporaryFile(in: directory, prefix: "repformats-") {
    case .success(let descriptor):
      return OpenFile(descriptor: descriptor, byteCount: 0, site: site)
    case .failure(let error):
      throw site.error(
        .io, at: nil, found: "cannot create a temporary file in \(directory): \(error)",
        expected: "a writable temporary directory")
    }
  }

  /// Fills `buffer` with the bytes at `offset`.
  /// - Throws: `FormatError` of kind `.truncated` (at the offset where the file ended) if the file ends first,
  ///   naming `what`; `.io` if `pread` fails.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, _ what: @autoclosure () -> String)
    throws(FormatError)
  {
    var done = 0
    while done < buffer.count {
      let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
      switch Syscalls.pread(descriptor, into: rest, at: offset + done) {
      case .success(0):
        throw site.error(
          .truncated, at: offset + done, found: "end of file",
          expected: "\(buffer.count - done) more bytes of \(what())")
      case .success(let count): done += count
      case .failure(let error):
        throw site.error(.io, at: offset + done, found: "read failed: \(error)", expected: "\(what())")
      }
    }
  }

  /// The bytes at `offset ..< offset + count`, cut short at the end of the file (so possibly fewer, or none).
  /// - Throws: `FormatError` of kind `.io` if `pread` fails.
  func bytes(at offset: Int, upTo count: Int, _ what: @autoclosure () -> String) throws(FormatError) -> [UInt8] {
    let available = max(0, min(count, byteCount - offset))
    guard available > 0 else { return [] }
    return try .filled(count: available) { (buffer) throws(FormatError) in
      try read(into: buffer, at: offset, what())
    }
  }

  /// Writes all of `buffer` at `offset`.
  /// - Throws: `FormatError` of kind `.io` if `pwrite` fails or writes nothing.
  func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(FormatError) {
    var done = 0
    while done < buffer.count {
      let rest = UnsafeRawBufferPointer(rebasing: buffer[done...])
      switch Syscalls.pwrite(descriptor, from: rest, at: offset + done) {
      case .success(let count) where count > 0: done += count
      case .success: throw site.error(.io, at: nil, found: "temporary file write made no progress", expected: "disk space")
      case .failure(let error):
        throw site.error(.io, at: nil, found: "cannot write a temporary file: \(error)", expected: "disk space")
      }
    }
  }
}
