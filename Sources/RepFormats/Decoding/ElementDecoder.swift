/// The byte order of stored elements, taken from the file's header, never from the host.
enum ByteOrder: Sendable, Equatable {
  case little, big

  /// The byte order of the machine running this code.
  static let host: ByteOrder = 1.littleEndian == 1 ? .little : .big
}

/// Converts stored elements of one type and byte order to native `Float`.
///
/// Source bytes are loaded unaligned, never rebound. Float32 keeps its exact bits (NaN payloads included), float16
/// and bfloat16 convert exactly (see `HalfConversion`), float64 rounds to nearest even.
struct ElementDecoder: Sendable, Equatable {
  /// The stored element type.
  var elementType: ElementType
  /// The stored byte order.
  var byteOrder: ByteOrder

  /// Whether stored elements already are native `Float`s, so bytes can be read straight into the destination.
  var isNativeFloat32: Bool { elementType == .float32 && byteOrder == .host }

  /// Converts `count` elements starting at `source`, `sourceStride` bytes apart, to `Float`s written
  /// `destinationStride` floats apart starting at `destination`.
  ///
  /// - Precondition: the source holds `(count − 1) · sourceStride + elementType.byteCount` readable bytes and the
  ///   destination `(count − 1) · destinationStride + 1` writable floats (the caller's bounds, not the file's).
  /// - Complexity: O(`count`).
  func decode(
    _ count: Int, from source: UnsafeRawPointer, sourceStride: Int,
    into destination: UnsafeMutablePointer<Float>, destinationStride: Int
  ) {
    let swapped = byteOrder != .host
    switch elementType {
    case .float16:
      for k in 0..<count {
        let raw = source.loadUnaligned(fromByteOffset: k &* sourceStride, as: UInt16.self)
        destination[k &* destinationStride] = HalfConversion.float(fromFloat16Bits: swapped ? raw.byteSwapped : raw)
      }
    case .bfloat16:
      for k in 0..<count {
        let raw = source.loadUnaligned(fromByteOffset: k &* sourceStride, as: UInt16.self)
        destination[k &* destinationStride] = HalfConversion.float(fromBFloat16Bits: swapped ? raw.byteSwapped : raw)
      }
    case .float32:
      for k in 0..<count {
        let raw = source.loadUnaligned(fromByteOffset: k &* sourceStride, as: UInt32.self)
        destination[k &* destinationStride] = Float(bitPattern: swapped ? raw.byteSwapped : raw)
      }
    case .float64:
      for k in 0..<count {
        let raw = source.loadUnaligned(fromByteOffset: k &* sourceStride, as: UInt64.self)
        destination[k &* destinationStride] = Float(Double(bitPattern: swapped ? raw.byteSwapped : raw))
      }
    }
  }

  /// Converts `count` contiguous elements at `source` to `count` contiguous `Float`s at `destination`.
  /// - Complexity: O(`count`).
  func decode(_ count: Int, from source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>) {
    decode(count, from: source, sourceStride: elementType.byteCount, into: destination, destinationStride: 1)
  }
}
