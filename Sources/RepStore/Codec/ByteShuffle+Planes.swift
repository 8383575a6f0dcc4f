// One byte plane at a time: the shuffle and unshuffle of ByteShuffle.swift taken apart, so that a huge block can be
// fed to zstd, and read back from it, plane piece by plane piece without a shuffled copy of the whole block.
extension ByteShuffle {
  /// Copies byte `plane` of each element in `range` to `destination[0 ..< range.count]`: the piece of plane `plane`
  /// that ``shuffle(_:into:elementSize:)`` would write at `plane · count + range`.
  ///
  /// - Parameters:
  ///   - source: The whole block's elements (only those in `range` are read), any alignment.
  ///   - destination: At least `range.count` bytes, not overlapping `source`.
  /// - Precondition: `0 <= plane < elementSize`.
  /// - Complexity: O(`range.count`).
  static func gatherPlane(
    _ plane: Int, elements range: Range<Int>, elementSize: Int,
    from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer
  ) {
    precondition(plane >= 0 && plane < elementSize, "gatherPlane: plane \(plane) of \(elementSize)")
    var i = range.lowerBound
    #if _endian(little)
    if elementSize == 4 {
      // Byte `plane` of a little-endian word is bits 8·plane ..< 8·plane + 8.
      let shift = UInt32(8 * plane)
      while i + 16 <= range.upperBound {
        let words = source.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self) &>> shift
        var bytes = SIMD16<UInt8>()
        for lane in 0..<16 { bytes[lane] = UInt8(truncatingIfNeeded: words[lane]) }
        destination.storeBytes(of: bytes, toByteOffset: i - range.lowerBound, as: SIMD16<UInt8>.self)
        i += 16
      }
    }
    #endif
    for j in i..<range.upperBound {
      destination.storeBytes(
        of: source.load(fromByteOffset: elementSize * j + plane, as: UInt8.self),
        toByteOffset: j - range.lowerBound, as: UInt8.self)
    }
  }

  /// Writes `source[0 ..< range.count]`, a piece of plane `plane`, into byte `plane` of each element in `range`.
  ///
  /// Plane 0 sets the whole element (its other bytes to zero) and later planes OR their byte in, so that calling
  /// this for planes 0, 1, …, `elementSize − 1` in that order, as they come out of a frame, rebuilds the elements
  /// without reading what `destination` held before.
  ///
  /// - Parameters:
  ///   - source: At least `range.count` bytes, any alignment.
  ///   - destination: The whole block's elements (only those in `range` are written), not overlapping `source`.
  /// - Precondition: `0 <= plane < elementSize`.
  /// - Complexity: O(`range.count`).
  static func scatterPlane(
    _ plane: Int, elements range: Range<Int>, elementSize: Int,
    from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer
  ) {
    precondition(plane >= 0 && plane < elementSize, "scatterPlane: plane \(plane) of \(elementSize)")
    var i = range.lowerBound
    #if _endian(little)
    if elementSize == 4 {
      let shift = UInt32(8 * plane)
      while i + 16 <= range.upperBound {
        let bytes = source.loadUnaligned(fromByteOffset: i - range.lowerBound, as: SIMD16<UInt8>.self)
        var words = SIMD16<UInt32>()
        for lane in 0..<16 { words[lane] = UInt32(bytes[lane]) }
        words &<<= shift
        if plane > 0 { words |= destination.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self) }
        destination.storeBytes(of: words, toByteOffset: 4 * i, as: SIMD16<UInt32>.self)
        i += 16
      }
    }
    #endif
    for j in i..<range.upperBound {
      let element = destination + elementSize * j
      if plane == 0 { element.initializeMemory(as: UInt8.self, repeating: 0, count: elementSize) }
      element.storeBytes(
        of: source.load(fromByteOffset: j - range.lowerBound, as: UInt8.self), toByteOffset: plane, as: UInt8.self)
    }
  }
}
