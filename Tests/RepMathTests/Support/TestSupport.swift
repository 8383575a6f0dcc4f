import Testing
import RepMath

/// SplitMix64 (Steele, Lea, Flood 2014): a small repeatable generator, so a failing seed can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

extension Matrix {
  /// Uniform entries in [-1, 1) plus `offset`.
  static func random(rows: Int, columns: Int, offset: Float = 0, using generator: inout SplitMix64) -> Matrix {
    Matrix(rows: rows, columns: columns,
           storage: (0 ..< rows * columns).map { _ in Float.random(in: -1 ..< 1, using: &generator) + offset })
  }

  /// Activation-like data: n×d rows Z·W (k latent factors, so the columns are correlated and the spectrum decays),
  /// plus per-column offsets of about `offset` and a little noise.
  static func activations(rows: Int, columns: Int, offset: Float, using generator: inout SplitMix64) -> Matrix {
    let k = max(1, columns / 2)
    let z = (0 ..< rows * k).map { _ in Double.random(in: -1 ..< 1, using: &generator) }
    let w = (0 ..< k * columns).map { _ in Double.random(in: -1 ..< 1, using: &generator) / Double(k).squareRoot() }
    let offsets = (0 ..< columns).map { _ in Double(offset) * Double.random(in: 0.5 ..< 1.5, using: &generator) }
    var storage = [Float](repeating: 0, count: rows * columns)
    for i in 0 ..< rows {
      for j in 0 ..< columns {
        var sum = offsets[j] + 0.05 * Double.random(in: -1 ..< 1, using: &generator)
        for l in 0 ..< k { sum += z[i * k + l] * w[l * columns + j] }
        storage[i * columns + j] = Float(sum)
      }
    }
    return Matrix(rows: rows, columns: columns, storage: storage)
  }
}

extension DoubleMatrix {
  static func random(rows: Int, columns: Int, using generator: inout SplitMix64) -> DoubleMatrix {
    DoubleMatrix(rows: rows, columns: columns,
                 storage: (0 ..< rows * columns).map { _ in Double.random(in: -1 ..< 1, using: &generator) })
  }

  /// A random symmetric matrix (B + Bᵀ)/2.
  static func randomSymmetric(_ n: Int, using generator: inout SplitMix64) -> DoubleMatrix {
    let b = random(rows: n, columns: n, using: &generator)
    return 0.5 * (b + b.transposed())
  }
}

// MARK: - Naive Float64 references

/// op(A)·op(B) by three loops in Float64.
func naiveProduct(_ a: DoubleMatrix, transposingA: Bool = false, _ b: DoubleMatrix, transposingB: Bool = false)
  -> DoubleMatrix
{
  let opA = transposingA ? a.transposed() : a
  let opB = transposingB ? b.transposed() : b
  precondition(opA.columns == opB.rows)
  var c = DoubleMatrix(rows: opA.rows, columns: opB.columns)
  for i in 0 ..< opA.rows {
    for j in 0 ..< opB.columns {
      var sum = 0.0
      for l in 0 ..< opA.columns { sum += opA[i, l] * opB[l, j] }
      c[i, j] = sum
    }
  }
  return c
}

/// Direct Float64 statistics of a whole matrix: column means, X̃ (centered, Float64), centered row norms squared.
struct DirectStatistics {
  let mean: [Double]
  let centered: DoubleMatrix
  let rowNorms: [Double]

  init(_ x: Matrix) {
    let (n, d) = (x.rows, x.columns)
    var mean = [Double](repeating: 0, count: d)
    for i in 0 ..< n { for j in 0 ..< d { mean[j] += Double(x[i, j]) } }
    mean = mean.map { $0 / Double(n) }
    var centered = DoubleMatrix(rows: n, columns: d)
    var rowNorms = [Double](repeating: 0, count: n)
    for i in 0 ..< n {
      for j in 0 ..< d {
        let value = Double(x[i, j]) - mean[j]
        centered[i, j] = value
        rowNorms[i] += value * value
      }
    }
    self.mean = mean
    self.centered = centered
    self.rowNorms = rowNorms
  }

  var centeredGram: DoubleMatrix { naiveProduct(centered, transposingA: true, centered) }
  func centeredCross(_ other: DirectStatistics) -> DoubleMatrix {
    naiveProduct(centered, transposingA: true, other.centered)
  }
  var rowNormSum: Double { rowNorms.reduce(0, +) }
  func rowNormDot(_ other: DirectStatistics) -> Double { zip(rowNorms, other.rowNorms).reduce(0) { $0 + $1.0 * $1.1 } }
}

// MARK: - Error measures

/// ‖A − B‖_F / ‖B‖_F (0 when both are empty or zero).
func relativeError(_ a: DoubleMatrix, _ b: DoubleMatrix) -> Double {
  precondition(a.rows == b.rows && a.columns == b.columns, "relativeError: shapes differ")
  let scale = b.frobeniusNormSquared.squareRoot()
  let difference = (a - b).frobeniusNormSquared.squareRoot()
  return scale == 0 ? difference : difference / scale
}

func relativeError(_ a: Matrix, _ b: DoubleMatrix) -> Double { relativeError(DoubleMatrix(a), b) }

/// ‖a − b‖₂ / ‖b‖₂ for vectors.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
  relativeError(DoubleMatrix(rows: 1, columns: a.count, storage: a),
                DoubleMatrix(rows: 1, columns: b.count, storage: b))
}

/// |a − b| / |b|.
func relativeError(_ a: Double, _ b: Double) -> Double { b == 0 ? abs(a) : abs(a - b) / abs(b) }

/// The largest |aᵢⱼ − bᵢⱼ|.
func maxDifference(_ a: DoubleMatrix, _ b: DoubleMatrix) -> Double {
  zip(a.storage, b.storage).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Pushes each matrix through a `RowChunker` in blocks of the given row counts (cycled), always feeding the lagging
/// matrix, and returns the joint statistics.
func streamedStatistics(
  _ matrices: [Matrix], blockRows: [[Int]], pairs: [(Int, Int)]? = nil, chunkRows: Int = RowChunker.defaultChunkRows
) -> JointStatistics {
  var statistics = JointStatistics(columnCounts: matrices.map(\.columns), pairs: pairs)
  var chunker = RowChunker(columnCounts: matrices.map(\.columns), chunkRows: chunkRows)
  var blockIndex = [Int](repeating: 0, count: matrices.count)
  let n = matrices.first?.rows ?? 0
  while chunker.rowsPushed.contains(where: { $0 < n }) {
    let k = chunker.laggingMatrix
    let sizes = blockRows[k % blockRows.count]
    let start = chunker.rowsPushed[k]
    let rows = min(sizes[blockIndex[k] % sizes.count], n - start)
    blockIndex[k] += 1
    let width = matrices[k].columns
    matrices[k].storage.withUnsafeBufferPointer { storage in
      let block = UnsafeBufferPointer(rebasing: storage[start * width ..< (start + rows) * width])
      chunker.push(block, rows: rows, matrix: k) { statistics.accumulate($0) }
    }
  }
  chunker.finish { statistics.accumulate($0) }
  return statistics
}

// MARK: - Float32 product rounding

/// Checks that two computations of one pair's cross statistics, from the same chunks of X and Y but through different
/// BLAS calls (one pair alone, or a panel of many layers), agree to within what Float32 products allow.
///
/// Each chunk's [U q]ᵀ[V p] is one Float32 `sgemm` over `chunkRows` rows; a kernel may sum those k terms in any order,
/// and each result is then within γ_k·Σ|uᵢ||vⱼ| of the exact sum, γ_k = k·u/(1 − k·u), u = 2⁻²⁴ (Higham, *Accuracy
/// and Stability of Numerical Algorithms*, §3.1). Two kernels are within twice that of each other. Everything else
/// (shifts, row count, Σ q·p in Float64) does not involve the BLAS and must be equal.
func expectWithinFloat32ProductRounding(
  _ a: CrossStatistics, _ b: CrossStatistics, x: Matrix, y: Matrix, chunkRows: Int,
  _ comment: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(a.xShift == b.xShift && a.yShift == b.yShift && a.rowCount == b.rowCount, "\(comment)",
          sourceLocation: sourceLocation)
  #expect(a.shiftedNormSquareProductSum == b.shiftedNormSquareProductSum, "\(comment)", sourceLocation: sourceLocation)
  guard let xShift = a.xShift, let yShift = a.yShift else { return }
  let k = Double(min(chunkRows, x.rows))
  let gamma = k * 0x1p-24 / (1 - k * 0x1p-24)
  // Σ|u||v|, Σ|p||u| and Σ|q||v| over all rows, from the same Float32 shifted values the statistics use.
  var crossBound = DoubleMatrix(rows: x.columns, columns: y.columns)
  var xWeightedBound = [Double](repeating: 0, count: x.columns)
  var yWeightedBound = [Double](repeating: 0, count: y.columns)
  for r in 0 ..< x.rows {
    let u = (0 ..< x.columns).map { Double(x[r, $0] - xShift[$0]) }
    let v = (0 ..< y.columns).map { Double(y[r, $0] - yShift[$0]) }
    let q = Double(Float(u.reduce(0) { $0 + $1 * $1 }))
    let p = Double(Float(v.reduce(0) { $0 + $1 * $1 }))
    for i in u.indices {
      xWeightedBound[i] += p * abs(u[i])
      for j in v.indices { crossBound[i, j] += abs(u[i] * v[j]) }
    }
    for j in v.indices { yWeightedBound[j] += q * abs(v[j]) }
  }
  // Float64 additions across chunks add a relative 1e-15 or so on top: a slack of 1.01.
  let tolerance = 2 * gamma * 1.01
  let cross = (a.shiftedCross, b.shiftedCross)
  for i in 0 ..< x.columns {
    for j in 0 ..< y.columns {
      #expect(abs(cross.0[i, j] - cross.1[i, j]) <= tolerance * crossBound[i, j], "\(comment): C[\(i), \(j)]",
              sourceLocation: sourceLocation)
    }
    #expect(abs(a.xWeightedByYNormSquares[i] - b.xWeightedByYNormSquares[i]) <= tolerance * xWeightedBound[i],
            "\(comment): Σ p·u[\(i)]", sourceLocation: sourceLocation)
  }
  for j in 0 ..< y.columns {
    #expect(abs(a.yWeightedByXNormSquares[j] - b.yWeightedByXNormSquares[j]) <= tolerance * yWeightedBound[j],
            "\(comment): Σ q·v[\(j)]", sourceLocation: sourceLocation)
  }
}
