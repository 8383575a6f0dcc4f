import COpenBLAS

/// Matrix products through OpenBLAS (CBLAS, row-major), and its thread count.
///
/// The public wrappers take `Matrix` (Float32) or `DoubleMatrix` (Float64) values, check shapes with `precondition`
/// (a mismatch is a programmer error and traps), and reach pointers only inside closures. The pointer-level forms
/// used by the streaming statistics are internal to RepMath. Zero-size operands are allowed wherever the shapes agree:
/// an empty product leaves `β·C`.
///
/// Float32 routines accumulate in Float32 (OpenBLAS's kernels sum a dot product of length k in blocks of a few hundred
/// terms); call the Float64 forms, or accumulate partial Float32 products in Float64 as `ColumnStatistics` does, when
/// the sums are long. Results depend in the last bits on `threadCount`: tests pin it to 1.
///
/// ## Topics
/// - Threads: `setThreadCount(_:)`, `threadCount`
/// - General products: `multiply(_:_:_:_:alpha:beta:into:)`, `product(_:_:_:_:)` (`sgemm`, `dgemm`)
/// - Symmetric products: `symmetricRankKUpdate(_:_:alpha:beta:triangle:into:)`, `gram(_:)` (`ssyrk`, `dsyrk`)
public enum BLAS {
  /// How an operand enters a product: op(A) = A or op(A) = Aᵀ.
  public enum Transpose: Sendable, Equatable {
    /// op(A) = A. The corresponding constant is `CblasNoTrans`.
    case none
    /// op(A) = Aᵀ. The corresponding constant is `CblasTrans`.
    case transposed

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
  }

  /// Which triangle of a symmetric result a routine reads or writes (in row-major terms).
  public enum Triangle: Sendable, Equatable {
    /// Elements (i, j) with i ≤ j. The corresponding constant is `CblasUpper`.
    case upper
    /// Elements (i, j) with i ≥ j. The corresponding constant is `CblasLower`.
    case lower

    var cblas: CBLAS_UPLO { self == .upper ? CblasUpper : CblasLower }
  }

  // MARK: Threads

  /// Sets the number of threads OpenBLAS uses for every later call, process-wide.
  ///
  /// Tell OpenBLAS the count explicitly and never call it from several threads of our own at once (no nested
  /// parallelism). The corresponding routine is `openblas_set_num_threads`.
  /// - Precondition: `count >= 1`.
  public static func setThreadCount(_ count: Int) {
    precondition(count >= 1 && count <= Int(Int32.max), "BLAS.setThreadCount: count must be at least 1, got \(count)")
    openblas_set_num_threads(Int32(count))
  }

  /// The number of threads OpenBLAS uses. The corresponding routine is `openblas_get_num_threads`.
  public static var threadCount: Int { Int(openblas_get_num_threads()) }

  /// The kernels OpenBLAS runs (its core name, e.g. "Zen" or "Cooperlake"). The corresponding routine is
  /// `openblas_get_corename`.
  public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

  /// The OpenBLAS build: version and options. The corresponding routine is `openblas_get_config`.
  public static var configuration: String { openblas_get_config().map { String(cString: $0) } ?? "unknown" }

  // MARK: General matrix products

  /// C ← α·op(A)·op(B) + β·C in Float32, with op(A) m×k, op(B) k×n and C m×n.
  ///
  /// With β = 0 the old contents of `c` are ignored (NaN included), as in BLAS.
  /// - Precondition: the shapes agree.
  /// - Complexity: 2·m·n·k flops. The corresponding routine is `sgemm`.
  public static func multiply(
    _ a: Matrix, _ transposeA: Transpose, _ b: Matrix, _ transposeB: Transpose,
    alpha: Float = 1, beta: Float = 0, into c: inout Matrix
  ) {
    checkedMultiply(a, transposeA, b, transposeB, alpha: alpha, beta: beta, into: &c)
  }

  /// The Float32 product op(A)·op(B).
  ///
  /// - Precondition: the inner dimensions agree.
  /// - Complexity: 2·m·n·k flops. The corresponding routine is `sgemm`.
  public static func product(
    _ a: Matrix, _ transposeA: Transpose = .none, _ b: Matrix, _ transposeB: Transpose = .none
  ) -> Matrix {
    checkedProduct(a, transposeA, b, transposeB)
  }

  /// C ← α·op(A)·op(B) + β·C in Float64, with op(A) m×k, op(B) k×n and C m×n.
  ///
  /// With β = 0 the old contents of `c` are ignored (NaN included), as in BLAS.
  /// - Precondition: the shapes agree.
  /// - Complexity: 2·m·n·k flops. The corresponding routine is `dgemm`.
  public static func multiply(
    _ a: DoubleMatrix, _ transposeA: Transpose, _ b: DoubleMatrix, _ transposeB: Transpose,
    alpha: Double = 1, beta: Double = 0, into c: inout DoubleMatrix
  ) {
    checkedMultiply(a, transposeA, b, transposeB, alpha: alpha, beta: beta, into: &c)
  }

  /// The Float64 product op(A)·op(B).
  ///
  /// - Precondition: the inner dimensions agree.
  /// - Complexity: 2·m·n·k flops. The corresponding routine is `dgemm`.
  public static func product(
    _ a: DoubleMatrix, _ transposeA: Transpose = .none, _ b: DoubleMatrix, _ transposeB: Transpose = .none
  ) -> DoubleMatrix {
    checkedProduct(a, transposeA, b, transposeB)
  }

  // MARK: Symmetric products

  /// C ← α·op(A)·op(A)ᵀ + β·C on one triangle of C, in Float32: op(A) = A (n×k) gives AAᵀ, `.transposed` with A k×n
  /// gives AᵀA. C is n×n; only `triangle` is read and written, the other is left alone.
  ///
  /// - Precondition: `c` is n×n.
  /// - Complexity: n²·k flops (half of the equivalent `sgemm`). The corresponding routine is `ssyrk`.
  public static func symmetricRankKUpdate(
    _ a: Matrix, _ transpose: Transpose, alpha: Float = 1, beta: Float = 0, triangle: Triangle = .upper,
    into c: inout Matrix
  ) {
    checkedRankKUpdate(a, transpose, alpha: alpha, beta: beta, triangle: triangle, into: &c)
  }

  /// C ← α·op(A)·op(A)ᵀ + β·C on one triangle of C, in Float64: op(A) = A (n×k) gives AAᵀ, `.transposed` with A k×n
  /// gives AᵀA. C is n×n; only `triangle` is read and written, the other is left alone.
  ///
  /// - Precondition: `c` is n×n.
  /// - Complexity: n²·k flops (half of the equivalent `dgemm`). The corresponding routine is `dsyrk`.
  public static func symmetricRankKUpdate(
    _ a: DoubleMatrix, _ transpose: Transpose, alpha: Double = 1, beta: Double = 0, triangle: Triangle = .upper,
    into c: inout DoubleMatrix
  ) {
    checkedRankKUpdate(a, transpose, alpha: alpha, beta: beta, triangle: triangle, into: &c)
  }

  /// F·A·Gᵀ in Float64 for upper-trapezoidal F (r₁×m, r₁ ≤ m) and G (r₂×n, r₂ ≤ n); their elements below the
  /// diagonal are not read.
  ///
  /// Each side is a triangular product (`dtrmm`) with the factor's leading r×r block plus, where the factor is wider
  /// than tall, a `dgemm` with the rest: for square factors half the flops of two general products.
  /// - Precondition: the shapes agree.
  /// - Complexity: r₁·m·n + r₁·n·r₂ flops for square factors, up to twice that for wide ones.
  public static func trapezoidalSandwich(_ f: DoubleMatrix, _ a: DoubleMatrix, _ g: DoubleMatrix) -> DoubleMatrix {
    let (r1, m, n, r2) = (f.rows, a.rows, a.columns, g.rows)
    precondition(f.columns == m && g.columns == n && r1 <= m && r2 <= n,
                 "BLAS.trapezoidalSandwich: F \(r1)×\(f.columns), A \(m)×\(n), G \(r2)×\(g.columns)")
    // T = F·A (r₁×n): the triangular block times A's first r₁ rows, plus F's rectangular part times the rest.
    var t = DoubleMatrix(rows: r1, columns: n, storage: Array(a.storage[0 ..< r1 * n]))
    f.storage.withUnsafeBufferPointer { f in
      a.storage.withUnsafeBufferPointer { a in
        t.storage.withUnsafeMutableBufferPointer { t in
          dtrmm(left: true, .upper, .none, m: r1, n: n, a: f.baseAddress, lda: m, b: t.baseAddress, ldb: n)
          if m > r1, r1 > 0 {
            gemm(.none, .none, m: r1, n: n, k: m - r1, alpha: 1, a: f.baseAddress! + r1, lda: m,
                 b: a.baseAddress! + r1 * n, ldb: n, beta: 1, c: t.baseAddress, ldc: n)
          }
        }
      }
    }
    // T·Gᵀ (r₁×r₂) likewise, from T's first r₂ columns and the rest.
    var result = DoubleMatrix.unset(rows: r1, columns: r2)
    for i in 0 ..< r1 {
      for j in 0 ..< r2 { result.storage[i * r2 + j] = t.storage[i * n + j] }
    }
    g.storage.withUnsafeBufferPointer { g in
      t.storage.withUnsafeBufferPointer { t in
        result.storage.withUnsafeMutableBufferPointer { c in
          dtrmm(left: false, .upper, .transposed, m: r1, n: r2, a: g.baseAddress, lda: n, b: c.baseAddress, ldb: r2)
          if n > r2, r2 > 0, r1 > 0 {
            gemm(.none, .transposed, m: r1, n: r2, k: n - r2, alpha: 1, a: t.baseAddress! + r2, lda: n,
                 b: g.baseAddress! + r2, ldb: n, beta: 1, c: c.baseAddress, ldc: r2)
          }
        }
      }
    }
    return result
  }

  /// The Gram matrix of the columns, AᵀA (d×d for A n×d), both triangles filled, summed in Float32.
  ///
  /// - Complexity: n·d² flops. The corresponding routine is `ssyrk`.
  public static func gram(_ a: Matrix) -> Matrix { checkedGram(a) }

  /// The Gram matrix of the columns, AᵀA (d×d for A n×d), both triangles filled, summed in Float64.
  ///
  /// - Complexity: n·d² flops. The corresponding routine is `dsyrk`.
  public static func gram(_ a: DoubleMatrix) -> DoubleMatrix { checkedGram(a) }
}

// MARK: - Both precisions at once (RepMath only)

/// `Matrix` and `DoubleMatrix`, so that the shape checks and pointer plumbing of each product are written once.
protocol BLASMatrix {
  associatedtype Element: BLASElement
  var rows: Int { get }
  var columns: Int { get }
  var storage: [Element] { get set }
  init(rows: Int, columns: Int, repeating: Element)
  static func unset(rows: Int, columns: Int) -> Self
}

extension Matrix: BLASMatrix {}
extension DoubleMatrix: BLASMatrix {}

extension BLAS {
  /// `multiply(_:_:_:_:alpha:beta:into:)` for either precision.
  static func checkedMultiply<M: BLASMatrix>(
    _ a: M, _ transposeA: Transpose, _ b: M, _ transposeB: Transpose, alpha: M.Element, beta: M.Element,
    into c: inout M
  ) {
    let (m, k) = transposeA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kb, n) = transposeB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
    precondition(k == kb && c.rows == m && c.columns == n,
                 "BLAS.multiply: op(A) \(m)×\(k), op(B) \(kb)×\(n), C \(c.rows)×\(c.columns)")
    let (lda, ldb, ldc) = (a.columns, b.columns, c.columns)
    a.storage.withUnsafeBufferPointer { a in
      b.storage.withUnsafeBufferPointer { b in
        c.storage.withUnsafeMutableBufferPointer { c in
          gemm(transposeA, transposeB, m: m, n: n, k: k, alpha: alpha, a: a.baseAddress, lda: lda,
               b: b.baseAddress, ldb: ldb, beta: beta, c: c.baseAddress, ldc: ldc)
        }
      }
    }
  }

  /// `product(_:_:_:_:)` for either precision.
  static func checkedProduct<M: BLASMatrix>(_ a: M, _ transposeA: Transpose, _ b: M, _ transposeB: Transpose) -> M {
    // β = 0: BLAS writes every element of C without reading it.
    var c = M.unset(rows: transposeA == .none ? a.rows : a.columns, columns: transposeB == .none ? b.columns : b.rows)
    checkedMultiply(a, transposeA, b, transposeB, alpha: 1, beta: 0, into: &c)
    return c
  }

  /// `symmetricRankKUpdate(_:_:alpha:beta:triangle:into:)` for either precision.
  static func checkedRankKUpdate<M: BLASMatrix>(
    _ a: M, _ transpose: Transpose, alpha: M.Element, beta: M.Element, triangle: Triangle, into c: inout M
  ) {
    let (n, k) = transpose == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    precondition(c.rows == n && c.columns == n, "BLAS.symmetricRankKUpdate: op(A) \(n)×\(k), C \(c.rows)×\(c.columns)")
    let lda = a.columns
    a.storage.withUnsafeBufferPointer { a in
      c.storage.withUnsafeMutableBufferPointer { c in
        syrk(triangle, transpose, n: n, k: k, alpha: alpha, a: a.baseAddress, lda: lda, beta: beta,
             c: c.baseAddress, ldc: n)
      }
    }
  }

  /// `gram(_:)` for either precision.
  static func checkedGram<M: BLASMatrix>(_ a: M) -> M {
    var c = M(rows: a.columns, columns: a.columns, repeating: 0)
    checkedRankKUpdate(a, .transposed, alpha: 1, beta: 0, triangle: .upper, into: &c)
    c.storage.withUnsafeMutableBufferPointer { mirrorUpperTriangle($0.baseAddress, order: a.columns) }
    return c
  }
}

// MARK: - Pointer level (RepMath only)

extension BLAS {
  /// Row-major `sgemm` or `dgemm` on raw storage: C (m×n, row stride `ldc`) ← α·op(A)·op(B) + β·C.
  ///
  /// Zero sizes return early (k = 0 scales C by β), so empty operands may pass a nil or dangling base address.
  static func gemm<T: BLASElement>(
    _ transposeA: Transpose, _ transposeB: Transpose, m: Int, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>?, lda: Int, b: UnsafePointer<T>?, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>?, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    guard k > 0 else { return scale(c, rows: m, columns: n, stride: ldc, by: beta) }
    T.gemm(transposeA.cblas, transposeB.cblas, blasInt(m), blasInt(n), blasInt(k), alpha,
           a, blasInt(max(1, lda)), b, blasInt(max(1, ldb)), beta, c, blasInt(max(1, ldc)))
  }

  /// Row-major `ssyrk` or `dsyrk` on raw storage: one triangle of C (n×n, row stride `ldc`) ← α·op(A)·op(A)ᵀ + β·C.
  static func syrk<T: BLASElement>(
    _ triangle: Triangle, _ transpose: Transpose, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>?, lda: Int, beta: T, c: UnsafeMutablePointer<T>?, ldc: Int
  ) {
    if n == 0 { return }
    guard k > 0 else { return scale(c, rows: n, columns: n, stride: ldc, by: beta) }
    T.syrk(triangle.cblas, transpose.cblas, blasInt(n), blasInt(k), alpha, a, blasInt(max(1, lda)), beta,
           c, blasInt(max(1, ldc)))
  }

  /// Row-major `dtrmm` on raw storage: B (m×n, row stride `ldb`) ← op(A)·B when `left`, B·op(A) otherwise, with A
  /// (m×m or n×n) triangular: only its `triangle` is read.
  static func dtrmm(
    left: Bool, _ triangle: Triangle, _ transpose: Transpose, m: Int, n: Int,
    a: UnsafePointer<Double>?, lda: Int, b: UnsafeMutablePointer<Double>?, ldb: Int
  ) {
    if m == 0 || n == 0 { return }
    cblas_dtrmm(CblasRowMajor, left ? CblasLeft : CblasRight, triangle.cblas, transpose.cblas, CblasNonUnit,
                blasInt(m), blasInt(n), 1, a, blasInt(max(1, lda)), b, blasInt(max(1, ldb)))
  }

  /// C ← β·C for an empty inner dimension, with BLAS's rule that β = 0 overwrites (even NaN) with zero.
  private static func scale<T: BLASElement>(
    _ c: UnsafeMutablePointer<T>?, rows: Int, columns: Int, stride: Int, by beta: T
  ) {
    guard let c, beta != 1 else { return }
    for i in 0 ..< rows {
      for j in 0 ..< columns { c[i * stride + j] = beta == 0 ? 0 : beta * c[i * stride + j] }
    }
  }

  /// An Int as BLAS's integer; a dimension beyond its range is a programmer error.
  private static func blasInt(_ value: Int) -> blasint {
    precondition(value >= 0 && value <= Int(blasint.max), "BLAS: dimension \(value) outside the BLAS integer range")
    return blasint(value)
  }
}

/// Float and Double, with OpenBLAS's routine of each precision (row-major; s… for Float, d… for Double).
protocol BLASElement: BinaryFloatingPoint {
  static func gemm(
    _ transposeA: CBLAS_TRANSPOSE, _ transposeB: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ k: blasint,
    _ alpha: Self, _ a: UnsafePointer<Self>?, _ lda: blasint, _ b: UnsafePointer<Self>?, _ ldb: blasint,
    _ beta: Self, _ c: UnsafeMutablePointer<Self>?, _ ldc: blasint)
  static func syrk(
    _ triangle: CBLAS_UPLO, _ transpose: CBLAS_TRANSPOSE, _ n: blasint, _ k: blasint, _ alpha: Self,
    _ a: UnsafePointer<Self>?, _ lda: blasint, _ beta: Self, _ c: UnsafeMutablePointer<Self>?, _ ldc: blasint)
}

extension Float: BLASElement {
  static func gemm(
    _ transposeA: CBLAS_TRANSPOSE, _ transposeB: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ k: blasint,
    _ alpha: Float, _ a: UnsafePointer<Float>?, _ lda: blasint, _ b: UnsafePointer<Float>?, _ ldb: blasint,
    _ beta: Float, _ c: UnsafeMutablePointer<Float>?, _ ldc: blasint
  ) {
    cblas_sgemm(CblasRowMajor, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }

  static func syrk(
    _ triangle: CBLAS_UPLO, _ transpose: CBLAS_TRANSPOSE, _ n: blasint, _ k: blasint, _ alpha: Float,
    _ a: UnsafePointer<Float>?, _ lda: blasint, _ beta: Float, _ c: UnsafeMutablePointer<Float>?, _ ldc: blasint
  ) {
    cblas_ssyrk(CblasRowMajor, triangle, transpose, n, k, alpha, a, lda, beta, c, ldc)
  }
}

extension Double: BLASElement {
  static func gemm(
    _ transposeA: CBLAS_TRANSPOSE, _ transposeB: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ k: blasint,
    _ alpha: Double, _ a: UnsafePointer<Double>?, _ lda: blasint, _ b: UnsafePointer<Double>?, _ ldb: blasint,
    _ beta: Double, _ c: UnsafeMutablePointer<Double>?, _ ldc: blasint
  ) {
    cblas_dgemm(CblasRowMajor, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }

  static func syrk(
    _ triangle: CBLAS_UPLO, _ transpose: CBLAS_TRANSPOSE, _ n: blasint, _ k: blasint, _ alpha: Double,
    _ a: UnsafePointer<Double>?, _ lda: blasint, _ beta: Double, _ c: UnsafeMutablePointer<Double>?, _ ldc: blasint
  ) {
    cblas_dsyrk(CblasRowMajor, triangle, transpose, n, k, alpha, a, lda, beta, c, ldc)
  }
}

/// Copies the upper triangle of a row-major `order`×`order` matrix onto its lower triangle.
func mirrorUpperTriangle<T>(_ c: UnsafeMutablePointer<T>?, order: Int) {
  guard let c else { return }
  for i in 0 ..< order {
    for j in 0 ..< i { c[i * order + j] = c[j * order + i] }
  }
}
