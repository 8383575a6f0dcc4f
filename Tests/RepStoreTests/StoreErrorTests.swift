import Foundation
import GRDB
import Testing

@testable import RepStore

#if canImport(Glibc)
  import Glibc
#endif

// StoreError's fields: real failures (a path under a regular file, a damaged or missing segment, a catalog that is
// not a database, a constraint violation) must carry the errno, the tensor and block, or the SQLite code, and
// `description` must stay one line that starts with where it happened.

/// Overwrites `count` bytes of a file with their complement, starting at `offset`.
private func flipBytes(in path: String, at offset: Int64, count: Int) throws {
  let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
  defer { try? handle.close() }
  try handle.seek(toOffset: UInt64(offset))
  let bytes = try #require(try handle.read(upToCount: count))
  try handle.seek(toOffset: UInt64(offset))
  try handle.write(contentsOf: bytes.map { ~$0 })
}

/// Leaves a Unix-domain socket file at `path` (its socket closed): a file that exists but that open(2) refuses.
private func makeSocketFile(at path: String) throws {
  let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
  try #require(descriptor >= 0)
  defer { close(descriptor) }
  var address = sockaddr_un()
  address.sun_family = sa_family_t(AF_UNIX)
  let bytes = Array(path.utf8)
  try #require(bytes.count < MemoryLayout.size(ofValue: address.sun_path), "socket path too long: \(path)")
  withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
  let bound = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
    }
  }
  try #require(bound == 0, "bind: errno \(errno)")
}

/// Whether `error` prints as one line (what the CLI relies on).
private func isOneLine(_ error: StoreError) -> Bool {
  !error.description.isEmpty && !error.description.contains(where: \.isNewline)
}

@Suite("Store errors")
struct StoreErrorTests {
  // MARK: I/O

  @Test("a store under a regular file fails with ENOTDIR and the path, as .io")
  func storeUnderARegularFile() throws {
    let folder = try TemporaryFolder()
    let file = try folder.file("plain-file")
    try Data("not a folder".utf8).write(to: URL(fileURLWithPath: file))
    let storePath = file + "/store.repstore"
    let error = try storeError { _ = try Store.openOrCreate(at: storePath) }
    #expect(error.kind == .io, "\(error)")
    #expect(error.errno == ENOTDIR && error.operation == "mkdir", "\(error)")
    #expect(error.path == storePath)
    #expect(error.sqliteCode == nil)
    #expect(isOneLine(error), "\(error)")
    #expect(error.description.hasPrefix(storePath + ": "), "\(error)")
    #expect(error.description.hasSuffix(": " + String(cString: strerror(ENOTDIR))), "\(error)")
    #expect(!FileManager.default.fileExists(atPath: storePath))
  }

  @Test("an export to a path under a regular file keeps errno and the file it tried to create")
  func exportUnderARegularFile() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 3, columns: 2, seed: 40))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let file = try folder.file("plain-file")
    try Data().write(to: URL(fileURLWithPath: file))
    let error = try storeError { try store.exportNpy(store.tensor("m", "L1"), to: file + "/out.npy") }
    #expect(error.kind == .io)
    #expect(error.errno == ENOTDIR, "\(error)")
    #expect(error.operation == "create")
    #expect(error.path?.hasPrefix(file + "/out.npy") == true, "\(error)")
    #expect(isOneLine(error) && error.description.hasPrefix(file + "/out.npy"), "\(error)")
  }

  @Test("a lock file that cannot be opened reports open, the lock's path and errno")
  func lockFileUnderARegularFile() throws {
    let folder = try TemporaryFolder()
    let file = try folder.file("plain-file")
    try Data().write(to: URL(fileURLWithPath: file))
    let error = try storeError { _ = try FileLock(path: file + "/LOCK") }
    #expect(error.kind == .io && error.operation == "open")
    #expect(error.errno == ENOTDIR)
    #expect(error.path == file + "/LOCK")
    #expect(error.description == "\(file)/LOCK: open failed: \(String(cString: strerror(ENOTDIR)))")
  }

  // MARK: Blocks

  @Test("a flipped byte in a block is .corrupt and carries the tensor, block, rows, segment and byte")
  func corruptBlock() throws {
    let folder = try TemporaryFolder()
    try importMatrices(
      [("m", "L1", .finite(rows: 8, columns: 4, seed: 41)), ("m", "L2", .finite(rows: 8, columns: 4, seed: 42))],
      into: folder.storePath, folder: folder, options: importOptions(blockBytes: 32))
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L2")
    let block = try store.blocks(of: tensor)[2]
    let segment = store.segmentPath(block.segment)
    try flipBytes(in: segment, at: block.byteOffset + Int64(block.storedLength / 2), count: 2)

    for threads in [1, 2] {
      let error = try storeError { try store.readRows(of: tensor, threads: threads) { _ in } }
      #expect(error.kind == .corrupt)
      #expect(error.path == folder.storePath)
      #expect(error.tensor == "m/L2@default")
      #expect(error.block == 2)
      #expect(error.rows == block.rowStart..<(block.rowStart + block.rowCount))
      #expect(error.file == segment && error.offset == block.byteOffset, "\(error)")
      #expect(error.errno == nil && error.sqliteCode == nil)
      #expect(isOneLine(error), "\(error)")
      #expect(
        error.description.hasPrefix(
          "\(folder.storePath): tensor m/L2@default: block 2 (rows 4..<6, \(segment) byte \(block.byteOffset)): "),
        "\(error)")
    }
    // The aligned reader places the same damage at the same block.
    let reader = try AlignedRowReader(store: store, tensors: [tensor], chunkRows: 8, threads: 2)
    var buffer = [Float](repeating: 0, count: 8 * 4)
    let aligned = try storeError {
      _ = try buffer.withUnsafeMutableBufferPointer { try reader.nextChunk(into: [$0]) }
    }
    #expect(aligned.kind == .corrupt && aligned.tensor == "m/L2@default" && aligned.block == 2, "\(aligned)")
  }

  @Test("a missing segment names the file on its own, with no byte to point at")
  func missingSegment() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 4, columns: 2, seed: 43))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    let segment = store.segmentPath(try store.blocks(of: tensor)[0].segment)
    try FileManager.default.removeItem(atPath: segment)
    let error = try storeError { try store.readRows(of: tensor) { _ in } }
    #expect(error.kind == .corrupt)
    #expect(error.tensor == "m/L1@default" && error.block == 0 && error.rows == 0..<4)
    #expect(error.file == segment && error.offset == nil, "\(error)")
    #expect(
      error.description
        == "\(folder.storePath): tensor m/L1@default: block 0 (rows 0..<4): \(segment): "
        + "segment file is missing but the catalog references it")
  }

  @Test("a segment that cannot be opened is .io with errno, placed at the block")
  func unopenableSegment() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 4, columns: 2, seed: 44))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    let segment = store.segmentPath(try store.blocks(of: tensor)[0].segment)
    // A socket in the segment's place exists, but open(2) refuses it with ENXIO, even for root.
    try FileManager.default.removeItem(atPath: segment)
    try makeSocketFile(at: segment)
    let error = try storeError { try store.readRows(of: tensor) { _ in } }
    #expect(error.kind == .io, "\(error)")
    #expect(error.errno == ENXIO && error.operation == "open segment", "\(error)")
    #expect(error.tensor == "m/L1@default" && error.block == 0 && error.rows == 0..<4, "\(error)")
    #expect(error.path == folder.storePath && error.file == segment && error.offset == nil, "\(error)")
    #expect(
      error.description
        == "\(folder.storePath): tensor m/L1@default: block 0 (rows 0..<4): \(segment): open segment failed: "
        + String(cString: strerror(ENXIO)))
  }

  @Test("a truncated segment says where the block starts and how long the file is")
  func truncatedSegment() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 4, columns: 2, seed: 45))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    let block = try store.blocks(of: tensor)[0]
    let segment = store.segmentPath(block.segment)
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: segment))
    try handle.truncate(atOffset: UInt64(block.byteOffset + 1))
    try handle.close()
    let error = try storeError { try store.readRows(of: tensor) { _ in } }
    #expect(error.kind == .corrupt)
    #expect(error.block == 0 && error.file == segment && error.offset == block.byteOffset, "\(error)")
    #expect(
      error.description.hasSuffix(
        "byte \(block.byteOffset)): block of \(block.storedLength) bytes runs past the end "
          + "(file is \(block.byteOffset + 1) bytes)"),
      "\(error)")
  }

  // MARK: Catalog

  @Test("a catalog that is not a database keeps SQLite's result code and the catalog's path")
  func catalogThatIsNotADatabase() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 2, columns: 2, seed: 46))], into: folder.storePath, folder: folder)
    let catalog = folder.storePath + "/catalog.sqlite"
    for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalog + suffix) }
    try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: catalog))
    let error = try storeError { _ = try Store.open(at: folder.storePath) }
    #expect(error.kind == .catalog, "\(error)")
    #expect(error.sqliteCode == ResultCode.SQLITE_NOTADB.rawValue, "\(error)")
    #expect(error.sqlitePrimaryCode == 26)
    #expect(error.path == catalog && error.operation == "open", "\(error)")
    #expect(isOneLine(error), "\(error)")
    #expect(
      error.description
        == catalog + ": catalog: the file is damaged (run repstore verify): open failed: SQLite error 26: file is not a database",
      "\(error)")
  }

  @Test("a failed catalog write keeps the extended SQLite code, and says what failed without the statement's SQL")
  func catalogConstraintViolation() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 2, columns: 2, seed: 47))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let error = try storeError {
      try store.catalog.write { db in
        try db.execute(
          sql: """
            INSERT INTO models (name, created_at)
            VALUES ('m', 'now')
            """)
      }
    }
    #expect(error.kind == .catalog)
    #expect(error.sqliteCode == ResultCode.SQLITE_CONSTRAINT_UNIQUE.rawValue, "\(error)")
    #expect(error.sqlitePrimaryCode == ResultCode.SQLITE_CONSTRAINT.rawValue)
    #expect(error.operation == "write")
    #expect(isOneLine(error), "\(error)")
    #expect(
      error.description == store.catalog.path + ": catalog: write failed: SQLite error 19: UNIQUE constraint failed: models.name",
      "\(error)")
  }

  // MARK: Wording

  @Test("messages scripts match keep their wording, with the path also in its field")
  func keptWording() throws {
    let readOnly = StoreError.readOnly(storePath: "/data/s", reason: "read-only file system")
    #expect(readOnly.description == "read-only store: /data/s (read-only file system)")
    #expect(readOnly.path == "/data/s" && readOnly.message == readOnly.description)

    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 2, columns: 2, seed: 48))], into: folder.storePath, folder: folder)
    let selector = try Selector.parse("x/*")
    let noMatch = try storeError { _ = try Store.open(at: folder.storePath).tensors(matching: selector) }
    #expect(noMatch.kind == .invalidInput && noMatch.path == folder.storePath)
    #expect(
      noMatch.description.hasPrefix("selector '\(selector)' matches no tensor in \(folder.storePath): "), "\(noMatch)")

    let noStore = try storeError { _ = try Store.open(at: folder.path + "/absent") }
    #expect(noStore.kind == .noStore && noStore.path == folder.path + "/absent")
  }

  @Test("blocks that do not cover the tensor say what was found and what was expected")
  func blocksThatDoNotFit() throws {
    let folder = try TemporaryFolder()
    try importMatrices(
      [("m", "L1", .finite(rows: 6, columns: 2, seed: 49))], into: folder.storePath, folder: folder,
      options: importOptions(blockBytes: 16))
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    let id = tensor.id
    try store.catalog.write { db in
      try db.execute(sql: "DELETE FROM blocks WHERE tensor_id = ? AND block_index = 2", arguments: [id])
      // Sealed again, as a faulty writer would: the block list must still be checked for what it covers.
      try CatalogDigests.seal(db, .blocks, id: id)
    }
    let error = try storeError { try store.readRows(of: tensor) { _ in } }
    #expect(error.kind == .corrupt && error.tensor == "m/L1@default" && error.block == nil, "\(error)")
    #expect(error.found == "blocks cover 4 rows" && error.expected == "6", "\(error)")
    #expect(error.description == "\(folder.storePath): tensor m/L1@default: blocks cover 4 rows, expected 6")
  }
}
