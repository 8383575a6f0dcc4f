import Testing
import RepFormats

/// Zip structures patched byte by byte from the fixtures: each breakage throws a `FormatError` naming the file
/// (and member, when one is concerned); harmless variations (archive comments) still read.
@Suite("npz structure")
struct NpzStructureTests {
  /// Offsets of the records in a zip archive without a comment.
  struct ZipMap {
    var bytes: [UInt8]
    var endRecord: Int
    var centralRecords: [Int]

    init(_ bytes: [UInt8]) {
      self.bytes = bytes
      var end = bytes.count - 22
      while !(bytes[end] == 0x50 && bytes[end + 1] == 0x4B && bytes[end + 2] == 5 && bytes[end + 3] == 6) { end -= 1 }
      endRecord = end
      var offset = Int(ZipMap.u32(bytes, end + 16))
      var records: [Int] = []
      if offset == 0xFFFF_FFFF {
        // zip64: the locator sits just before the end record and points to the zip64 end record.
        let zip64End = Int(ZipMap.u32(bytes, end - 20 + 8))
        offset = Int(ZipMap.u32(bytes, zip64End + 48))
      }
      while ZipMap.u32(bytes, offset) == 0x0201_4B50 {
        records.append(offset)
        offset += 46 + Int(ZipMap.u16(bytes, offset + 28)) + Int(ZipMap.u16(bytes, offset + 30))
          + Int(ZipMap.u16(bytes, offset + 32))
      }
      centralRecords = records
    }

    static func u16(_ b: [UInt8], _ k: Int) -> UInt16 { UInt16(b[k]) | UInt16(b[k + 1]) << 8 }
    static func u32(_ b: [UInt8], _ k: Int) -> UInt32 { UInt32(u16(b, k)) | UInt32(u16(b, k + 2)) << 16 }

    mutating func set32(_ k: Int, _ value: UInt32) {
      for i in 0..<4 { bytes[k + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    mutating func set16(_ k: Int, _ value: UInt16) {
      bytes[k] = UInt8(value & 0xFF)
      bytes[k + 1] = UInt8(value >> 8)
    }

    func localHeader(ofRecord index: Int) -> Int { Int(ZipMap.u32(bytes, centralRecords[index] + 42)) }

    func dataOffset(ofRecord index: Int) -> Int {
      let local = localHeader(ofRecord: index)
      return local + 30 + Int(ZipMap.u16(bytes, local + 26)) + Int(ZipMap.u16(bytes, local + 28))
    }
  }

  struct Patch: Sendable, CustomTestStringConvertible {
    var label: String
    var fixture: String
    var apply: @Sendable (inout ZipMap) -> Void
    var kind: FormatError.Kind
    var contains: [String]
    var testDescription: String { label }
  }

  static let patches: [Patch] = [
    Patch(label: "saturated size without zip64 extra is taken literally", fixture: "npz/stored.npz",
          apply: { $0.set32($0.centralRecords[0] + 20, 0xFFFF_FFFF) }, kind: .badArchive,
          contains: ["member 'layer0.npy'", "beyond the central directory"]),
    Patch(label: "saturated offset missing from the zip64 extra", fixture: "npz/zip64_stored.npz",
          apply: { $0.set32($0.centralRecords[0] + 42, 0xFFFF_FFFF) }, kind: .truncated,
          contains: ["member 'x.npy'", "zip64 extra field"]),
    Patch(label: "multi-disk", fixture: "npz/stored.npz",
          apply: { $0.set16($0.endRecord + 4, 1) }, kind: .unsupportedArchive, contains: ["multi-disk"]),
    Patch(label: "compressed size runs into the directory", fixture: "npz/deflated.npz",
          apply: { $0.set32($0.centralRecords[1] + 20, 0x0FFF_FFFF) }, kind: .badArchive,
          contains: ["member 'b_fortran.npy'"]),
    Patch(label: "local header offset out of range", fixture: "npz/stored.npz",
          apply: { $0.set32($0.centralRecords[2] + 42, 0x00FF_FFFF) }, kind: .badArchive, contains: ["member 'h.2.npy'"]),
    Patch(label: "local header signature wrong", fixture: "npz/stored.npz",
          apply: { m in m.bytes[m.localHeader(ofRecord: 1)] = 0 }, kind: .badArchive,
          contains: ["member 'h.1.npy'", "no local header"]),
    Patch(label: "duplicate member names", fixture: "npz/deflated.npz",
          apply: { m in
            m.bytes[m.centralRecords[2] + 46] = UInt8(ascii: "a")
            m.bytes[m.localHeader(ofRecord: 2) + 30] = UInt8(ascii: "a")
          }, kind: .badArchive, contains: ["duplicate zip member 'a.npy'"]),
    Patch(label: "stored sizes disagree", fixture: "npz/stored.npz",
          apply: { $0.set32($0.centralRecords[0] + 24, ZipMap.u32($0.bytes, $0.centralRecords[0] + 24) + 1) },
          kind: .badArchive, contains: ["member 'layer0.npy'", "equal sizes"]),
    Patch(label: "member is not an npy array", fixture: "npz/stored.npz",
          apply: { m in m.bytes[m.dataOffset(ofRecord: 1) + 1] = UInt8(ascii: "X") }, kind: .badMagic,
          contains: ["member 'h.1.npy'", "not an .npy file"]),
    Patch(label: "member header says more data than stored", fixture: "npz/stored.npz",
          apply: { m in
            // 'shape': (6, 3) becomes (7, 3) in h.1.npy's header.
            let start = m.dataOffset(ofRecord: 1)
            let text = Array("(6, 3)".utf8)
            for k in start..<(start + 128) where Array(m.bytes[k..<(k + 6)]) == text { m.bytes[k + 1] = UInt8(ascii: "7") }
          }, kind: .truncated, contains: ["member 'h.1.npy'", "truncated"]),
    Patch(label: "deflated size larger than the data", fixture: "npz/deflated.npz",
          apply: { $0.set32($0.centralRecords[0] + 24, ZipMap.u32($0.bytes, $0.centralRecords[0] + 24) + 4) },
          kind: .sizeMismatch, contains: ["member 'a.npy'", "4 trailing bytes"]),
    Patch(label: "deflated size smaller than the data", fixture: "npz/deflated.npz",
          apply: { $0.set32($0.centralRecords[3] + 24, ZipMap.u32($0.bytes, $0.centralRecords[3] + 24) - 8) },
          kind: .truncated, contains: ["member 'd.npy'"]),
    Patch(label: "compressed data cut short", fixture: "npz/deflated.npz",
          apply: { $0.set32($0.centralRecords[0] + 20, 6) }, kind: .truncated,
          contains: ["member 'a.npy'", "compressed data ends"]),
    Patch(label: "too many entries for the directory", fixture: "npz/stored.npz",
          apply: { $0.set16($0.endRecord + 10, 900) }, kind: .badArchive, contains: ["900 entries"]),
    Patch(label: "zip64 locator out of range", fixture: "npz/zip64_stored.npz",
          apply: { $0.set32($0.endRecord - 20 + 8, 0x7FFF_0000) }, kind: .badArchive, contains: ["zip64 locator"]),
    Patch(label: "zip64 end record signature wrong", fixture: "npz/zip64_stored.npz",
          apply: { m in m.bytes[Int(ZipMap.u32(m.bytes, m.endRecord - 20 + 8))] = 0 }, kind: .badArchive,
          contains: ["zip64 end record"]),
    Patch(label: "method changed in the local header only", fixture: "npz/stored.npz",
          apply: { m in m.bytes[m.localHeader(ofRecord: 0) + 8] = 8 }, kind: .badArchive, contains: ["method 8"]),
  ]

  @Test("broken structures throw FormatError", arguments: patches)
  func rejects(_ patch: Patch) throws {
    var map = ZipMap(Manifest.bytes(patch.fixture))
    patch.apply(&map)
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(map.bytes, to: "patched.npz")
    let error = try #require(throws: FormatError.self) { try readEverything(path) }
    #expect(error.kind == patch.kind, "\(error)")
    #expect(error.description.hasPrefix(path + ": "), "\(error)")
    for word in patch.contains {
      #expect(error.description.contains(word), "\(error) should mention \(word)")
    }
  }

  @Test("an archive comment does not hide the end record", arguments: ["npz/stored.npz", "npz/zip64_deflated.npz"])
  func comment(_ fixture: String) throws {
    var map = ZipMap(Manifest.bytes(fixture))
    let comment = Array("made by a test; PK\u{05}\u{06} inside a comment is not a record".utf8)
    map.set16(map.endRecord + 20, UInt16(comment.count))
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let plain = directory.write(Manifest.bytes(fixture), to: "plain.npz")
    let commented = directory.write(map.bytes + comment, to: "commented.npz")
    #expect(try readEverything(commented) == readEverything(plain))
  }
}
