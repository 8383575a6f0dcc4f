import RepMath

/// The similarities the learned measures report at evaluation (spec §2.8, §3.7), on matrices already passed through the
/// encoder: row i of each side encodes the same item, and the rows are unit vectors (the encoder normalises them; these
/// functions do not, so that they match what was trained). Inputs are Float32; every sum is in Float64.
public enum EncodedSimilarity {
  /// ContraSim (and DeepDot, which shares the formula): the mean cosine of aligned unit rows, (1/n) Σ_i a_i·b_i.
  /// Range −1...1, larger is more similar.
  ///
  /// - Precondition: equal shapes, at least one row.
  /// - Complexity: O(n·d).
  public static func contrasim(_ a: Matrix, _ b: Matrix) -> Double {
    checkAligned(a, b, "contrasim")
    var dot = 0.0
    for k in a.storage.indices { dot += Double(a.storage[k]) * Double(b.storage[k]) }
    return dot / Double(a.rows)
  }

  /// ContraSim's distance form (`ContrastiveSim_dis`): (1/n) Σ_i (1 − ‖a_i − b_i‖₂). Range −1...1 for unit rows,
  /// 1 for identical rows.
  ///
  /// - Precondition: equal shapes, at least one row.
  /// - Complexity: O(n·d).
  public static func contrasimDistance(_ a: Matrix, _ b: Matrix) -> Double {
    checkAligned(a, b, "contrasimDistance")
    var total = 0.0
    for i in 0 ..< a.rows {
      var squares = 0.0
      for k in i * a.columns ..< (i + 1) * a.columns {
        let difference = Double(a.storage[k]) - Double(b.storage[k])
        squares += difference * difference
      }
      total += 1 - squares.squareRoot()
    }
    return total / Double(a.rows)
  }

  /// DeepCKA: biased linear CKA of the encoded matrices (spec §2.1), ‖ÃᵀB̃‖²_F / (‖ÃᵀÃ‖_F ‖B̃ᵀB̃‖_F). Range 0...1;
  /// NaN when either side has zero variance.
  ///
  /// - Precondition: equal row counts, at least one; the widths may differ.
  /// - Complexity: O(n·(d₁ + d₂)²) flops in Float64 BLAS.
  public static func deepCKA(_ a: Matrix, _ b: Matrix) -> Double {
    LinearCKATerms(DoubleMatrix(a), DoubleMatrix(b)).value
  }

  private static func checkAligned(_ a: Matrix, _ b: Matrix, _ name: String) {
    precondition(a.rows == b.rows && a.columns == b.columns && a.rows >= 1,
                 "EncodedSimilarity.\(name): shapes \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns)")
  }
}
