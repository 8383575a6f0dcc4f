import Foundation
import Testing

@testable import RepStore

// The writer lock, verify, remove and gc.

/// A flag one thread sets and another reads.
private final class Flag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  func set() { lock.withLock { value = true } }
  var isSet: Bool { lock.withLock { value } }
}

/// Overwrites one byte of a file with its complement.
private func flipByte(in path: String, at offset: Int64) throws {
  let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
  defer { try? handle.close() }
  try handle.seek(toOffset: UInt64(offset))
  let byte = try #require(try handle.read(upToCount: 1)?.first)
  try handle.seek(toOffset: UInt64(offset))
  try handle.write(contentsOf: [~byte])
}

@Suite("Store maintenance")
struct StoreMaintenanceTests {
  // MARK: Locks

  @Test("a second writer lock in the same process is refused, naming our pid and purpose")
  func secondWriterIsRefused() throws {
    let folder = try TemporaryFolder()
    let (store, _) = try Store.openOrCreate(at: folder.storePath)
    var first: WriterLock? = try store.lockForWriting(wait: false, purpose: "first test writer")
    let error = try storeError { _ = try store.lockForWriting(wait: false, purpose: "second") }
    #expect(error.kind == .locked)
    #expect(error.message.contains("store is locked by pid \(getpid()) on "), "\(error)")
    #expect(error.message.contains("(first test writer) since "), "\(error)")
    #expect(error.message.hasSuffix("retry later or pass --wait"), "\(error)")
    withExtendedLifetime(first) {}
    first = nil
    // Released: the next writer gets the lock, and its purpose is what others now see.
    let next = try store.lockForWriting(wait: false, purpose: "next writer")
    let again = try storeError { _ = try store.lockForWriting(wait: false, purpose: "third") }
    #expect(again.message.contains("(next writer)"), "\(again)")
    withExtendedLifetime(next) {}
  }

  @Test("writes are refused while another writer holds the lock, and change nothing")
  func writesWhileLocked() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 4, columns: 2, seed: 1))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let before = (try store.catalogSnapshot(), segmentListing(folder.storePath))
    let lock = try store.lockForWriting(wait: false, purpose: "holder")
    let failures = [
      try storeError {
        try importMatrices([("m", "L2", .finite(rows: 4, columns: 2, seed: 2))], into: folder.storePath, folder: folder)
      },
      try storeError { try store.remove(store.allTensors()) },
      try storeError { _ = try store.collectGarbage() },
    ]
    withExtendedLifetime(lock) {}
    for failure in failures {
      #expect(failure.kind == .locked)
      #expect(failure.message.contains("pid \(getpid())") && failure.message.contains("(holder)"), "\(failure)")
    }
    #expect(try store.catalogSnapshot() == before.0)
    #expect(segmentListing(folder.storePath) == before.1)
  }

  @Test("lockForWriting(wait: true) blocks until the holder releases")
  func waitingWriter() throws {
    let folder = try TemporaryFolder()
    let (store, _) = try Store.openOrCreate(at: folder.storePath)
    var holder: WriterLock? = try store.lockForWriting(wait: false, purpose: "holder")
    let acquired = Flag()
    let failed = Flag()
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
      do {
        let lock = try store.lockForWriting(wait: true, purpose: "waiter")
        acquired.set()
        withExtendedLifetime(lock) {}
      } catch {
        failed.set()
      }
      finished.signal()
    }
    thread.start()
    Thread.sleep(forTimeInterval: 0.3)
    #expect(!acquired.isSet, "the waiter got the lock while it was held")
    withExtendedLifetime(holder) {}
    holder = nil
    #expect(finished.wait(timeout: .now() + 10) == .success)
    #expect(acquired.isSet)
    #expect(!failed.isSet)
    // The waiter released on leaving its scope.
    withExtendedLifetime(try store.lockForWriting(wait: false, purpose: "after")) {}
  }

  // MARK: Verify

  @Test("verify on a healthy store finds no problem and counts everything")
  func verifyHealthy() throws {
    let folder = try TemporaryFolder()
    let a = TestMatrix.finite(rows: 10, columns: 3, seed: 3)
    let b = TestMatrix.finite(rows: 10, columns: 5, seed: 4)
    try importMatrices([("m", "L1", a)], into: folder.storePath, folder: folder, options: importOptions(blockBytes: 24))
    try importMatrices([("m", "L2", b)], into: folder.storePath, folder: folder, options: importOptions(blockBytes: 60))
    let store = try Store.open(at: folder.storePath)
    for threads in [1, 2] {
      let report = try store.verify(threads: threads)
      #expect(report.problems == [])
      #expect(report.isHealthy)
      #expect(report.tensorCount == 2)
      #expect(report.blockCount == 5 + 4)
      #expect(report.rawByteCount == Int64((a.values.count + b.values.count) * 4))
      #expect(report.storedByteCount == (try store.allTensors().reduce(0) { $0 + $1.storedByteCount }))
      #expect(report.unreferencedByteCount == 0)
    }
  }

  @Test("verify names the tensor and block of a flipped byte", arguments: [0, 2, 3])
  func verifyFlippedByte(_ blockIndex: Int) throws {
    let folder = try TemporaryFolder()
    try importMatrices(
      [("m", "L1", .finite(rows: 8, columns: 4, seed: 5)), ("m", "L2", .finite(rows: 8, columns: 4, seed: 6))],
      into: folder.storePath, folder: folder, options: importOptions(blockBytes: 32))
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L2")
    let block = try store.blocks(of: tensor)[blockIndex]
    try flipByte(in: store.segmentPath(block.segment), at: block.byteOffset + Int64(block.storedLength / 2))

    let report = try store.verify(threads: 2)
    #expect(!report.isHealthy)
    #expect(report.problems.count == 1)
    let problem = try #require(report.problems.first)
    #expect(problem.contains("tensor m/L2@default: block \(blockIndex) (rows \(2 * blockIndex)..<\(2 * blockIndex + 2)"), "\(problem)")
    #expect(problem.contains(store.segmentPath(block.segment) + " byte \(block.byteOffset)"), "\(problem)")
    let readError = try storeError { try store.readRows(of: tensor) { _ in } }
    #expect(readError.kind == .corrupt)
    // The other tensor still reads.
    #expect(try store.matrix(of: store.tensor("m", "L1")).bits == TestMatrix.finite(rows: 8, columns: 4, seed: 5).bits)
  }

  @Test("verify reports a missing segment file for the tensors in it")
  func verifyMissingSegment() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 4, columns: 2, seed: 7))], into: folder.storePath, folder: folder)
    try importMatrices([("m", "L2", .finite(rows: 4, columns: 2, seed: 8))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let lost = try store.blocks(of: store.tensor("m", "L1"))[0].segment
    try FileManager.default.removeItem(atPath: store.segmentPath(lost))
    let report = try store.verify(threads: 1)
    #expect(report.problems.count == 1)
    #expect(report.problems.first?.contains("\(store.segmentPath(lost)): segment file is missing") == true, "\(report.problems)")
    #expect(report.tensorCount == 2)
  }

  @Test(
    "verify names each tensor whose segment file is missing or cut short",
    arguments: ["missing", "truncated"])
  func verifyNamesTensorOfLostSegment(_ damage: String) throws {
    let folder = try TemporaryFolder()
    try importMatrices(
      [("m", "L1", .finite(rows: 4, columns: 2, seed: 10)), ("m", "L2", .finite(rows: 4, columns: 2, seed: 11))],
      into: folder.storePath, folder: folder, options: importOptions(blockBytes: 8))
    let store = try Store.open(at: folder.storePath)
    let segment = store.segmentPath(try store.blocks(of: store.tensor("m", "L1"))[0].segment)
    if damage == "missing" {
      try FileManager.default.removeItem(atPath: segment)
    } else {
      // Cut inside block 1 of m/L1: both tensors lose data.
      let block = try store.blocks(of: store.tensor("m", "L1"))[1]
      let handle = try FileHandle(forUpdating: URL(fileURLWithPath: segment))
      try handle.truncate(atOffset: UInt64(block.byteOffset + 1))
      try handle.close()
    }
    let problems = try store.verify(threads: 1).problems
    #expect(problems.count == 2)
    #expect(problems.first?.contains("tensor m/L1@default: block ") == true, "\(problems)")
    #expect(problems.last?.contains("tensor m/L2@default: block 0 ") == true, "\(problems)")
  }

  @Test("verify reports a catalog digest that disagrees with the data")
  func verifyDigestMismatch() throws {
    let folder = try TemporaryFolder()
    let matrix = TestMatrix.finite(rows: 4, columns: 2, seed: 9)
    try importMatrices([("m", "L1", matrix)], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    try store.catalog.write { db in try db.execute(sql: "UPDATE tensors SET digest = '0123456789abcdef'") }
    let report = try store.verify(threads: 1)
    // The edit is caught twice: the row no longer matches the digest it was sealed with, and the data its value.
    #expect(report.problems == [
      "\(folder.storePath): catalog: tensor m/L1@default (id 1) does not match its digest",
      "\(folder.storePath): tensor m/L1@default: content digest \(matrix.expectedDigest), catalog says 0123456789abcdef",
    ])
  }

  // MARK: Remove and gc

  @Test("remove leaves unreferenced bytes; gc reclaims them and keeps the rest bit-identical")
  func removeThenCollect() throws {
    let folder = try TemporaryFolder()
    let kept = [("a", "L1"), ("a", "L2"), ("b", "L1")].enumerated().map { index, name in
      (model: name.0, layer: name.1, matrix: TestMatrix.finite(rows: 12, columns: 3, seed: UInt64(20 + index)))
    }
    try importMatrices(
      [kept[0], ("x", "L1", .finite(rows: 12, columns: 3, seed: 30)), kept[1]], into: folder.storePath, folder: folder,
      options: importOptions(blockBytes: 36))
    try importMatrices(
      [("x", "L2", .finite(rows: 12, columns: 3, seed: 31)), kept[2]], into: folder.storePath, folder: folder,
      options: importOptions(blockBytes: 36))
    let store = try Store.open(at: folder.storePath)
    let removed = try store.tensors(matching: Selector.parse("x"))
    #expect(removed.map(\.layer) == ["L1", "L2"])
    let removedBytes = removed.reduce(Int64(0)) { $0 + $1.storedByteCount }
    try store.remove(removed)
    #expect(try store.allTensors().map(\.qualifiedName) == ["a/L1", "a/L2", "b/L1"])
    let afterRemove = try store.verify(threads: 1)
    #expect(afterRemove.isHealthy)
    #expect(afterRemove.unreferencedByteCount == removedBytes)

    let sizeBefore = segmentListing(folder.storePath).values.reduce(0, +)
    let report = try store.collectGarbage()
    let sizeAfter = segmentListing(folder.storePath).values.reduce(0, +)
    #expect(report.compactedSegmentCount == 2)
    #expect(report.deletedSegmentCount == 0)
    #expect(report.reclaimedByteCount == sizeBefore - sizeAfter)
    #expect(report.reclaimedByteCount == removedBytes + 8)  // the dead blocks and one segment header
    let afterGC = try store.verify(threads: 2)
    #expect(afterGC.problems == [])
    #expect(afterGC.unreferencedByteCount == 0)
    for tensor in kept {
      #expect(try store.matrix(of: store.tensor(tensor.model, tensor.layer)).bits == tensor.matrix.bits, "\(tensor.model)/\(tensor.layer)")
    }
    #expect(try store.tensor("a", "L1").digest == kept[0].matrix.expectedDigest)
  }

  @Test("gc compacts partly dead segments into fewer, smaller files")
  func collectCompacts() throws {
    let folder = try TemporaryFolder()
    let keep1 = TestMatrix.finite(rows: 20, columns: 4, seed: 40)
    let keep2 = TestMatrix.finite(rows: 20, columns: 4, seed: 41)
    try importMatrices(
      [("dead", "L1", .finite(rows: 20, columns: 4, seed: 42)), ("live", "L1", keep1)], into: folder.storePath,
      folder: folder, options: importOptions(blockBytes: 64))
    try importMatrices(
      [("live", "L2", keep2), ("dead", "L2", .finite(rows: 20, columns: 4, seed: 43))], into: folder.storePath,
      folder: folder, options: importOptions(blockBytes: 64))
    let store = try Store.open(at: folder.storePath)
    try store.remove(store.tensors(matching: Selector.parse("dead")))
    let before = segmentListing(folder.storePath)
    #expect(before.count == 2)

    let report = try store.collectGarbage()
    let after = segmentListing(folder.storePath)
    #expect(report.compactedSegmentCount == 2)
    #expect(after.count == 1)
    #expect(Set(after.keys).isDisjoint(with: before.keys))
    #expect(after.values.reduce(0, +) < before.values.reduce(0, +))
    #expect(after.values.reduce(0, +) == 8 + (try store.allTensors().reduce(0) { $0 + $1.storedByteCount }))
    #expect(try store.matrix(of: store.tensor("live", "L1")).bits == keep1.bits)
    #expect(try store.matrix(of: store.tensor("live", "L2")).bits == keep2.bits)
    #expect(try store.verify(threads: 1).unreferencedByteCount == 0)

    // The store keeps working: a new import after gc lands in a new segment and reads back.
    let later = TestMatrix.finite(rows: 20, columns: 4, seed: 44)
    try importMatrices([("later", "L1", later)], into: folder.storePath, folder: folder)
    #expect(try store.matrix(of: store.tensor("later", "L1")).bits == later.bits)
    #expect(try store.verify(threads: 1).problems == [])
  }

  @Test("gc deletes segments with no live block, and stray segment files from killed imports")
  func collectDeletesDeadSegments() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("gone", "L1", .finite(rows: 6, columns: 2, seed: 50))], into: folder.storePath, folder: folder)
    let kept = TestMatrix.finite(rows: 6, columns: 2, seed: 51)
    try importMatrices([("kept", "L1", kept)], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let keptSegment = try store.blocks(of: store.tensor("kept", "L1"))[0].segment
    try store.remove([store.tensor("gone", "L1")])
    let stray = store.segmentPath(99)
    try Data(segmentMagic + [UInt8](repeating: 7, count: 100)).write(to: URL(fileURLWithPath: stray))
    let unreferenced = try store.verify(threads: 1).unreferencedByteCount
    let goneSize = try #require(segmentListing(folder.storePath)[(store.segmentPath(1) as NSString).lastPathComponent])
    #expect(unreferenced == goneSize + 108)

    let report = try store.collectGarbage()
    #expect(report.deletedSegmentCount == 2)
    #expect(report.compactedSegmentCount == 0)
    #expect(report.reclaimedByteCount == unreferenced)
    #expect(segmentListing(folder.storePath).keys.sorted() == [(store.segmentPath(keptSegment) as NSString).lastPathComponent])
    #expect(try store.matrix(of: store.tensor("kept", "L1")).bits == kept.bits)
    #expect(try store.exampleSets().map(\.tensorCount) == [1])
  }

  @Test("gc with nothing dead changes nothing")
  func collectNothing() throws {
    let folder = try TemporaryFolder()
    try importMatrices(
      [("m", "L1", .finite(rows: 6, columns: 2, seed: 60)), ("m", "L2", .finite(rows: 6, columns: 2, seed: 61))],
      into: folder.storePath, folder: folder, options: importOptions(blockBytes: 8))
    let store = try Store.open(at: folder.storePath)
    let before = (try store.catalogSnapshot(), segmentListing(folder.storePath))
    let report = try store.collectGarbage()
    #expect(report.deletedSegmentCount == 0)
    #expect(report.compactedSegmentCount == 0)
    #expect(report.reclaimedByteCount == 0)
    #expect(try store.catalogSnapshot() == before.0)
    #expect(segmentListing(folder.storePath) == before.1)
  }

  @Test("removing every tensor of a model and set drops them from the catalog")
  func removeDropsEmptyModelsAndSets() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("a", "L1", .finite(rows: 3, columns: 2, seed: 70))], exampleSet: "s1", into: folder.storePath, folder: folder)
    try importMatrices([("b", "L1", .finite(rows: 4, columns: 2, seed: 71))], exampleSet: "s2", into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    try store.remove(store.tensors(matching: Selector.parse("a")))
    #expect(try store.exampleSets().map(\.name) == ["s2"])
    let models = try store.catalog.read { db in try String.fetchAll(db, sql: "SELECT name FROM models") }
    #expect(models == ["b"])
    // The freed set name can be reused with a different size.
    try importMatrices([("c", "L1", .finite(rows: 9, columns: 2, seed: 72))], exampleSet: "s1", into: folder.storePath, folder: folder)
    #expect(try store.exampleSets().map(\.rowCount) == [9, 4])
  }
}
