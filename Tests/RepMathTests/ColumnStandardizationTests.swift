import Testing

@testable import RepMath

/// Column standardization against a two-pass Float64 computation, over offsets far larger than the spread, in chunks,
/// and with constant columns.
@Suite("Column standardization")
struct ColumnStandardizationTests {
  /// Means and population deviations in two passes over the Float32 values, in Float64.
  static func twoPass(_ x: Matrix) -> (means: [Double], deviations: [Double]) {
    let (n, d) = (x.rows, x.columns)
    var means = [Double](repeating: 0, count: d)
    for i in 0 ..< n { for k in 0 ..< d { means[k] += Double(x.storage[i * d + k]) } }
    means = means.map { $0 / Double(n) }
    var squares = [Double](repeating: 0, count: d)
    for i in 0 ..< n {
      for k in 0 ..< d {
        let u = Double(x.storage[i * d + k]) - means[k]
        squares[k] += u * u
      }
    }
    return (means, squares.map { ($0 / Double(n)).squareRoot() })
  }

  @Test("means and deviations match a two-pass computation, offsets of 10⁴ on a spread of 10⁻² included")
  func matchesTwoPass() {
    var generator = SplitMix64(seed: 31)
    for offset: Float in [0, 3, 1e4] {
      var x = Matrix.random(rows: 500, columns: 7, offset: offset, using: &generator)
      if offset > 1000 { for k in x.storage.indices { x.storage[k] = offset + (x.storage[k] - offset) * 1e-2 } }
      let standardization = ColumnStandardization(x)
      let (means, deviations) = Self.twoPass(x)
      for k in 0 ..< 7 {
        #expect(abs(standardization.means[k] - means[k]) <= 1e-12 * max(1, abs(means[k])), "offset \(offset)")
        #expect(abs(standardization.scales[k] - deviations[k]) <= 1e-9 * deviations[k], "offset \(offset)")
      }
      // Standardized columns: mean 0, deviation 1 (to Float32 rounding of the outputs).
      let z = standardization.apply(x)
      let (zMeans, zDeviations) = Self.twoPass(z)
      #expect(zMeans.allSatisfy { abs($0) < 1e-5 } && zDeviations.allSatisfy { abs($0 - 1) < 1e-5 }, "\(zDeviations)")
    }
  }

  @Test("chunks give the statistics of the whole matrix; a constant column keeps scale 1 and becomes zeros")
  func chunksAndConstantColumns() {
    var generator = SplitMix64(seed: 32)
    var x = Matrix.random(rows: 300, columns: 4, offset: 2, using: &generator)
    for i in 0 ..< x.rows { x.storage[i * 4 + 2] = 0.1 }  // a constant that Float32 cannot hold exactly
    let whole = ColumnStandardization(x)
    var moments = ColumnMoments(columnCount: 4)
    x.storage.withUnsafeBufferPointer { all in
      for start in stride(from: 0, to: 300, by: 64) {
        let rows = min(64, 300 - start)
        moments.accumulate(UnsafeBufferPointer(rebasing: all[start * 4 ..< (start + rows) * 4]), rows: rows)
      }
    }
    let chunked = moments.standardization
    #expect(moments.rowCount == 300)
    for k in 0 ..< 4 {
      #expect(abs(chunked.means[k] - whole.means[k]) <= 1e-13 * max(1, abs(whole.means[k])))
      #expect(abs(chunked.scales[k] - whole.scales[k]) <= 1e-12 * whole.scales[k])
    }
    #expect(whole.scales[2] == 1 && whole.means[2] == Double(Float(0.1)))
    let z = whole.apply(x)
    #expect((0 ..< 300).allSatisfy { z.storage[$0 * 4 + 2] == 0 })
  }
}
