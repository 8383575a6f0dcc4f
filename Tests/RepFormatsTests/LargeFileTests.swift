import Foundation
import Testing
import RepFormats

/// Layers far larger than a reader's buffers, read in blocks of 500 rows, in C and Fortran order.
@Suite("Large files")
struct LargeFileTests {
  static let rows = 20_000
  static let columns = 256

  /// An exactly representable value for element (i, j).
  static func value(_ i: Int, _ j: Int) -> Float { Float((i &* 7919 &+ j &* 104_729) % 65_521) - 30_000 }

  /// Writes a 20000 × 256 float32 `.npy` in C or Fortran order, streaming so the test itself stays small.
  static func writeNpy(fortranOrder: Bool, to path: String) throws {
    let dict = "{'descr': '<f4', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': (\(rows), \(columns)), }"
    var header = Array(dict.utf8)
    header += [UInt8](repeating: 0x20, count: 64 - (10 + header.count + 1) % 64) + [0x0A]
    var prelude: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
    prelude += header
    if !fortranOrder { #expect(prelude == NpyHeader.float32(shape: [rows, columns])) }
    _ = FileManager.default.createFile(atPath: path, contents: Data(prelude))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    let outer = fortranOrder ? columns : rows
    let inner = fortranOrder ? rows : columns
    for a in 0..<outer {
      let line = (0..<inner).map { b in fortranOrder ? value(b, a) : value(a, b) }
      try handle.write(contentsOf: Data(littleEndianBytes(line)))
    }
  }

  static func checkBlocks(_ reader: RowReader, expected: (Int, Int) -> Float, blockRows: Int) throws {
    var buffer = [Float](repeating: .nan, count: blockRows * reader.columnCount)
    var mismatches = 0
    while reader.rowsRead < reader.rowCount {
      let first = reader.rowsRead
      let count = min(blockRows, reader.rowCount - first)
      try buffer.withUnsafeMutableBufferPointer { try reader.readRows(count, into: $0) }
      for r in 0..<count {
        for j in 0..<reader.columnCount where buffer[r * reader.columnCount + j] != expected(first + r, j) {
          mismatches += 1
        }
      }
    }
    #expect(mismatches == 0)
  }

  @Test("20000 × 256 float32 .npy in blocks of 500 rows", arguments: [false, true])
  func largeNpy(fortranOrder: Bool) throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.url.appendingPathComponent("large.npy").path
    try Self.writeNpy(fortranOrder: fortranOrder, to: path)
    let dump = try Dump.open(path: path)
    #expect(dump.layers.first?.rowCount == Self.rows)
    #expect(dump.layers.first?.columnCount == Self.columns)
    try Self.checkBlocks(try dump.rowReader(layer: 0), expected: Self.value, blockRows: 500)
  }

  /// The values of `npz/large_deflated.npz`, from the LCG its script documents.
  static let lcgValues: [Float] = {
    var x: UInt64 = 1
    var values: [Float] = []
    values.reserveCapacity(2000 * 64)
    for _ in 0..<(2000 * 64) {
      values.append(Float((x >> 60) & 15) - 7.5)
      x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    }
    return values
  }()

  @Test("deflated npz fixture, C and Fortran members, several compressed chunks", arguments: [1, 500, 2000])
  func largeDeflated(blockRows: Int) throws {
    let large = Manifest.shared.large
    let dump = try Dump.open(path: Manifest.path(large.file))
    #expect(dump.layers.map(\.name) == large.members)
    for index in dump.layers.indices {
      #expect(dump.layers[index].rowCount == large.rows && dump.layers[index].columnCount == large.columns)
      try Self.checkBlocks(
        try dump.rowReader(layer: index), expected: { i, j in Self.lcgValues[i * large.columns + j] },
        blockRows: blockRows)
    }
  }

  @Test("3-D Fortran stack with many layers reads in blocks")
  func fortranStack() throws {
    // (L, n, d) = (6, 3000, 40) float16 in Fortran order: element (l, i, j) at l + L·(i + n·j).
    let (layerCount, n, d) = (6, 3000, 40)
    func value(_ l: Int, _ i: Int, _ j: Int) -> Float { Float((l * 31 + i * 7 + j * 13) % 2048) - 1024 }
    var data = [UInt8](repeating: 0, count: layerCount * n * d * 2)
    for j in 0..<d {
      for i in 0..<n {
        for l in 0..<layerCount {
          let bits = Float16Bits.encode(value(l, i, j))
          let k = 2 * (l + layerCount * (i + n * j))
          data[k] = UInt8(bits & 0xFF)
          data[k + 1] = UInt8(bits >> 8)
        }
      }
    }
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(
      makeNpy(dict: "{'descr': '<f2', 'fortran_order': True, 'shape': (\(layerCount), \(n), \(d)), }", data: data),
      to: "stack.npy")
    let dump = try Dump.open(path: path, options: DumpOptions(layerNames: (0..<layerCount).map { "block\($0)" }))
    #expect(dump.layers.map(\.name) == (0..<layerCount).map { "block\($0)" })
    for l in 0..<layerCount {
      try Self.checkBlocks(try dump.rowReader(layer: l), expected: { i, j in value(l, i, j) }, blockRows: 700)
    }
  }
}

/// Encodes integers of magnitude below 2048 as float16 bits (exact), for building fixtures in Swift.
enum Float16Bits {
  static func encode(_ value: Float) -> UInt16 {
    if value == 0 { return 0 }
    let bits = value.bitPattern
    let sign = UInt16(bits >> 16) & 0x8000
    let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
    let mantissa = UInt16((bits >> 13) & 0x3FF)
    return sign | UInt16(exponent) << 10 | mantissa
  }
}
