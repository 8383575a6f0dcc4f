/// The centered Gram matrix K̃ = X̃X̃ᵀ (n×n, Float64) of one whole n×d Float32 matrix, X̃ column-centered: the
/// example-space view of a layer, cheaper than the d×d feature statistics when n is much smaller than d.
///
/// Linear CKA and debiased CKA need, for a pair, ‖X̃ᵀỸ‖²_F = ⟨K̃, L̃⟩ and the centered row norms rₓ = diag K̃, and for
/// each side ‖X̃ᵀX̃‖²_F = ‖K̃‖²_F: the same numbers the feature statistics give, so both routes compute one value.
///
/// **Arithmetic.** As in `ColumnStatistics`, the rows are first shifted by the column means rounded to Float32
/// (u_i = x_i − c, computed in Float32); K_u = UUᵀ is summed by `ssyrk` over blocks of at most `columnChunk` columns,
/// each block's Float32 product widened into Float64; then K̃ = H·K_u·H (H = I − 11ᵀ/n) is formed exactly in Float64
/// (centering is unchanged by the shift, and the shift leaves it only a small correction to make).
///
/// - Complexity: n²·d flops (`ssyrk`), O(n²) Float64 memory plus one n×d Float32 copy while building.
public struct CenteredGram: Sendable {
  /// The number of rows n.
  public let rowCount: Int
  /// K̃, row-major n×n, both triangles.
  public let values: [Double]
  /// ‖K̃‖²_F = ‖X̃ᵀX̃‖²_F.
  public let frobeniusNormSquared: Double
  /// diag K̃: the centered row norms squared rₓ[i] = ‖x̃_i‖².
  public let diagonal: [Double]

  /// The centered Gram of `x`.
  ///
  /// - Parameter columnChunk: columns per Float32 product (each entry of a product is a Float32 sum of at most this
  ///   many terms).
  public init(_ x: Matrix, columnChunk: Int = RowChunker.defaultChunkRows) {
    precondition(columnChunk > 0, "CenteredGram: columnChunk must be positive")
    let (n, d) = (x.rows, x.columns)
    rowCount = n
    var gram = [Double](repeating: 0, count: n * n)
    if n > 0, d > 0 {
      var shifted = x.storage
      shifted.withUnsafeMutableBufferPointer { u in
        let shift = columnMeans(UnsafeBufferPointer(u), rows: n, columns: d)
        for i in 0 ..< n {
          for j in 0 ..< d { u[i * d + j] -= shift[j] }
        }
        withFloatScratch(count: n * n) { product in
          gram.withUnsafeMutableBufferPointer { k in
            for start in stride(from: 0, to: d, by: columnChunk) {
              BLAS.syrk(.upper, .none, n: n, k: min(columnChunk, d - start), alpha: 1, a: u.baseAddress! + start,
                        lda: d, beta: 0, c: product.baseAddress, ldc: n)
              addWidenedUpperTriangle(UnsafeBufferPointer(product), into: k, order: n, first: false)
            }
            mirrorUpperTriangle(k.baseAddress, order: n)
          }
        }
      }
      Self.center(&gram, order: n)
    }
    values = gram
    frobeniusNormSquared = Self.innerProduct(gram, gram)
    diagonal = (0 ..< n).map { gram[$0 * n + $0] }
  }

  /// tr K̃ = Σ rₓ = ‖X̃‖²_F.
  public var trace: Double { diagonal.reduce(0, +) }

  /// ⟨K̃, L̃⟩ = tr(K̃L̃) = ‖X̃ᵀỸ‖²_F.
  ///
  /// - Precondition: equal row counts.
  /// - Complexity: O(n²).
  public func inner(_ other: CenteredGram) -> Double {
    precondition(rowCount == other.rowCount, "CenteredGram.inner: \(rowCount) rows against \(other.rowCount)")
    return Self.innerProduct(values, other.values)
  }

  /// ⟨rₓ, r_y⟩, the inner product of the two sides' centered row norms.
  ///
  /// - Precondition: equal row counts.
  public func diagonalDot(_ other: CenteredGram) -> Double {
    precondition(rowCount == other.rowCount, "CenteredGram.diagonalDot: \(rowCount) rows against \(other.rowCount)")
    return zip(diagonal, other.diagonal).reduce(0) { $0 + $1.0 * $1.1 }
  }

  /// K ← HKH in place: K_ab − m_a − m_b + g, with m the row means and g the grand mean (K symmetric).
  private static func center(_ k: inout [Double], order n: Int) {
    var means = [Double](repeating: 0, count: n)
    for a in 0 ..< n {
      var sum = 0.0
      for b in 0 ..< n { sum += k[a * n + b] }
      means[a] = sum / Double(n)
    }
    let grand = means.reduce(0, +) / Double(n)
    for a in 0 ..< n {
      for b in 0 ..< n { k[a * n + b] += grand - means[a] - means[b] }
    }
  }

  /// Σ aᵢbᵢ with four running sums, in a fixed order.
  private static func innerProduct(_ a: [Double], _ b: [Double]) -> Double {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        var sums = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        while i + 4 <= a.count {
          sums.0 += a[i] * b[i]
          sums.1 += a[i + 1] * b[i + 1]
          sums.2 += a[i + 2] * b[i + 2]
          sums.3 += a[i + 3] * b[i + 3]
          i += 4
        }
        while i < a.count {
          sums.0 += a[i] * b[i]
          i += 1
        }
        return (sums.0 + sums.1) + (sums.2 + sums.3)
      }
    }
  }
}
