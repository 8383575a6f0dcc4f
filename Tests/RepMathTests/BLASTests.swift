import Testing
@testable import RepMath

/// The BLAS wrappers against three-loop Float64 products, over a table of shapes that includes non-square, 1×1 and
/// zero sizes, every transpose combination, and α/β.
@Suite("BLAS")
struct BLASTests {
  init() { BLAS.setThreadCount(1) }

  /// (m, n, k) for op(A) m×k, op(B) k×n.
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (3, 5, 7), (7, 2, 3), (17, 33, 65), (64, 64, 64), (100, 3, 1), (0, 4, 3), (4, 0, 3), (3, 4, 0),
  ]
  static let transposes: [(BLAS.Transpose, BLAS.Transpose)] = [
    (.none, .none), (.transposed, .none), (.none, .transposed), (.transposed, .transposed),
  ]

  @Test("thread count is set and read back")
  func threadCount() {
    BLAS.setThreadCount(1)
    #expect(BLAS.threadCount == 1)
  }

  @Test("sgemm and dgemm match naive products", arguments: shapes)
  func generalProduct(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var generator = SplitMix64(seed: UInt64(m * 10_000 + n * 100 + k))
    for (ta, tb) in Self.transposes {
      let a = DoubleMatrix.random(rows: ta == .none ? m : k, columns: ta == .none ? k : m, using: &generator)
      let b = DoubleMatrix.random(rows: tb == .none ? k : n, columns: tb == .none ? n : k, using: &generator)
      let c0 = DoubleMatrix.random(rows: m, columns: n, using: &generator)
      let expected = naiveProduct(a, transposingA: ta == .transposed, b, transposingB: tb == .transposed)
      let expectedUpdate = 1.5 * expected + (-0.5) * c0

      // Float64
      #expect(maxDifference(BLAS.product(a, ta, b, tb), expected) <= 1e-13 * Double(max(k, 1)), "\(ta) \(tb)")
      var c = c0
      BLAS.multiply(a, ta, b, tb, alpha: 1.5, beta: -0.5, into: &c)
      #expect(maxDifference(c, expectedUpdate) <= 1e-13 * Double(max(k, 1)), "\(ta) \(tb)")

      // Float32: inputs rounded, so compare with the product of the rounded inputs.
      let (af, bf, cf0) = (Matrix(a), Matrix(b), Matrix(c0))
      let exactF = naiveProduct(DoubleMatrix(af), transposingA: ta == .transposed, DoubleMatrix(bf),
                                transposingB: tb == .transposed)
      #expect(maxDifference(DoubleMatrix(BLAS.product(af, ta, bf, tb)), exactF) <= 1e-6 * Double(max(k, 1)))
      var cf = cf0
      BLAS.multiply(af, ta, bf, tb, alpha: 1.5, beta: -0.5, into: &cf)
      #expect(maxDifference(DoubleMatrix(cf), 1.5 * exactF + (-0.5) * DoubleMatrix(cf0)) <= 1e-6 * Double(max(k, 1)))
    }
  }

  @Test("β = 0 overwrites NaN, and an empty inner dimension leaves β·C")
  func betaSemantics() {
    var c = Matrix(rows: 2, columns: 2, repeating: .nan)
    BLAS.multiply(Matrix(rows: 2, columns: 1, repeating: 1), .none, Matrix(rows: 1, columns: 2, repeating: 2), .none,
                  into: &c)
    #expect(c == Matrix(rows: 2, columns: 2, repeating: 2))
    var d = DoubleMatrix(rows: 2, columns: 3, repeating: 4)
    BLAS.multiply(DoubleMatrix(rows: 2, columns: 0), .none, DoubleMatrix(rows: 0, columns: 3), .none, beta: 0.5,
                  into: &d)
    #expect(d == DoubleMatrix(rows: 2, columns: 3, repeating: 2))
    var e = Matrix(rows: 2, columns: 3, repeating: .nan)
    BLAS.multiply(Matrix(rows: 2, columns: 0), .none, Matrix(rows: 0, columns: 3), .none, into: &e)
    #expect(e == Matrix(rows: 2, columns: 3))
    // A product into unset storage: every element is written, an empty inner dimension included.
    #expect(BLAS.product(Matrix(rows: 300, columns: 0), .none, Matrix(rows: 0, columns: 200), .none)
      == Matrix(rows: 300, columns: 200))
    #expect(BLAS.product(DoubleMatrix(rows: 0, columns: 300), .transposed, DoubleMatrix(rows: 0, columns: 200), .none)
      == DoubleMatrix(rows: 300, columns: 200))
  }

  @Test("ssyrk and dsyrk fill the asked triangle only", arguments: [(1, 1), (5, 3), (3, 5), (40, 17), (0, 3), (3, 0)])
  func symmetricRankK(shape: (Int, Int)) {
    let (rows, columns) = shape
    var generator = SplitMix64(seed: UInt64(rows * 100 + columns))
    let a = DoubleMatrix.random(rows: rows, columns: columns, using: &generator)
    for transpose in [BLAS.Transpose.none, .transposed] {
      let transposing = transpose == .transposed
      let expected = transposing ? naiveProduct(a, transposingA: true, a) : naiveProduct(a, a, transposingB: true)
      let order = expected.rows
      for triangle in [BLAS.Triangle.upper, .lower] {
        let inTriangle = { (i: Int, j: Int) in triangle == .upper ? i <= j : i >= j }
        var c = DoubleMatrix(rows: order, columns: order, repeating: 7)
        BLAS.symmetricRankKUpdate(a, transpose, alpha: 2, beta: 1, triangle: triangle, into: &c)
        var cf = Matrix(rows: order, columns: order, repeating: 7)
        BLAS.symmetricRankKUpdate(Matrix(a), transpose, alpha: 2, beta: 1, triangle: triangle, into: &cf)
        let exactF = transposing
          ? naiveProduct(DoubleMatrix(Matrix(a)), transposingA: true, DoubleMatrix(Matrix(a)))
          : naiveProduct(DoubleMatrix(Matrix(a)), DoubleMatrix(Matrix(a)), transposingB: true)
        for i in 0 ..< order {
          for j in 0 ..< order {
            if inTriangle(i, j) {
              #expect(abs(c[i, j] - (7 + 2 * expected[i, j])) <= 1e-12, "(\(i), \(j))")
              #expect(abs(Double(cf[i, j]) - (7 + 2 * exactF[i, j])) <= 1e-5, "(\(i), \(j))")
            } else {
              #expect(c[i, j] == 7 && cf[i, j] == 7, "(\(i), \(j)) outside the triangle was written")
            }
          }
        }
      }
    }
  }

  @Test("gram is AᵀA with both triangles")
  func gram() {
    var generator = SplitMix64(seed: 3)
    let a = DoubleMatrix.random(rows: 30, columns: 9, using: &generator)
    let expected = naiveProduct(a, transposingA: true, a)
    #expect(maxDifference(BLAS.gram(a), expected) <= 1e-12)
    let af = Matrix(a)
    #expect(maxDifference(DoubleMatrix(BLAS.gram(af)), naiveProduct(DoubleMatrix(af), transposingA: true,
                                                                     DoubleMatrix(af))) <= 1e-5)
    #expect(BLAS.gram(DoubleMatrix(rows: 0, columns: 4)) == DoubleMatrix(rows: 4, columns: 4))
  }

  @Test("the * operators are sgemm and dgemm")
  func operators() {
    let a = DoubleMatrix(rows: 2, columns: 3, storage: [1, 2, 3, 4, 5, 6])
    let b = DoubleMatrix(rows: 3, columns: 2, storage: [7, 8, 9, 10, 11, 12])
    #expect(a * b == DoubleMatrix(rows: 2, columns: 2, storage: [58, 64, 139, 154]))
    #expect(Matrix(a) * Matrix(b) == Matrix(rows: 2, columns: 2, storage: [58, 64, 139, 154]))
    #expect(DoubleMatrix.identity(3) * b == b)
  }

  /// F (r₁×m) and G (r₂×n) upper trapezoidal with garbage below the diagonal, which must not be read.
  @Test("trapezoidalSandwich is F·A·Gᵀ for square and wide factors",
        arguments: [(4, 4, 5, 5), (3, 6, 4, 7), (6, 6, 2, 5), (1, 3, 3, 3), (0, 4, 2, 3), (2, 3, 0, 4)])
  func trapezoidalSandwich(shape: (Int, Int, Int, Int)) {
    let (r1, m, r2, n) = shape
    var generator = SplitMix64(seed: UInt64(r1 * 1000 + m * 100 + r2 * 10 + n))
    let a = DoubleMatrix.random(rows: m, columns: n, using: &generator)
    var (f, g) = (DoubleMatrix.random(rows: r1, columns: m, using: &generator),
                  DoubleMatrix.random(rows: r2, columns: n, using: &generator))
    var (cleanF, cleanG) = (f, g)
    for i in 0 ..< r1 { for j in 0 ..< min(i, m) { (f[i, j], cleanF[i, j]) = (.nan, 0) } }
    for i in 0 ..< r2 { for j in 0 ..< min(i, n) { (g[i, j], cleanG[i, j]) = (.nan, 0) } }
    let expected = naiveProduct(naiveProduct(cleanF, a), cleanG, transposingB: true)
    let got = BLAS.trapezoidalSandwich(f, a, g)
    #expect(got.rows == r1 && got.columns == r2)
    #expect(maxDifference(got, expected) <= 1e-12)
  }

  @Test("mismatched shapes trap")
  func shapeMismatchTraps() async {
    await #expect(processExitsWith: .failure) {
      _ = BLAS.product(Matrix(rows: 2, columns: 3), .none, Matrix(rows: 2, columns: 3), .none)
    }
    await #expect(processExitsWith: .failure) {
      var c = DoubleMatrix(rows: 2, columns: 3)
      BLAS.symmetricRankKUpdate(DoubleMatrix(rows: 2, columns: 3), .none, into: &c)
    }
  }
}
