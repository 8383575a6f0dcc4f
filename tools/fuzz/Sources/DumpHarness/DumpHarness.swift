import CMemoryFile
import Glibc
import RepFormats

/// Runs one fuzz input through the path `repstore import` takes: `Dump.open`, then every row of every layer that
/// import would accept, read through `RowReader`.
///
/// `Dump.open` reads by path, so the bytes go into one in-memory file (memfd) that is rewritten for each input and
/// opened as `/proc/self/fd/N`: the parser and its system calls run exactly as for a file on disk, and nothing touches
/// the file system or needs an entry point of its own in RepFormats.
///
/// Every input must end in a `Dump` or a `FormatError`; anything else (a trap, a sanitizer report, a hang, a huge
/// allocation) is what libFuzzer reports.
public enum DumpHarness {
  /// The in-memory file and the path that opens it.
  nonisolated(unsafe) private static var memoryFile: (descriptor: Int32, path: String)?

  /// The most floats read into the row buffer at once, as import's block writer bounds its own.
  private static let maximumBlockElementCount = 1 << 16

  /// Parses `bytes` as a dump and reads every row; returns normally whether the dump is valid or not.
  public static func run(_ bytes: UnsafeRawBufferPointer, options: DumpOptions = DumpOptions()) {
    let path = store(bytes)
    do {
      let dump = try Dump.open(path: path, options: options)
      for (index, layer) in dump.layers.enumerated() where layer.rowCount > 0 && layer.columnCount > 0 {
        try readAllRows(of: dump, layer: index)
      }
    } catch {
      // The message is part of the contract (one line, with offsets): build it too.
      precondition(!error.description.contains("\n"), "a FormatError's description spans lines: \(error.description)")
    }
  }

  /// Reads layer `index` of `dump` from first row to last, in blocks of at most `maximumBlockElementCount` floats.
  private static func readAllRows(of dump: Dump, layer index: Int) throws(FormatError) {
    let layer = dump.layers[index]
    let reader = try dump.rowReader(layer: index)
    let rowsPerBlock = max(1, maximumBlockElementCount / layer.columnCount)
    // Rows wider than a block are read one at a time, as import does, with a buffer of one row.
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: min(layer.rowCount, rowsPerBlock) * layer.columnCount)
    defer { buffer.deallocate() }
    while reader.rowsRead < layer.rowCount {
      try reader.readRows(min(rowsPerBlock, layer.rowCount - reader.rowsRead), into: buffer)
    }
  }

  /// Replaces the in-memory file's contents with `bytes` and returns the path that opens it.
  private static func store(_ bytes: UnsafeRawBufferPointer) -> String {
    let file = memoryFile ?? makeMemoryFile()
    memoryFile = file
    guard ftruncate(file.descriptor, 0) == 0 else { fatalError("ftruncate: errno \(errno)") }
    var done = 0
    while done < bytes.count {
      let written = pwrite(file.descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(done))
      guard written > 0 else { fatalError("pwrite: errno \(errno)") }
      done += written
    }
    return file.path
  }

  private static func makeMemoryFile() -> (descriptor: Int32, path: String) {
    let descriptor = repstore_fuzz_memory_file()
    guard descriptor >= 0 else { fatalError("memfd_create: errno \(errno)") }
    return (descriptor, "/proc/self/fd/\(descriptor)")
  }
}
