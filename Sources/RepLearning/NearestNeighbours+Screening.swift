import RepMath

extension NearestNeighbours {
  /// The shift and scale under which distances are screened in Float32, and the bound on the screening error.
  ///
  /// **Shift.** The GEMM form subtracts 2·q·b from ‖q‖² + ‖b‖²; under a large common offset, which activations often
  /// have, all three are huge and Float32 rounding swamps the distances. A common shift changes no distance, so rows
  /// are screened as x̃ = s·(x − μ) rounded to Float32, μ the base rows' column means in Float64.
  ///
  /// **Scale.** s is the power of two that puts every shifted element of both matrices in (−1, 1): squares cannot
  /// overflow, and only elements far below the largest reach Float32's subnormal range. Screened values are s²·D.
  ///
  /// **Bound.** With u = 2⁻²⁴ (Float32 rounding), the screened value ‖q̃‖² + ‖b̃‖² − 2·fl₃₂(q̃·b̃), formed in Float64,
  /// is within `slack` of s²·D, where
  ///
  /// ```
  /// slack(q̃, b̃) = γ·(‖q̃‖² + ‖b̃‖²) + η,   γ = (d + 16)·2⁻²³,   η = (d + 1)·2⁻¹⁴⁰
  /// ```
  ///
  /// because the Float32 dot product, summed in any order, errs by at most du/(1 − du)·Σ|q̃ₜb̃ₜ| ≤ du/(1 − du)·
  /// (‖q̃‖² + ‖b̃‖²)/2 (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1), doubled by the
  /// factor 2; rounding the shifted rows to Float32 moves the distance by at most 4u·(‖q̃‖² + ‖b̃‖²); the norms, the
  /// sum and D itself are in Float64 (errors near d·2⁻⁵³); and elements or products below Float32's normal range add
  /// at most 2⁻¹⁴⁹ each, 6d·2⁻¹⁵⁰ in all. The total is below (d + 5)·u·(‖q̃‖² + ‖b̃‖²) + 6d·2⁻¹⁵⁰ for d < 2²⁰, so γ
  /// and η hold a margin of two at least. A base row whose screened value minus its slack exceeds s² times the
  /// current k-th exact distance cannot be a neighbour and is skipped without computing D. γ and η are
  /// `Float32ProductBound`'s, shared with the cosine search of the neighbour measures.
  struct ScreeningFrame: Sendable {
    /// μ: the base rows' column means, subtracted from every row.
    let shift: [Double]
    /// s: a power of two, so scaling is exact.
    let scale: Double
    /// γ in `slack`.
    let slackPerSquaredNorm: Double
    /// η in `slack`.
    let absoluteSlack: Double

    /// Reads both matrices once for the column means and ranges.
    ///
    /// - Precondition: `base.rows >= 1` and equal widths (checked by `validate`).
    /// - Throws: `NeighbourSearchError.nonFinite` naming the first NaN or infinite element (row-major order).
    init(queries: Matrix, base: Matrix) throws {
      precondition(base.rows >= 1 && queries.columns == base.columns, "ScreeningFrame: unvalidated search")
      let d = base.columns
      let baseSummary = try ColumnSummary(base, operand: .base)
      let querySummary = try ColumnSummary(queries, operand: .queries)
      let shift = baseSummary.sums.map { $0 / Double(base.rows) }
      var largest = 0.0
      for summary in [baseSummary, querySummary] where summary.rowCount > 0 {
        for t in 0 ..< d {
          largest = max(largest, abs(Double(summary.maxima[t]) - shift[t]), abs(Double(summary.minima[t]) - shift[t]))
        }
      }
      self.shift = shift
      scale = largest > 0 ? Double(sign: .plus, exponent: -(largest.exponent + 1), significand: 1) : 1
      slackPerSquaredNorm = Float32ProductBound.relativeSlack(columns: d)
      absoluteSlack = Float32ProductBound.absoluteSlack(columns: d)
    }

    /// Column t's element x as screened: s·(x − μₜ), rounded once to Float32.
    @inline(__always)
    func screened(_ x: Float, column t: Int) -> Float {
      Float((Double(x) - shift[t]) * scale)
    }

    /// Writes `rowCount` rows of `source` (row-major, `shift.count` columns) screened into `target`.
    func screen(_ source: UnsafePointer<Float>, rowCount: Int, into target: UnsafeMutablePointer<Float>) {
      let d = shift.count
      for r in 0 ..< rowCount {
        for t in 0 ..< d { target[r * d + t] = screened(source[r * d + t], column: t) }
      }
    }

    /// ‖x̃‖² in Float64 of each of `rowCount` rows of `source` as screened, into `target`.
    func squaredNorms(_ source: UnsafePointer<Float>, rowCount: Int, into target: UnsafeMutablePointer<Double>) {
      let d = shift.count
      for r in 0 ..< rowCount {
        var sum = 0.0
        for t in 0 ..< d {
          let x = Double(screened(source[r * d + t], column: t))
          sum += x * x
        }
        target[r] = sum
      }
    }
  }

  /// Per-column sums and ranges of one matrix, read in one pass.
  struct ColumnSummary {
    let rowCount: Int
    var sums: [Double]
    var minima: [Float]
    var maxima: [Float]

    /// - Throws: `NeighbourSearchError.nonFinite` naming the first NaN or infinite element (row-major order).
    init(_ matrix: Matrix, operand: NeighbourSearchError.Operand) throws {
      let (n, d) = (matrix.rows, matrix.columns)
      rowCount = n
      var sums = [Double](repeating: 0, count: d)
      var minima = [Float](repeating: .infinity, count: d)
      var maxima = [Float](repeating: -.infinity, count: d)
      matrix.storage.withUnsafeBufferPointer { x in
        for i in 0 ..< n {
          for t in 0 ..< d {
            let value = x[i * d + t]
            sums[t] += Double(value)
            minima[t] = min(minima[t], value)
            maxima[t] = max(maxima[t], value)
          }
        }
      }
      // A Float64 sum of Float32 values cannot overflow, so it is finite exactly when every term is.
      if sums.contains(where: { !$0.isFinite }),
         let position = matrix.storage.firstIndex(where: { !$0.isFinite }) {
        throw NeighbourSearchError.nonFinite(operand, row: position / d, column: position % d,
                                             value: matrix.storage[position])
      }
      (self.sums, self.minima, self.maxima) = (sums, minima, maxima)
    }
  }

  /// D(a, b) = Σₜ (aₜ − bₜ)² in Float64 over `count` elements: the distance every result reports.
  ///
  /// Summed in four interleaved lanes (t mod 4) added as (s₀ + s₁) + (s₂ + s₃), which runs several times faster than
  /// one sequential sum and differs from it by at most 2(d − 1)·2⁻⁵³ relative (all terms are nonnegative).
  @inline(__always)
  static func exactSquaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
    var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
    var t = 0
    while t + 4 <= count {
      let e0 = Double(a[t]) - Double(b[t]), e1 = Double(a[t + 1]) - Double(b[t + 1])
      let e2 = Double(a[t + 2]) - Double(b[t + 2]), e3 = Double(a[t + 3]) - Double(b[t + 3])
      s0 += e0 * e0
      s1 += e1 * e1
      s2 += e2 * e2
      s3 += e3 * e3
      t += 4
    }
    if t < count { let e = Double(a[t]) - Double(b[t]); s0 += e * e }
    if t + 1 < count { let e = Double(a[t + 1]) - Double(b[t + 1]); s1 += e * e }
    if t + 2 < count { let e = Double(a[t + 2]) - Double(b[t + 2]); s2 += e * e }
    return (s0 + s1) + (s2 + s3)
  }
}
