import Testing
import RepFormats

/// Hand-made `.safetensors` files whose headers break the format in ways the fixtures do not.
@Suite("safetensors header errors")
struct SafetensorsErrorTests {
  struct BadFile: Sendable, CustomTestStringConvertible {
    var label: String
    var bytes: [UInt8]
    var kind: FormatError.Kind
    var contains: [String]
    var testDescription: String { label }
  }

  static func tensor(_ name: String = "t", dtype: String = "F32", shape: String = "[2,2]", offsets: String = "[0,16]")
    -> String
  {
    "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
  }

  static let cases: [BadFile] = {
    var cases: [BadFile] = []
    func add(_ label: String, _ bytes: [UInt8], _ kind: FormatError.Kind, _ contains: String...) {
      cases.append(BadFile(label: label, bytes: bytes, kind: kind, contains: contains))
    }
    let data16 = [UInt8](repeating: 0, count: 16)
    add("begin after end", makeSafetensors(json: "{\(tensor(offsets: "[16,0]"))}", data: data16),
        .badHeader, "tensor 't'", "begin <= end")
    add("negative extent", makeSafetensors(json: "{\(tensor(shape: "[-2,2]"))}", data: data16),
        .badHeader, "shape entry -2")
    add("fractional extent", makeSafetensors(json: "{\(tensor(shape: "[2.5,2]"))}", data: data16),
        .badHeader, "shape entry 2.5")
    add("offset beyond Int", makeSafetensors(json: "{\(tensor(offsets: "[0,18446744073709551616]"))}", data: data16),
        .badHeader, "data_offsets entry")
    add("byte count overflows", makeSafetensors(json: "{\(tensor(shape: "[4611686018427387904,4]"))}", data: data16),
        .badHeader, "more bytes than Int")
    add("missing dtype", makeSafetensors(json: "{\"t\":{\"shape\":[2,2],\"data_offsets\":[0,16]}}", data: data16),
        .badHeader, "'dtype'")
    add("dtype not a string", makeSafetensors(json: "{\"t\":{\"dtype\":4,\"shape\":[2,2],\"data_offsets\":[0,16]}}", data: data16),
        .badHeader, "dtype 4")
    add("shape not an array", makeSafetensors(json: "{\(tensor(shape: "\"2x2\""))}", data: data16),
        .badHeader, "shape '2x2'")
    add("three offsets", makeSafetensors(json: "{\(tensor(offsets: "[0,8,16]"))}", data: data16),
        .badHeader, "data_offsets")
    add("duplicate names", makeSafetensors(json: "{\(tensor()),\(tensor(offsets: "[16,32]"))}", data: data16 + data16),
        .badHeader, "duplicate")
    add("hole between tensors", makeSafetensors(json: "{\(tensor("a")),\(tensor("b", offsets: "[20,36]"))}",
                                                data: data16 + [0, 0, 0, 0] + data16),
        .badHeader, "4 unused bytes")
    add("4-D tensor", makeSafetensors(json: "{\(tensor(shape: "[1,1,2,2]"))}", data: data16),
        .unsupportedShape, "4-D", "[n, d]")
    add("0-D tensor", makeSafetensors(json: "{\(tensor(shape: "[]", offsets: "[0,4]"))}", data: [0, 0, 0, 0]),
        .unsupportedShape, "0-D")
    add("BOOL tensor", makeSafetensors(json: "{\(tensor(dtype: "BOOL", offsets: "[0,4]"))}", data: [0, 0, 0, 0]),
        .unsupportedDType, "'BOOL'")
    add("U8 tensor", makeSafetensors(json: "{\(tensor(dtype: "U8", offsets: "[0,4]"))}", data: [0, 0, 0, 0]),
        .unsupportedDType, "'U8'")
    add("invalid UTF-8", makeSafetensors(json: "{\"\u{00}\":1}", data: []).enumerated().map { $0.offset == 10 ? 0xFF : $0.element },
        .badHeader, "UTF-8")
    add("raw control character in a string", makeSafetensors(json: "{\"a\u{01}\":{}}", data: []),
        .badHeader, "control characters")
    add("bad escape", makeSafetensors(json: "{\"a\\q\":{}}", data: []), .badHeader, "escape")
    add("lone surrogate", makeSafetensors(json: "{\"a\\ud800\":{}}", data: []), .badHeader, "surrogate")
    add("trailing text", makeSafetensors(json: "{} x", data: []), .badHeader, "end of the JSON header")
    add("number with no digits", makeSafetensors(json: "{\"t\":{\"dtype\":\"F32\",\"shape\":[-],\"data_offsets\":[0,0]}}", data: []),
        .badHeader, "digit")
    add("deep nesting", makeSafetensors(json: "{\"m\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}", data: []),
        .badHeader, "nests deeper")
    var shortLength = makeSafetensors(json: "{}", data: [])
    shortLength[0] = 200
    add("header length past the end", shortLength, .truncated, "header length 200")
    return cases
  }()

  @Test("bad headers throw FormatError", arguments: cases)
  func rejects(_ bad: BadFile) throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(bad.bytes, to: "bad.safetensors")
    let error = try #require(throws: FormatError.self) { try Dump.open(path: path) }
    #expect(error.kind == bad.kind, "\(error)")
    #expect(error.description.hasPrefix(path + ": "), "\(error)")
    for word in bad.contains {
      #expect(error.description.contains(word), "\(error) should mention \(word)")
    }
  }

  @Test("metadata, escapes and empty headers are accepted")
  func accepted() throws {
    let values: [Float] = [1, -2, .infinity, 0.5]
    let json = "{\"__metadata__\":{\"k\":\"v\",\"n\":{\"deep\":[1,2,{}]}},\"h\\u00e9\\\"\\n.0\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.write(makeSafetensors(json: json, data: littleEndianBytes(values)), to: "ok.safetensors")
    let dump = try Dump.open(path: path)
    #expect(dump.layers.map(\.name) == ["hé\"\n.0"])
    #expect(try readAllBits(dump, layer: 0, blockRows: 1) == values.map(\.bitPattern))

    let empty = directory.write(makeSafetensors(json: "{}", data: []), to: "empty.safetensors")
    #expect(try Dump.open(path: empty).layers.isEmpty)
  }

  @Test("a 3-D tensor is a stack of layers, KEY.L0 ... or named by layerNames when it is the only one")
  func stacksOfLayers() throws {
    let values = (0..<12).map { Float($0) }
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let one = directory.write(
      makeSafetensors(json: "{\(Self.tensor("hs", shape: "[3,2,2]", offsets: "[0,48]"))}", data: littleEndianBytes(values)),
      to: "one.safetensors")
    let dump = try Dump.open(path: one)
    #expect(dump.layers.map { $0.name } == ["hs.L0", "hs.L1", "hs.L2"])
    #expect(dump.layers.map { $0.location } == ["\(one):hs[0]", "\(one):hs[1]", "\(one):hs[2]"])
    #expect(try readAllBits(dump, layer: 2, blockRows: 1) == values[8...].map(\.bitPattern))
    let named = try Dump.open(path: one, options: DumpOptions(layerNames: ["emb", "h1", "h2"]))
    #expect(named.layers.map { $0.name } == ["emb", "h1", "h2"])

    let wrongCount = #expect(throws: FormatError.self) {
      try Dump.open(path: one, options: DumpOptions(layerNames: ["a", "b"]))
    }
    #expect(wrongCount?.kind == .badOption && wrongCount?.description.contains("2 layer names") == true)
    let two = directory.write(
      makeSafetensors(
        json: "{\(Self.tensor("a", shape: "[3,1,2]", offsets: "[0,24]")),\(Self.tensor("b", shape: "[3,1,2]", offsets: "[24,48]"))}",
        data: littleEndianBytes(values)),
      to: "two.safetensors")
    let ambiguous = #expect(throws: FormatError.self) {
      try Dump.open(path: two, options: DumpOptions(layerNames: ["x", "y", "z"]))
    }
    #expect(ambiguous?.kind == .badOption && ambiguous?.description.contains("2 3-D arrays") == true)
  }
}
