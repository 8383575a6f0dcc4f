/// Writes `.safetensors` headers for exporting Float32 data; the caller appends each tensor's raw little-endian
/// C-order bytes, in the order given.
public enum SafetensorsHeader {
  /// The 8-byte little-endian header length followed by the JSON header for F32 tensors stored back to back in the
  /// given order, in the compact form the reference implementation writes:
  /// `{"__metadata__":{"k":"v"},"name":{"dtype":"F32","shape":[n,d],"data_offsets":[begin,end]},…}`, padded with
  /// spaces to a multiple of 8 bytes. `__metadata__` (keys sorted) is written only when `metadata` is not empty.
  ///
  /// Spec: https://huggingface.co/docs/safetensors/index
  /// - Parameters:
  ///   - tensors: names and shapes in storage order; keys appear in the JSON in this order.
  ///   - metadata: free-form string pairs.
  /// - Returns: the bytes that precede the tensor data.
  /// - Precondition: names are unique and not `__metadata__`; extents are non-negative and the total byte count
  ///   fits in `Int`.
  public static func float32(tensors: [(name: String, shape: [Int])], metadata: [String: String] = [:]) -> [UInt8] {
    precondition(Set(tensors.map(\.name)).count == tensors.count, "SafetensorsHeader.float32: duplicate tensor names")
    precondition(!tensors.contains { $0.name == "__metadata__" }, "SafetensorsHeader.float32: reserved name __metadata__")
    var members: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { key in
        JSONString.literal(key) + ":" + JSONString.literal(metadata[key] ?? "")
      }
      members.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
    }
    var offset = 0
    for (name, shape) in tensors {
      precondition(shape.allSatisfy { $0 >= 0 }, "SafetensorsHeader.float32: negative extent in \(shape)")
      var byteCount = 4
      for extent in shape {
        let (product, overflow) = byteCount.multipliedReportingOverflow(by: extent)
        precondition(!overflow, "SafetensorsHeader.float32: tensor \(name) is too large")
        byteCount = product
      }
      let (end, overflow) = offset.addingReportingOverflow(byteCount)
      precondition(!overflow, "SafetensorsHeader.float32: tensors are too large")
      let shapeText = shape.map(String.init).joined(separator: ",")
      members.append(
        "\(JSONString.literal(name)):{\"dtype\":\"F32\",\"shape\":[\(shapeText)],\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    var json = Array(("{" + members.joined(separator: ",") + "}").utf8)
    json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + json.count)
    for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64(k)))) }
    return bytes + json
  }
}
