import Foundation
import RepMath

/// Rows scaled to unit Euclidean length, x̂ = x / max(‖x‖₂, ε) with ε = 10⁻¹² as torch's `F.normalize`, and the
/// backward pass of that map; the floor keeps a zero row at zero instead of NaN.
struct RowNormalisation {
  /// The floor on a row's length, torch's default `eps`.
  static let minimumLength = 1e-12

  /// The normalised rows x̂ (n×d).
  let rows: DoubleMatrix
  /// max(‖x_i‖, ε) for each row: the divisor used, which the backward pass divides by again.
  let divisors: [Double]
  /// Whether row i was longer than ε; shorter rows were only scaled by a constant, so their Jacobian is I/ε.
  let wasScaledByLength: [Bool]

  /// Normalises each row of `matrix`.
  ///
  /// - Complexity: O(n·d), norms summed in Float64.
  init(_ matrix: DoubleMatrix) {
    var rows = matrix
    var divisors = [Double](repeating: 0, count: matrix.rows)
    var wasScaledByLength = [Bool](repeating: false, count: matrix.rows)
    let d = matrix.columns
    for i in 0 ..< matrix.rows {
      var squares = 0.0
      for k in 0 ..< d { squares += matrix.storage[i * d + k] * matrix.storage[i * d + k] }
      let length = squares.squareRoot()
      wasScaledByLength[i] = length > Self.minimumLength
      divisors[i] = max(length, Self.minimumLength)
      for k in 0 ..< d { rows.storage[i * d + k] /= divisors[i] }
    }
    self.rows = rows
    self.divisors = divisors
    self.wasScaledByLength = wasScaledByLength
  }

  /// dLoss/dx from dLoss/dx̂ (both n×d): (g − x̂ (x̂·g)) / ‖x‖ for a row longer than ε, g/ε otherwise.
  ///
  /// - Precondition: `upstream` has the shape of `rows`.
  /// - Complexity: O(n·d).
  func backward(_ upstream: DoubleMatrix) -> DoubleMatrix {
    precondition(upstream.rows == rows.rows && upstream.columns == rows.columns,
                 "RowNormalisation.backward: \(upstream.rows)×\(upstream.columns) for \(rows.rows)×\(rows.columns)")
    var gradient = upstream
    let d = rows.columns
    for i in 0 ..< rows.rows {
      var radial = 0.0
      if wasScaledByLength[i] {
        for k in 0 ..< d { radial += rows.storage[i * d + k] * upstream.storage[i * d + k] }
      }
      for k in 0 ..< d {
        gradient.storage[i * d + k] = (upstream.storage[i * d + k] - radial * rows.storage[i * d + k]) / divisors[i]
      }
    }
    return gradient
  }
}
