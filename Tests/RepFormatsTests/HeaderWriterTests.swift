import Foundation
import Testing
import RepFormats

/// `NpyHeader` and `SafetensorsHeader` reproduce the reference writers byte for byte, and what they write reads
/// back through `Dump`.
@Suite("Header writers")
struct HeaderWriterTests {
  @Test("NpyHeader.float32 equals numpy's header", arguments: Manifest.shared.npyHeaders)
  func npyMatchesNumpy(_ reference: Manifest.NpyHeaderCase) {
    let ours = NpyHeader.float32(shape: reference.shape)
    #expect(ours == Manifest.bytes(reference.file))
    #expect(ours.count % 64 == 0)
  }

  @Test("a dict beyond 65535 bytes switches to format 2.0")
  func npyVersion2() throws {
    let shape = [Int](repeating: 1, count: 22_000)
    let header = NpyHeader.float32(shape: shape)
    #expect(header[6] == 2 && header[7] == 0)
    #expect(header.count % 64 == 0)
    let length = Int(header[8]) | Int(header[9]) << 8 | Int(header[10]) << 16 | Int(header[11]) << 24
    #expect(12 + length == header.count)
    #expect(header.last == 0x0A)
    // The reader parses it (and then rejects the 22000-D shape, which proves it got that far).
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(header + [0, 0, 128, 63], to: "long.npy")
    let error = try #require(throws: FormatError.self) { try Dump.open(path: path) }
    #expect(error.kind == .unsupportedShape)
    #expect(error.description.contains("22000-D"))
  }

  @Test("SafetensorsHeader.float32 equals the safetensors library's header", arguments: Manifest.shared.safetensorsHeaders)
  func safetensorsMatchesLibrary(_ reference: Manifest.SafetensorsHeaderCase) {
    let ours = SafetensorsHeader.float32(
      tensors: reference.tensors.map { ($0.name, $0.shape) }, metadata: reference.metadata)
    #expect(ours == Manifest.bytes(reference.file))
    #expect((ours.count - 8) % 8 == 0)
  }

  static let shapes: [[Int]] = [[3, 4], [1, 1], [0, 7], [5, 0], [257, 3]]

  @Test("npy export reads back", arguments: shapes)
  func npyRoundTrip(_ shape: [Int]) throws {
    let values = (0..<(shape[0] * shape[1])).map { Float($0) * 0.25 - 3 }
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(NpyHeader.float32(shape: shape) + littleEndianBytes(values), to: "export.npy")
    let dump = try Dump.open(path: path)
    #expect(dump.format == .npy)
    #expect(dump.layers == [DumpLayer(name: nil, rowCount: shape[0], columnCount: shape[1], elementType: .float32, location: path)])
    if shape[0] > 0 {
      #expect(try readAllBits(dump, layer: 0, blockRows: 2) == values.map(\.bitPattern))
    }
  }

  @Test("safetensors export reads back")
  func safetensorsRoundTrip() throws {
    let tensors: [(name: String, shape: [Int])] = [("z.last", [2, 3]), ("a \"quoted\"\n", [4, 1]), ("mid", [0, 5])]
    let data = tensors.map { tensor in (0..<(tensor.shape[0] * tensor.shape[1])).map { Float($0) + 0.5 } }
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let header = SafetensorsHeader.float32(tensors: tensors, metadata: ["run": "7", "a": "b"])
    let path = directory.write(header + data.flatMap(littleEndianBytes), to: "export.safetensors")
    let dump = try Dump.open(path: path)
    #expect(dump.layers.map(\.name) == tensors.map(\.name))
    for (index, values) in data.enumerated() where !values.isEmpty {
      #expect(try readAllBits(dump, layer: index, blockRows: 0) == values.map(\.bitPattern))
    }
  }

  /// Writes sample exports into `$REPFORMATS_EXPORT_DIR`, for `tools/fixtures/check_exports.py` to load with numpy and
  /// safetensors; skipped (and reported so) without the variable.
  @Test("exports for the Python check",
        .enabled(if: ProcessInfo.processInfo.environment["REPFORMATS_EXPORT_DIR"] != nil,
                 "REPFORMATS_EXPORT_DIR names where tools/fixtures/check_exports.py reads the exports"))
  func exportsForPython() throws {
    let target = try #require(ProcessInfo.processInfo.environment["REPFORMATS_EXPORT_DIR"])
    let values = (0..<(5 * 3)).map { Float($0) / 8 - 1 }
    try Data(NpyHeader.float32(shape: [5, 3]) + littleEndianBytes(values))
      .write(to: URL(fileURLWithPath: target).appendingPathComponent("export_5x3.npy"))
    try Data(NpyHeader.float32(shape: [0, 4]))
      .write(to: URL(fileURLWithPath: target).appendingPathComponent("export_0x4.npy"))
    let long = [Int](repeating: 1, count: 22_000) + [15]
    try Data(NpyHeader.float32(shape: long) + littleEndianBytes(values))
      .write(to: URL(fileURLWithPath: target).appendingPathComponent("export_long.npy"))
    let header = SafetensorsHeader.float32(
      tensors: [("h.0", [5, 3]), ("é \"x\"", [3, 5]), ("empty", [0, 2])], metadata: ["source": "repstore", "n": "2"])
    try Data(header + littleEndianBytes(values) + littleEndianBytes(values))
      .write(to: URL(fileURLWithPath: target).appendingPathComponent("export.safetensors"))
  }
}
