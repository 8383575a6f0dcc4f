// Hand loops of the streaming statistics: the element-wise Float32 → Float64 work around the BLAS products.
// Each loop runs in a fixed order that depends only on the shapes, so results are reproducible bit for bit.
// All are O(rows · columns) or O(d²) and memory-bound next to the O(rows · d²) products they accompany.
// Buffers are indexed from 0 and must hold what the shapes say (checked in debug builds by the buffer subscripts).

/// Column means of `rows` rows (row-major, `columns` wide), summed in Float64 and rounded to Float32.
func columnMeans(_ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> [Float] {
  var sums = [Double](repeating: 0, count: columns)
  sums.withUnsafeMutableBufferPointer { sums in
    for i in 0 ..< rows {
      let offset = i * columns
      for j in 0 ..< columns { sums[j] += Double(x[offset + j]) }
    }
  }
  return sums.map { Float($0 / Double(rows)) }
}

/// Shifts one chunk and adds its vector sums: u_i = x_i − c (Float32), q_i = ‖u_i‖² (Float64, into `q`),
/// Σu into `shiftedSum`, Σ q_i u_i into `weightedSum`.
///
/// Row i of `u` (at `i · stride`) receives u_i, and Float(q_i) goes to `floatNorms[i · floatNormStride]`, where the
/// products that need the norms find them (`ShiftedChunk` puts it right after u_i).
/// - Returns: (Σ q_i, Σ q_i²) over the chunk, in row order.
func shiftRows(
  _ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int, shift c: UnsafeBufferPointer<Float>,
  into u: UnsafeMutablePointer<Float>, stride: Int, normSquares q: UnsafeMutablePointer<Double>,
  floatNorms: UnsafeMutablePointer<Float>, floatNormStride: Int,
  shiftedSum: UnsafeMutableBufferPointer<Double>, weightedSum: UnsafeMutableBufferPointer<Double>
) -> (normSquareSum: Double, normFourthSum: Double) {
  precondition(stride >= columns, "shiftRows: a row stride of \(stride) for \(columns) floats")
  var normSquareSum = 0.0
  var normFourthSum = 0.0
  for i in 0 ..< rows {
    let source = i * columns
    let target = i * stride
    // Four running sums keep the loop from waiting on one addition chain; their order is fixed.
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var j = 0
    while j + 4 <= columns {
      let a = x[source + j] - c[j], b = x[source + j + 1] - c[j + 1]
      let e = x[source + j + 2] - c[j + 2], f = x[source + j + 3] - c[j + 3]
      u[target + j] = a
      u[target + j + 1] = b
      u[target + j + 2] = e
      u[target + j + 3] = f
      s0 += Double(a) * Double(a)
      s1 += Double(b) * Double(b)
      s2 += Double(e) * Double(e)
      s3 += Double(f) * Double(f)
      j += 4
    }
    while j < columns {
      let a = x[source + j] - c[j]
      u[target + j] = a
      s0 += Double(a) * Double(a)
      j += 1
    }
    let norm = (s0 + s1) + (s2 + s3)
    q[i] = norm
    floatNorms[i * floatNormStride] = Float(norm)
    normSquareSum += norm
    normFourthSum += norm * norm
    for j in 0 ..< columns {
      let value = Double(u[target + j])
      shiftedSum[j] += value
      weightedSum[j] += norm * value
    }
  }
  return (normSquareSum, normFourthSum)
}

/// `target[i, j] += Double(source[i, j])` for a `rows`×`columns` block, or `=` when `first` (the first chunk, whose
/// target is not initialised yet: skipping the zeroing pass saves a sweep over every pair's statistics); rows are
/// `sourceStride` and `columns` apart.
func addWidened(
  _ source: UnsafePointer<Float>, sourceStride: Int, into target: UnsafeMutableBufferPointer<Double>,
  rows: Int, columns: Int, first: Bool
) {
  for i in 0 ..< rows {
    let from = i * sourceStride
    let to = i * columns
    if first {
      for j in 0 ..< columns { target[to + j] = Double(source[from + j]) }
    } else {
      for j in 0 ..< columns { target[to + j] += Double(source[from + j]) }
    }
  }
}

/// Adds the upper triangle (i ≤ j) of a row-major `order`×`order` Float32 matrix into that of a Float64 one; when
/// `first`, sets it instead and zeroes the lower triangle (the target is not initialised yet).
func addWidenedUpperTriangle(
  _ source: UnsafeBufferPointer<Float>, into target: UnsafeMutableBufferPointer<Double>, order: Int, first: Bool
) {
  for i in 0 ..< order {
    let offset = i * order
    if first {
      for j in 0 ..< i { target[offset + j] = 0 }
      for j in i ..< order { target[offset + j] = Double(source[offset + j]) }
    } else {
      for j in i ..< order { target[offset + j] += Double(source[offset + j]) }
    }
  }
}

/// Runs `body` with an uninitialised Float32 scratch of `count` elements, freed afterwards.
///
/// Allocated per call rather than kept in the statistics, so that the values stay pure sums; the allocator reuses the
/// block from one chunk to the next.
func withFloatScratch<R>(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
  let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
  defer { scratch.deallocate() }
  return body(scratch)
}

/// Float32 values `stride` apart, such as a column of a row-major product.
struct StridedFloats {
  var base: UnsafePointer<Float>
  var stride: Int
  init(_ base: UnsafePointer<Float>, stride: Int) { (self.base, self.stride) = (base, stride) }
  subscript(index: Int) -> Float { base[index * stride] }
}
