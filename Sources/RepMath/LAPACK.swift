import COpenBLAS

/// Dense Float64 factorisations through OpenBLAS's LAPACK (Fortran symbols declared in `COpenBLAS/shim.h`).
///
/// Inputs and outputs are row-major `DoubleMatrix` values; the column-major layout LAPACK wants is handled here,
/// usually by reading the row-major buffer as the transpose. Every call checks `info` in one place: `info < 0` means
/// we passed a bad argument, a programmer error that traps naming the routine and the argument; `info > 0` is about
/// the data and is thrown as `MathError.lapack(routine:info:)`. A NaN or infinite input element is thrown as
/// `MathError.nonFinite(routine:)` before LAPACK is called. Workspace sizes come from LAPACK's own query (lwork = −1).
///
/// ## Topics
/// - `symmetricEigen(_:)` (`dsyevd`)
/// - `singularValues(_:)`, `svd(_:)` (`dgesdd`)
/// - `qr(_:)` (`dgeqrf`, `dorgqr`), `upperTrapezoidalFactor(_:)` (`dgeqrf`)
/// - `cholesky(_:)` (`dpotrf`), `inverseUpperFactor(_:)` (`dpotrf`, `dtrtri`)
public enum LAPACK {
  /// Eigenvalues ascending and eigenvectors (columns) of a symmetric Float64 matrix.
  ///
  /// Only the upper triangle (i ≤ j) of `a` is read. The eigenvectors are orthonormal: A·V = V·diag(values), and
  /// column k of `vectors` belongs to `values[k]`. The sign of each vector is LAPACK's choice.
  /// - Precondition: `a` is square.
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element, `MathError.lapack` (info > 0) when the algorithm
  ///   fails to converge.
  /// - Complexity: O(n³) flops, O(n²) memory. The corresponding routine is `dsyevd`
  ///   (https://netlib.org/lapack/explore-html/ → dsyevd).
  public static func symmetricEigen(_ a: DoubleMatrix) throws(MathError) -> (values: [Double], vectors: DoubleMatrix) {
    let (values, buffer) = try syevd(a, computingVectors: true, caller: "symmetricEigen")
    // The column-major eigenvector matrix, read row-major, is Vᵀ.
    return (values, DoubleMatrix(rows: a.rows, columns: a.rows, storage: buffer).transposed())
  }

  /// Eigenvalues (ascending) of a symmetric Float64 matrix, without eigenvectors: about a third of the work of
  /// `symmetricEigen`.
  ///
  /// Only the upper triangle (i ≤ j) of `a` is read.
  /// - Precondition: `a` is square.
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element, `MathError.lapack` (info > 0) when the algorithm
  ///   fails to converge.
  /// - Complexity: O(n³) flops. The corresponding routine is `dsyevd` with jobz = 'N'.
  public static func symmetricEigenvalues(_ a: DoubleMatrix) throws(MathError) -> [Double] {
    try syevd(a, computingVectors: false, caller: "symmetricEigenvalues").values
  }

  /// Singular values of an m×n Float64 matrix, descending, min(m, n) of them.
  ///
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element, `MathError.lapack` (info > 0) when the algorithm
  ///   fails to converge.
  /// - Complexity: O(m·n·min(m, n)) flops. The corresponding routine is `dgesdd` with jobz = 'N'.
  public static func singularValues(_ a: DoubleMatrix) throws(MathError) -> [Double] {
    try gesdd(a, computingVectors: false).s
  }

  /// Thin singular value decomposition A = U·diag(s)·Vᵀ of an m×n Float64 matrix, with k = min(m, n):
  /// U m×k and Vᵀ k×n with orthonormal columns and rows, s descending.
  ///
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element, `MathError.lapack` (info > 0) when the algorithm
  ///   fails to converge.
  /// - Complexity: O(m·n·min(m, n)) flops, O(m·n) memory. The corresponding routine is `dgesdd` with jobz = 'S'.
  public static func svd(_ a: DoubleMatrix) throws(MathError) -> (u: DoubleMatrix, s: [Double], vt: DoubleMatrix) {
    try gesdd(a, computingVectors: true)
  }

  /// Thin QR factorisation A = Q·R of an m×n Float64 matrix with m ≥ n: Q m×n with orthonormal columns, R n×n upper
  /// triangular (zeros below the diagonal). Diagonal signs of R are LAPACK's choice (Householder), not forced positive.
  ///
  /// - Precondition: `a.rows >= a.columns`.
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element.
  /// - Complexity: O(m·n²) flops. The corresponding routines are `dgeqrf` and `dorgqr`.
  public static func qr(_ a: DoubleMatrix) throws(MathError) -> (q: DoubleMatrix, r: DoubleMatrix) {
    let (m, n) = (a.rows, a.columns)
    precondition(m >= n, "LAPACK.qr: matrix is \(m)×\(n), expected at least as many rows as columns")
    if n == 0 { return (DoubleMatrix(rows: m, columns: 0), DoubleMatrix(rows: 0, columns: 0)) }
    let (reflectors, tau, r) = try householderQR(a)
    var buffer = reflectors
    try buffer.withUnsafeMutableBufferPointer { (buffer) throws(MathError) in
      try tau.withUnsafeBufferPointer { (tau) throws(MathError) in
        try dorgqr(rows: m, columns: n, reflectors: n, a: buffer.baseAddress, lda: m, tau: tau.baseAddress)
      }
    }
    return (DoubleMatrix(rows: n, columns: m, storage: buffer).transposed(), r)
  }

  /// The R factor of A = Q·R for an m×n Float64 matrix of any shape: min(m, n)×n, upper trapezoidal (zeros below the
  /// diagonal), RᵀR = AᵀA. Diagonal signs are LAPACK's choice (Householder); Q is not formed.
  ///
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element.
  /// - Complexity: O(m·n·min(m, n)) flops. The corresponding routine is `dgeqrf`.
  public static func upperTrapezoidalFactor(_ a: DoubleMatrix) throws(MathError) -> DoubleMatrix {
    if min(a.rows, a.columns) == 0 { return DoubleMatrix(rows: min(a.rows, a.columns), columns: a.columns) }
    return try householderQR(a).r
  }

  /// `dgeqrf` on A (m×n, not empty): A in column-major order with the Householder reflectors below the diagonal,
  /// their scalars τ, and R (min(m, n)×n, row-major, zeros below the diagonal).
  private static func householderQR(
    _ a: DoubleMatrix
  ) throws(MathError) -> (buffer: [Double], tau: [Double], r: DoubleMatrix) {
    let (m, n) = (a.rows, a.columns)
    let k = min(m, n)
    try requireFinite(a, Routine.dgeqrf)
    // The row-major transpose is A in column-major order, leading dimension m.
    var buffer = a.transposed().storage
    var tau = [Double](repeating: 0, count: k)
    try buffer.withUnsafeMutableBufferPointer { (buffer) throws(MathError) in
      try tau.withUnsafeMutableBufferPointer { (tau) throws(MathError) in
        try dgeqrf(rows: m, columns: n, a: buffer.baseAddress, lda: m, tau: tau.baseAddress)
      }
    }
    var r = DoubleMatrix(rows: k, columns: n)
    for i in 0 ..< k {
      for j in i ..< n { r.storage[i * n + j] = buffer[i + j * m] }
    }
    return (buffer, tau, r)
  }

  /// Cholesky factor of a symmetric positive definite Float64 matrix: lower triangular L with A = L·Lᵀ.
  ///
  /// Only the lower triangle (i ≥ j) of `a` is read; the result has zeros above the diagonal.
  /// - Precondition: `a` is square.
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element, `MathError.lapack` with `info` = k when the
  ///   leading minor of order k is not positive (the matrix is not positive definite).
  /// - Complexity: n³/3 flops. The corresponding routine is `dpotrf`.
  public static func cholesky(_ a: DoubleMatrix) throws(MathError) -> DoubleMatrix {
    precondition(a.rows == a.columns, "LAPACK.cholesky: matrix is \(a.rows)×\(a.columns), expected square")
    let n = a.rows
    if n == 0 { return a }
    try requireFinite(a, Routine.dpotrf)
    // Row-major lower = column-major upper ('U'); the column-major factor U with A = UᵀU, read row-major, is L = Uᵀ.
    var buffer = a.storage
    try buffer.withUnsafeMutableBufferPointer { (buffer) throws(MathError) in
      try dpotrf(order: n, a: buffer.baseAddress, lda: n)
    }
    for i in 0 ..< n {
      for j in i + 1 ..< n { buffer[i * n + j] = 0 }
    }
    return DoubleMatrix(rows: n, columns: n, storage: buffer)
  }

  /// The upper-triangular F with FᵀF = A⁻¹, for a symmetric positive definite Float64 matrix A: F = U⁻¹ for
  /// A = U·Uᵀ with U upper triangular, which is the Cholesky factorisation of A with its rows and columns in reverse
  /// order. A whitening of A in triangular form (F·A·Fᵀ = I).
  ///
  /// Only the upper triangle (i ≤ j) of `a` is read; the result has zeros below the diagonal.
  /// - Precondition: `a` is square.
  /// - Throws: `MathError.nonFinite` for a NaN or infinite element, `MathError.lapack` (`dpotrf`) when A is not
  ///   numerically positive definite.
  /// - Complexity: 2n³/3 flops. The corresponding routines are `dpotrf` and `dtrtri`.
  public static func inverseUpperFactor(_ a: DoubleMatrix) throws(MathError) -> DoubleMatrix {
    precondition(a.rows == a.columns, "LAPACK.inverseUpperFactor: matrix is \(a.rows)×\(a.columns), expected square")
    let n = a.rows
    if n == 0 { return a }
    try requireFinite(a, Routine.dpotrf)
    // B = JAJ (J the reversal) in column-major order: its lower triangle is A's upper one. B = LLᵀ gives
    // A = (JLJ)(JLJ)ᵀ with JLJ upper triangular, so F = J L⁻¹ J.
    var buffer = [Double](unsafeUninitializedCapacity: n * n) { storage, count in
      for q in 0 ..< n {
        for p in 0 ..< n { storage[p + q * n] = a.storage[(n - 1 - max(p, q)) * n + (n - 1 - min(p, q))] }
      }
      count = n * n
    }
    try buffer.withUnsafeMutableBufferPointer { (buffer) throws(MathError) in
      try dpotrf(order: n, a: buffer.baseAddress, lda: n, upper: false)
      try dtrtri(order: n, a: buffer.baseAddress, lda: n)
    }
    var f = DoubleMatrix(rows: n, columns: n)
    for i in 0 ..< n {
      for j in i ..< n { f.storage[i * n + j] = buffer[(n - 1 - i) + (n - 1 - j) * n] }
    }
    return f
  }

  /// Shared body of `symmetricEigen(_:)` and `symmetricEigenvalues(_:)`: the eigenvalues ascending, and the buffer
  /// `dsyevd` leaves (column-major eigenvectors when `computingVectors`). The row-major upper triangle is the
  /// column-major lower triangle ('L').
  private static func syevd(
    _ a: DoubleMatrix, computingVectors: Bool, caller: String
  ) throws(MathError) -> (values: [Double], buffer: [Double]) {
    precondition(a.rows == a.columns, "LAPACK.\(caller): matrix is \(a.rows)×\(a.columns), expected square")
    let n = a.rows
    if n == 0 { return ([], []) }
    try requireFinite(a, Routine.dsyevd)
    var buffer = a.storage
    var values = [Double](repeating: 0, count: n)
    try buffer.withUnsafeMutableBufferPointer { (buffer) throws(MathError) in
      try values.withUnsafeMutableBufferPointer { (values) throws(MathError) in
        try dsyevd(
          computingVectors: computingVectors, order: n, a: buffer.baseAddress, lda: n, values: values.baseAddress)
      }
    }
    return (values, buffer)
  }

  /// Shared body of `singularValues(_:)` and `svd(_:)`.
  private static func gesdd(
    _ a: DoubleMatrix, computingVectors: Bool
  ) throws(MathError) -> (u: DoubleMatrix, s: [Double], vt: DoubleMatrix) {
    let (m, n) = (a.rows, a.columns)
    let k = min(m, n)
    if k == 0 { return (DoubleMatrix(rows: m, columns: 0), [], DoubleMatrix(rows: 0, columns: n)) }
    try requireFinite(a, Routine.dgesdd)
    // The row-major buffer is B = Aᵀ (n×m) in column-major order. With B = U'·S·V'ᵀ, A = V'·S·U'ᵀ: the column-major
    // U' (n×k), read row-major, is A's Vᵀ (k×n), and the column-major V'ᵀ (k×m), read row-major, is A's U (m×k).
    var buffer = a.storage
    var s = [Double](repeating: 0, count: k)
    var vt = [Double](repeating: 0, count: computingVectors ? k * n : 1)
    var u = [Double](repeating: 0, count: computingVectors ? m * k : 1)
    try buffer.withUnsafeMutableBufferPointer { (buffer) throws(MathError) in
      try s.withUnsafeMutableBufferPointer { (s) throws(MathError) in
        try vt.withUnsafeMutableBufferPointer { (vt) throws(MathError) in
          try u.withUnsafeMutableBufferPointer { (u) throws(MathError) in
            try dgesdd(computingVectors: computingVectors, rows: n, columns: m, a: buffer.baseAddress, lda: n,
                       s: s.baseAddress, u: vt.baseAddress, ldu: computingVectors ? n : 1,
                       vt: u.baseAddress, ldvt: computingVectors ? k : 1)
          }
        }
      }
    }
    guard computingVectors else { return (DoubleMatrix(rows: m, columns: 0), s, DoubleMatrix(rows: 0, columns: n)) }
    return (DoubleMatrix(rows: m, columns: k, storage: u), s, DoubleMatrix(rows: k, columns: n, storage: vt))
  }

  private static func requireFinite(_ a: DoubleMatrix, _ routine: Routine) throws(MathError) {
    for value in a.storage where !value.isFinite { throw MathError.nonFinite(routine: routine.rawValue) }
  }
}

// MARK: - The Fortran calls (column-major, raw storage), each through `check(_:info:)`

extension LAPACK {
  /// The LAPACK routines RepMath calls, with their argument names in order, for the message of a bad-argument trap.
  enum Routine: String {
    case dsyevd, dgesdd, dgeqrf, dorgqr, dpotrf, dtrtri

    var argumentNames: [String] {
      switch self {
      case .dsyevd: ["JOBZ", "UPLO", "N", "A", "LDA", "W", "WORK", "LWORK", "IWORK", "LIWORK"]
      case .dgesdd: ["JOBZ", "M", "N", "A", "LDA", "S", "U", "LDU", "VT", "LDVT", "WORK", "LWORK", "IWORK"]
      case .dgeqrf: ["M", "N", "A", "LDA", "TAU", "WORK", "LWORK"]
      case .dorgqr: ["M", "N", "K", "A", "LDA", "TAU", "WORK", "LWORK"]
      case .dpotrf: ["UPLO", "N", "A", "LDA"]
      case .dtrtri: ["UPLO", "DIAG", "N", "A", "LDA"]
      }
    }
  }

  /// The one place a LAPACK status becomes a value: `info < 0` (argument −info was illegal: our bug) traps naming
  /// the routine and the argument; `info > 0` throws `MathError.lapack`.
  static func check(_ routine: Routine, info: blasint) throws(MathError) {
    if info < 0 {
      let position = Int(-info)
      let names = routine.argumentNames
      let name = position <= names.count ? names[position - 1] : "?"
      preconditionFailure("\(routine.rawValue): argument \(position) (\(name)) had an illegal value")
    }
    if info > 0 { throw MathError.lapack(routine: routine.rawValue, info: Int(info)) }
  }

  /// A workspace length LAPACK reported as a Double (the first element of WORK after a query).
  private static func workspaceLength(_ reported: Double) -> blasint {
    blasint(max(1, reported.rounded(.up)))
  }

  /// Makes a call twice, as LAPACK's routines with one Double workspace want it: first as the workspace query
  /// (LWORK = −1), then with a workspace of the reported length. `call(work, lwork, info)` passes the rest.
  private static func withQueriedWorkspace(
    _ routine: Routine,
    _ call: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<blasint>, UnsafeMutablePointer<blasint>) -> Void
  ) throws(MathError) {
    var info: blasint = 0
    var workQuery = 0.0
    var lwork: blasint = -1
    call(&workQuery, &lwork, &info)
    try check(routine, info: info)
    lwork = workspaceLength(workQuery)
    var work = [Double](repeating: 0, count: Int(lwork))
    work.withUnsafeMutableBufferPointer { call($0.baseAddress!, &lwork, &info) }
    try check(routine, info: info)
  }

  /// `dsyevd` with UPLO = 'L' on an order×order column-major matrix: eigenvalues into `values`, eigenvectors
  /// (if `computingVectors`) over `a`. Queries and allocates the workspace.
  static func dsyevd(
    computingVectors: Bool, order: Int, a: UnsafeMutablePointer<Double>?, lda: Int,
    values: UnsafeMutablePointer<Double>?
  ) throws(MathError) {
    var jobz = CChar(UInt8(ascii: computingVectors ? "V" : "N"))
    var uplo = CChar(UInt8(ascii: "L"))
    var n = blasint(order)
    var lda = blasint(lda)
    var info: blasint = 0
    var workQuery = 0.0
    var iworkQuery: blasint = 0
    var query: blasint = -1
    dsyevd_(&jobz, &uplo, &n, a, &lda, values, &workQuery, &query, &iworkQuery, &query, &info, 1, 1)
    try check(.dsyevd, info: info)
    var lwork = workspaceLength(workQuery)
    var liwork = max(1, iworkQuery)
    var work = [Double](repeating: 0, count: Int(lwork))
    var iwork = [blasint](repeating: 0, count: Int(liwork))
    dsyevd_(&jobz, &uplo, &n, a, &lda, values, &work, &lwork, &iwork, &liwork, &info, 1, 1)
    try check(.dsyevd, info: info)
  }

  /// `dgesdd` with JOBZ = 'S' (or 'N') on a rows×columns column-major matrix.
  static func dgesdd(
    computingVectors: Bool, rows: Int, columns: Int, a: UnsafeMutablePointer<Double>?, lda: Int,
    s: UnsafeMutablePointer<Double>?, u: UnsafeMutablePointer<Double>?, ldu: Int,
    vt: UnsafeMutablePointer<Double>?, ldvt: Int
  ) throws(MathError) {
    var jobz = CChar(UInt8(ascii: computingVectors ? "S" : "N"))
    var m = blasint(rows)
    var n = blasint(columns)
    var lda = blasint(lda)
    var ldu = blasint(ldu)
    var ldvt = blasint(ldvt)
    var iwork = [blasint](repeating: 0, count: 8 * max(1, min(rows, columns)))
    try withQueriedWorkspace(.dgesdd) { work, lwork, info in
      dgesdd_(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, lwork, &iwork, info, 1)
    }
  }

  /// `dgeqrf` on a rows×columns column-major matrix: R above the diagonal, reflectors below and in `tau`.
  static func dgeqrf(
    rows: Int, columns: Int, a: UnsafeMutablePointer<Double>?, lda: Int, tau: UnsafeMutablePointer<Double>?
  ) throws(MathError) {
    var m = blasint(rows)
    var n = blasint(columns)
    var lda = blasint(lda)
    try withQueriedWorkspace(.dgeqrf) { work, lwork, info in dgeqrf_(&m, &n, a, &lda, tau, work, lwork, info) }
  }

  /// `dorgqr`: overwrites `a` (rows×columns, column-major, from `dgeqrf`) with Q's first `columns` columns.
  static func dorgqr(
    rows: Int, columns: Int, reflectors: Int, a: UnsafeMutablePointer<Double>?, lda: Int,
    tau: UnsafePointer<Double>?
  ) throws(MathError) {
    var m = blasint(rows)
    var n = blasint(columns)
    var k = blasint(reflectors)
    var lda = blasint(lda)
    try withQueriedWorkspace(.dorgqr) { work, lwork, info in dorgqr_(&m, &n, &k, a, &lda, tau, work, lwork, info) }
  }

  /// `dpotrf` on an order×order column-major matrix, its upper (UPLO = 'U') or lower triangle.
  static func dpotrf(order: Int, a: UnsafeMutablePointer<Double>?, lda: Int, upper: Bool = true) throws(MathError) {
    var uplo = CChar(UInt8(ascii: upper ? "U" : "L"))
    var n = blasint(order)
    var lda = blasint(lda)
    var info: blasint = 0
    dpotrf_(&uplo, &n, a, &lda, &info, 1)
    try check(.dpotrf, info: info)
  }

  /// `dtrtri` with UPLO = 'L', DIAG = 'N': inverts the lower triangle of an order×order column-major matrix in place.
  static func dtrtri(order: Int, a: UnsafeMutablePointer<Double>?, lda: Int) throws(MathError) {
    var uplo = CChar(UInt8(ascii: "L"))
    var diag = CChar(UInt8(ascii: "N"))
    var n = blasint(order)
    var lda = blasint(lda)
    var info: blasint = 0
    dtrtri_(&uplo, &diag, &n, a, &lda, &info, 1, 1)
    try check(.dtrtri, info: info)
  }
}
