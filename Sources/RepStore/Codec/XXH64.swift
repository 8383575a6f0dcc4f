/// The 64-bit xxHash, XXH64, in pure Swift: the checksum the store keeps for every block's raw bytes.
///
/// Matches the reference implementation (<https://github.com/Cyan4973/xxHash>, `doc/xxhash_spec.md`) bit for bit on
/// every host: input words are read as little-endian, as the specification requires. Inputs of 32 bytes or more are
/// consumed in 32-byte stripes by four independent accumulator lanes, which is what makes the hash run at several
/// bytes per cycle; the tail (under 32 bytes) is mixed in 8, 4 and 1 bytes at a time, then avalanched.
///
/// XXH64 detects accidental corruption; it is not a cryptographic hash.
public enum XXH64 {
  /// XXH64 of `bytes`; pure Swift, matches the reference xxHash XXH64 exactly.
  ///
  /// The hash of the empty input with seed 0 is `0xEF46DB3751D8E999`.
  ///
  /// - Parameters:
  ///   - bytes: The bytes to hash; any alignment.
  ///   - seed: The seed; the store always uses 0.
  /// - Returns: The 64-bit hash, as `XXH64(bytes, count, seed)` returns it.
  /// - Complexity: O(`bytes.count`), about two 64-bit multiplications per 8 bytes.
  public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    guard let base = bytes.baseAddress else {
      return finish(seed &+ prime5, tail: UnsafeRawBufferPointer(start: nil, count: 0))
    }
    let stripeCount = bytes.count / stripeByteCount
    var h: UInt64
    if stripeCount > 0 {
      var lanes = Lanes(seed: seed)
      lanes.consume(stripeCount: stripeCount, at: base)
      h = lanes.converged()
    } else {
      h = seed &+ prime5
    }
    h &+= UInt64(bytes.count)
    let consumed = stripeCount * stripeByteCount
    return finish(h, tail: UnsafeRawBufferPointer(start: base + consumed, count: bytes.count - consumed))
  }

  // MARK: Internals shared with XXH64Hasher

  static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
  static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
  static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
  static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

  /// Bytes consumed per step of the four lanes.
  static let stripeByteCount = 32

  @inline(__always)
  static func rotated(_ x: UInt64, left r: UInt64) -> UInt64 {
    (x &<< r) | (x &>> (64 &- r))
  }

  /// The spec's `round`: mixes one 8-byte input word into an accumulator.
  @inline(__always)
  static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
    rotated(accumulator &+ input &* prime2, left: 31) &* prime1
  }

  /// The spec's `mergeAccumulator`: folds one lane into the converged hash.
  @inline(__always)
  static func merge(_ hash: UInt64, _ lane: UInt64) -> UInt64 {
    (hash ^ round(0, lane)) &* prime1 &+ prime4
  }

  /// The four accumulator lanes of the stripe loop.
  struct Lanes: Sendable {
    var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64

    init(seed: UInt64) {
      v1 = seed &+ prime1 &+ prime2
      v2 = seed &+ prime2
      v3 = seed
      v4 = seed &- prime1
    }

    /// Consumes `stripeCount` 32-byte stripes starting at `base` (any alignment).
    /// - Complexity: O(`stripeCount`).
    @inline(__always)
    mutating func consume(stripeCount: Int, at base: UnsafeRawPointer) {
      var a = v1, b = v2, c = v3, d = v4
      var p = base
      for _ in 0..<stripeCount {
        a = round(a, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
        b = round(b, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        c = round(c, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        d = round(d, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        p += stripeByteCount
      }
      v1 = a; v2 = b; v3 = c; v4 = d
    }

    /// The spec's convergence of the four lanes into one value (before the length is added).
    func converged() -> UInt64 {
      var h = rotated(v1, left: 1) &+ rotated(v2, left: 7) &+ rotated(v3, left: 12) &+ rotated(v4, left: 18)
      h = merge(h, v1)
      h = merge(h, v2)
      h = merge(h, v3)
      h = merge(h, v4)
      return h
    }
  }

  /// Mixes the last `tail.count` (< 32) bytes into `hash` (which already includes the total length) and avalanches.
  /// - Complexity: O(`tail.count`).
  static func finish(_ hash: UInt64, tail: UnsafeRawBufferPointer) -> UInt64 {
    assert(tail.count < stripeByteCount)
    var h = hash
    var offset = 0
    while offset + 8 <= tail.count {
      h ^= round(0, UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
      h = rotated(h, left: 27) &* prime1 &+ prime4
      offset += 8
    }
    if offset + 4 <= tail.count {
      h ^= UInt64(UInt32(littleEndian: tail.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) &* prime1
      h = rotated(h, left: 23) &* prime2 &+ prime3
      offset += 4
    }
    while offset < tail.count {
      h ^= UInt64(tail[offset]) &* prime5
      h = rotated(h, left: 11) &* prime1
      offset += 1
    }
    h ^= h &>> 33
    h &*= prime2
    h ^= h &>> 29
    h &*= prime3
    h ^= h &>> 32
    return h
  }
}

/// Streaming form for hashing many buffers as one (used for whole-tensor digests).
///
/// Feeding the same bytes in any split gives the same result as ``XXH64/hash(_:seed:)`` on their concatenation.
/// Bytes that do not fill a 32-byte stripe wait in a 32-byte buffer inside the value, so the hasher holds no
/// pointer to the caller's memory and is an ordinary `Sendable` value.
package struct XXH64Hasher: Sendable {
  private let seed: UInt64
  private var lanes: XXH64.Lanes
  /// Up to 31 bytes waiting for the rest of their stripe.
  private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  private var pendingCount = 0
  private var totalCount: UInt64 = 0

  /// Creates a hasher over no bytes yet.
  package init(seed: UInt64 = 0) {
    self.seed = seed
    lanes = XXH64.Lanes(seed: seed)
  }

  /// Appends `bytes` to the input.
  /// - Complexity: O(`bytes.count`).
  package mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard var source = bytes.baseAddress, !bytes.isEmpty else { return }
    var remaining = bytes.count
    totalCount &+= UInt64(remaining)
    let stripe = XXH64.stripeByteCount

    if pendingCount > 0 {
      let taken = min(stripe - pendingCount, remaining)
      let offset = pendingCount
      withUnsafeMutableBytes(of: &pending) { buffer in
        UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + taken)])
          .copyMemory(from: UnsafeRawBufferPointer(start: source, count: taken))
      }
      pendingCount += taken
      source += taken
      remaining -= taken
      guard pendingCount == stripe else { return }
      withUnsafeBytes(of: pending) { buffer in
        if let base = buffer.baseAddress { lanes.consume(stripeCount: 1, at: base) }
      }
      pendingCount = 0
    }

    let stripeCount = remaining / stripe
    lanes.consume(stripeCount: stripeCount, at: source)
    source += stripeCount * stripe
    remaining -= stripeCount * stripe

    if remaining > 0 {
      withUnsafeMutableBytes(of: &pending) { buffer in
        UnsafeMutableRawBufferPointer(rebasing: buffer[0..<remaining])
          .copyMemory(from: UnsafeRawBufferPointer(start: source, count: remaining))
      }
      pendingCount = remaining
    }
  }

  /// The XXH64 of all bytes passed to ``update(_:)`` so far; the hasher can keep being updated afterwards.
  /// - Complexity: O(1).
  package func finalize() -> UInt64 {
    var h = totalCount >= UInt64(XXH64.stripeByteCount) ? lanes.converged() : seed &+ XXH64.prime5
    h &+= totalCount
    let count = pendingCount
    return withUnsafeBytes(of: pending) { buffer in
      XXH64.finish(h, tail: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
  }
}
