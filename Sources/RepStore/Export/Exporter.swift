import Foundation
import RepFormats

#if canImport(Glibc)
  import Glibc
#endif

/// Container formats `repstore export` writes; the data are always the stored Float32 bits, unchanged.
public enum ExportFormat: String, Sendable, CaseIterable {
  case npy, safetensors
}

extension Store {
  /// Writes one tensor as a `.npy` file (version 1.0, '<f4', C order), streaming block by block.
  public func exportNpy(_ tensor: TensorInfo, to path: String, progress: (any ProgressReporter)? = nil) throws {
    try writeAtomically(to: path) { output in
      try output.write(NpyHeader.float32(shape: [tensor.rowCount, tensor.columnCount]))
      try streamData(of: [tensor], into: output, progress: progress)
    }
  }

  /// Writes tensors into one `.safetensors` file under the given names, in order, streaming block by block.
  public func exportSafetensors(
    _ tensors: [(name: String, tensor: TensorInfo)], to path: String, progress: (any ProgressReporter)? = nil
  ) throws {
    let header = SafetensorsHeader.float32(
      tensors: tensors.map { ($0.name, [$0.tensor.rowCount, $0.tensor.columnCount]) },
      metadata: ["format": "pt", "written_by": "repstore"])
    try writeAtomically(to: path) { output in
      try output.write(header)
      try streamData(of: tensors.map(\.tensor), into: output, progress: progress)
    }
  }

  private func streamData(of tensors: [TensorInfo], into output: OutputFile, progress: (any ProgressReporter)?) throws {
    let total = tensors.reduce(Int64(0)) { $0 + $1.rawByteCount }
    progress?.begin("export", totalByteCount: total)
    defer { progress?.end() }
    var done: Int64 = 0
    for tensor in tensors {
      try readRows(of: tensor) { block in
        try output.write(UnsafeRawBufferPointer(block.values))
        done += Int64(block.values.count * MemoryLayout<Float>.size)
        progress?.advance(to: done)
      }
    }
  }

  /// Writes to `path`: "-" is standard output, and an existing path that is neither a file nor a folder (a pipe, a
  /// terminal, `/dev/stdout`) is written straight through. A file is written under a temporary name beside `path`
  /// and renamed into place, so a failed export leaves no partial file (and an existing file untouched).
  private func writeAtomically(to path: String, _ body: (OutputFile) throws -> Void) throws {
    if let stream = try OutputFile.stream(at: path) {
      try body(stream)
      try stream.finish()
      return
    }
    let temporary = path + ".partial-\(getpid())"
    let output = try OutputFile(path: temporary)
    do {
      try body(output)
      try output.finish()
    } catch {
      output.abandon()
      unlink(temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let failure = StoreError.io(call: "rename", path: path)
      unlink(temporary)
      throw failure
    }
  }
}

/// A file written front to back through a buffer.
final class OutputFile {
  let path: String
  private var descriptor: Int32
  /// False for standard output, which is flushed but left open.
  private let ownsDescriptor: Bool
  private var buffer: [UInt8] = []
  private static let bufferLimit = 4 << 20

  init(path: String) throws {
    descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw StoreError.io(call: "create", path: path) }
    self.path = path
    ownsDescriptor = true
    buffer.reserveCapacity(OutputFile.bufferLimit)
  }

  private init(descriptor: Int32, path: String, ownsDescriptor: Bool) {
    self.descriptor = descriptor
    self.path = path
    self.ownsDescriptor = ownsDescriptor
    buffer.reserveCapacity(OutputFile.bufferLimit)
  }

  /// Standard output for "-", or an existing stream (pipe, character device, socket) at `path`; nil for anything
  /// else, which is written as a file.
  static func stream(at path: String) throws -> OutputFile? {
    if path == "-" { return OutputFile(descriptor: STDOUT_FILENO, path: "stdout", ownsDescriptor: false) }
    // A name for a descriptor this process already has: written through it, wherever it points (also a file, which
    // must not be replaced by a rename onto /dev/stdout).
    if let descriptor = openDescriptor(named: path) {
      return OutputFile(descriptor: descriptor, path: path, ownsDescriptor: false)
    }
    var status = stat()
    guard stat(path, &status) == 0, ![S_IFREG, S_IFDIR].contains(status.st_mode & S_IFMT) else { return nil }
    let descriptor = open(path, O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw StoreError.io(call: "open", path: path) }
    return OutputFile(descriptor: descriptor, path: path, ownsDescriptor: true)
  }

  /// The descriptor `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` or `/proc/self/fd/N` names; nil for other paths.
  private static func openDescriptor(named path: String) -> Int32? {
    switch path {
    case "/dev/stdout": return STDOUT_FILENO
    case "/dev/stderr": return STDERR_FILENO
    default:
      for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
        if let number = Int32(path.dropFirst(prefix.count)), fcntl(number, F_GETFD) != -1 { return number }
      }
      return nil
    }
  }

  deinit { if descriptor >= 0, ownsDescriptor { close(descriptor) } }

  func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

  func write(_ bytes: UnsafeRawBufferPointer) throws {
    if buffer.count + bytes.count > OutputFile.bufferLimit { try flush() }
    if bytes.count >= OutputFile.bufferLimit {
      try writeAll(bytes)
    } else {
      buffer.append(contentsOf: bytes)
    }
  }

  private func flush() throws {
    try buffer.withUnsafeBytes { try writeAll($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
    guard let base = bytes.baseAddress else { return }
    var done = 0
    while done < bytes.count {
      let result = Glibc.write(descriptor, base + done, bytes.count - done)
      if result < 0 {
        if errno == EINTR { continue }
        throw StoreError.io(call: "write", path: path)
      }
      done += result
    }
  }

  /// Flushes and closes. No fsync: an export is a copy that can be made again, and the rename that follows
  /// already makes it all-or-nothing for anyone reading the path.
  func finish() throws {
    try flush()
    if ownsDescriptor, close(descriptor) != 0 { throw StoreError.io(call: "close", path: path) }
    descriptor = -1
  }

  func abandon() {
    if descriptor >= 0, ownsDescriptor { close(descriptor) }
    descriptor = -1
  }
}
