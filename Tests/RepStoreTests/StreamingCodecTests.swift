import Foundation
import Testing

@testable import RepStore

// The streaming encode and decode that huge blocks take (BlockCodec+Streaming): the same frames as the one-shot
// codec, read by either decoder, with the same refusals of damaged input.

/// Encodes `floats` through the streaming path, collecting the pieces the sink receives.
func streamEncoded(_ floats: [Float], level: Int = 1, codec: BlockCodec? = nil) throws -> (
  frame: [UInt8], checksum: UInt64, pieces: Int
) {
  var frame: [UInt8] = []
  var pieces = 0
  let codec = try codec ?? BlockCodec(level: level)
  let checksum = try floats.withUnsafeBufferPointer { values in
    try codec.encode(values, streamingTo: { piece in
      frame += piece
      pieces += 1
    })
  }
  return (frame, checksum, pieces)
}

/// Decodes `frame` into `count` floats through the streaming path, reading it `readSize` bytes at a time at most.
func streamDecoded(_ frame: [UInt8], count: Int, checksum: UInt64, with codec: BlockCodec) throws -> [Float] {
  var floats = [Float](repeating: .nan, count: count)
  try frame.withUnsafeBytes { stored in
    try floats.withUnsafeMutableBufferPointer { values in
      try codec.decode(
        storedByteCount: stored.count,
        reading: { offset, into in
          into.copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[offset..<(offset + into.count)]))
        },
        into: values, expectedChecksum: checksum)
    }
  }
  return floats
}

@Suite("Streaming block codec")
struct StreamingCodecTests {
  /// Counts around the vector step (16), the plane piece (256 Ki elements) and a few pieces.
  static let floatCounts = [0, 1, 15, 16, 17, 1000, 262_143, 262_144, 262_145, 700_001]

  // The streamed frame is not always the one-shot frame byte for byte (zstd buffers streamed input and may cut
  // its blocks elsewhere: a few bytes' difference per MiB), but it is the same kind of frame, and as small.
  @Test("streamed frames declare their size, hold the shuffled bytes and are as small as one-shot ones",
        arguments: [1, 3, -1])
  func sameKindOfFrame(level: Int) throws {
    for count in Self.floatCounts {
      let floats = count > 100_000 ? activationFloats(rows: 1, columns: count, seed: 9) : awkwardFloats(count: count, seed: 9)
      let oneShot = try encoded(floats, level: level)
      let streamed = try streamEncoded(floats, level: level)
      #expect(streamed.checksum == oneShot.checksum, "count \(count)")
      var planes = [UInt8](repeating: 0, count: count * 4)
      try streamed.frame.withUnsafeBytes { frame in
        try planes.withUnsafeMutableBytes { try ZstdDecompressor().decompress(frame, into: $0) }
      }
      // Compared outside #expect, which would print both arrays whole.
      let holdsThePlanes = planes == referenceShuffle(floats.withUnsafeBytes { Array($0) }, elementSize: 4)
      #expect(holdsThePlanes, "count \(count)")
      let descriptor = streamed.frame[4]
      #expect(descriptor & 0x04 == 0 && (descriptor & 0xC0 != 0 || descriptor & 0x20 != 0), "count \(count)")
      #expect(
        streamed.frame.count <= oneShot.frame.count + oneShot.frame.count / 1000 + 16,
        "count \(count): \(streamed.frame.count) against \(oneShot.frame.count) bytes")
    }
  }

  @Test("either decoder reads either encoder's frames, bit for bit")
  func crossDecoding() throws {
    let codec = try BlockCodec(level: 1)
    for count in Self.floatCounts {
      let floats = awkwardFloats(count: count, seed: UInt64(count) + 1)
      let streamed = try streamEncoded(floats, codec: codec)
      let oneShot = try encoded(floats)
      #expect(streamed.checksum == floats.withUnsafeBytes { XXH64.hash($0) })
      for frame in [streamed.frame, oneShot.frame] {
        let viaStream = try streamDecoded(frame, count: count, checksum: streamed.checksum, with: codec)
        let streamMatches = bitPatterns(viaStream) == bitPatterns(floats)
        #expect(streamMatches, "count \(count), streaming decode")
        let viaOneShot = try decoded(frame, count: count, checksum: streamed.checksum, with: codec)
        let oneShotMatches = bitPatterns(viaOneShot) == bitPatterns(floats)
        #expect(oneShotMatches, "count \(count), one-shot decode")
      }
    }
  }

  @Test func aHighLevelFrameStreams() throws {
    let floats = activationFloats(rows: 40, columns: 768, seed: 4)
    let block = try streamEncoded(floats, level: 19)
    let back = try streamDecoded(block.frame, count: floats.count, checksum: block.checksum, with: BlockCodec(level: 1))
    #expect(bitPatterns(back) == bitPatterns(floats))
  }

  @Test func compressedBytesArriveInPieces() throws {
    let floats = awkwardFloats(count: 1_000_000, seed: 3)
    let block = try streamEncoded(floats)
    #expect(block.pieces > 1)
  }

  @Test func everyTruncationThrows() throws {
    let floats = awkwardFloats(count: 500, seed: 2)
    let block = try encoded(floats)
    let codec = try BlockCodec(level: 1)
    for length in 0..<block.frame.count {
      #expect(throws: CodecError.self, "length \(length)") {
        try streamDecoded(Array(block.frame[..<length]), count: floats.count, checksum: block.checksum, with: codec)
      }
    }
  }

  @Test func trailingBytesThrow() throws {
    let floats = awkwardFloats(count: 500, seed: 2)
    let block = try encoded(floats)
    for tail in [[0], [0x28, 0xB5, 0x2F, 0xFD], block.frame] as [[UInt8]] {
      #expect(throws: CodecError.self) {
        try streamDecoded(block.frame + tail, count: floats.count, checksum: block.checksum, with: BlockCodec(level: 1))
      }
    }
  }

  @Test func byteFlipsThrowOrAreHarmless() throws {
    let floats = activationFloats(rows: 3, columns: 100, seed: 5) + awkwardFloats(count: 50, seed: 5)
    let block = try encoded(floats)
    let codec = try BlockCodec(level: 1)
    for position in block.frame.indices {
      var damaged = block.frame
      damaged[position] ^= 0xFF
      do {
        let back = try streamDecoded(damaged, count: floats.count, checksum: block.checksum, with: codec)
        #expect(bitPatterns(back) == bitPatterns(floats), "byte \(position)")
      } catch {
        #expect(error is CodecError, "byte \(position)")
      }
    }
    // The codec is still usable after all those failures.
    #expect(try bitPatterns(streamDecoded(block.frame, count: floats.count, checksum: block.checksum, with: codec))
      == bitPatterns(floats))
  }

  @Test func wrongChecksumAndSizeThrowAsTheOneShotDecoderDoes() throws {
    let floats = awkwardFloats(count: 100, seed: 4)
    let block = try encoded(floats)
    let codec = try BlockCodec(level: 1)
    let wrong = block.checksum ^ 0x10
    let mismatch = try #require(throws: CodecError.self) {
      try streamDecoded(block.frame, count: floats.count, checksum: wrong, with: codec)
    }
    #expect(mismatch.kind == .checksumMismatch(stored: wrong, computed: block.checksum))
    for count in [0, 99, 101] {
      let size = try #require(throws: CodecError.self) {
        try streamDecoded(block.frame, count: count, checksum: block.checksum, with: codec)
      }
      #expect(size.kind == .frameContentSize(declared: 400, expected: count * 4))
    }
  }

  @Test("plane pieces gather and scatter as the whole shuffle does")
  func planePieces() throws {
    for elementSize in [1, 2, 3, 4, 8] {
      for count in [0, 1, 15, 16, 33, 100] {
        let source = fixtureBytes(count * elementSize)
        let planes = referenceShuffle(source, elementSize: elementSize)
        var gathered = [UInt8](repeating: 0, count: planes.count)
        var rebuilt = [UInt8](repeating: 0xEE, count: source.count)
        // Odd piece boundaries, so that both the vector loop and the byte tail run.
        let cuts = [0, min(count, 7), min(count, 40), count]
        source.withUnsafeBytes { from in
          gathered.withUnsafeMutableBytes { planesOut in
            for plane in 0..<elementSize {
              for (start, end) in zip(cuts, cuts.dropFirst()) where start < end {
                ByteShuffle.gatherPlane(
                  plane, elements: start..<end, elementSize: elementSize, from: from.baseAddress!,
                  to: planesOut.baseAddress! + plane * count + start)
              }
            }
          }
        }
        #expect(gathered == planes, "element size \(elementSize), count \(count)")
        planes.withUnsafeBytes { from in
          rebuilt.withUnsafeMutableBytes { to in
            for plane in 0..<elementSize {
              for (start, end) in zip(cuts, cuts.dropFirst()) where start < end {
                ByteShuffle.scatterPlane(
                  plane, elements: start..<end, elementSize: elementSize, from: from.baseAddress! + plane * count + start,
                  to: to.baseAddress!)
              }
            }
          }
        }
        #expect(rebuilt == source, "element size \(elementSize), count \(count)")
      }
    }
  }
}
