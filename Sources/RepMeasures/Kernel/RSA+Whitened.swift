// The whitened comparators of rsatoolbox (`cosine_cov`, `corr_cov`, with its default iid noise, sigma_k = None), in
// O(n²) time and O(n) memory beyond the two triangles, for `rsa(compare=cosine_cov|corr_cov)`.
//
// rsatoolbox defines them as the cosine of the two RDM triangles d₁, d₂ (m = n(n−1)/2 entries) in the metric V⁻¹,
// V the m×m covariance of RDM entries under iid noise: V = Ξ∘Ξ, Ξ = CCᵀ, C the m×n pairwise-contrast matrix, so
// V[(ij),(ij)] = 4, V[(ij),(ik)] = 1 for one shared condition, 0 otherwise (eigenvalues 2n, n, 2: V is invertible).
// Forming V takes m² = n⁴/4 entries (10¹⁵ at n = 10,000); inverting it, m³. rsatoolbox's `_cov_weighting` avoids both
// with a closed form that this file implements: for the full symmetric RDM D (zero diagonal) let
//
//   G = −½ H D H,   H = I − 11ᵀ/n          (double centering: Gᵢⱼ = −½(Dᵢⱼ − rᵢ − rⱼ + g), r the row means, g the
//                                           grand mean of D)
//   d₁ᵀV⁻¹d₂ ∝ ⟨G₁, G₂⟩_F = 2 Σᵢ<ⱼ G₁ᵢⱼ G₂ᵢⱼ + Σᵢ G₁ᵢᵢ G₂ᵢᵢ
//
// so cosine_cov = ⟨G₁, G₂⟩_F / (‖G₁‖_F ‖G₂‖_F). (rsatoolbox stretches the off-diagonal entries by √2 and appends the
// diagonal; the inner product of those vectors is this one.) corr_cov is the same after subtracting from each
// triangle the mean of its entries. The fixture script checks both against the dense V⁻¹ definition. For a squared
// Euclidean RDM, G is the centered Gram matrix X̃X̃ᵀ, and cosine_cov is linear CKA.

extension RSA {
  /// The cosine of the two double-centered RDMs, ⟨G_a, G_b⟩_F / (‖G_a‖_F ‖G_b‖_F) with G = −½ H D H, D the n×n
  /// symmetric RDM whose upper triangle (row-major, i < j) is `a` (resp. `b`) and whose diagonal is 0. With
  /// `subtractingMean`, each triangle first has the mean of its entries subtracted (rsatoolbox's `corr_cov`).
  /// Returns nil when G_a or G_b is 0 (for cosine_cov exactly when the RDM is 0; for corr_cov when it is constant).
  ///
  /// - Precondition: `a.count == b.count == n(n−1)/2`.
  /// - Complexity: two passes over the triangles, O(n²) flops summed in Float64; O(n) memory for the row means.
  static func whitenedCosine(_ a: [Double], _ b: [Double], rowCount n: Int, subtractingMean: Bool) -> Double? {
    precondition(a.count == n * (n - 1) / 2 && b.count == a.count, "RSA.whitenedCosine: \(a.count) entries, n = \(n)")
    let shiftA = subtractingMean ? mean(a) : 0
    let shiftB = subtractingMean ? mean(b) : 0
    let (rowsA, grandA) = rowMeans(a, rowCount: n, shift: shiftA)
    let (rowsB, grandB) = rowMeans(b, rowCount: n, shift: shiftB)
    // −2G entries; the factor cancels in the cosine.
    var (ab, aa, bb) = (0.0, 0.0, 0.0)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        var k = 0
        for i in 0 ..< n {
          let (offsetA, offsetB) = (grandA - rowsA[i], grandB - rowsB[i])
          for j in (i + 1) ..< max(n, i + 1) {
            let u = a[k] - shiftA - rowsA[j] + offsetA
            let v = b[k] - shiftB - rowsB[j] + offsetB
            ab += u * v
            aa += u * u
            bb += v * v
            k += 1
          }
        }
      }
    }
    (ab, aa, bb) = (2 * ab, 2 * aa, 2 * bb)
    for i in 0 ..< n {
      let u = grandA - 2 * rowsA[i]
      let v = grandB - 2 * rowsB[i]
      ab += u * v
      aa += u * u
      bb += v * v
    }
    guard aa > 0, bb > 0 else { return nil }
    return ab / (aa * bb).squareRoot()
  }

  /// The mean of the entries, summed in Float64.
  private static func mean(_ values: [Double]) -> Double {
    values.reduce(0, +) / Double(values.count)
  }

  /// The row means rᵢ = (1/n) Σⱼ Dᵢⱼ of the full symmetric matrix with upper triangle `triangle − shift` and a zero
  /// diagonal, and its grand mean (1/n) Σᵢ rᵢ.
  private static func rowMeans(
    _ triangle: [Double], rowCount n: Int, shift: Double
  ) -> (rows: [Double], grand: Double) {
    var sums = [Double](repeating: 0, count: n)
    triangle.withUnsafeBufferPointer { t in
      var k = 0
      for i in 0 ..< n {
        var rowSum = 0.0
        for j in (i + 1) ..< max(n, i + 1) {
          let value = t[k] - shift
          rowSum += value
          sums[j] += value
          k += 1
        }
        sums[i] += rowSum
      }
    }
    let rows = sums.map { $0 / Double(n) }
    return (rows, rows.reduce(0, +) / Double(n))
  }
}
