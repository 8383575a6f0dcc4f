import RepMath

/// Squared Euclidean distances between the rows of a matrix, and their median, for the RBF kernels and the
/// Euclidean RDM.
enum RowDistances {
  /// D with Dᵢⱼ = ‖xᵢ − xⱼ‖², an n×n Float64 matrix (upper triangle; the diagonal exactly 0).
  ///
  /// D comes from the Gram matrix, Dᵢⱼ = gᵢᵢ + gⱼⱼ − 2gᵢⱼ with g = ZZᵀ summed in Float64 (`dsyrk`), where Z = X − 1sᵀ
  /// and s is the column mean rounded to Float32. D does not change under a translation, and subtracting a Float32
  /// shift from Float32 data is exact in Float64, so Z has the same pairwise differences as X exactly; the shift only
  /// removes the cancellation that large row norms (activations with an offset of +50) would cause: the rounding
  /// error of Dᵢⱼ is about 1e-16·(‖zᵢ‖² + ‖zⱼ‖²). Tiny negative results of that rounding are set to 0.
  ///
  /// - Complexity: n²·d flops (`dsyrk`), n² + n·d Float64 memory.
  static func squared(_ x: Matrix) -> SymmetricGram {
    let (n, d) = (x.rows, x.columns)
    var z = DoubleMatrix(rows: n, columns: d)
    x.storage.withUnsafeBufferPointer { xs in
      var shift = [Double](repeating: 0, count: d)
      for i in 0 ..< n {
        for j in 0 ..< d { shift[j] += Double(xs[i * d + j]) }
      }
      for j in 0 ..< d { shift[j] = Double(Float(shift[j] / Double(max(n, 1)))) }
      z.storage.withUnsafeMutableBufferPointer { zs in
        for i in 0 ..< n {
          for j in 0 ..< d { zs[i * d + j] = Double(xs[i * d + j]) - shift[j] }
        }
      }
    }
    var distances = SymmetricGram.linear(z)
    distances.matrix.storage.withUnsafeMutableBufferPointer { g in
      let norms = (0 ..< n).map { g[$0 * n + $0] }
      for i in 0 ..< n {
        g[i * n + i] = 0
        for j in (i + 1) ..< n {
          let value = norms[i] + norms[j] - 2 * g[i * n + j]
          g[i * n + j] = value > 0 ? value : 0
        }
      }
    }
    return distances
  }

  /// The median of all n² entries of a distance matrix, the zero diagonal included; for an even count the mean of
  /// the two middle entries (numpy's `median`).
  ///
  /// The sorted entries are n zeros (the diagonal) followed by each off-diagonal value twice, so the median is found
  /// by selecting one or two order statistics of the strict upper triangle, without a copy.
  ///
  /// - Precondition: n ≥ 1; the entries are ≥ 0 (as `squared(_:)` makes them).
  /// - Complexity: O(n²) time (at most 8 passes over the triangle), O(1) extra memory.
  static func medianOfAllEntries(_ distances: SymmetricGram) -> Double {
    let n = distances.order
    precondition(n >= 1, "RowDistances.medianOfAllEntries: empty matrix")
    let count = n * n
    // The m-th smallest entry (0-based) of all n² entries.
    func entry(_ m: Int) -> Double { m < n ? 0 : smallestOffDiagonal(rank: (m - n) / 2, of: distances) }
    if count % 2 == 1 { return entry(count / 2) }
    return (entry(count / 2 - 1) + entry(count / 2)) / 2
  }

  /// The `rank`-th smallest (0-based) of the n(n−1)/2 entries above the diagonal, by radix selection on the bit
  /// patterns, 16 bits per pass: for non-negative doubles the order of the bit patterns is the order of the values.
  ///
  /// - Precondition: `0 <= rank < n(n−1)/2`; the entries are ≥ 0 or +0.
  /// - Complexity: 4 passes over the triangle, a 2¹⁶-entry histogram.
  private static func smallestOffDiagonal(rank: Int, of distances: SymmetricGram) -> Double {
    let n = distances.order
    precondition(rank >= 0 && rank < n * (n - 1) / 2, "RowDistances: rank \(rank) outside the triangle of order \(n)")
    var prefix: UInt64 = 0
    var mask: UInt64 = 0
    var remaining = rank
    var histogram = [Int](repeating: 0, count: 1 << 16)
    distances.matrix.storage.withUnsafeBufferPointer { g in
      histogram.withUnsafeMutableBufferPointer { counts in
        for shift in stride(from: 48, through: 0, by: -16) {
          for b in counts.indices { counts[b] = 0 }
          for i in 0 ..< n {
            for j in (i + 1) ..< n {
              let bits = g[i * n + j].bitPattern
              if bits & mask == prefix { counts[Int((bits >> UInt64(shift)) & 0xFFFF)] += 1 }
            }
          }
          var digit = 0
          while remaining >= counts[digit] {
            remaining -= counts[digit]
            digit += 1
          }
          prefix |= UInt64(digit) << UInt64(shift)
          mask |= UInt64(0xFFFF) << UInt64(shift)
        }
      }
    }
    return Double(bitPattern: prefix)
  }
}
