/// One tensor listed in a safetensors header, checked against the file.
struct SafetensorsTensor: Sendable {
  /// The tensor's key in the header.
  var name: String
  /// Its shape: [n, d], or [L, n, d] for a stack of layers.
  var shape: [Int]
  /// Where the elements of each layer lie in the file (C order, little-endian): one layout, or L for a stack.
  var layouts: [ArrayLayout]
}

/// Reads the header of a `.safetensors` file: an 8-byte little-endian length N, N bytes of JSON mapping tensor
/// names to `{"dtype", "shape", "data_offsets"}` (plus an optional `"__metadata__"`), then the data buffer, to which
/// the offsets are relative. Spec: https://huggingface.co/docs/safetensors/index (format section).
///
/// Every tensor must be 2-D (or 3-D, a stack of layers) with dtype F16, BF16, F32 or F64; the tensors must tile the
/// data buffer exactly, without overlaps, holes or trailing bytes, as the reference implementation demands.
enum SafetensorsIndex {
  /// Headers longer than this are rejected as absurd.
  static let maximumHeaderByteCount = 100 << 20

  /// The tensors of `file`, in header order.
  /// - Throws: `FormatError` of kind `.truncated`, `.badHeader` (also when the JSON is not an object),
  ///   `.unsupportedDType`, `.unsupportedShape` or `.sizeMismatch`.
  /// - Complexity: O(N + t log t) for an N-byte header listing t tensors; no tensor data is read.
  static func tensors(in file: OpenFile) throws(FormatError) -> [SafetensorsTensor] {
    let site = file.site
    var prelude = ByteReader(try file.bytes(at: 0, upTo: 8, "the safetensors header length"), site: site)
    let declared = try prelude.expectInteger("the safetensors header length", as: UInt64.self)
    guard declared <= UInt64(maximumHeaderByteCount) else {
      throw site.error(
        .badHeader, at: 0, found: "header length \(declared) bytes", expected: "at most 100 MiB of JSON header")
    }
    let headerByteCount = Int(declared)
    guard headerByteCount <= file.byteCount - 8 else {
      throw site.error(
        .truncated, at: 8, found: "header length \(headerByteCount) bytes but only \(file.byteCount - 8) bytes follow",
        expected: "the whole JSON header")
    }
    let header = try file.bytes(at: 8, upTo: headerByteCount, "the safetensors header")
    if String(validating: header, as: UTF8.self) == nil {
      throw site.error(.badHeader, at: 8, found: "header is not valid UTF-8", expected: "a UTF-8 JSON object")
    }
    var parser = JSONParser(header, baseOffset: 8, site: site)
    let root = try parser.parseWhole()
    guard case .object(let members) = root.value else {
      throw site.error(
        .badHeader, at: root.offset, found: "header is a JSON \(root.value.typeName)", expected: "a JSON object")
    }

    let dataStart = 8 + headerByteCount
    let dataByteCount = file.byteCount - dataStart
    var tensors: [SafetensorsTensor] = []
    var ranges: [(range: Range<Int>, name: String)] = []
    var seen = Set<String>()
    for member in members where member.key != "__metadata__" {
      let tensorSite = site.within("tensor \(quoted(member.key))", offsetsInPart: false)
      guard seen.insert(member.key).inserted else {
        throw tensorSite.error(
          .badHeader, at: member.node.offset, found: "duplicate tensor name", expected: "unique tensor names")
      }
      let (shape, layouts, range) = try describe(
        member.node, site: tensorSite, dataStart: dataStart, dataByteCount: dataByteCount)
      tensors.append(SafetensorsTensor(name: member.key, shape: shape, layouts: layouts))
      ranges.append((range, member.key))
    }

    ranges.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
    var covered = 0
    var previous: String?
    for (range, name) in ranges {
      let tensorSite = site.within("tensor \(quoted(name))", offsetsInPart: false)
      if range.lowerBound < covered, let previous {
        throw tensorSite.error(
          .badHeader, at: dataStart + range.lowerBound,
          found: "data_offsets [\(range.lowerBound), \(range.upperBound)] overlap tensor \(quoted(previous))",
          expected: "disjoint tensor data")
      }
      if range.lowerBound > covered {
        throw tensorSite.error(
          .badHeader, at: dataStart + covered,
          found: "\(range.lowerBound - covered) unused bytes before data_offsets [\(range.lowerBound), \(range.upperBound)]",
          expected: "tensors stored back to back")
      }
      covered = range.upperBound
      previous = name
    }
    if covered != dataByteCount {
      throw site.error(
        .sizeMismatch, at: dataStart + covered,
        found: "\(dataByteCount - covered) trailing bytes after the last tensor",
        expected: "the file to end with the last tensor's data")
    }
    return tensors
  }

  /// The shape, the layouts of its layers and the data range (relative to the data buffer) of the tensor described
  /// by `node`.
  private static func describe(
    _ node: JSONNode, site: ErrorSite, dataStart: Int, dataByteCount: Int
  ) throws(FormatError) -> ([Int], [ArrayLayout], Range<Int>) {
    guard case .object(let fields) = node.value else {
      throw site.error(
        .badHeader, at: node.offset, found: "entry is a JSON \(node.value.typeName)",
        expected: "an object with dtype, shape and data_offsets")
    }
    func field(_ key: String) throws(FormatError) -> JSONNode {
      guard let found = fields.last(where: { $0.key == key }) else {
        throw site.error(
          .badHeader, at: node.offset, found: "no \(quoted(key)) key",
          expected: "an object with dtype, shape and data_offsets")
      }
      return found.node
    }
    let dtypeNode = try field("dtype")
    let shapeNode = try field("shape")
    let offsetsNode = try field("data_offsets")

    guard case .string(let dtype) = dtypeNode.value else {
      throw site.error(.badHeader, at: dtypeNode.offset, found: "dtype \(dtypeNode.summary)", expected: "a dtype string")
    }
    let elementType: ElementType
    switch dtype {
    case "F16": elementType = .float16
    case "BF16": elementType = .bfloat16
    case "F32": elementType = .float32
    case "F64": elementType = .float64
    default:
      throw site.error(
        .unsupportedDType, at: dtypeNode.offset, found: "dtype \(quoted(dtype)) is not supported",
        expected: "F16, BF16, F32 or F64 (float16, bfloat16, float32 or float64)")
    }

    let shape = try naturals(shapeNode, "shape", site: site)
    guard shape.count == 2 || shape.count == 3 else {
      throw site.error(
        .unsupportedShape, at: shapeNode.offset, found: "shape \(shapeNode.summary) is \(shape.count)-D",
        expected: "a 2-D tensor [n, d] or a 3-D stack of layers [L, n, d]")
    }
    let offsets = try naturals(offsetsNode, "data_offsets", site: site)
    guard offsets.count == 2, offsets[0] <= offsets[1] else {
      throw site.error(
        .badHeader, at: offsetsNode.offset, found: "data_offsets \(offsetsNode.summary)", expected: "[begin, end] with begin <= end")
    }
    guard offsets[1] <= dataByteCount else {
      throw site.error(
        .truncated, at: offsetsNode.offset,
        found: "data_offsets \(offsetsNode.summary) reach past the end of the file (\(dataByteCount) data bytes)",
        expected: "offsets within the file")
    }
    var (byteCount, overflow) = (elementType.byteCount, false)
    for extent in shape where !overflow { (byteCount, overflow) = byteCount.multipliedReportingOverflow(by: extent) }
    guard !overflow else {
      throw site.error(
        .badHeader, at: shapeNode.offset, found: "shape \(shapeNode.summary) needs more bytes than Int can count",
        expected: "a shape whose byte count fits in 64 bits")
    }
    guard offsets[1] - offsets[0] == byteCount else {
      throw site.error(
        .sizeMismatch, at: offsetsNode.offset,
        found: "data_offsets \(offsetsNode.summary) span \(offsets[1] - offsets[0]) bytes",
        expected: "\(byteCount) bytes for shape \(shapeNode.summary) of \(dtype)")
    }
    let layouts = ArrayLayout.layers(
      shape: shape, isFortranOrder: false, decoder: ElementDecoder(elementType: elementType, byteOrder: .little),
      dataOffset: dataStart + offsets[0])
    return (shape, layouts, offsets[0]..<offsets[1])
  }

  /// The entries of a JSON array of non-negative integers that fit in `Int`.
  private static func naturals(_ node: JSONNode, _ key: String, site: ErrorSite) throws(FormatError) -> [Int] {
    guard case .array(let items) = node.value else {
      throw site.error(.badHeader, at: node.offset, found: "\(key) \(node.summary)", expected: "an array of integers")
    }
    var values: [Int] = []
    for item in items {
      guard let value = item.integerValue, value >= 0 else {
        throw site.error(
          .badHeader, at: item.offset, found: "\(key) entry \(item.summary)",
          expected: "a non-negative integer below 2^63")
      }
      values.append(value)
    }
    return values
  }
}
