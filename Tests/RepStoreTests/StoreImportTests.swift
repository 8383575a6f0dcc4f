import Foundation
import RepFormats
import Testing

@testable import RepStore

// Store.importDumps: bit-exact round trips over block sizes and thread counts, block tiling, the content digest,
// atomicity of failed imports, --replace and example-set agreement.

/// One row of the round-trip table: a matrix shape, the target block size in bytes, and the import's threads.
struct BlockingCase: Sendable, CustomTestStringConvertible {
  var rows: Int
  var columns: Int
  var blockBytes: Int
  var threads: Int
  /// Rows per block as the importer documents it: as many whole rows as fit, at least one.
  var rowsPerBlock: Int { max(1, blockBytes / (columns * 4)) }
  var testDescription: String { "\(rows)x\(columns), \(blockBytes) B blocks (\(rowsPerBlock) rows), \(threads) thread(s)" }
}

private let blockingTable: [BlockingCase] = [
  BlockingCase(rows: 37, columns: 5, blockBytes: 4, threads: 1),  // smaller than a row: 1 row per block
  BlockingCase(rows: 37, columns: 5, blockBytes: 4, threads: 2),
  BlockingCase(rows: 37, columns: 5, blockBytes: 20, threads: 2),  // exactly one row
  BlockingCase(rows: 37, columns: 5, blockBytes: 39, threads: 1),  // just under two rows
  BlockingCase(rows: 37, columns: 5, blockBytes: 60, threads: 2),  // 3 rows, last block 1 row
  BlockingCase(rows: 37, columns: 5, blockBytes: 143, threads: 1),  // 7 rows, odd size
  BlockingCase(rows: 37, columns: 5, blockBytes: 143, threads: 2),
  BlockingCase(rows: 37, columns: 5, blockBytes: 740, threads: 2),  // exactly the whole tensor
  BlockingCase(rows: 37, columns: 5, blockBytes: 2 << 20, threads: 1),  // default size: one block
  BlockingCase(rows: 1, columns: 1, blockBytes: 4, threads: 2),
  BlockingCase(rows: 200, columns: 3, blockBytes: 60, threads: 2),  // 5 rows, many batches
  BlockingCase(rows: 9, columns: 129, blockBytes: 1000, threads: 1),  // a row is 516 bytes: 1 row per block
  BlockingCase(rows: 64, columns: 64, blockBytes: 5000, threads: 2),  // 19 rows, last block 7
]

@Suite("Store import")
struct StoreImportTests {
  // MARK: Round trips

  @Test("import then readRows is bit-exact; blocks tile the rows", arguments: blockingTable)
  func roundTrip(_ testCase: BlockingCase) throws {
    let folder = try TemporaryFolder()
    let matrix = TestMatrix.finite(rows: testCase.rows, columns: testCase.columns, seed: UInt64(testCase.rows * 1000 + testCase.blockBytes))
    let summary = try importMatrices(
      [("m", "L1", matrix)], into: folder.storePath, folder: folder,
      options: importOptions(blockBytes: testCase.blockBytes, threads: testCase.threads))
    #expect(summary.createdStore)
    #expect(summary.tensors.count == 1)
    #expect(summary.rawByteCount == Int64(matrix.values.count * 4))

    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    #expect(tensor.rowCount == testCase.rows)
    #expect(tensor.columnCount == testCase.columns)
    #expect(tensor.sourceDType == "float32")
    for threads in [1, 2] {
      #expect(try store.matrix(of: tensor, threads: threads).bits == matrix.bits, "read with \(threads) thread(s)")
    }

    let blocks = try store.blocks(of: tensor)
    let expectedCount = (testCase.rows + testCase.rowsPerBlock - 1) / testCase.rowsPerBlock
    #expect(blocks.count == expectedCount)
    #expect(tensor.blockCount == expectedCount)
    var nextRow = 0
    for (position, block) in blocks.enumerated() {
      #expect(block.index == position)
      #expect(block.rowStart == nextRow)
      #expect(block.rowCount == min(testCase.rowsPerBlock, testCase.rows - nextRow))
      #expect(block.rawLength == block.rowCount * testCase.columns * 4)
      #expect(block.checksum == matrix.rows(block.rowStart..<(block.rowStart + block.rowCount)).littleEndianBytes.withUnsafeBytes { XXH64.hash($0) })
      nextRow += block.rowCount
    }
    #expect(nextRow == testCase.rows)
    #expect(tensor.rawByteCount == Int64(matrix.values.count * 4))
    #expect(tensor.storedByteCount == Int64(blocks.reduce(0) { $0 + $1.storedLength }))
    #expect(tensor.digest == matrix.expectedDigest)
  }

  @Test("the content digest does not depend on block size or threads")
  func digestIndependentOfBlocking() throws {
    let folder = try TemporaryFolder()
    let matrix = TestMatrix.finite(rows: 50, columns: 6, seed: 7)
    let expected = matrix.expectedDigest
    let settings: [(blockBytes: Int, threads: Int)] = [(4, 1), (24, 2), (100, 1), (1000, 2), (2 << 20, 2)]
    for (number, setting) in settings.enumerated() {
      try importMatrices(
        [("m\(number)", "L", matrix)], into: folder.storePath, folder: folder,
        options: importOptions(blockBytes: setting.blockBytes, threads: setting.threads))
    }
    let store = try Store.open(at: folder.storePath)
    let tensors = try store.allTensors()
    #expect(tensors.map(\.model) == ["m0", "m1", "m2", "m3", "m4"])
    #expect(tensors.map(\.blockCount) == [50, 50, 13, 2, 1])
    #expect(tensors.allSatisfy { $0.digest == expected })
    // A one-value change changes the digest, so the comparison above could fail.
    var changed = matrix
    changed.values[299] = changed.values[299] == 1 ? 2 : 1
    #expect(changed.expectedDigest != expected)
  }

  @Test("with allowNonFinite, NaN payloads and infinities are kept bit for bit", arguments: [1, 2])
  func nonFiniteAllowed(threads: Int) throws {
    let folder = try TemporaryFolder()
    var matrix = TestMatrix.finite(rows: 9, columns: 4, seed: 8)
    let specials: [UInt32] = [0x7FC0_0001, 0x7F80_0001, 0xFFC1_2345, 0x7FFF_FFFF, 0x7F80_0000, 0xFF80_0000]
    for (offset, bits) in specials.enumerated() { matrix.values[offset * 7] = Float(bitPattern: bits) }
    var options = importOptions(blockBytes: 32, threads: threads)
    options.allowNonFinite = true
    try importMatrices([("m", "L1", matrix)], into: folder.storePath, folder: folder, options: options)
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    #expect(try store.matrix(of: tensor, threads: threads).bits == matrix.bits)
    #expect(tensor.digest == matrix.expectedDigest)
    #expect(try store.verify(threads: threads).problems == [])
  }

  @Test("a row wider than the limit is refused before anything is read or written, naming its size")
  func rowLimit() throws {
    let folder = try TemporaryFolder()
    let matrix = TestMatrix.finite(rows: 2, columns: 40, seed: 9)  // rows of 160 bytes
    var options = importOptions(blockBytes: 1024)
    options.maximumRowByteCount = 100
    let error = try #require(throws: StoreError.self) {
      try importMatrices([("m", "L1", matrix)], into: folder.storePath, folder: folder, options: options)
    }
    #expect(error.kind == .invalidInput && error.found == "rows of 40 columns (160 bytes each as float32)", "\(error)")
    #expect(error.expected == "rows of at most 25 columns (100 bytes)" && !error.description.contains("\n"))
    #expect(!FileManager.default.fileExists(atPath: folder.storePath), "a refused first import leaves no store")
    options.maximumRowByteCount = 160
    try importMatrices([("m", "L1", matrix)], into: folder.storePath, folder: folder, options: options)
  }

  @Test("a 3-D .npy imports as one tensor per layer, named by layerNames")
  func threeDimensionalNpy() throws {
    let folder = try TemporaryFolder()
    let layers = (0..<3).map { TestMatrix.finite(rows: 4, columns: 2, seed: UInt64(100 + $0)) }
    let bytes = NpyHeader.float32(shape: [3, 4, 2]) + layers.flatMap(\.littleEndianBytes)
    let path = try folder.file("stack.npy")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    var options = importOptions(blockBytes: 8)
    options.layerNames = ["emb", "L1", "L2"]
    _ = try Store.importDumps(
      [ImportSource(path: path, model: "gpt", layer: nil, exampleSet: "s")], intoStoreAt: folder.storePath, options: options)
    let store = try Store.open(at: folder.storePath)
    #expect(try store.allTensors().map(\.layer) == ["L1", "L2", "emb"])
    for (name, layer) in zip(["emb", "L1", "L2"], layers) {
      #expect(try store.matrix(of: store.tensor("gpt", name)).bits == layer.bits, "layer \(name)")
    }
  }

  // MARK: Atomicity

  /// A second input that breaks an import: before any data is written (bad header), or while writing (NaN in the
  /// last block, after earlier blocks of both files reached a segment).
  enum Breakage: String, CaseIterable, Sendable {
    case truncated, nanInLastBlock, wrongRowCount, badLayerName
  }

  @Test("an import whose second file is broken leaves catalog and segments as they were", arguments: Breakage.allCases)
  func brokenSecondFileChangesNothing(_ breakage: Breakage) throws {
    let folder = try TemporaryFolder()
    try importMatrices(
      [("base", "L1", .finite(rows: 10, columns: 4, seed: 1))], exampleSet: "s", into: folder.storePath, folder: folder,
      options: importOptions(blockBytes: 16))
    let before: (CatalogSnapshot, [String: Int64])
    do {
      let store = try Store.open(at: folder.storePath)
      before = (try store.catalogSnapshot(), segmentListing(folder.storePath))
    }
    #expect(before.1.count == 1)

    let good = try TestMatrix.finite(rows: 10, columns: 4, seed: 2).writeNpy(to: folder.file("good.npy"))
    var broken = TestMatrix.finite(rows: 10, columns: 4, seed: 3)
    let brokenPath = try folder.file(breakage == .badLayerName ? "L@2.npy" : "bad.npy")
    var expectedFragment: String
    switch breakage {
    case .truncated:
      try Data(broken.npyBytes.dropLast(5)).write(to: URL(fileURLWithPath: brokenPath))
      expectedFragment = "bad.npy"
    case .nanInLastBlock:
      broken.values[broken.values.count - 2] = .nan
      try broken.writeNpy(to: brokenPath)
      expectedFragment = "row 9, column 2 is nan"
    case .wrongRowCount:
      try TestMatrix.finite(rows: 11, columns: 4, seed: 3).writeNpy(to: brokenPath)
      expectedFragment = "has 11 rows"
    case .badLayerName:
      try broken.writeNpy(to: brokenPath)
      expectedFragment = "layer name 'L@2' contains '@'"
    }
    let sources = [
      ImportSource(path: good, model: "new", layer: nil, exampleSet: "s"),
      ImportSource(path: brokenPath, model: "new", layer: nil, exampleSet: "s"),
    ]
    var failure: (any Error)?
    do {
      _ = try Store.importDumps(sources, intoStoreAt: folder.storePath, options: importOptions(blockBytes: 16, threads: 2))
    } catch { failure = error }
    let message = try #require(failure.map { "\($0)" })
    #expect(message.contains(expectedFragment), "\(message)")

    let store = try Store.open(at: folder.storePath)
    #expect(try store.catalogSnapshot() == before.0)
    #expect(segmentListing(folder.storePath) == before.1)
    #expect(try store.verify(threads: 1).isHealthy)
  }

  @Test("a failing first import removes the store folder it created")
  func failedFirstImportRemovesStore() throws {
    let folder = try TemporaryFolder()
    var matrix = TestMatrix.finite(rows: 6, columns: 3, seed: 4)
    matrix.values[17] = .infinity
    let path = try matrix.writeNpy(to: folder.file("inf.npy"))
    let error = try storeError {
      _ = try Store.importDumps(
        [ImportSource(path: path, model: "m", layer: nil, exampleSet: "s")], intoStoreAt: folder.storePath,
        options: importOptions(blockBytes: 12))
    }
    #expect(error.kind == .invalidInput)
    #expect(error.message.contains("row 5, column 2 is inf"), "\(error)")
    #expect(!FileManager.default.fileExists(atPath: folder.storePath))
    #expect(!Store.exists(at: folder.storePath))
  }

  @Test("a failing first import into an existing empty folder leaves the folder empty")
  func failedFirstImportIntoEmptyFolder() throws {
    let folder = try TemporaryFolder()
    try FileManager.default.createDirectory(atPath: folder.storePath, withIntermediateDirectories: false)
    let path = try folder.file("bad name.npy")
    try TestMatrix.finite(rows: 2, columns: 2, seed: 5).writeNpy(to: path)
    let error = try storeError {
      _ = try Store.importDumps(
        [ImportSource(path: path, model: "m/x", layer: nil, exampleSet: "s")], intoStoreAt: folder.storePath)
    }
    #expect(error.message.contains("model name 'm/x' contains '/'"), "\(error)")
    #expect(FileManager.default.fileExists(atPath: folder.storePath))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.storePath) == [])
  }

  @Test("the first successful import into an existing empty folder reports that it created the store")
  func createdStoreInEmptyFolder() throws {
    let folder = try TemporaryFolder()
    try FileManager.default.createDirectory(atPath: folder.storePath, withIntermediateDirectories: false)
    let first = try importMatrices([("m", "L1", .finite(rows: 2, columns: 2, seed: 6))], into: folder.storePath, folder: folder)
    let second = try importMatrices([("m", "L2", .finite(rows: 2, columns: 2, seed: 7))], into: folder.storePath, folder: folder)
    #expect(first.createdStore)
    #expect(!second.createdStore)
  }

  @Test("a folder that is not empty and holds no store is refused and left alone")
  func refusesForeignFolder() throws {
    let folder = try TemporaryFolder()
    let stray = try folder.file("store.repstore/notes.txt")
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: stray))
    let error = try storeError {
      try importMatrices([("m", "L1", .finite(rows: 2, columns: 2, seed: 8))], into: folder.storePath, folder: folder)
    }
    #expect(error.message.contains("folder is not empty"), "\(error)")
    #expect(fileListing(folder.storePath) == ["notes.txt": 7])
  }

  // MARK: Replace

  @Test("without replace, importing an existing tensor is an error that changes nothing")
  func existingTensorNeedsReplace() throws {
    let folder = try TemporaryFolder()
    let original = TestMatrix.finite(rows: 5, columns: 2, seed: 9)
    try importMatrices([("m", "L1", original)], into: folder.storePath, folder: folder)
    let error = try storeError {
      try importMatrices([("m", "L1", .finite(rows: 5, columns: 2, seed: 10))], into: folder.storePath, folder: folder)
    }
    #expect(error.kind == .invalidInput)
    #expect(error.message.contains("tensor m/L1@default already exists"), "\(error)")
    #expect(error.message.contains("--replace"), "\(error)")
    let store = try Store.open(at: folder.storePath)
    #expect(try store.matrix(of: store.tensor("m", "L1")).bits == original.bits)
  }

  @Test("replace with the same keys keeps the example set and swaps the data")
  func replaceKeepsExampleSet() throws {
    let folder = try TemporaryFolder()
    let keys = try folder.file("keys.txt")
    try Data("a\nb\nc\nd\n".utf8).write(to: URL(fileURLWithPath: keys))
    try importMatrices(
      [("m", "L1", .finite(rows: 4, columns: 3, seed: 11)), ("m", "L2", .finite(rows: 4, columns: 3, seed: 12))],
      exampleSet: "s", into: folder.storePath, folder: folder, options: importOptions(keysFile: keys))
    let setBefore = try Store.open(at: folder.storePath).exampleSets()

    let replacement = TestMatrix.finite(rows: 4, columns: 3, seed: 13)
    let summary = try importMatrices(
      [("m", "L1", replacement)], exampleSet: "s", into: folder.storePath, folder: folder,
      options: importOptions(replace: true, keysFile: keys))
    #expect(summary.replacedCount == 1)

    let store = try Store.open(at: folder.storePath)
    let setAfter = try store.exampleSets()
    #expect(setAfter == setBefore)
    #expect(setAfter.map(\.tensorCount) == [2])
    #expect(try store.exampleKeys(ofSet: "s") == ["a", "b", "c", "d"])
    #expect(try store.matrix(of: store.tensor("m", "L1")).bits == replacement.bits)
    #expect(try store.allTensors().count == 2)
  }

  @Test("replacing one tensor of a set with different keys is refused")
  func replaceOneWithDifferentKeys() throws {
    let folder = try TemporaryFolder()
    let keys = try folder.file("keys.txt")
    try Data("a\nb\nc\n".utf8).write(to: URL(fileURLWithPath: keys))
    try importMatrices(
      [("m", "L1", .finite(rows: 3, columns: 2, seed: 14)), ("m", "L2", .finite(rows: 3, columns: 2, seed: 15))],
      exampleSet: "s", into: folder.storePath, folder: folder, options: importOptions(keysFile: keys))
    let other = try folder.file("other.txt")
    try Data("a\nB\nc\n".utf8).write(to: URL(fileURLWithPath: other))
    let error = try storeError {
      try importMatrices(
        [("m", "L1", .finite(rows: 3, columns: 2, seed: 16))], exampleSet: "s", into: folder.storePath,
        folder: folder, options: importOptions(replace: true, keysFile: other))
    }
    #expect(error.message.contains("example keys differ from set 's' at row 1: stored 'b', given 'B'"), "\(error)")
    #expect(try Store.open(at: folder.storePath).exampleKeys(ofSet: "s") == ["a", "b", "c"])
  }

  @Test("replacing every tensor of a set with different keys redefines the set")
  func replaceAllRedefinesSet() throws {
    let folder = try TemporaryFolder()
    let keys = try folder.file("keys.txt")
    try Data("a\nb\nc\n".utf8).write(to: URL(fileURLWithPath: keys))
    try importMatrices(
      [("m", "L1", .finite(rows: 3, columns: 2, seed: 17)), ("m", "L2", .finite(rows: 3, columns: 2, seed: 18))],
      exampleSet: "s", into: folder.storePath, folder: folder, options: importOptions(keysFile: keys))
    let newKeys = try folder.file("new.txt")
    try Data("x\ny\nz\nw\n".utf8).write(to: URL(fileURLWithPath: newKeys))
    let l1 = TestMatrix.finite(rows: 4, columns: 2, seed: 19)
    let l2 = TestMatrix.finite(rows: 4, columns: 2, seed: 20)
    try importMatrices(
      [("m", "L1", l1), ("m", "L2", l2)], exampleSet: "s", into: folder.storePath, folder: folder,
      options: importOptions(replace: true, keysFile: newKeys))

    let store = try Store.open(at: folder.storePath)
    let sets = try store.exampleSets()
    #expect(sets.map(\.name) == ["s"])
    #expect(sets.map(\.rowCount) == [4])
    #expect(sets.map(\.tensorCount) == [2])
    #expect(sets.map(\.keysDigest) == [ExampleKeys.explicit(["x", "y", "z", "w"]).digest])
    #expect(try store.exampleKeys(ofSet: "s") == ["x", "y", "z", "w"])
    #expect(try store.matrix(of: store.tensor("m", "L2")).bits == l2.bits)
    #expect(try store.verify(threads: 1).problems == [])
  }

  @Test("replacing the only tensor of an ordinal set with more rows redefines it as ordinal")
  func replaceOrdinalWithMoreRows() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 3, columns: 2, seed: 21))], into: folder.storePath, folder: folder)
    try importMatrices(
      [("m", "L1", .finite(rows: 5, columns: 2, seed: 22))], into: folder.storePath, folder: folder,
      options: importOptions(replace: true))
    let store = try Store.open(at: folder.storePath)
    let set = try #require(try store.exampleSets().first)
    #expect(set.rowCount == 5)
    #expect(set.keyKind == .ordinal)
    #expect(try store.exampleKeys(ofSet: "default") == ["0", "1", "2", "3", "4"])
  }

  // MARK: Example sets

  @Test("explicit keys 0..n-1 agree with an ordinal set of n rows")
  func explicitOrdinalKeysAgree() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 6, columns: 2, seed: 23))], exampleSet: "s", into: folder.storePath, folder: folder)
    let keys = try folder.file("keys.txt")
    try Data("0\n1\n2\n3\n4\n5\n".utf8).write(to: URL(fileURLWithPath: keys))
    try importMatrices(
      [("m", "L2", .finite(rows: 6, columns: 2, seed: 24))], exampleSet: "s", into: folder.storePath, folder: folder,
      options: importOptions(keysFile: keys))
    let store = try Store.open(at: folder.storePath)
    let set = try #require(try store.exampleSets().first)
    #expect(set.keyKind == .ordinal)
    #expect(set.tensorCount == 2)
    #expect(set.keysDigest == ExampleKeys.ordinal(count: 6).digest)
    #expect(set.keysDigest == ExampleKeys.explicit((0..<6).map(String.init)).digest)
  }

  /// An existing set `s` (n = 5, keys from `existing`, nil for ordinal) and an import that disagrees with it.
  struct MismatchCase: Sendable, CustomTestStringConvertible {
    var existing: String?
    var rows: Int
    var given: String?
    var fragment: String
    var testDescription: String { fragment }
  }

  @Test(
    "an import that disagrees with its example set says where",
    arguments: [
      MismatchCase(existing: nil, rows: 6, given: nil, fragment: "has 6 rows but example set 's' has 5"),
      MismatchCase(existing: "a\nb\nc\nd\ne\n", rows: 4, given: nil, fragment: "has 4 rows but example set 's' has 5"),
      MismatchCase(
        existing: "a\nb\nc\nd\ne\n", rows: 5, given: "a\nb\nc\nX\ne\n",
        fragment: "example keys differ from set 's' at row 3: stored 'd', given 'X'"),
      MismatchCase(existing: nil, rows: 5, given: "0\n1\n2\n3\n5\n", fragment: "at row 4: stored '4', given '5'"),
      MismatchCase(existing: "k0\nk1\nk2\nk3\nk4\n", rows: 5, given: nil, fragment: "at row 0: stored 'k0', given '0'"),
      MismatchCase(existing: nil, rows: 5, given: "a\nb\n", fragment: "has 2 keys but"),
      // Canonically equivalent but different bytes (NFC é, NFD e + U+0301): the digests differ, so the message must
      // point at the row whose bytes differ, not at row 0.
      MismatchCase(
        existing: "a\nb\n\u{E9}\nd\ne\n", rows: 5, given: "a\nb\ne\u{301}\nd\ne\n",
        fragment: "example keys differ from set 's' at row 2: stored '\u{E9}', given 'e\u{301}'"),
    ])
  func exampleSetMismatch(_ testCase: MismatchCase) throws {
    let folder = try TemporaryFolder()
    var existingKeys: String?
    if let existing = testCase.existing {
      existingKeys = try folder.file("existing.txt")
      try Data(existing.utf8).write(to: URL(fileURLWithPath: existingKeys!))
    }
    try importMatrices(
      [("m", "L1", .finite(rows: 5, columns: 2, seed: 25))], exampleSet: "s", into: folder.storePath, folder: folder,
      options: importOptions(keysFile: existingKeys))
    let before = try Store.open(at: folder.storePath).catalogSnapshot()
    var givenKeys: String?
    if let given = testCase.given {
      givenKeys = try folder.file("given.txt")
      try Data(given.utf8).write(to: URL(fileURLWithPath: givenKeys!))
    }
    let error = try storeError {
      try importMatrices(
        [("m", "L2", .finite(rows: testCase.rows, columns: 2, seed: 26))], exampleSet: "s", into: folder.storePath,
        folder: folder, options: importOptions(keysFile: givenKeys))
    }
    #expect(error.kind == .invalidInput)
    #expect(error.message.contains(testCase.fragment), "\(error)")
    #expect(try Store.open(at: folder.storePath).catalogSnapshot() == before)
  }

  @Test("two files of one import with different row counts cannot share a set")
  func sameImportDifferentRowCounts() throws {
    let folder = try TemporaryFolder()
    let error = try storeError {
      try importMatrices(
        [("m", "A", .finite(rows: 5, columns: 2, seed: 27)), ("m", "B", .finite(rows: 6, columns: 2, seed: 28))],
        exampleSet: "s", into: folder.storePath, folder: folder)
    }
    #expect(error.message.contains("B.npy: has 6 rows but"), "\(error)")
    #expect(error.message.contains("A.npy has 5, and both go to example set 's'"), "\(error)")
    #expect(!FileManager.default.fileExists(atPath: folder.storePath))
  }

  @Test("the same tensor twice in one import is refused")
  func duplicateWithinImport() throws {
    let folder = try TemporaryFolder()
    let matrix = TestMatrix.finite(rows: 2, columns: 2, seed: 29)
    let first = try matrix.writeNpy(to: folder.file("a/L1.npy"))
    let second = try matrix.writeNpy(to: folder.file("b/L1.npy"))
    let error = try storeError {
      _ = try Store.importDumps(
        [first, second].map { ImportSource(path: $0, model: "m", layer: nil, exampleSet: "s") },
        intoStoreAt: folder.storePath)
    }
    #expect(error.message.contains("tensor m/L1@s also comes from"), "\(error)")
  }
}
