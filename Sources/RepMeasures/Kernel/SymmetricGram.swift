import RepMath

/// An n×n symmetric Float64 matrix over the examples (a Gram or a squared-distance matrix) of which only the upper
/// triangle (i ≤ j) is meaningful, as BLAS `dsyrk` leaves it; the lower triangle is never read.
///
/// Working on one triangle halves the element loops; every sum below runs over the upper triangle and counts each
/// off-diagonal entry twice. All sums are Float64, in row order.
///
/// ## Topics
/// - Creating: `linear(_:)` (`dsyrk`), `RowDistances.squared(_:)`
/// - Kernels: `center()` (HKH), `frobeniusProduct(_:)`, `UnbiasedHSIC`
struct SymmetricGram {
  /// The matrix; element (i, j) with i ≤ j is `storage[i · order + j]`.
  var matrix: DoubleMatrix

  /// n, the number of examples.
  var order: Int { matrix.rows }

  /// Wraps an n×n matrix whose upper triangle holds the values.
  ///
  /// - Precondition: `matrix` is square.
  init(upperTriangleOf matrix: DoubleMatrix) {
    precondition(matrix.rows == matrix.columns, "SymmetricGram: \(matrix.rows)×\(matrix.columns) is not square")
    self.matrix = matrix
  }

  /// The linear Gram ZZᵀ of the rows of `z` (n×d), summed in Float64.
  ///
  /// - Complexity: n²·d flops (`dsyrk`), n² Float64 memory.
  static func linear(_ z: DoubleMatrix) -> SymmetricGram {
    var gram = DoubleMatrix(rows: z.rows, columns: z.rows)
    BLAS.symmetricRankKUpdate(z, .none, triangle: .upper, into: &gram)
    return SymmetricGram(upperTriangleOf: gram)
  }

  /// Replaces every stored entry (diagonal included) by `transform` of it.
  ///
  /// - Complexity: n(n+1)/2 calls.
  mutating func transformEntries(_ transform: (Double) -> Double) {
    let n = order
    matrix.storage.withUnsafeMutableBufferPointer { g in
      for i in 0 ..< n {
        for j in i ..< n { g[i * n + j] = transform(g[i * n + j]) }
      }
    }
  }

  /// The row sums Σⱼ Kᵢⱼ of the full symmetric matrix, with or without the diagonal term.
  ///
  /// - Complexity: n(n+1)/2 additions.
  func rowSums(includingDiagonal: Bool) -> [Double] {
    let n = order
    var sums = [Double](repeating: 0, count: n)
    matrix.storage.withUnsafeBufferPointer { g in
      for i in 0 ..< n {
        if includingDiagonal { sums[i] += g[i * n + i] }
        for j in (i + 1) ..< n {
          sums[i] += g[i * n + j]
          sums[j] += g[i * n + j]
        }
      }
    }
    return sums
  }

  /// Double centering in place: K ← HKH with H = I − 11ᵀ/n, that is Kᵢⱼ − mᵢ − mⱼ + m with mᵢ the row means and m
  /// the grand mean (biased HSIC, Gretton et al. 2005).
  ///
  /// - Complexity: O(n²).
  mutating func center() {
    let n = order
    guard n > 0 else { return }
    let means = rowSums(includingDiagonal: true).map { $0 / Double(n) }
    var grand = 0.0
    for value in means { grand += value }
    grand /= Double(n)
    matrix.storage.withUnsafeMutableBufferPointer { g in
      for i in 0 ..< n {
        for j in i ..< n { g[i * n + j] = g[i * n + j] - means[i] - means[j] + grand }
      }
    }
  }

  /// ⟨K, L⟩_F = Σᵢⱼ Kᵢⱼ Lᵢⱼ over the full symmetric matrices.
  ///
  /// - Precondition: equal orders.
  /// - Complexity: n(n+1)/2 multiply-adds.
  func frobeniusProduct(_ other: SymmetricGram) -> Double {
    precondition(order == other.order, "SymmetricGram.frobeniusProduct: orders \(order) and \(other.order)")
    let n = order
    var diagonal = 0.0
    var offDiagonal = 0.0
    matrix.storage.withUnsafeBufferPointer { k in
      other.matrix.storage.withUnsafeBufferPointer { l in
        for i in 0 ..< n {
          diagonal += k[i * n + i] * l[i * n + i]
          for j in (i + 1) ..< n { offDiagonal += k[i * n + j] * l[i * n + j] }
        }
      }
    }
    return diagonal + 2 * offDiagonal
  }
}

/// The unbiased HSIC estimator of Song et al. (2012), in the form of `docs/measures.md`: for n×n Grams K, L with
/// zeroed diagonals K̄, L̄,
///
/// ```
/// HSIC_u(K, L) = [tr(K̄L̄) + (1ᵀK̄1)(1ᵀL̄1)/((n−1)(n−2)) − 2/(n−2)·1ᵀK̄L̄1] / (n(n−3))
/// ```
///
/// [Song et al., "Feature Selection via Dependence Maximization", JMLR 13 (2012)](https://jmlr.org/papers/v13/song12a.html).
/// It is unchanged by translating the features, can be negative, and needs n ≥ 4.
enum UnbiasedHSIC {
  /// HSIC_u(K, L), HSIC_u(K, K) and HSIC_u(L, L) from one pass over both upper triangles.
  ///
  /// - Precondition: equal orders n ≥ 4.
  /// - Complexity: about 3n²/2 multiply-adds; O(n) extra memory.
  static func values(_ k: SymmetricGram, _ l: SymmetricGram) -> (kl: Double, kk: Double, ll: Double) {
    precondition(k.order == l.order && k.order >= 4, "UnbiasedHSIC: orders \(k.order) and \(l.order), need n ≥ 4")
    let n = k.order
    // tr(K̄L̄) = Σ_{i≠j} KᵢⱼLᵢⱼ for symmetric Grams; K̄1 are the row sums without the diagonal.
    var (traceKL, traceKK, traceLL) = (0.0, 0.0, 0.0)
    k.matrix.storage.withUnsafeBufferPointer { kk in
      l.matrix.storage.withUnsafeBufferPointer { ll in
        for i in 0 ..< n {
          for j in (i + 1) ..< n {
            let (a, b) = (kk[i * n + j], ll[i * n + j])
            traceKL += a * b
            traceKK += a * a
            traceLL += b * b
          }
        }
      }
    }
    let rowsK = k.rowSums(includingDiagonal: false)
    let rowsL = l.rowSums(includingDiagonal: false)
    var (sumK, sumL, crossKL, crossKK, crossLL) = (0.0, 0.0, 0.0, 0.0, 0.0)
    for i in 0 ..< n {
      sumK += rowsK[i]
      sumL += rowsL[i]
      crossKL += rowsK[i] * rowsL[i]
      crossKK += rowsK[i] * rowsK[i]
      crossLL += rowsL[i] * rowsL[i]
    }
    let m = Double(n)
    func hsic(_ trace: Double, _ sumA: Double, _ sumB: Double, _ cross: Double) -> Double {
      (trace + sumA * sumB / ((m - 1) * (m - 2)) - 2 / (m - 2) * cross) / (m * (m - 3))
    }
    return (hsic(2 * traceKL, sumK, sumL, crossKL), hsic(2 * traceKK, sumK, sumK, crossKK),
            hsic(2 * traceLL, sumL, sumL, crossLL))
  }
}
