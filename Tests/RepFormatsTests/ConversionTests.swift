import Testing
@testable import RepFormats

/// Element conversions, checked exhaustively where the domain is small.
@Suite("Element conversion")
struct ConversionTests {
  #if !(os(macOS) && arch(x86_64))
    @Test("float16: all 65536 bit patterns convert exactly")
    func float16Exhaustive() {
      for bits in 0...UInt16.max {
        let ours = HalfConversion.float(fromFloat16Bits: bits)
        let reference = Float(Float16(bitPattern: bits))
        if reference.isNaN {
          // NaNs keep sign and payload, as numpy's npy_halfbits_to_floatbits does (hardware may quiet them).
          #expect(ours.isNaN, "0x\(String(bits, radix: 16))")
          #expect(ours.bitPattern == (UInt32(bits & 0x8000) << 16 | 0x7F80_0000 | UInt32(bits & 0x3FF) << 13))
        } else {
          #expect(ours.bitPattern == reference.bitPattern, "0x\(String(bits, radix: 16))")
        }
      }
    }
  #endif

  @Test(
    "float16 landmarks",
    arguments: [
      (UInt16(0x0001), Float(bitPattern: 0x3380_0000)),  // smallest subnormal, 2^-24
      (0x03FF, 0x1.ff8p-15),  // largest subnormal
      (0x0400, 0x1p-14),  // smallest normal
      (0x7BFF, 65504),
      (0x8000, -0.0),
      (0x7C00, .infinity),
      (0xFC00, -.infinity),
      (0x3C00, 1),
      (0xC000, -2),
    ])
  func float16Landmarks(bits: UInt16, value: Float) {
    #expect(HalfConversion.float(fromFloat16Bits: bits).bitPattern == value.bitPattern)
  }

  @Test("bfloat16 shifts into the high half")
  func bfloat16() {
    for bits in stride(from: 0, through: Int(UInt16.max), by: 97).map(UInt16.init) {
      #expect(HalfConversion.float(fromBFloat16Bits: bits).bitPattern == UInt32(bits) << 16)
    }
  }

  @Test("the decoder honours byte order and strides")
  func decoderStrides() {
    let decoder = ElementDecoder(elementType: .float64, byteOrder: .big)
    let values: [Double] = [1.5, -2.25, 1e300, .nan]
    let bytes = values.flatMap { value -> [UInt8] in
      let bits = value.bitPattern
      return (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * (7 - UInt64($0)))) } + [0xEE, 0xEE]
    }
    var out = [Float](repeating: 0, count: 8)
    bytes.withUnsafeBytes { source in
      out.withUnsafeMutableBufferPointer { target in
        decoder.decode(4, from: source.baseAddress!, sourceStride: 10, into: target.baseAddress!, destinationStride: 2)
      }
    }
    #expect(out[0] == 1.5 && out[2] == -2.25 && out[4] == .infinity && out[6].isNaN)
    #expect(out[1] == 0 && out[3] == 0)
  }
}

/// The Python-literal parser behind `.npy` headers.
@Suite("Python literal parser")
struct PythonLiteralTests {
  static func parse(_ text: String) throws -> PythonLiteral {
    var parser = PythonLiteralParser(
      ArraySlice(Array(text.utf8)), baseOffset: 10, site: ErrorSite(path: "t.npy"), isUTF8: true)
    return try parser.parseWhole()
  }

  @Test(
    "literals",
    arguments: [
      ("(5,)", PythonLiteral.tuple([.integer(5)])),
      ("()", .tuple([])),
      ("(5)", .integer(5)),
      ("( 3 , 4 , )", .tuple([.integer(3), .integer(4)])),
      ("(3L, -4l)", .tuple([.integer(3), .integer(-4)])),
      ("'a\\'b'", .string("a'b")),
      ("\"x\"", .string("x")),
      ("b'<f4'", .string("<f4")),
      ("[True, False, None]", .list([.boolean(true), .boolean(false), .none])),
      ("{'k': (1, 2), }", .dictionary([PythonDictionaryEntry(key: "k", value: .tuple([.integer(1), .integer(2)]), offset: 16)])),
      ("-9223372036854775808", .integer(Int.min)),
    ])
  func parses(text: String, value: PythonLiteral) throws {
    #expect(try Self.parse(text) == value)
  }

  @Test("rejections carry the byte offset", arguments: [("(1, 2", 15), ("{'a' 1}", 15), ("Trueish", 10), ("9223372036854775808", 10), ("'abc", 10)])
  func rejects(text: String, offset: Int) throws {
    let error = try #require(throws: FormatError.self) { try Self.parse(text) }
    #expect(error.offset == offset, "\(error)")
    #expect(error.kind == .badHeader)
  }
}
