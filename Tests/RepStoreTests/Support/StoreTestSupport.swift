import Foundation
import RepFormats
import Testing

@testable import RepStore

// Helpers shared by the store tests: temporary folders, matrices written as `.npy` inputs, an independent content
// digest, and snapshots of a store's folder and catalog for "left exactly as before" checks.

/// A fresh folder under the system temporary directory, removed with everything in it when released.
final class TemporaryFolder {
  let path: String

  init(_ label: String = #function) throws {
    let safe = label.filter { $0.isLetter || $0.isNumber }.prefix(40)
    let template = NSTemporaryDirectory() + "repstore-\(safe)-XXXXXX"
    var bytes = Array(template.utf8CString)
    guard let created = mkdtemp(&bytes) else { throw StoreError.io(call: "mkdtemp", path: template) }
    path = String(cString: created)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// `path/relative`, creating the folders on the way.
  func file(_ relative: String) throws -> String {
    let full = path + "/" + relative
    let folder = (full as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return full
  }

  /// Where a store may be created (the folder does not exist yet).
  var storePath: String { path + "/store.repstore" }
}

/// A row-major Float32 matrix as the tests write and expect it.
struct TestMatrix: Equatable {
  var rows: Int
  var columns: Int
  var values: [Float]

  /// Finite values of every class the store must keep bit for bit: ±0, subnormals, extremes, ordinary numbers.
  static func finite(rows: Int, columns: Int, seed: UInt64) -> TestMatrix {
    var generator = TestRandom(seed: seed)
    let specials: [UInt32] = [0x0000_0000, 0x8000_0000, 0x0000_0001, 0x807F_FFFF, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x0080_0000]
    let values = (0..<(rows * columns)).map { index -> Float in
      if index % 11 == 3 { return Float(bitPattern: specials[Int(generator.next() % UInt64(specials.count))]) }
      // Any finite bit pattern: exponent field below 0xFF.
      var bits = UInt32(truncatingIfNeeded: generator.next())
      if bits & 0x7F80_0000 == 0x7F80_0000 { bits &= 0xBFFF_FFFF }
      return Float(bitPattern: bits)
    }
    return TestMatrix(rows: rows, columns: columns, values: values)
  }

  /// The bit patterns, so comparisons are exact even for -0 (and would be for NaN payloads).
  var bits: [UInt32] { values.map(\.bitPattern) }

  /// Rows `range` as a matrix.
  func rows(_ range: Range<Int>) -> TestMatrix {
    TestMatrix(rows: range.count, columns: columns, values: Array(values[(range.lowerBound * columns)..<(range.upperBound * columns)]))
  }

  /// The `.npy` file numpy would write for this matrix: header then little-endian C-order bytes.
  var npyBytes: [UInt8] { NpyHeader.float32(shape: [rows, columns]) + littleEndianBytes }

  var littleEndianBytes: [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * 4)
    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    return bytes
  }

  /// XXH64 of (rows as u64 LE, columns as u64 LE, the raw little-endian Float32 bytes), as 16 hex digits: the
  /// content digest the catalog should hold, computed here without the importer.
  var expectedDigest: String {
    var hasher = XXH64Hasher()
    var header: [UInt8] = []
    withUnsafeBytes(of: UInt64(rows).littleEndian) { header += $0 }
    withUnsafeBytes(of: UInt64(columns).littleEndian) { header += $0 }
    header.withUnsafeBytes { hasher.update($0) }
    littleEndianBytes.withUnsafeBytes { hasher.update($0) }
    return hex16(hasher.finalize())
  }

  @discardableResult
  func writeNpy(to path: String) throws -> String {
    try Data(npyBytes).write(to: URL(fileURLWithPath: path))
    return path
  }
}

/// 16 lowercase hex digits.
func hex16(_ value: UInt64) -> String {
  let digits = String(value, radix: 16)
  return String(repeating: "0", count: 16 - digits.count) + digits
}

/// SplitMix64, so every generated input can be reproduced from its seed.
struct TestRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Import options with small blocks and one thread unless told otherwise.
func importOptions(
  blockBytes: Int = 2 << 20, threads: Int = 1, replace: Bool = false, keysFile: String? = nil
) -> ImportOptions {
  var options = ImportOptions()
  options.targetBlockByteCount = blockBytes
  options.threads = threads
  options.replace = replace
  options.keysFile = keysFile
  return options
}

/// Imports one `.npy` per (model, layer, matrix) into the store at `storePath`, writing the inputs into `folder`.
@discardableResult
func importMatrices(
  _ tensors: [(model: String, layer: String, matrix: TestMatrix)], exampleSet: String = "default",
  into storePath: String, folder: TemporaryFolder, options: ImportOptions = importOptions()
) throws -> ImportSummary {
  let sources = try tensors.map { tensor in
    let path = try tensor.matrix.writeNpy(to: folder.file("inputs/\(UUID().uuidString)/\(tensor.layer).npy"))
    return ImportSource(path: path, model: tensor.model, layer: tensor.layer, exampleSet: exampleSet)
  }
  return try Store.importDumps(sources, intoStoreAt: storePath, options: options)
}

extension Store {
  /// Every row of `tensor`, read back through `readRows`.
  func matrix(of tensor: TensorInfo, threads: Int = 1) throws -> TestMatrix {
    var values: [Float] = []
    var nextRow = 0
    try readRows(of: tensor, threads: threads) { block in
      #expect(block.rowStart == nextRow)
      #expect(block.columnCount == tensor.columnCount)
      #expect(block.values.count == block.rowCount * tensor.columnCount)
      nextRow += block.rowCount
      values += block.values
    }
    return TestMatrix(rows: nextRow, columns: tensor.columnCount, values: values)
  }

  /// The one tensor named `model/layer` (in any example set).
  func tensor(_ model: String, _ layer: String) throws -> TensorInfo {
    let found = try allTensors().filter { $0.model == model && $0.layer == layer }
    try #require(found.count == 1, "expected one tensor \(model)/\(layer), found \(found.count)")
    return found[0]
  }

  /// The catalog's block list of `tensor`, in block order.
  func blocks(of tensor: TensorInfo) throws -> [BlockInfo] {
    let id = tensor.id
    return try catalog.read { db in try Catalog.blocks(db, tensorID: id) }
  }

  /// The catalog's rows for every tensor and example set, with block lists: equal snapshots mean an unchanged catalog.
  func catalogSnapshot() throws -> CatalogSnapshot {
    let tensors = try allTensors()
    let blocks = try tensors.map { try self.blocks(of: $0) }
    let keys = try exampleSets().map { try exampleKeys(ofSet: $0.name) }
    return CatalogSnapshot(tensors: tensors, blocks: blocks, sets: try exampleSets(), keys: keys)
  }
}

struct CatalogSnapshot: Equatable {
  var tensors: [TensorInfo]
  var blocks: [[BlockInfo]]
  var sets: [ExampleSetInfo]
  var keys: [[String]]
}

/// Every regular file under `folder` (relative path) with its size in bytes.
func fileListing(_ folder: String) -> [String: Int64] {
  var listing: [String: Int64] = [:]
  guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return listing }
  while let relative = enumerator.nextObject() as? String {
    let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + relative)
    guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
    listing[relative] = (attributes?[.size] as? Int64) ?? -1
  }
  return listing
}

/// The segment files of a store (name to size).
func segmentListing(_ storePath: String) -> [String: Int64] {
  fileListing(storePath + "/segments")
}

/// Runs `body`, which must throw a `StoreError`, and returns that error.
func storeError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> StoreError {
  do {
    try body()
  } catch let error as StoreError {
    return error
  } catch {
    Issue.record("expected a StoreError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    throw error
  }
  Issue.record("expected a StoreError, nothing was thrown", sourceLocation: sourceLocation)
  throw StoreError(.invalidInput, detail: "no error")
}
