import Foundation
import RepFormats

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator, so every generated array and delay is repeatable.
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

/// A row-major Float32 matrix: what a layer is, and what an export must give back bit for bit.
struct Matrix: Equatable {
  var rows: Int
  var columns: Int
  var values: [Float]

  /// Repeatable finite values in about -4 ..< 4, with varied exponents and all mantissa bits in use.
  static func seeded(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var generator = SplitMix64(seed: seed)
    let values = (0..<(rows * columns)).map { _ -> Float in
      let bits = generator.next()
      let mantissa = Float(bits >> 40) / Float(1 << 24)  // 0 ..< 1, 24 bits
      let exponent = Float(Int(bits & 7) - 4)  // 2^-4 ... 2^3
      return (bits & 8 == 0 ? 1 : -1) * mantissa * Float(sign: .plus, exponent: Int(exponent), significand: 1)
    }
    return Matrix(rows: rows, columns: columns, values: values)
  }

  /// The Float32 values as little-endian bytes (bit patterns kept, NaN payloads included).
  var littleEndianBytes: [UInt8] { float32Bytes(values) }

  /// A `.npy` file as `numpy.save` writes it for this matrix ('<f4', C order).
  var npyBytes: [UInt8] { NpyHeader.float32(shape: [rows, columns]) + littleEndianBytes }

  /// The bit patterns of the values.
  var bits: [UInt32] { values.map(\.bitPattern) }
}

/// Little-endian bytes of the bit patterns of `values`.
func float32Bytes(_ values: [Float]) -> [UInt8] {
  values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Array($0) }
}

/// The `.npy` file an export must write for Float32 `bits` of `shape`.
func npyFloat32(shape: [Int], bits: [UInt32]) -> [UInt8] {
  NpyHeader.float32(shape: shape) + bits.map(\.littleEndian).withUnsafeBytes { Array($0) }
}

/// Little-endian 32-bit words of `bytes` (whose count is a multiple of 4).
func littleEndianWords(_ bytes: some Collection<UInt8>) -> [UInt32] {
  let array = Array(bytes)
  return stride(from: 0, to: array.count - array.count % 4, by: 4).map { k in
    UInt32(array[k]) | UInt32(array[k + 1]) << 8 | UInt32(array[k + 2]) << 16 | UInt32(array[k + 3]) << 24
  }
}

/// Little-endian bytes of an unsigned integer of `byteCount` bytes.
func littleEndian(_ value: UInt64, byteCount: Int) -> [UInt8] {
  (0..<byteCount).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
}

/// A `.npy` file with the given header dict text, padded as numpy pads it (data at a multiple of 64), followed by `data`.
/// Version 1 has a 2-byte header length, versions 2 and 3 a 4-byte one. `declaredHeaderLength` overrides the length field.
func npyFile(dict: String, data: [UInt8], version: UInt8 = 1, declaredHeaderLength: UInt64? = nil) -> [UInt8] {
  var header = Array(dict.utf8)
  let prefix = version == 1 ? 10 : 12
  header += [UInt8](repeating: 0x20, count: 63 - (prefix + header.count) % 64) + [0x0A]
  let length = declaredHeaderLength ?? UInt64(header.count)
  return [0x93] + Array("NUMPY".utf8) + [version, 0] + littleEndian(length, byteCount: version == 1 ? 2 : 4) + header
    + data
}

/// A `.safetensors` file: 8-byte little-endian header length, the JSON text padded with spaces to 8 bytes, `data`.
func safetensorsFile(json: String, data: [UInt8]) -> [UInt8] {
  var header = Array(json.utf8)
  header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
  return littleEndian(UInt64(header.count), byteCount: 8) + header + data
}

/// A zip archive of stored (uncompressed) members, as `numpy.savez` writes an `.npz`: local headers and data, the
/// central directory, the end record. Dates are 1980-01-01.
func storedZip(_ members: [(name: String, data: [UInt8])]) -> [UInt8] {
  var archive: [UInt8] = []
  var directory: [UInt8] = []
  func u16(_ value: Int) -> [UInt8] { littleEndian(UInt64(value), byteCount: 2) }
  func u32(_ value: Int) -> [UInt8] { littleEndian(UInt64(value), byteCount: 4) }
  for (name, data) in members {
    let nameBytes = Array(name.utf8)
    let crc = Int(crc32(data))
    let offset = archive.count
    // version 2.0, no flags, method 0 (stored), time 0, date 1980-01-01
    let common =
      u16(20) + u16(0) + u16(0) + u16(0) + u16(0x21) + u32(crc) + u32(data.count) + u32(data.count)
      + u16(nameBytes.count) + u16(0)
    archive += u32(0x0403_4B50) + common + nameBytes + data
    directory += u32(0x0201_4B50) + u16(20) + common + u16(0) + u16(0) + u16(0) + u32(0) + u32(offset) + nameBytes
  }
  let directoryOffset = archive.count
  archive += directory
  archive +=
    u32(0x0605_4B50) + u16(0) + u16(0) + u16(members.count) + u16(members.count) + u32(directory.count)
    + u32(directoryOffset) + u16(0)
  return archive
}

/// An `.npz` of Float32 matrices under the given keys (members `KEY.npy`, stored).
func npzFile(_ arrays: [(key: String, matrix: Matrix)]) -> [UInt8] {
  storedZip(arrays.map { (name: $0.key + ".npy", data: $0.matrix.npyBytes) })
}

/// CRC-32 (ISO-HDLC, as zip uses it).
func crc32(_ bytes: [UInt8]) -> UInt32 {
  var crc: UInt32 = 0xFFFF_FFFF
  for byte in bytes {
    crc = crc32Table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
  }
  return crc ^ 0xFFFF_FFFF
}

private let crc32Table: [UInt32] = (0..<256).map { index -> UInt32 in
  var value = UInt32(index)
  for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
  return value
}

/// Reads every layer of a dump through RepFormats, as Float32 bit patterns, keyed by layer name (`""` for a 2-D .npy).
func readLayers(_ path: String, options: DumpOptions = DumpOptions()) throws -> [(
  name: String, rows: Int, columns: Int, bits: [UInt32]
)] {
  let dump = try Dump.open(path: path, options: options)
  return try dump.layers.indices.map { index in
    let layer = dump.layers[index]
    let reader = try dump.rowReader(layer: index)
    var values = [Float](repeating: 0, count: max(1, layer.rowCount * layer.columnCount))
    if layer.rowCount > 0 {
      try values.withUnsafeMutableBufferPointer { try reader.readRows(layer.rowCount, into: $0) }
    }
    return (
      layer.name ?? "", layer.rowCount, layer.columnCount,
      Array(values.prefix(layer.rowCount * layer.columnCount).map(\.bitPattern))
    )
  }
}
