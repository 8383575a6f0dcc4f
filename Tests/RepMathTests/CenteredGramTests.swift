import RepMath
import Testing

/// The example-space route against a direct Float64 computation, and against the feature statistics it stands in for.
@Suite("Centered Gram")
struct CenteredGramTests {
  init() { BLAS.setThreadCount(1) }

  @Test("K̃ = X̃X̃ᵀ matches a direct Float64 computation, offsets or not", arguments: [0, 300] as [Float])
  func matchesDirect(offset: Float) {
    var generator = SplitMix64(seed: 41)
    let x = Matrix.activations(rows: 60, columns: 300, offset: offset, using: &generator)
    let direct = DirectStatistics(x)
    let expected = naiveProduct(direct.centered, transposingA: false, direct.centered.transposed())
    // Columns in blocks of 128, 300 and all at once: the Float32 products only change the last bits.
    for columnChunk in [128, 300, 2048] {
      let gram = CenteredGram(x, columnChunk: columnChunk)
      let k = DoubleMatrix(rows: 60, columns: 60, storage: gram.values)
      #expect(relativeError(k, expected) <= 1e-6, "columnChunk \(columnChunk)")
      #expect(k == k.transposed())
      #expect(relativeError(gram.diagonal, direct.rowNorms) <= 1e-6)
      #expect(relativeError(gram.frobeniusNormSquared, expected.frobeniusNormSquared) <= 2e-6)
      // Rows of a centered Gram sum to zero (up to rounding of entries of size ‖x̃‖²).
      let rowSum = (0 ..< 60).map { a in (0 ..< 60).reduce(0.0) { $0 + gram.values[a * 60 + $1] } }
      #expect(rowSum.allSatisfy { abs($0) <= 1e-6 * gram.trace })
    }
  }

  @Test("⟨K̃, L̃⟩ and ⟨rₓ, r_y⟩ equal the feature statistics' ‖X̃ᵀỸ‖²_F and Σ rₓr_y")
  func agreesWithFeatureStatistics() {
    var generator = SplitMix64(seed: 42)
    let x = Matrix.activations(rows: 200, columns: 40, offset: 50, using: &generator)
    let y = Matrix.activations(rows: 200, columns: 25, offset: -20, using: &generator)
    let (sx, sy, cross) = CrossStatistics.accumulating(x, y)
    let (kx, ky) = (CenteredGram(x), CenteredGram(y))
    #expect(relativeError(kx.inner(ky), cross.centeredCrossFrobeniusSquared(sx, sy)) <= 2e-6)
    #expect(relativeError(kx.frobeniusNormSquared, sx.centeredGram.frobeniusNormSquared) <= 2e-6)
    #expect(relativeError(kx.diagonalDot(ky), cross.centeredRowNormDot(sx, sy)) <= 1e-6)
    #expect(relativeError(kx.trace, sx.centeredRowNormSum) <= 1e-6)
  }

  @Test("a constant matrix has the zero Gram; no rows or no columns give an empty or zero one")
  func degenerate() {
    let constant = CenteredGram(Matrix(rows: 5, columns: 3, repeating: 7.25))
    #expect(constant.values.allSatisfy { $0 == 0 } && constant.trace == 0)
    #expect(CenteredGram(Matrix(rows: 0, columns: 4)).values.isEmpty)
    let noColumns = CenteredGram(Matrix(rows: 3, columns: 0))
    #expect(noColumns.values == [Double](repeating: 0, count: 9))
  }
}
