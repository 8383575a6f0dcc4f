/// The rounding bound behind every screened neighbour search: how far a Float32 inner product, summed in any order
/// by any BLAS kernel, of rows rounded once to Float32 can be from the exact inner product of the unrounded rows.
///
/// With u = 2⁻²⁴ (Float32 rounding) and width d < 2²⁰, both searches that screen with `sgemm` products use
///
/// ```
/// γ = (d + 16)·2⁻²³ = 2(d + 16)·u     (relative to the squared norms of the screened rows)
/// η = (d + 1)·2⁻¹⁴⁰                   (absolute: elements and products below Float32's normal range)
/// ```
///
/// - **Euclidean distances** (`NearestNeighbours` in RepLearning): the screened ‖q̃‖² + ‖b̃‖² − 2·fl₃₂(q̃·b̃) is within
///   γ·(‖q̃‖² + ‖b̃‖²) + η of the exact s²·D; the derivation is in its `ScreeningFrame`.
/// - **Cosines** (`CosineNeighbours` in RepMeasures): the distance screen applied to the unit rows x̂ = x/‖x‖ held in
///   Float64, for which s²·D = s²·(2 − 2·cos). The screened rows are fl₃₂(s·(x̂ − μ)), shifted by the mean unit row,
///   so the same γ and η bound the screening against s²·D(x̂); an absolute s²·ζ more covers what Float64 adds: x̂ is
///   within (d/2 + 3)·2⁻⁵³ of the real unit row, which moves D by at most 4(d + 6)·2⁻⁵³, and the Float64 cosine
///   ranked on is within (d + 3)·2⁻⁵³ of the real one, 2(d + 3)·2⁻⁵³ in D. So ζ = (d + 8)·2⁻⁵⁰ ≥ (6d + 30)·2⁻⁵³.
package enum Float32ProductBound {
  /// γ: the slack per unit of squared norm of the screened rows, for rows of width `columns`.
  package static func relativeSlack(columns d: Int) -> Double { Double(d + 16) * 0x1p-23 }

  /// η: the absolute slack for rows of width `columns`.
  package static func absoluteSlack(columns d: Int) -> Double { Double(d + 1) * 0x1p-140 }

  /// ζ: the absolute slack per unit of s² for unit rows held in Float64 and ranked by their Float64 cosine.
  package static func unitRowSlack(columns d: Int) -> Double { Double(d + 8) * 0x1p-50 }
}
