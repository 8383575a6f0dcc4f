/// A row-major Float64 matrix value, for d×d statistics (Gram, covariance, cross-covariance) and small dense algebra.
///
/// Element (i, j) is `storage[i · columns + j]`. Copies share storage until one is mutated, like `Array`.
/// `==` compares shapes and elements exactly (NaN is unequal to itself); compare computed results with a tolerance.
///
/// ## Topics
/// - Creating: `init(rows:columns:repeating:)`, `init(rows:columns:storage:)`, `identity(_:)`, `init(diagonal:)`,
///   `init(_:)` (from `Matrix`)
/// - Elements: `subscript(row:column:)`, `storage`, `diagonal`
/// - Algebra: `transposed()`, `*` (`dgemm`), `+`, `-`, scalar `*`, `trace`, `frobeniusNormSquared`
/// - Factorisations: `LAPACK.symmetricEigen(_:)`, `LAPACK.svd(_:)`, `LAPACK.qr(_:)`, `LAPACK.cholesky(_:)`
public struct DoubleMatrix: Sendable, Equatable {
  /// The number of rows.
  public var rows: Int
  /// The number of columns.
  public var columns: Int
  /// The elements in row-major order; `storage.count == rows · columns` whenever the matrix is used.
  public var storage: [Double]

  /// Creates a `rows`×`columns` matrix with every element equal to `repeating`.
  ///
  /// - Precondition: `rows >= 0`, `columns >= 0`.
  public init(rows: Int, columns: Int, repeating: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "DoubleMatrix: negative shape \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = [Double](repeating: repeating, count: rows * columns)
  }

  /// Creates a `rows`×`columns` matrix from its elements in row-major order.
  ///
  /// - Precondition: `rows >= 0`, `columns >= 0`, `storage.count == rows · columns`.
  public init(rows: Int, columns: Int, storage: [Double]) {
    precondition(rows >= 0 && columns >= 0, "DoubleMatrix: negative shape \(rows)×\(columns)")
    precondition(storage.count == rows * columns,
                 "DoubleMatrix: \(storage.count) elements for a \(rows)×\(columns) matrix")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// A `rows`×`columns` matrix whose elements are left unset, for a result that is written in full before it is read
  /// (a product with β = 0): it skips the pass that would zero the elements first.
  ///
  /// - Precondition: `rows >= 0`, `columns >= 0`.
  public static func unset(rows: Int, columns: Int) -> DoubleMatrix {
    precondition(rows >= 0 && columns >= 0, "DoubleMatrix: negative shape \(rows)×\(columns)")
    let count = rows * columns
    return DoubleMatrix(
      rows: rows, columns: columns,
      storage: [Double](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
  }

  /// Widens each element of a Float32 matrix (exactly).
  public init(_ matrix: Matrix) {
    self.init(rows: matrix.rows, columns: matrix.columns, storage: matrix.storage.map { Double($0) })
  }

  /// The square matrix with `diagonal` on its diagonal and zeros elsewhere.
  public init(diagonal: [Double]) {
    let n = diagonal.count
    self.init(rows: n, columns: n)
    for i in 0 ..< n { storage[i * n + i] = diagonal[i] }
  }

  /// The n×n identity matrix.
  ///
  /// - Precondition: `n >= 0`.
  public static func identity(_ n: Int) -> DoubleMatrix {
    DoubleMatrix(diagonal: [Double](repeating: 1, count: n))
  }

  /// The element in row `row` and column `column`.
  ///
  /// - Precondition: `0 <= row < rows`, `0 <= column < columns` (out of range traps).
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                   "DoubleMatrix: index (\(row), \(column)) outside \(rows)×\(columns)")
      return storage[row * columns + column]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                   "DoubleMatrix: index (\(row), \(column)) outside \(rows)×\(columns)")
      storage[row * columns + column] = newValue
    }
  }

  /// The elements (i, i) for i < min(`rows`, `columns`).
  public var diagonal: [Double] {
    (0 ..< min(rows, columns)).map { storage[$0 * columns + $0] }
  }

  /// The sum of the diagonal elements (of the leading square block when the matrix is not square).
  ///
  /// - Complexity: O(min(`rows`, `columns`)).
  public var trace: Double {
    var sum = 0.0
    for i in 0 ..< min(rows, columns) { sum += storage[i * columns + i] }
    return sum
  }

  /// ‖A‖²_F = Σᵢⱼ aᵢⱼ², summed in Float64 in storage order.
  ///
  /// - Complexity: O(`rows · columns`).
  public var frobeniusNormSquared: Double {
    var sum = 0.0
    for value in storage { sum += value * value }
    return sum
  }

  /// The transpose, a `columns`×`rows` matrix.
  ///
  /// - Complexity: O(`rows · columns`) element copies.
  public func transposed() -> DoubleMatrix {
    DoubleMatrix(rows: columns, columns: rows, storage: transposedStorage(storage, rows: rows, columns: columns))
  }

  /// The matrix product `lhs · rhs`.
  ///
  /// - Precondition: `lhs.columns == rhs.rows`.
  /// - Complexity: O(`lhs.rows · lhs.columns · rhs.columns`) flops. The corresponding routine is `dgemm`.
  public static func * (lhs: DoubleMatrix, rhs: DoubleMatrix) -> DoubleMatrix {
    BLAS.product(lhs, .none, rhs, .none)
  }

  /// The element-wise sum.
  ///
  /// - Precondition: equal shapes.
  public static func + (lhs: DoubleMatrix, rhs: DoubleMatrix) -> DoubleMatrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns,
                 "DoubleMatrix +: \(lhs.rows)×\(lhs.columns) and \(rhs.rows)×\(rhs.columns)")
    var result = lhs
    for k in result.storage.indices { result.storage[k] += rhs.storage[k] }
    return result
  }

  /// The element-wise difference.
  ///
  /// - Precondition: equal shapes.
  public static func - (lhs: DoubleMatrix, rhs: DoubleMatrix) -> DoubleMatrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns,
                 "DoubleMatrix -: \(lhs.rows)×\(lhs.columns) and \(rhs.rows)×\(rhs.columns)")
    var result = lhs
    for k in result.storage.indices { result.storage[k] -= rhs.storage[k] }
    return result
  }

  /// Every element multiplied by `scalar`.
  public static func * (scalar: Double, matrix: DoubleMatrix) -> DoubleMatrix {
    var result = matrix
    for k in result.storage.indices { result.storage[k] *= scalar }
    return result
  }
}
