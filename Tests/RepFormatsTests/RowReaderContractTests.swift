import Foundation
import Testing
import RepFormats

/// `RowReader`'s documented preconditions trap, and its temporary files leave nothing behind.
@Suite("RowReader contract")
struct RowReaderContractTests {
  static let fixture = "npy/v1_le_f4_C_2d.npy"

  @Test("the same calls within the contract exit normally (so the traps below are the preconditions)")
  func withinContract() async {
    await #expect(processExitsWith: .success) {
      let reader = try Dump.open(path: Manifest.path(RowReaderContractTests.fixture)).rowReader(layer: 0)
      var buffer = [Float](repeating: 0, count: reader.columnCount * reader.rowCount)
      try buffer.withUnsafeMutableBufferPointer { try reader.readRows(reader.rowCount, into: $0) }
    }
  }

  @Test("count 0 traps")
  func zeroCount() async {
    await #expect(processExitsWith: .failure) {
      let reader = try Dump.open(path: Manifest.path(RowReaderContractTests.fixture)).rowReader(layer: 0)
      var buffer = [Float](repeating: 0, count: 100)
      try buffer.withUnsafeMutableBufferPointer { try reader.readRows(0, into: $0) }
    }
  }

  @Test("reading past the last row traps")
  func pastTheEnd() async {
    await #expect(processExitsWith: .failure) {
      let reader = try Dump.open(path: Manifest.path(RowReaderContractTests.fixture)).rowReader(layer: 0)
      var buffer = [Float](repeating: 0, count: 1000)
      try buffer.withUnsafeMutableBufferPointer { try reader.readRows(reader.rowCount + 1, into: $0) }
    }
  }

  @Test("a buffer too small traps")
  func smallBuffer() async {
    await #expect(processExitsWith: .failure) {
      let reader = try Dump.open(path: Manifest.path(RowReaderContractTests.fixture)).rowReader(layer: 0)
      var buffer = [Float](repeating: 0, count: reader.columnCount * 2 - 1)
      try buffer.withUnsafeMutableBufferPointer { try reader.readRows(2, into: $0) }
    }
  }

  @Test("a layer index out of range traps")
  func badLayerIndex() async {
    await #expect(processExitsWith: .failure) {
      _ = try Dump.open(path: Manifest.path(RowReaderContractTests.fixture)).rowReader(layer: 1)
    }
  }

  @Test("Fortran members of deflated archives leave no temporary file behind")
  func noTemporaryFiles() throws {
    let temporary = FileManager.default.temporaryDirectory
    func scratchFiles() throws -> Set<String> {
      Set(try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter { $0.hasPrefix("repformats-") })
    }
    let before = try scratchFiles()
    let dump = try Dump.open(path: Manifest.path("npz/deflated.npz"))
    let index = try #require(dump.layers.firstIndex { $0.name == "b_fortran" })
    let reader = try dump.rowReader(layer: index)
    var buffer = [Float](repeating: 0, count: reader.columnCount)
    try buffer.withUnsafeMutableBufferPointer { try reader.readRows(1, into: $0) }
    #expect(try scratchFiles() == before)
  }
}
