import Foundation
import RepMath
@testable import RepMeasures
import Testing

/// The internal building blocks of the kernel and neighbourhood measures, against plain references over swept seeds.
@Suite struct KernelHelperTests {
  init() { BLAS.setThreadCount(1) }

  /// Random n×d data whose rows repeat now and then, so distances have exact ties and zeros.
  private static func rowsWithRepeats(_ n: Int, _ d: Int, using generator: inout KernelSplitMix64) -> Matrix {
    var storage = [Float]()
    for i in 0 ..< n {
      if i > 0 && Int.random(in: 0 ..< 4, using: &generator) == 0 {
        let source = Int.random(in: 0 ..< i, using: &generator)
        storage.append(contentsOf: storage[(source * d) ..< ((source + 1) * d)])
      } else {
        storage.append(contentsOf: (0 ..< d).map { _ in Float(Int.random(in: -3 ... 3, using: &generator)) / 2 })
      }
    }
    return Matrix(rows: n, columns: d, storage: storage)
  }

  /// Squared distances from the shifted Gram equal the differences route (to round-off); the radix-selected median
  /// of all n² entries equals numpy's median of the sorted entries (mean of the middle two for even n²).
  @Test func distancesAndTheirMedianMatchPlainReferences() {
    for seed: UInt64 in 0 ..< 200 {
      var generator = KernelSplitMix64(seed: seed)
      let n = Int.random(in: 1 ... 24, using: &generator)
      let d = Int.random(in: 1 ... 5, using: &generator)
      let x = Self.rowsWithRepeats(n, d, using: &generator)
      let distances = RowDistances.squared(x)
      var all = [Double]()
      for i in 0 ..< n {
        for j in 0 ..< n {
          var sum = 0.0
          for l in 0 ..< d { sum += pow(Double(x[i, l]) - Double(x[j, l]), 2) }
          let stored = distances.matrix[min(i, j), max(i, j)]
          #expect(abs(stored - sum) <= 1e-12 * max(sum, 1), "seed \(seed): D[\(i), \(j)] = \(stored), not \(sum)")
          all.append(stored)
        }
      }
      all.sort()
      let median = n * n % 2 == 1 ? all[n * n / 2] : (all[n * n / 2 - 1] + all[n * n / 2]) / 2
      #expect(RowDistances.medianOfAllEntries(distances) == median, "seed \(seed), n = \(n)")
    }
  }

  /// The distances keep their accuracy when every row carries a large offset (the Float32 shift is exact).
  @Test func distancesSurviveALargeOffset() throws {
    let fixture = try MeasureFixtures.case(named: "realistic_relu")
    let distances = RowDistances.squared(fixture.x)
    var worst = 0.0
    for i in 0 ..< fixture.rowCount {
      for j in (i + 1) ..< fixture.rowCount {
        var sum = 0.0
        for l in 0 ..< fixture.x.columns { sum += pow(Double(fixture.x[i, l]) - Double(fixture.x[j, l]), 2) }
        worst = max(worst, abs(distances.matrix[i, j] - sum) / sum)
      }
    }
    #expect(worst < 1e-12, "largest relative error \(worst)")
  }

  /// HKH and the Frobenius product on the upper triangle equal the full-matrix formulas; HSIC_u equals its
  /// definition with explicit zero diagonals.
  @Test func centeringAndHSICMatchFullMatrixFormulas() {
    for seed: UInt64 in 0 ..< 50 {
      var generator = KernelSplitMix64(seed: seed)
      let n = Int.random(in: 4 ... 12, using: &generator)
      let z1 = generator.gaussianMatrix(rows: n, columns: 3)
      let z2 = generator.gaussianMatrix(rows: n, columns: 2)
      let (k, l) = (z1 * z1.transposed(), z2 * z2.transposed())
      var (gk, gl) = (SymmetricGram.linear(z1), SymmetricGram.linear(z2))

      func hsicU(_ a: DoubleMatrix, _ b: DoubleMatrix) -> Double {
        var (a, b) = (a, b)
        for i in 0 ..< n { a[i, i] = 0; b[i, i] = 0 }
        let m = Double(n)
        let ones = DoubleMatrix(rows: n, columns: 1, repeating: 1)
        let ab = a * b
        let sumA = (ones.transposed() * a * ones)[0, 0]
        let sumB = (ones.transposed() * b * ones)[0, 0]
        return (ab.trace + sumA * sumB / ((m - 1) * (m - 2)) - 2 / (m - 2) * (ones.transposed() * ab * ones)[0, 0])
          / (m * (m - 3))
      }
      let hsic = UnbiasedHSIC.values(gk, gl)
      #expect(kernelTestIsClose(hsic.kl, hsicU(k, l), relative: 1e-12, absolute: 1e-12), "seed \(seed)")
      #expect(kernelTestIsClose(hsic.kk, hsicU(k, k), relative: 1e-12, absolute: 1e-12), "seed \(seed)")
      #expect(kernelTestIsClose(hsic.ll, hsicU(l, l), relative: 1e-12, absolute: 1e-12), "seed \(seed)")

      let h = DoubleMatrix.identity(n) - (1 / Double(n)) * DoubleMatrix(rows: n, columns: n, repeating: 1)
      let (kc, lc) = (h * k * h, h * l * h)
      gk.center()
      gl.center()
      for i in 0 ..< n {
        for j in i ..< n { #expect(abs(gk.matrix[i, j] - kc[i, j]) < 1e-12, "seed \(seed): HKH[\(i), \(j)]") }
      }
      var product = 0.0
      for e in 0 ..< n * n { product += kc.storage[e] * lc.storage[e] }
      #expect(kernelTestIsClose(gk.frobeniusProduct(gl), product, relative: 1e-12, absolute: 1e-12), "seed \(seed)")
    }
  }

  /// Neighbour lists of the screened search equal a plain Float64 loop over all pairs, order and cosines included,
  /// with exact ties to the lower index.
  @Test func nearestNeighboursMatchAPlainLoop() throws {
    for name in ["mknn_ties", "mknn_margin", "zero_row", "realistic_relu"] {
      let x = try MeasureFixtures.case(named: name).x
      let cosines = RowCosines(x)
      for k in [1, 3, 5] {
        let found = CosineNeighbours(cosines, k: k)
        for i in 0 ..< x.rows {
          let similarities = (0 ..< x.rows).map { j in cosines.cosine(i, j) }
          let expected = (0 ..< x.rows).filter { $0 != i }
            .sorted { (similarities[$0], -$0) > (similarities[$1], -$1) }.prefix(k)
          #expect(Array(found.neighbours(of: i)) == Array(expected), "\(name), k = \(k), row \(i)")
          #expect(Array(found.similarities(of: i)) == expected.map { similarities[$0] }, "\(name), k = \(k), row \(i)")
        }
      }
    }
  }

  /// The exact constant-row rule, in memory and streamed (the flags survive any chunking).
  @Test func constantRowsAreRecognisedExactly() throws {
    let fixture = try MeasureFixtures.case(named: "constant_x_inexact_mean")
    #expect(fixture.x.hasIdenticalRows)
    #expect(!fixture.y.hasIdenticalRows)
    #expect(Matrix(rows: 0, columns: 3).hasIdenticalRows && Matrix(rows: 4, columns: 0).hasIdenticalRows)
    var changed = fixture.x
    changed.storage[changed.storage.count - 1] = changed.storage[0]
    #expect(!changed.hasIdenticalRows)
    for chunk in 1 ... fixture.rowCount {
      let slots = ConstantRowsSlots(offset: 0, columns: (fixture.x.columns, changed.columns))
      var sums = [Double](repeating: 0, count: slots.count)
      fixture.x.storage.withUnsafeBufferPointer { xs in
        changed.storage.withUnsafeBufferPointer { ys in
          for start in stride(from: 0, to: fixture.rowCount, by: chunk) {
            let rows = min(chunk, fixture.rowCount - start)
            let width = fixture.x.columns
            slots.record(UnsafeBufferPointer(rebasing: xs[(start * width) ..< ((start + rows) * width)]),
                         UnsafeBufferPointer(rebasing: ys[(start * width) ..< ((start + rows) * width)]),
                         rowCount: rows, isFirstChunk: start == 0, in: &sums)
          }
        }
      }
      #expect(sums[0] == 0 && sums[1] == 1, "chunks of \(chunk)")
      #expect(ConstantRowsSlots.eitherIsConstant(sums, offset: 0))
    }
  }
}
