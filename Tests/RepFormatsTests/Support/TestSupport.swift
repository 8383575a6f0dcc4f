import Foundation
import RepFormats

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
  let url: URL

  init() {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("RepFormatsTests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// Writes `bytes` to `name` inside the directory and returns its path.
  func write(_ bytes: [UInt8], to name: String) -> String {
    let file = url.appendingPathComponent(name)
    try! Data(bytes).write(to: file)
    return file.path
  }

  func remove() {
    try? FileManager.default.removeItem(at: url)
  }
}

/// Reads every row of layer `index` in blocks of `blockRows` rows (0 = all rows at once) and returns their bits.
func readAllBits(_ dump: Dump, layer index: Int, blockRows: Int) throws -> [UInt32] {
  let reader = try dump.rowReader(layer: index)
  let columns = reader.columnCount
  var bits: [UInt32] = []
  bits.reserveCapacity(reader.rowCount * columns)
  let block = blockRows == 0 ? max(1, reader.rowCount) : blockRows
  var buffer = [Float](repeating: .nan, count: max(1, block * columns))
  while reader.rowsRead < reader.rowCount {
    let count = min(block, reader.rowCount - reader.rowsRead)
    try buffer.withUnsafeMutableBufferPointer { try reader.readRows(count, into: $0) }
    bits += buffer.prefix(count * columns).map(\.bitPattern)
  }
  return bits
}

/// Opens `path` and reads every row of every layer, in blocks of 3 rows; returns the total number of floats.
@discardableResult
func readEverything(_ path: String, options: DumpOptions = DumpOptions()) throws -> Int {
  let dump = try Dump.open(path: path, options: options)
  var total = 0
  for index in dump.layers.indices {
    total += try readAllBits(dump, layer: index, blockRows: 3).count
  }
  return total
}

/// Little-endian UInt32 words of `bytes`.
func littleEndianWords(_ bytes: [UInt8]) -> [UInt32] {
  stride(from: 0, to: bytes.count - 3, by: 4).map { k in
    UInt32(bytes[k]) | UInt32(bytes[k + 1]) << 8 | UInt32(bytes[k + 2]) << 16 | UInt32(bytes[k + 3]) << 24
  }
}

/// Little-endian bytes of the bit patterns of `values`.
func littleEndianBytes(_ values: [Float]) -> [UInt8] {
  values.flatMap { value -> [UInt8] in
    let bits = value.bitPattern
    return [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
  }
}

/// A `.npy` file with the given header dict text (padded as numpy does) followed by `data`.
func makeNpy(dict: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
  var header = Array(dict.utf8)
  let prefix = version == 1 ? 10 : 12
  let padding = 64 - (prefix + header.count + 1) % 64
  header += [UInt8](repeating: 0x20, count: padding) + [0x0A]
  var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
  let length = header.count
  bytes += version == 1
    ? [UInt8(length & 0xFF), UInt8(length >> 8)]
    : [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
  return bytes + header + data
}

/// A `.safetensors` file with the given JSON header text (padded to 8 bytes) followed by `data`.
func makeSafetensors(json: String, data: [UInt8]) -> [UInt8] {
  var header = Array(json.utf8)
  header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
  let length = UInt64(header.count)
  return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + header + data
}

/// SplitMix64, a small seeded generator for repeatable mutations.
struct SplitMix64: RandomNumberGenerator {
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
