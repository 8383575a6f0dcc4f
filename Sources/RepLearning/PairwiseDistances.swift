import RepMath

/// The Euclidean distances d_rs = ‖x_r − x_s‖₂ between the rows of one matrix, and the backward pass of that map.
///
/// Computed from differences, not from ‖x_r‖² + ‖x_s‖² − 2·x_r·x_s, which loses half the digits of a small distance.
/// The diagonal is zero and is never differentiated; a zero distance between two rows gets the zero subgradient.
struct PairwiseDistances {
  /// The rows the distances are between (N×D).
  let points: DoubleMatrix
  /// d_rs in row-major order, N×N, symmetric with a zero diagonal.
  let storage: [Double]

  /// N, the number of rows.
  var count: Int { points.rows }

  /// The distances between every pair of rows of `points`.
  ///
  /// - Complexity: N²·D/2 subtractions and multiply-adds, summed in Float64.
  init(_ points: DoubleMatrix) {
    let n = points.rows
    let d = points.columns
    var storage = [Double](repeating: 0, count: n * n)
    points.storage.withUnsafeBufferPointer { x in
      for r in 0 ..< n {
        for s in r + 1 ..< n {
          var squares = 0.0
          for k in 0 ..< d {
            let difference = x[r * d + k] - x[s * d + k]
            squares += difference * difference
          }
          storage[r * n + s] = squares.squareRoot()
          storage[s * n + r] = storage[r * n + s]
        }
      }
    }
    self.points = points
    self.storage = storage
  }

  /// dLoss/dx (N×D) from H = dLoss/dd (N×N), each off-diagonal entry of the distance matrix taken as its own variable
  /// (the diagonal of H is ignored): dx_r = Σ_{s≠r} (H_rs + H_sr)(x_r − x_s)/d_rs.
  ///
  /// - Precondition: `upstream` is N×N.
  /// - Complexity: N²·D/2 multiply-adds.
  func backward(_ upstream: DoubleMatrix) -> DoubleMatrix {
    let n = count
    let d = points.columns
    precondition(upstream.rows == n && upstream.columns == n,
                 "PairwiseDistances.backward: \(upstream.rows)×\(upstream.columns) for \(n) points")
    var gradient = DoubleMatrix(rows: n, columns: d)
    points.storage.withUnsafeBufferPointer { x in
      gradient.storage.withUnsafeMutableBufferPointer { g in
        for r in 0 ..< n {
          for s in r + 1 ..< n where storage[r * n + s] > 0 {
            let weight = (upstream.storage[r * n + s] + upstream.storage[s * n + r]) / storage[r * n + s]
            for k in 0 ..< d {
              let step = weight * (x[r * d + k] - x[s * d + k])
              g[r * d + k] += step
              g[s * d + k] -= step
            }
          }
        }
      }
    }
    return gradient
  }
}
