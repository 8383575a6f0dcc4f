import Foundation
import RepMath
@testable import RepLearning

/// Central differences (f(x + h·e_k) − f(x − h·e_k)) / 2h for every coordinate k, in Float64. With h = 10⁻⁶ the
/// truncation error is O(h²·f‴) and the rounding error O(ε·|f|/h) ≈ 10⁻¹⁰·|f|, both far below the 10⁻⁶ the tests ask.
func centralDifferences(at point: [Double], step: Double = 1e-6, of function: ([Double]) -> Double) -> [Double] {
  var shifted = point
  return point.indices.map { k in
    shifted[k] = point[k] + step
    let above = function(shifted)
    shifted[k] = point[k] - step
    let below = function(shifted)
    shifted[k] = point[k]
    return (above - below) / (2 * step)
  }
}

/// ‖analytic − numeric‖₂ / max(‖analytic‖₂, ‖numeric‖₂), the norm-wise relative error of a gradient (a single
/// coordinate near zero has no meaningful relative error). Two gradients that are both exactly zero agree: 0.
func gradientError(_ analytic: [Double], _ numeric: [Double]) -> Double {
  precondition(analytic.count == numeric.count)
  let difference = zip(analytic, numeric).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
  let scale = max(euclideanNorm(analytic), euclideanNorm(numeric))
  return scale == 0 ? difference : difference / scale
}

/// ‖values‖₂.
func euclideanNorm(_ values: [Double]) -> Double {
  values.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
}

/// |a − b| / |b|.
func relativeError(_ a: Double, _ b: Double) -> Double {
  abs(a - b) / abs(b)
}

/// The elements of a tensor of `shape` in row-major order (last index fastest), element(index) at each multi-index.
func tensorValues(shape: [Int], _ element: ([Int]) -> Double) -> [Double] {
  var values: [Double] = []
  var index = [Int](repeating: 0, count: shape.count)
  for _ in 0 ..< shape.reduce(1, *) {
    values.append(element(index))
    for axis in shape.indices.reversed() {
      index[axis] += 1
      if index[axis] < shape[axis] { break }
      index[axis] = 0
    }
  }
  return values
}

/// `count` values uniform in [−1, 1).
func randomValues(count: Int, using generator: inout SplitMix64) -> [Double] {
  (0 ..< count).map { _ in Double.random(in: -1 ..< 1, using: &generator) }
}

/// `values` read as rows of `width`, each scaled to unit length (as the encoder's output is).
func unitRows(_ values: [Double], width: Int) -> [Double] {
  var result = values
  for start in stride(from: 0, to: values.count, by: width) {
    let length = euclideanNorm(Array(values[start ..< start + width]))
    for k in start ..< start + width { result[k] /= length }
  }
  return result
}

extension ContrastiveFeatures {
  /// A batch of the same shape with other values.
  func with(values: [Double]) -> ContrastiveFeatures {
    ContrastiveFeatures(classCount: classCount, viewCount: viewCount, featureCount: featureCount, values: values)
  }

  /// Uniform random features in [−1, 1), rows scaled to unit length when `unit`.
  static func random(
    classCount: Int, viewCount: Int, featureCount: Int, unit: Bool = false, using generator: inout SplitMix64
  ) -> ContrastiveFeatures {
    var values = randomValues(count: classCount * viewCount * featureCount, using: &generator)
    if unit { values = unitRows(values, width: featureCount) }
    return ContrastiveFeatures(classCount: classCount, viewCount: viewCount, featureCount: featureCount, values: values)
  }
}

extension DoubleMatrix {
  /// Uniform random entries in [−1, 1), rows scaled to unit length when `unit`.
  static func random(rows: Int, columns: Int, unit: Bool = false, using generator: inout SplitMix64) -> DoubleMatrix {
    var values = randomValues(count: rows * columns, using: &generator)
    if unit { values = unitRows(values, width: columns) }
    return DoubleMatrix(rows: rows, columns: columns, storage: values)
  }
}
