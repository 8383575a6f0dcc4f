/// The precision of the chunk products behind second-moment statistics (XᵀX, XᵀY).
///
/// `.single` (the default) multiplies Float32 chunks with `ssyrk`/`sgemm` and widens each chunk's product into the
/// Float64 sums: about 1e-7 relative per entry, at Float32 speed, which every measure but the CCA and Procrustes
/// families can afford. `.double` widens the shifted Float32 rows to Float64 and multiplies them with `dsyrk`/`dgemm`
/// straight into the sums: each product of two Float32 values is exact in Float64, so every entry is a Float64 sum of
/// n exact terms, with error at most γₙ·Σ|terms| (γₙ = n·2⁻⁵³/(1 − n·2⁻⁵³); Higham, *Accuracy and Stability of
/// Numerical Algorithms*, 2nd ed., §3.1, for any summation order). It costs about twice the time of `.single` for the
/// products.
public enum ProductPrecision: String, Sendable, Equatable, Comparable, CaseIterable {
  case single
  case double

  /// The unit roundoff u of the products' arithmetic: 2⁻²⁴ for Float32, 2⁻⁵³ for Float64.
  public var unitRoundoff: Double { self == .single ? 0x1p-24 : 0x1p-53 }

  /// γₘ = m·u/(1 − m·u), the bound on the relative error of a sum of m terms in this precision (any order, with or
  /// without fused multiply-adds), or +∞ when m·u ≥ 1.
  public func gamma(_ m: Int) -> Double {
    let mu = Double(m) * unitRoundoff
    return mu < 1 ? mu / (1 - mu) : .infinity
  }

  public static func < (a: ProductPrecision, b: ProductPrecision) -> Bool { a == .single && b == .double }
}
