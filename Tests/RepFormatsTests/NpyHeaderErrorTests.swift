import Testing
import RepFormats

/// `.npy` files with hand-made headers: each bad one throws a `FormatError` of the expected kind whose message
/// names the file and contains the essence; the tolerant parser accepts every spelling numpy (or Python 2) wrote.
@Suite("npy header errors")
struct NpyHeaderErrorTests {
  struct BadNpy: Sendable, CustomTestStringConvertible {
    var label: String
    var bytes: [UInt8]
    var kind: FormatError.Kind
    var contains: [String]
    var testDescription: String { label }
  }

  static let twelveFloats = [UInt8](repeating: 0, count: 48)

  static func dict(_ descr: String = "'<f4'", fortran: String = "False", shape: String = "(3, 4)") -> String {
    "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
  }

  static let cases: [BadNpy] = {
    var cases: [BadNpy] = []
    func add(_ label: String, _ bytes: [UInt8], _ kind: FormatError.Kind, _ contains: String...) {
      cases.append(BadNpy(label: label, bytes: bytes, kind: kind, contains: contains))
    }
    let good = makeNpy(dict: dict(), data: twelveFloats)
    add("truncated in the magic", Array(good.prefix(4)), .truncated, "truncated", "magic")
    add("truncated in the version", Array(good.prefix(7)), .truncated, "version")
    add("truncated in the header length", Array(good.prefix(9)), .truncated, "header length")
    add("truncated in the header", Array(good.prefix(40)), .truncated, "header")
    add("truncated in the data", Array(good.dropLast(1)), .truncated, "truncated", "47 bytes")
    add("trailing bytes", good + [1, 2], .sizeMismatch, "2 trailing bytes")
    var version = good
    version[6] = 4
    add("format version 4.0", version, .badHeader, "version 4.0", "1.0, 2.0 or 3.0")
    var minor = good
    minor[7] = 1
    add("format version 1.1", minor, .badHeader, "version 1.1")
    var longer = good
    longer[8] = 0xFF
    longer[9] = 0x7F
    add("v1 header length past the end", longer, .truncated, "header")
    var absurd = makeNpy(dict: dict(), data: twelveFloats, version: 2)
    absurd[8...11] = [0xFF, 0xFF, 0xFF, 0x7F]
    add("v2 header length absurd", absurd, .badHeader, "2147483647 bytes", "1 MiB")
    add("unterminated dict", makeNpy(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)", data: twelveFloats),
        .badHeader, "unparsable", "'}'")
    add("not a dict", makeNpy(dict: "[1, 2]", data: twelveFloats), .badHeader, "not a dict")
    add("garbage", makeNpy(dict: "{'descr': <f4}", data: twelveFloats), .badHeader, "unparsable")
    add("text after the dict", makeNpy(dict: dict() + " x", data: twelveFloats), .badHeader, "end of the header")
    add("missing shape", makeNpy(dict: "{'descr': '<f4', 'fortran_order': False}", data: twelveFloats),
        .badHeader, "'shape'", "expected keys")
    add("missing descr", makeNpy(dict: "{'shape': (3, 4), 'fortran_order': False}", data: twelveFloats),
        .badHeader, "'descr'")
    add("missing fortran_order", makeNpy(dict: "{'descr': '<f4', 'shape': (3, 4)}", data: twelveFloats),
        .badHeader, "'fortran_order'")
    add("fortran_order not a bool", makeNpy(dict: dict(fortran: "0"), data: twelveFloats),
        .badHeader, "fortran_order 0", "True or False")
    add("negative extent", makeNpy(dict: dict(shape: "(-3, 4)"), data: twelveFloats),
        .badHeader, "-3", "non-negative")
    add("shape not a tuple", makeNpy(dict: dict(shape: "12"), data: twelveFloats), .badHeader, "shape 12", "tuple")
    add("parenthesized int is not a tuple", makeNpy(dict: dict(shape: "(12)"), data: twelveFloats),
        .badHeader, "shape 12")
    add("shape entry a string", makeNpy(dict: dict(shape: "('3', 4)"), data: twelveFloats), .badHeader, "'3'")
    add("element count overflows", makeNpy(dict: dict(shape: "(4294967296, 4294967296)"), data: twelveFloats),
        .badHeader, "more elements than Int")
    add("byte count overflows", makeNpy(dict: dict("'<f8'", shape: "(2305843009213693952, 2)"), data: twelveFloats),
        .badHeader, "more bytes than Int")
    add("integer beyond 64 bits", makeNpy(dict: dict(shape: "(99999999999999999999, 1)"), data: twelveFloats),
        .badHeader, "integer too large")
    add("huge shape, little data", makeNpy(dict: dict(shape: "(1000000, 768)"), data: twelveFloats),
        .truncated, "3072000000 bytes")
    add("descr not a string", makeNpy(dict: dict("5"), data: twelveFloats), .badHeader, "descr 5")
    add("unterminated string", makeNpy(dict: "{'descr': '<f4, 'shape': (3, 4)}", data: twelveFloats),
        .badHeader, "unparsable")
    let deep = String(repeating: "(", count: 40) + String(repeating: ")", count: 40)
    add("deep nesting", makeNpy(dict: dict(shape: deep), data: twelveFloats), .badHeader, "nests deeper")
    add("object dtype", makeNpy(dict: dict("'|O'"), data: twelveFloats), .objectArray, "object", "pickle")
    add("int32 dtype", makeNpy(dict: dict("'<i4'"), data: twelveFloats), .unsupportedDType, "int32", "float32")
    add("unknown dtype", makeNpy(dict: dict("'<z4'"), data: twelveFloats), .unsupportedDType, "'<z4'")
    // Found by fuzzing: the item size was multiplied by 8 for the message and overflowed.
    add("item size beyond Int in bits", makeNpy(dict: dict("'<f09223372036854775807'"), data: twelveFloats),
        .unsupportedDType, "'<f09223372036854775807' (float)", "float32")
    add("negative item size", makeNpy(dict: dict("'<i-4'"), data: twelveFloats), .unsupportedDType, "(int)")
    add("empty descr", makeNpy(dict: dict("''"), data: twelveFloats), .unsupportedDType, "''")
    add("structured dtype", makeNpy(dict: dict("[('x', '<f4')]"), data: twelveFloats), .unsupportedDType, "structured")
    add("1-D", makeNpy(dict: dict(shape: "(12,)"), data: twelveFloats), .unsupportedShape, "(12,)", "1-D")
    add("0-D", makeNpy(dict: dict(shape: "()"), data: [0, 0, 0, 0]), .unsupportedShape, "0-D")
    add("4-D", makeNpy(dict: dict(shape: "(1, 1, 3, 4)"), data: twelveFloats), .unsupportedShape, "4-D")
    add("billions of empty layers", makeNpy(dict: dict(shape: "(4000000000, 0, 4)"), data: []),
        .unsupportedShape, "4000000000 layers", "at most 65536")
    return cases
  }()

  @Test("bad headers throw FormatError", arguments: cases)
  func rejects(_ bad: BadNpy) throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(bad.bytes, to: "bad.npy")
    let error = try #require(throws: FormatError.self) { try Dump.open(path: path) }
    #expect(error.kind == bad.kind, "\(error)")
    #expect(error.description.hasPrefix(path + ": "), "\(error)")
    for word in bad.contains {
      #expect(error.description.contains(word), "\(error) should mention \(word)")
    }
  }

  static let tolerated: [String] = [
    "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
    "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3, 4)}",
    "{'shape': (3,4), 'fortran_order': False, 'descr': '<f4'}",
    "{ 'descr' : '<f4' ,\n 'fortran_order' : False ,\t'shape' : ( 3 , 4 , ) , }",
    "{'descr': u'<f4', 'fortran_order': False, 'shape': (3L, 4L), }",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (+3, 4), 'extra': [None, True, {'k': 'v'}], }",
    "{'descr': '=f4', 'fortran_order': False, 'shape': (3, 4), }",
    "{'descr': '|f4', 'fortran_order': False, 'shape': (3, 4), }",
  ]

  @Test("tolerant spellings parse", arguments: tolerated)
  func tolerates(_ dict: String) throws {
    let values = (0..<12).map { Float($0) - 5.5 }
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(makeNpy(dict: dict, data: littleEndianBytes(values)), to: "ok.npy")
    let dump = try Dump.open(path: path)
    #expect(dump.layers == [DumpLayer(name: nil, rowCount: 3, columnCount: 4, elementType: .float32, location: path)])
    #expect(try readAllBits(dump, layer: 0, blockRows: 2) == values.map(\.bitPattern))
  }

  @Test("version 3.0 headers are UTF-8")
  func utf8Header() throws {
    let values: [Float] = [1, 2, 3, 4]
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'note': 'café ∑', }"
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(makeNpy(dict: dict, data: littleEndianBytes(values), version: 3), to: "v3.npy")
    #expect(try readEverything(path) == 4)
  }

  @Test("a version 3.0 header whose string is not UTF-8 is refused at that string")
  func invalidUTF8Header() throws {
    let values: [Float] = [1, 2, 3, 4]
    let before = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'note': "
    var bytes = makeNpy(dict: before + "'caf\u{E9}', }", data: littleEndianBytes(values), version: 3)
    // 'café' with é as UTF-8 (0xC3 0xA9): cut its first byte's partner to leave a lone lead byte.
    let lead = try #require(bytes.firstIndex(of: 0xC3))
    bytes[lead + 1] = UInt8(ascii: "x")
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(bytes, to: "bad-v3.npy")
    let error = try #require(throws: FormatError.self) { try Dump.open(path: path) }
    #expect(error.kind == .badHeader && error.offset == 12 + before.utf8.count, "\(error)")
    #expect(error.description.contains("not UTF-8"), "\(error)")
  }

  @Test("a directory is not a dump")
  func directoryIsRejected() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let error = try #require(throws: FormatError.self) { try Dump.open(path: directory.url.path) }
    #expect(error.kind == .io)
    #expect(error.description.contains("regular file"))
  }

  @Test("a missing file is an I/O error naming the path")
  func missingFile() throws {
    let error = try #require(throws: FormatError.self) { try Dump.open(path: "/nonexistent/dump.npy") }
    #expect(error.kind == .io)
    #expect(error.description.hasPrefix("/nonexistent/dump.npy: "))
    #expect(error.description.contains("No such file"))
  }
}
