import Testing
import RepFormats

/// Every readable fixture, read through `Dump` and `RowReader` with several block sizes, gives exactly the Float32
/// bits numpy computed (NaN payloads included).
@Suite("Fixture round trips")
struct FixtureRoundTripTests {
  /// Block sizes in rows; 0 means all rows in one call.
  static let blockSizes = [1, 2, 0]

  @Test("layers and values match the manifest", arguments: Manifest.shared.cases, blockSizes)
  func readsExpectedValues(_ fixture: Manifest.Case, blockRows: Int) throws {
    let path = Manifest.path(fixture.file)
    let dump = try Dump.open(path: path, options: fixture.options.dumpOptions)
    #expect(dump.format.rawValue == fixture.format)
    #expect(dump.path == path)
    #expect(dump.layers.count == fixture.layers.count)

    let expected = littleEndianWords(Manifest.bytes(fixture.expected))
    var offset = 0
    for (index, (layer, want)) in zip(dump.layers, fixture.layers).enumerated() {
      #expect(layer.name == want.name, "layer \(index)")
      #expect(layer.rowCount == want.rows, "layer \(index)")
      #expect(layer.columnCount == want.columns, "layer \(index)")
      #expect(layer.elementType.rawValue == want.elementType, "layer \(index)")
      let bits = try readAllBits(dump, layer: index, blockRows: blockRows)
      let count = want.rows * want.columns
      let wanted = Array(expected[offset..<(offset + count)])
      #expect(bits == wanted, "layer \(index) \(layer.location)")
      if let first = zip(bits, wanted).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
        Issue.record("first difference at element \(first.offset): got 0x\(String(first.element.0, radix: 16)), want 0x\(String(first.element.1, radix: 16))")
      }
      offset += count
    }
    #expect(offset == expected.count)
  }

  @Test("locations name the file and the layer", arguments: Manifest.shared.cases)
  func locations(_ fixture: Manifest.Case) throws {
    let path = Manifest.path(fixture.file)
    let dump = try Dump.open(path: path, options: fixture.options.dumpOptions)
    for (index, layer) in dump.layers.enumerated() {
      switch (dump.format, layer.name) {
      case (.npy, nil): #expect(layer.location == path)
      case (.npy, _): #expect(layer.location == "\(path)[\(index)]")
      case (_, let name?):
        // Layer i of a 3-D array KEY (named KEY.Li) is at KEY[i]; any other array at its name.
        let stack = name.split(separator: ".").last.flatMap { $0.hasPrefix("L") ? Int($0.dropFirst()) : nil }
          .map { "\(path):\(name.dropLast("\($0)".count + 2))[\($0)]" }
        #expect(layer.location == "\(path):\(name)" || layer.location == stack, "\(layer.location)")
      case (_, nil): Issue.record("\(layer.location) has no name")
      }
    }
  }

  @Test("several readers of one dump run side by side")
  func interleavedReaders() throws {
    let fixture = try #require(Manifest.shared.cases.first { $0.file == "npz/deflated.npz" })
    let dump = try Dump.open(path: Manifest.path(fixture.file))
    let whole = try (0..<dump.layers.count).map { try readAllBits(dump, layer: $0, blockRows: 0) }
    let readers = try dump.layers.indices.map { try dump.rowReader(layer: $0) }
    var collected = [[UInt32]](repeating: [], count: readers.count)
    var buffer = [Float](repeating: 0, count: 64)
    var progressing = true
    while progressing {
      progressing = false
      for (index, reader) in readers.enumerated() where reader.rowsRead < reader.rowCount {
        try buffer.withUnsafeMutableBufferPointer { try reader.readRows(1, into: $0) }
        collected[index] += buffer.prefix(reader.columnCount).map(\.bitPattern)
        progressing = true
      }
    }
    #expect(collected == whole)
  }

  @Test("a layer read twice with fresh readers gives the same rows")
  func rereading() throws {
    let dump = try Dump.open(path: Manifest.path("npz/stored.npz"))
    for index in dump.layers.indices {
      #expect(try readAllBits(dump, layer: index, blockRows: 2) == readAllBits(dump, layer: index, blockRows: 0))
    }
  }

  @Test("rows past count · columnCount in the buffer are left alone")
  func bufferTailUntouched() throws {
    let dump = try Dump.open(path: Manifest.path("npy/v1_be_f8_F_2d.npy"))
    let reader = try dump.rowReader(layer: 0)
    var buffer = [Float](repeating: 42, count: 3 * reader.columnCount + 7)
    try buffer.withUnsafeMutableBufferPointer { try reader.readRows(3, into: $0) }
    #expect(buffer.suffix(7).allSatisfy { $0 == 42 })
    #expect(reader.rowsRead == 3)
  }
}
