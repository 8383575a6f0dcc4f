import Testing
@testable import RepMath

/// The LAPACK wrappers checked by their defining identities: A·V = V·Λ with V orthonormal, U·diag(s)·Vᵀ = A, Q·R = A.
@Suite("LAPACK")
struct LAPACKTests {
  init() { BLAS.setThreadCount(1) }

  /// Symmetric test matrices: random, diagonal with a repeated eigenvalue, rank-deficient Gram, 1×1, 0×0.
  static func symmetricCases() -> [(String, DoubleMatrix)] {
    var generator = SplitMix64(seed: 11)
    let b = DoubleMatrix.random(rows: 30, columns: 3, using: &generator)
    return [
      ("random 5×5", .randomSymmetric(5, using: &generator)),
      ("random 40×40", .randomSymmetric(40, using: &generator)),
      ("diagonal with a repeated value", DoubleMatrix(diagonal: [3, 1, 2, 1])),
      ("rank 3 Gram 30×30", naiveProduct(b, b, transposingB: true)),
      ("1×1", DoubleMatrix(rows: 1, columns: 1, storage: [-2.5])),
      ("0×0", DoubleMatrix(rows: 0, columns: 0)),
    ]
  }

  @Test("symmetricEigen: A·v = λv, V orthonormal, values ascending", arguments: symmetricCases())
  func symmetricEigen(name: String, a: DoubleMatrix) throws {
    let (values, vectors) = try LAPACK.symmetricEigen(a)
    let n = a.rows
    #expect(values.count == n && vectors.rows == n && vectors.columns == n)
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "not ascending: \(values)")
    let scale = max(1, a.frobeniusNormSquared.squareRoot())
    #expect(maxDifference(naiveProduct(a, vectors), naiveProduct(vectors, DoubleMatrix(diagonal: values)))
            <= 1e-12 * scale)
    #expect(maxDifference(naiveProduct(vectors, transposingA: true, vectors), .identity(n)) <= 1e-12)
  }

  @Test("symmetricEigen of a known matrix")
  func knownEigenvalues() throws {
    let (values, _) = try LAPACK.symmetricEigen(DoubleMatrix(rows: 2, columns: 2, storage: [2, 1, 1, 2]))
    #expect(abs(values[0] - 1) < 1e-14 && abs(values[1] - 3) < 1e-14)
    // Only the upper triangle is read.
    let (upperOnly, _) = try LAPACK.symmetricEigen(DoubleMatrix(rows: 2, columns: 2, storage: [2, 1, 99, 2]))
    #expect(upperOnly == values)
  }

  static func rectangularCases() -> [(String, DoubleMatrix)] {
    var generator = SplitMix64(seed: 12)
    let tall = DoubleMatrix.random(rows: 20, columns: 2, using: &generator)
    let wide = DoubleMatrix.random(rows: 2, columns: 7, using: &generator)
    return [
      ("5×3", .random(rows: 5, columns: 3, using: &generator)),
      ("3×5", .random(rows: 3, columns: 5, using: &generator)),
      ("40×40", .random(rows: 40, columns: 40, using: &generator)),
      ("rank 2, 20×7", naiveProduct(tall, wide)),
      ("1×1", DoubleMatrix(rows: 1, columns: 1, storage: [-3])),
      ("1×6", .random(rows: 1, columns: 6, using: &generator)),
      ("0×3", DoubleMatrix(rows: 0, columns: 3)),
      ("3×0", DoubleMatrix(rows: 3, columns: 0)),
    ]
  }

  @Test("svd: U·diag(s)·Vᵀ = A, orthonormal factors, s descending and equal to singularValues",
        arguments: rectangularCases())
  func svd(name: String, a: DoubleMatrix) throws {
    let (u, s, vt) = try LAPACK.svd(a)
    let k = min(a.rows, a.columns)
    #expect(u.rows == a.rows && u.columns == k && s.count == k && vt.rows == k && vt.columns == a.columns)
    #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 } && s.allSatisfy { $0 >= 0 })
    let scale = max(1, a.frobeniusNormSquared.squareRoot())
    #expect(maxDifference(naiveProduct(naiveProduct(u, DoubleMatrix(diagonal: s)), vt), a) <= 1e-12 * scale)
    #expect(maxDifference(naiveProduct(u, transposingA: true, u), .identity(k)) <= 1e-12)
    #expect(maxDifference(naiveProduct(vt, vt, transposingB: true), .identity(k)) <= 1e-12)
    let values = try LAPACK.singularValues(a)
    #expect(values.count == k)
    #expect(zip(values, s).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
  }

  @Test("singular values of a known matrix")
  func knownSingularValues() throws {
    let values = try LAPACK.singularValues(DoubleMatrix(rows: 2, columns: 3, storage: [3, 0, 0, 0, -4, 0]))
    #expect(values == [4, 3])
  }

  @Test("qr: Q orthonormal, Q·R = A, R upper", arguments: rectangularCases().filter { $0.1.rows >= $0.1.columns })
  func qr(name: String, a: DoubleMatrix) throws {
    let (q, r) = try LAPACK.qr(a)
    let n = a.columns
    #expect(q.rows == a.rows && q.columns == n && r.rows == n && r.columns == n)
    #expect(maxDifference(naiveProduct(q, transposingA: true, q), .identity(n)) <= 1e-12)
    let scale = max(1, a.frobeniusNormSquared.squareRoot())
    #expect(maxDifference(naiveProduct(q, r), a) <= 1e-12 * scale)
    for i in 0 ..< n { for j in 0 ..< i { #expect(r[i, j] == 0, "R(\(i), \(j)) below the diagonal") } }
  }

  @Test("upperTrapezoidalFactor: RᵀR = AᵀA, R min(m, n)×n with zeros below the diagonal", arguments: rectangularCases())
  func upperTrapezoidalFactor(name: String, a: DoubleMatrix) throws {
    let r = try LAPACK.upperTrapezoidalFactor(a)
    #expect(r.rows == min(a.rows, a.columns) && r.columns == a.columns)
    let scale = max(1, a.frobeniusNormSquared)
    #expect(maxDifference(naiveProduct(r, transposingA: true, r), naiveProduct(a, transposingA: true, a)) <= 1e-12 * scale)
    for i in 0 ..< r.rows { for j in 0 ..< min(i, r.columns) { #expect(r[i, j] == 0, "R(\(i), \(j)) below the diagonal") } }
  }

  @Test("inverseUpperFactor: F upper triangular with FᵀF·A = I; not positive definite throws")
  func inverseUpperFactor() throws {
    var generator = SplitMix64(seed: 13)
    for n in [1, 2, 5, 40] {
      let b = DoubleMatrix.random(rows: n + 3, columns: n, using: &generator)
      var a = naiveProduct(b, transposingA: true, b)
      let f = try LAPACK.inverseUpperFactor(a)
      #expect(maxDifference(naiveProduct(naiveProduct(f, transposingA: true, f), a), .identity(n)) <= 1e-10)
      for i in 0 ..< n { for j in 0 ..< i { #expect(f[i, j] == 0, "F(\(i), \(j)) below the diagonal") } }
      // Only the upper triangle is read.
      for i in 0 ..< n { for j in 0 ..< i { a[i, j] = 1e6 } }
      #expect(try LAPACK.inverseUpperFactor(a) == f)
    }
    #expect(throws: MathError.self) { try LAPACK.inverseUpperFactor(DoubleMatrix(diagonal: [1, -1, 2])) }
  }

  @Test("cholesky: L·Lᵀ = A with L lower; not positive definite throws with the minor")
  func cholesky() throws {
    var generator = SplitMix64(seed: 13)
    let b = DoubleMatrix.random(rows: 6, columns: 6, using: &generator)
    let a = naiveProduct(b, b, transposingB: true) + .identity(6)
    let l = try LAPACK.cholesky(a)
    #expect(maxDifference(naiveProduct(l, l, transposingB: true), a) <= 1e-12)
    for i in 0 ..< 6 { for j in i + 1 ..< 6 { #expect(l[i, j] == 0) } }
    let indefinite = DoubleMatrix(rows: 3, columns: 3, storage: [1, 0, 0, 0, 1, 0, 0, 0, -1])
    #expect(throws: MathError.lapack(routine: "dpotrf", info: 3)) { try LAPACK.cholesky(indefinite) }
    #expect(MathError.lapack(routine: "dpotrf", info: 3).description
            == "dpotrf: the matrix is not positive definite (leading minor of order 3 is not positive)")
  }

  @Test("NaN or infinite input throws before LAPACK is called")
  func nonFinite() {
    var a = DoubleMatrix.identity(3)
    a[1, 2] = .nan
    #expect(throws: MathError.nonFinite(routine: "dsyevd")) { try LAPACK.symmetricEigen(a) }
    a[1, 2] = .infinity
    #expect(throws: MathError.nonFinite(routine: "dgesdd")) { try LAPACK.svd(a) }
    #expect(throws: MathError.nonFinite(routine: "dgeqrf")) { try LAPACK.qr(a) }
    #expect(MathError.nonFinite(routine: "dsyevd").description
            == "dsyevd: the input matrix has a NaN or infinite element, expected finite values")
  }

  @Test("a bad LAPACK argument (info < 0) traps, naming routine and argument")
  func badArgumentTraps() async {
    // LDA = 1 for a 3×3 matrix: dsyevd reports argument 5 (LDA) illegal.
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      var a = [Double](repeating: 0, count: 9)
      var w = [Double](repeating: 0, count: 3)
      try? LAPACK.dsyevd(computingVectors: true, order: 3, a: &a, lda: 1, values: &w)
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("dsyevd: argument 5 (LDA) had an illegal value"), "\(message)")
    await #expect(processExitsWith: .failure) { try? LAPACK.check(.dgesdd, info: -5) }
    await #expect(processExitsWith: .failure) { _ = try? LAPACK.qr(DoubleMatrix(rows: 2, columns: 3)) }
  }

  @Test("check passes info 0 and throws info > 0")
  func check() {
    #expect(throws: Never.self) { try LAPACK.check(.dsyevd, info: 0) }
    #expect(throws: MathError.lapack(routine: "dsyevd", info: 2)) { try LAPACK.check(.dsyevd, info: 2) }
  }
}
