/// A row-major Float32 matrix value: activations (rows are examples, columns are features) and Float32 BLAS results.
///
/// Element (i, j) is `storage[i · columns + j]`. Copies share storage until one is mutated, like `Array`.
/// `==` compares shapes and elements exactly (NaN is unequal to itself); compare computed results with a tolerance.
///
/// ## Topics
/// - Creating: `init(rows:columns:repeating:)`, `init(rows:columns:storage:)`, `init(_:)` (from `DoubleMatrix`)
/// - Elements: `subscript(row:column:)`, `storage`
/// - Algebra: `transposed()`, `*` (`sgemm`), `BLAS.gram(_:)` (`ssyrk`)
public struct Matrix: Sendable, Equatable {
  /// The number of rows.
  public var rows: Int
  /// The number of columns.
  public var columns: Int
  /// The elements in row-major order; `storage.count == rows · columns` whenever the matrix is used.
  public var storage: [Float]

  /// Creates a `rows`×`columns` matrix with every element equal to `repeating`.
  ///
  /// - Precondition: `rows >= 0`, `columns >= 0`.
  public init(rows: Int, columns: Int, repeating: Float = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = [Float](repeating: repeating, count: rows * columns)
  }

  /// Creates a `rows`×`columns` matrix from its elements in row-major order.
  ///
  /// - Precondition: `rows >= 0`, `columns >= 0`, `storage.count == rows · columns`.
  public init(rows: Int, columns: Int, storage: [Float]) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
    precondition(storage.count == rows * columns, "Matrix: \(storage.count) elements for a \(rows)×\(columns) matrix")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// A `rows`×`columns` matrix whose elements are left unset, for a result that is written in full before it is read
  /// (a product with β = 0, a fill of every row): it skips the pass that would zero the elements first.
  ///
  /// - Precondition: `rows >= 0`, `columns >= 0`.
  public static func unset(rows: Int, columns: Int) -> Matrix {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
    let count = rows * columns
    return Matrix(rows: rows, columns: columns, storage: [Float](unsafeUninitializedCapacity: count) { _, initialized in
      initialized = count
    })
  }

  /// The given rows, in that order (a row may repeat).
  ///
  /// - Precondition: every index is in `0 ..< rows`.
  public func selectingRows(_ rows: [Int]) -> Matrix {
    precondition(rows.allSatisfy { $0 >= 0 && $0 < self.rows }, "Matrix.selectingRows: a row outside 0..<\(self.rows)")
    guard columns > 0, !rows.isEmpty else { return Matrix(rows: rows.count, columns: columns) }
    var result = Matrix.unset(rows: rows.count, columns: columns)
    storage.withUnsafeBufferPointer { source in
      result.storage.withUnsafeMutableBufferPointer { target in
        for (position, row) in rows.enumerated() {
          (target.baseAddress! + position * columns).update(from: source.baseAddress! + row * columns, count: columns)
        }
      }
    }
    return result
  }

  /// Rounds each element of a Float64 matrix to the nearest Float32.
  public init(_ matrix: DoubleMatrix) {
    self.init(rows: matrix.rows, columns: matrix.columns, storage: matrix.storage.map { Float($0) })
  }

  /// The element in row `row` and column `column`.
  ///
  /// - Precondition: `0 <= row < rows`, `0 <= column < columns` (out of range traps).
  public subscript(row: Int, column: Int) -> Float {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                   "Matrix: index (\(row), \(column)) outside \(rows)×\(columns)")
      return storage[row * columns + column]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                   "Matrix: index (\(row), \(column)) outside \(rows)×\(columns)")
      storage[row * columns + column] = newValue
    }
  }

  /// The transpose, a `columns`×`rows` matrix.
  ///
  /// - Complexity: O(`rows · columns`) element copies.
  public func transposed() -> Matrix {
    Matrix(rows: columns, columns: rows, storage: transposedStorage(storage, rows: rows, columns: columns))
  }

  /// The matrix product `lhs · rhs`, accumulated in Float32 by BLAS.
  ///
  /// - Precondition: `lhs.columns == rhs.rows`.
  /// - Complexity: O(`lhs.rows · lhs.columns · rhs.columns`) flops. The corresponding routine is `sgemm`.
  public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
    BLAS.product(lhs, .none, rhs, .none)
  }
}

/// The row-major transpose of a `rows`×`columns` element array, shared by both matrix types.
func transposedStorage<Element>(_ storage: [Element], rows: Int, columns: Int) -> [Element] {
  precondition(storage.count == rows * columns, "transpose: \(storage.count) elements for \(rows)×\(columns)")
  if rows <= 1 || columns <= 1 { return storage }
  var result = storage
  result.withUnsafeMutableBufferPointer { target in
    storage.withUnsafeBufferPointer { source in
      // Blocked so that both sides stay in cache for large matrices.
      let tile = 32
      for rowStart in stride(from: 0, to: rows, by: tile) {
        for columnStart in stride(from: 0, to: columns, by: tile) {
          for i in rowStart ..< min(rowStart + tile, rows) {
            for j in columnStart ..< min(columnStart + tile, columns) {
              target[j * rows + i] = source[i * columns + j]
            }
          }
        }
      }
    }
  }
  return result
}
