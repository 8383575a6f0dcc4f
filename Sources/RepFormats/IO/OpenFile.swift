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

  /// Standard input as a file: itself when it is a regular file read from its start, otherwise (a pipe, a terminal)
  /// copied to a scratch file in `directory` that no name refers to.
  /// - Throws: `FormatError` of kind `.io` if reading, creating or writing fails.
  static func standardInput(spoolingIn directory: String, site: ErrorSite) throws(FormatError) -> OpenFile {
    if case .success(let size) = Syscalls.regularFileSize(0), case .success(0) = Syscalls.position(0) {
      switch Syscalls.duplicate(0) {
      case .success(let descriptor): return OpenFile(descriptor: descriptor, byteCount: size, site: site)
      case .failure(let error): throw site.error(.io, at: nil, found: "cannot \(error)", expected: "a readable input")
      }
    }
    let scratch: Int32
    switch Syscalls.makeAnonymousTemporaryFile(in: directory, prefix: ".repstore-stdin-") {
    case .success(let descriptor): scratch = descriptor
    case .failure(let error):
      throw site.error(
        .io, at: nil, found: "cannot make a scratch file in \(directory) to hold it: \(error)",
        expected: "a writable folder beside the store")
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    var total = 0
    do throws(FormatError) {
      while true {
        let count: Int
        switch Syscalls.read(0, into: buffer) {
        case .success(let value): count = value
        case .failure(let error):
          throw site.error(.io, at: total, found: "read failed: \(error)", expected: "the dump's bytes")
        }
        if count == 0 { return OpenFile(descriptor: scratch, byteCount: total, site: site) }
        var written = 0
        while written < count {
          let rest = UnsafeRawBufferPointer(rebasing: buffer[written..<count])
          switch Syscalls.pwrite(scratch, from: rest, at: total + written) {
          case .success(let n) where n > 0: written += n
          case .success:
            throw site.error(.io, at: total, found: "the scratch file took no bytes", expected: "disk space in \(directory)")
          case .failure(let error):
            throw site.error(
              .io, at: total, found: "cannot copy it to \(directory): \(error)", expected: "disk space there")
          }
        }
        total += count
      }
    } catch {
      Syscalls.close(scratch)
      throw error
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
