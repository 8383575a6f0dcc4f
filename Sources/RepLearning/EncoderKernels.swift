import RepMath

/// The element-wise passes of the encoder's forward and backward passes, on raw storage so that they vectorise, and
/// split over the cores by rows (`forEachRowRange`) so that they keep pace with the products around them.
enum EncoderKernels {
  /// Floats per vector step of the masking passes.
  private static let lanes = SIMD16<Float>.scalarCount

  /// Every row of `y` set to `bias` (the sgemm that follows adds x·W with β = 1).
  static func fillRows(_ y: inout Matrix, with bias: [Float]) {
    let width = y.columns
    precondition(bias.count == width, "EncoderKernels.fillRows: \(bias.count) biases for \(width) columns")
    guard !y.storage.isEmpty else { return }
    bias.withUnsafeBufferPointer { b in
      y.storage.withUnsafeMutableBufferPointer { target in
        let (base, source) = (target.baseAddress!, b.baseAddress!)
        forEachRowRange(y.rows) { rows in
          for i in rows { (base + i * width).update(from: source, count: width) }
        }
      }
    }
  }

  /// h ← max(h, 0).
  static func relu(_ h: inout Matrix) {
    let width = h.columns
    guard !h.storage.isEmpty else { return }
    h.storage.withUnsafeMutableBufferPointer { values in
      let base = values.baseAddress!
      forEachRowRange(h.rows) { rows in
        for k in rows.lowerBound * width ..< rows.upperBound * width { base[k] = max(base[k], 0) }
      }
    }
  }

  /// Each row scaled to unit length in place (lengths summed in Float64); returns the lengths. A zero row stays zero.
  static func normaliseRows(_ h: inout Matrix) -> [Float] {
    let width = h.columns
    var norms = [Float](repeating: 0, count: h.rows)
    guard !h.storage.isEmpty else { return norms }
    h.storage.withUnsafeMutableBufferPointer { values in
      norms.withUnsafeMutableBufferPointer { lengths in
        let (base, lengthBase) = (values.baseAddress!, lengths.baseAddress!)
        forEachRowRange(h.rows) { rows in
          for i in rows {
            let row = base + i * width
            var sum = 0.0
            for j in 0 ..< width { sum += Double(row[j]) * Double(row[j]) }
            let norm = Float(sum.squareRoot())
            lengthBase[i] = norm
            guard norm > 0 else { continue }
            let inverse = 1 / norm
            for j in 0 ..< width { row[j] *= inverse }
          }
        }
      }
    }
    return norms
  }

  /// The gradient through z = h/‖h‖, in place on `gradient` (dz in, dh out): dh = (dz − z·(z·dz)) / ‖h‖ per row;
  /// rows that were zero get no gradient.
  static func normalisationBackward(_ gradient: inout Matrix, output z: Matrix, norms: [Float]) {
    let width = z.columns
    precondition(gradient.rows == z.rows && gradient.columns == width && norms.count == z.rows,
                 "EncoderKernels.normalisationBackward: shapes differ")
    guard !z.storage.isEmpty else { return }
    gradient.storage.withUnsafeMutableBufferPointer { g in
      z.storage.withUnsafeBufferPointer { zs in
        norms.withUnsafeBufferPointer { lengths in
          let (gBase, zBase, lengthBase) = (g.baseAddress!, zs.baseAddress!, lengths.baseAddress!)
          forEachRowRange(z.rows) { rows in
            for i in rows {
              let (dz, row) = (gBase + i * width, zBase + i * width)
              let norm = lengthBase[i]
              guard norm > 0 else {
                dz.update(repeating: 0, count: width)
                continue
              }
              var dot = 0.0
              for j in 0 ..< width { dot += Double(row[j]) * Double(dz[j]) }
              let (radial, inverse) = (Float(dot), 1 / norm)
              for j in 0 ..< width { dz[j] = (dz[j] - row[j] * radial) * inverse }
            }
          }
        }
      }
    }
  }

  /// g ← 0 where the ReLU output `activation` was zero (the ReLU's backward pass), in place.
  static func maskInactive(_ gradient: inout Matrix, activation: Matrix) {
    precondition(gradient.storage.count == activation.storage.count, "EncoderKernels.maskInactive: shapes differ")
    let width = gradient.columns
    guard !gradient.storage.isEmpty else { return }
    gradient.storage.withUnsafeMutableBufferPointer { g in
      activation.storage.withUnsafeBufferPointer { a in
        let (gBase, aBase) = (g.baseAddress!, a.baseAddress!)
        forEachRowRange(gradient.rows) { rows in
          // Sixteen lanes at a time: the signs are random, so a per-element branch would be mispredicted half the time.
          let (start, end) = (rows.lowerBound * width, rows.upperBound * width)
          var k = start
          while k + lanes <= end {
            let a = UnsafeRawPointer(aBase + k).loadUnaligned(as: SIMD16<Float>.self)
            let g = UnsafeRawPointer(gBase + k).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(gBase + k).storeBytes(of: g.replacing(with: 0, where: a .<= 0), as: SIMD16<Float>.self)
            k += lanes
          }
          for k in k ..< end where aBase[k] <= 0 { gBase[k] = 0 }
        }
      }
    }
  }

  /// The column sums of `matrix`, summed in Float64 (per row range, then the ranges in order).
  static func columnSums(_ matrix: Matrix) -> [Float] {
    let width = matrix.columns
    guard !matrix.storage.isEmpty else { return [Float](repeating: 0, count: width) }
    let partial = matrix.storage.withUnsafeBufferPointer { values in
      let base = values.baseAddress!
      return mapRowRanges(matrix.rows) { rows in
        var sums = [Double](repeating: 0, count: width)
        sums.withUnsafeMutableBufferPointer { s in
          for i in rows {
            let row = base + i * width
            for j in 0 ..< width { s[j] += Double(row[j]) }
          }
        }
        return sums
      }
    }
    var total = [Double](repeating: 0, count: width)
    for sums in partial {
      for j in 0 ..< width { total[j] += sums[j] }
    }
    return total.map { Float($0) }
  }
}
