import Foundation
import RepFormats
import Testing

@testable import RepStore

// exportNpy and exportSafetensors: exact bytes, names, and no partial file when an export fails.

@Suite("Store export")
struct StoreExportTests {
  @Test("exportNpy writes NpyHeader then the imported bytes, exactly", arguments: [(1, 1, 4), (7, 3, 12), (40, 9, 100)])
  func npyBytes(rows: Int, columns: Int, blockBytes: Int) throws {
    let folder = try TemporaryFolder()
    let matrix = TestMatrix.finite(rows: rows, columns: columns, seed: UInt64(rows * columns))
    try importMatrices([("m", "L1", matrix)], into: folder.storePath, folder: folder, options: importOptions(blockBytes: blockBytes))
    let store = try Store.open(at: folder.storePath)
    let output = folder.path + "/out.npy"
    try store.exportNpy(store.tensor("m", "L1"), to: output)
    let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
    #expect(written == NpyHeader.float32(shape: [rows, columns]) + matrix.littleEndianBytes)
    #expect(written == matrix.npyBytes)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["inputs", "out.npy", "store.repstore"])

    // Re-importing the export gives the same digest.
    try Store.importDumps([ImportSource(path: output, model: "again", layer: "L1", exampleSet: "default")], intoStoreAt: folder.storePath)
      .tensors.forEach { #expect($0.digest == matrix.expectedDigest) }
  }

  @Test("exportSafetensors is readable by RepFormats with the given names, in order")
  func safetensorsReadBack() throws {
    let folder = try TemporaryFolder()
    let first = TestMatrix.finite(rows: 6, columns: 3, seed: 1)
    let second = TestMatrix.finite(rows: 6, columns: 5, seed: 2)
    try importMatrices([("m", "L2", first), ("m", "L10", second)], into: folder.storePath, folder: folder, options: importOptions(blockBytes: 24))
    let store = try Store.open(at: folder.storePath)
    let output = folder.path + "/out.safetensors"
    let names = ["model.layers.10", "a \"quoted\" name"]
    try store.exportSafetensors([(names[0], store.tensor("m", "L10")), (names[1], store.tensor("m", "L2"))], to: output)

    let dump = try Dump.open(path: output)
    #expect(dump.format == .safetensors)
    #expect(dump.layers.map(\.name) == names)
    #expect(dump.layers.map(\.rowCount) == [6, 6])
    #expect(dump.layers.map(\.columnCount) == [5, 3])
    #expect(dump.layers.map(\.elementType) == [.float32, .float32])
    for (index, expected) in [second, first].enumerated() {
      let reader = try dump.rowReader(layer: index)
      var values = [Float](repeating: 0, count: expected.values.count)
      try values.withUnsafeMutableBufferPointer { try reader.readRows(expected.rows, into: $0) }
      #expect(values.map(\.bitPattern) == expected.bits, "\(names[index])")
    }
    // The data section is exactly the two tensors' bytes, in the order given.
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
    #expect(Array(bytes.suffix(first.values.count * 4 + second.values.count * 4)) == second.littleEndianBytes + first.littleEndianBytes)
  }

  @Test("an export into a missing folder fails and creates nothing")
  func exportIntoMissingFolder() throws {
    let folder = try TemporaryFolder()
    try importMatrices([("m", "L1", .finite(rows: 2, columns: 2, seed: 3))], into: folder.storePath, folder: folder)
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    for export in [
      { try store.exportNpy(tensor, to: folder.path + "/missing/out.npy") },
      { try store.exportSafetensors([("x", tensor)], to: folder.path + "/missing/out.safetensors") },
    ] {
      let error = try storeError(export)
      #expect(error.kind == .io)
      #expect(error.message.contains(folder.path + "/missing/out."), "\(error)")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.path + "/missing"))
  }

  @Test("an export that fails on a damaged block leaves no partial file and an existing file untouched")
  func failedExportLeavesNothing() throws {
    let folder = try TemporaryFolder()
    try importMatrices(
      [("m", "L1", .finite(rows: 30, columns: 4, seed: 4))], into: folder.storePath, folder: folder,
      options: importOptions(blockBytes: 16))
    let store = try Store.open(at: folder.storePath)
    let tensor = try store.tensor("m", "L1")
    let last = try #require(try store.blocks(of: tensor).last)
    let segment = try FileHandle(forUpdating: URL(fileURLWithPath: store.segmentPath(last.segment)))
    try segment.truncate(atOffset: UInt64(last.byteOffset + Int64(last.storedLength) - 1))
    try segment.close()

    let outputs = try folder.file("out/old.npy")
    try Data("previous contents".utf8).write(to: URL(fileURLWithPath: outputs))
    let npyError = try storeError { try store.exportNpy(tensor, to: outputs) }
    let safetensorsError = try storeError { try store.exportSafetensors([("L1", tensor)], to: folder.path + "/out/new.safetensors") }
    for error in [npyError, safetensorsError] {
      #expect(error.kind == .corrupt)
      #expect(error.message.contains(store.segmentPath(last.segment)), "\(error)")
    }
    #expect(fileListing(folder.path + "/out") == ["old.npy": 17])
    #expect(try String(contentsOfFile: outputs, encoding: .utf8) == "previous contents")
  }
}
