import RepMath
import RepSupport

/// Each row's k nearest other rows by cosine similarity, ranked exactly as a Float64 brute force ranks them: the
/// neighbour sets and orders every neighbour measure (`mknn*`, `cknna`) is built on.
///
/// ```
/// cos(i, j) = (Σₜ xᵢₜ·xⱼₜ) / (‖xᵢ‖·‖xⱼ‖)   in Float64 from the Float32 elements; 0 when either row is zero
/// ```
///
/// Row i's neighbours are the first k rows j ≠ i of a sort by (cos(i, j) descending, j ascending): the row itself is
/// excluded (a duplicate of it is a neighbour at cosine 1), exact ties go to the lower index.
///
/// **Method**: the discipline of `NearestNeighbours` in RepLearning, with its bound and candidate set. For unit rows
/// the squared distance is D = 2 − 2·cos, so the search screens distances between the unit rows x̂ = x/‖x‖ (held in
/// Float64), shifted by their mean μ and scaled by a power of two s, rounded once to Float32: one `sgemm` per block
/// of `blockRows` query rows gives ‖ã‖² + ‖b̃‖² − 2·fl₃₂(ã·b̃), within γ·(‖ã‖² + ‖b̃‖²) + η + s²·ζ of s²·(2 − 2·cos₆₄)
/// (`Float32ProductBound`). Without the shift, near-duplicate rows (MiniLM [CLS] rows: median cosine 0.999995, the
/// 10th and 11th neighbour 1e-8 apart) would all lie within the Float32 rounding of 1 and every pair would need its
/// Float64 cosine; shifted, the slack shrinks with the rows' spread. A row that cannot beat the k-th is dropped; the
/// others, usually k plus a few, are ranked by their Float64 cosines (`ScreenedCandidates`, keys −cos). Zero rows
/// have cosine 0 with every row, known exactly, so they skip the screen. The ranking is the Float64 one whatever the
/// BLAS kernel or block size.
///
/// - Complexity: 2·n²·d flops (`sgemm`), n² screening steps, and about 2·(k + a few)·n·d Float64 flops for the exact
///   cosines, more where many rows lie within rounding of the k-th. Memory O(`blockRows`·n + n·(k + d)), never an n×n
///   matrix.
struct CosineNeighbours: Sendable {
  /// Query rows per `sgemm` call.
  static let blockRows = 256

  /// n.
  let rowCount: Int
  /// Neighbours per row.
  let k: Int
  /// Row i's neighbours, nearest first, at `i·k ..< (i+1)·k`.
  let indices: [Int]
  /// Their Float64 cosines to row i, at the same positions (non-increasing along each row).
  let similarities: [Double]

  /// Row `i`'s neighbours, nearest first.
  func neighbours(of i: Int) -> ArraySlice<Int> { indices[(i * k) ..< ((i + 1) * k)] }

  /// The cosines of row `i`'s neighbours, largest first.
  func similarities(of i: Int) -> ArraySlice<Double> { similarities[(i * k) ..< ((i + 1) * k)] }

  /// The k nearest other rows of every row of `cosines.rows`.
  ///
  /// - Precondition: `1 <= k < n` and every element finite (`RowCosines.isFinite`).
  init(_ cosines: RowCosines, k: Int) {
    let (n, d) = (cosines.rows.rows, cosines.rows.columns)
    precondition(k >= 1 && k < n, "CosineNeighbours: \(k) neighbours among \(n) rows")
    let frame = UnitRowFrame(cosines)
    let gamma = Float32ProductBound.relativeSlack(columns: d)
    let absoluteSlack = Float32ProductBound.absoluteSlack(columns: d) + frame.scaleSquared * Float32ProductBound.unitRowSlack(columns: d)
    // A zero row's key is exact: cos = 0, screened 2s²·(0 + 1).
    let zeroRowDistance = 2 * frame.scaleSquared
    var indices = [Int](repeating: 0, count: n * k)
    var similarities = [Double](repeating: 0, count: n * k)
    var products = Matrix(rows: 0, columns: 0)
    for start in stride(from: 0, to: n, by: Self.blockRows) {
      let rows = min(Self.blockRows, n - start)
      let block = Matrix(
        rows: rows, columns: d, storage: Array(frame.screened.storage[(start * d) ..< ((start + rows) * d)]))
      if products.rows != rows { products = Matrix(rows: rows, columns: n) }
      BLAS.multiply(block, .none, frame.screened, .transposed, into: &products)
      products.storage.withUnsafeBufferPointer { dots in
        for r in 0 ..< rows {
          let i = start + r
          let exactKey = { (j: Int) in -cosines.cosine(i, j) }
          var candidates = ScreenedCandidates(k: k, scaleSquared: 2 * frame.scaleSquared, offset: 1)
          if cosines.norms[i] == 0 {
            // Every cosine is 0: the first k other rows, by the index rule.
            for j in 0 ..< n where j != i {
              candidates.add(lowerBound: zeroRowDistance, upperBound: zeroRowDistance, index: j, distance: exactKey)
            }
          } else {
            let queryNorm = frame.squaredNorms[i]
            var threshold = candidates.threshold
            for j in 0 ..< n where j != i {
              var (screened, slack) = (zeroRowDistance, 0.0)
              if cosines.norms[j] != 0 {
                screened = queryNorm + frame.squaredNorms[j] - 2 * Double(dots[r * n + j])
                slack = gamma * (queryNorm + frame.squaredNorms[j]) + absoluteSlack
              }
              guard screened - slack <= threshold else { continue }
              candidates.add(lowerBound: screened - slack, upperBound: screened + slack, index: j, distance: exactKey)
              threshold = candidates.threshold
            }
          }
          let (keys, found) = candidates.finish(distance: exactKey)
          for p in 0 ..< k { (indices[i * k + p], similarities[i * k + p]) = (found[p], -keys[p]) }
        }
      }
    }
    (rowCount, self.k, self.indices, self.similarities) = (n, k, indices, similarities)
  }
}

/// The unit rows as `CosineNeighbours` screens them: ãᵢ = fl₃₂(s·(x̂ᵢ − μ)) with x̂ᵢ = xᵢ/‖xᵢ‖ in Float64, μ the mean
/// of the nonzero unit rows and s the power of two that puts every shifted element in (−1, 1), as
/// `NearestNeighbours.ScreeningFrame` does for raw rows.
struct UnitRowFrame {
  /// The screened rows, n×d (a zero row's entries are never used).
  let screened: Matrix
  /// ‖ãᵢ‖² in Float64.
  let squaredNorms: [Double]
  /// s².
  let scaleSquared: Double

  /// - Complexity: O(n·d), two passes over the rows.
  init(_ cosines: RowCosines) {
    let (n, d) = (cosines.rows.rows, cosines.rows.columns)
    let norms = cosines.norms
    var mean = [Double](repeating: 0, count: d)
    var nonzero = 0
    cosines.rows.storage.withUnsafeBufferPointer { xs in
      for i in 0 ..< n where norms[i] > 0 {
        nonzero += 1
        for t in 0 ..< d { mean[t] += Double(xs[i * d + t]) / norms[i] }
      }
    }
    if nonzero > 0 { for t in 0 ..< d { mean[t] /= Double(nonzero) } }
    var largest = 0.0
    cosines.rows.storage.withUnsafeBufferPointer { xs in
      for i in 0 ..< n where norms[i] > 0 {
        for t in 0 ..< d { largest = max(largest, abs(Double(xs[i * d + t]) / norms[i] - mean[t])) }
      }
    }
    let scale = largest > 0 ? Double(sign: .plus, exponent: -(largest.exponent + 1), significand: 1) : 1
    var screened = Matrix(rows: n, columns: d)
    var squaredNorms = [Double](repeating: 0, count: n)
    cosines.rows.storage.withUnsafeBufferPointer { xs in
      screened.storage.withUnsafeMutableBufferPointer { out in
        for i in 0 ..< n where norms[i] > 0 {
          var sum = 0.0
          for t in 0 ..< d {
            let value = Float((Double(xs[i * d + t]) / norms[i] - mean[t]) * scale)
            out[i * d + t] = value
            sum += Double(value) * Double(value)
          }
          squaredNorms[i] = sum
        }
      }
    }
    (self.screened, self.squaredNorms, scaleSquared) = (screened, squaredNorms, scale * scale)
  }
}

/// The Float64 cosines between the Float32 rows of one matrix, with each row's norm computed once.
struct RowCosines: Sendable {
  /// The rows, as given.
  let rows: Matrix
  /// ‖xᵢ‖ in Float64.
  let norms: [Double]

  /// - Complexity: O(n·d) Float64 flops.
  init(_ x: Matrix) {
    rows = x
    norms = (0 ..< x.rows).map { i in
      x.storage.withUnsafeBufferPointer { xs in
        guard x.columns > 0, let base = xs.baseAddress else { return 0 }
        return Self.dot(base + i * x.columns, base + i * x.columns, count: x.columns).squareRoot()
      }
    }
  }

  /// Whether every element is finite; neighbours are defined only then.
  /// (A Float64 sum of squares of finite Float32 values cannot overflow, so a norm is finite exactly when its row is.)
  var isFinite: Bool { norms.allSatisfy(\.isFinite) }

  /// cos(i, j) = (xᵢ·xⱼ)/(‖xᵢ‖·‖xⱼ‖) in Float64; 0 when either row is zero. Symmetric in i and j, bit for bit.
  ///
  /// - Complexity: O(d).
  func cosine(_ i: Int, _ j: Int) -> Double {
    let denominator = norms[i] * norms[j]
    guard denominator > 0 else { return 0 }
    let d = rows.columns
    return rows.storage.withUnsafeBufferPointer { xs in
      guard let base = xs.baseAddress else { return 0 }
      return Self.dot(base + i * d, base + j * d, count: d) / denominator
    }
  }

  /// Σₜ aₜbₜ in Float64 over `count` Float32 elements, in four interleaved lanes (t mod 4) added as
  /// (s₀ + s₁) + (s₂ + s₃). Each product is exact in Float64, and swapping a and b gives the same bits.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
    var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
    var t = 0
    while t + 4 <= count {
      s0 += Double(a[t]) * Double(b[t])
      s1 += Double(a[t + 1]) * Double(b[t + 1])
      s2 += Double(a[t + 2]) * Double(b[t + 2])
      s3 += Double(a[t + 3]) * Double(b[t + 3])
      t += 4
    }
    if t < count { s0 += Double(a[t]) * Double(b[t]) }
    if t + 1 < count { s1 += Double(a[t + 1]) * Double(b[t + 1]) }
    if t + 2 < count { s2 += Double(a[t + 2]) * Double(b[t + 2]) }
    return (s0 + s1) + (s2 + s3)
  }
}
