import CZlib

/// The outcome of one `Inflater.inflate` step.
struct InflateStep {
  /// Input bytes consumed.
  var consumed: Int
  /// Output bytes produced.
  var produced: Int
  /// Whether the deflate stream's final block has been decoded.
  var isStreamEnd: Bool
  /// zlib's explanation when the input is not valid deflate data; `nil` otherwise.
  var failure: String?
}

/// A zlib raw-deflate decompressor (`inflateInit2` with windowBits −15, no zlib or gzip wrapper), owning its
/// `z_stream`: created in `init`, released with `inflateEnd` in `deinit`, used by one reader at a time.
/// The corresponding zlib routines are `inflateInit2`, `inflate` and `inflateEnd` (https://zlib.net/manual.html).
final class Inflater {
  private let stream: UnsafeMutablePointer<z_stream>

  /// Returns `nil` when zlib cannot allocate its state.
  init?() {
    stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    guard czlib_inflate_init_raw(stream) == Z_OK else {
      stream.deinitialize(count: 1)
      stream.deallocate()
      return nil
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
  }

  /// Decompresses from `input` into `output` until either is exhausted or the stream ends.
  /// - Complexity: O(`consumed` + `produced`).
  func inflate(from input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> InflateStep {
    let inputCount = UInt32(clamping: input.count)
    let outputCount = UInt32(clamping: output.count)
    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.pointee.avail_in = input.baseAddress == nil ? 0 : inputCount
    stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = output.baseAddress == nil ? 0 : outputCount
    let status = CZlib.inflate(stream, Z_NO_FLUSH)
    let consumed = Int(inputCount - stream.pointee.avail_in)
    let produced = Int(outputCount - stream.pointee.avail_out)
    stream.pointee.next_in = nil
    stream.pointee.next_out = nil
    switch status {
    case Z_OK, Z_BUF_ERROR:
      return InflateStep(consumed: consumed, produced: produced, isStreamEnd: false, failure: nil)
    case Z_STREAM_END:
      return InflateStep(consumed: consumed, produced: produced, isStreamEnd: true, failure: nil)
    default:
      let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
      return InflateStep(consumed: consumed, produced: produced, isStreamEnd: false, failure: message)
    }
  }
}

@available(*, unavailable, message: "an Inflater belongs to one reader")
extension Inflater: Sendable {}
