import RepMath
import RepSupport

/// Mutual k-nearest-neighbour overlap (Huh et al. 2024): how many of each example's k nearest neighbours in X are
/// also among its k nearest neighbours in Y.
///
/// ```
/// mknn = (1/n) Σᵢ |N_X(i) ∩ N_Y(i)| / k
/// N_X(i) = the k rows j ≠ i with the largest x̂ᵢ·x̂ⱼ,   x̂ = x/‖x‖₂ (a zero row stays zero)
/// ```
///
/// Neighbours are ranked by inner product of the L2-normalised rows, the row itself excluded, ties broken by the
/// lower row index (so a zero row, whose similarities are all 0, takes the first k other rows). Range 0...1, larger
/// is more similar, symmetric; 1 for X = Y without ties. Invariant to orthogonal maps, isotropic scaling and a
/// positive scaling of each row of either side; not to translation. Id `mknn(k=m)`, m = 10 by default. See
/// `docs/measures.md`; [Huh et al., "The Platonic Representation Hypothesis", ICML 2024](https://arxiv.org/abs/2405.07987).
///
/// Similarities are Float32 products (`sgemm`) of rows normalised in Float64: a neighbour whose similarity is within
/// about 1e-6 of the k-th may be ranked differently from a Float64 computation.
///
/// Degenerate inputs, in this order: NaN ("k >= n"); NaN ("constant representation") when either side has every
/// row equal.
///
/// - Complexity: O(n²·(d₁ + d₂)) flops (`sgemm` over blocks of rows) and O(n² log k) heap steps; memory
///   O(`blockRows`·n + n·(k + d)), never an n×n matrix.
public struct MutualKNN: NamedMeasure, RowLimitedMeasure {
  public static let name = "mknn"
  public static let summary =
    "mean overlap of the k nearest neighbours (cosine, self excluded, ties to the lower index; Huh et al. 2024)"
  public static let parameterSpecs = [ParameterSpec("k", default: "10", "neighbours per example (≥ 1, < n)")]

  /// Rows of similarities computed per `sgemm` call.
  public static let blockRows = 256

  /// The number of neighbours compared per example.
  public var k: Int
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  /// - Precondition: `k >= 1`.
  public init(k: Int = 10, rowLimit: Int = MutualKNN.defaultRowLimit) {
    precondition(k >= 1, "MutualKNN: k must be at least 1, got \(k)")
    self.k = k
    self.rowLimit = rowLimit
  }

  /// - Throws: `MeasureError.badParameter` when `k` is not an integer ≥ 1.
  public init(parameters: MeasureParameters) throws {
    self.init(k: try parameters.integer("k", default: 10, in: 1 ... Int.max))
  }

  public var id: MeasureID { MeasureID(name: Self.name, parameters: ["k": String(k)]) }

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[0, 1]",
                      invariances: [.orthogonal, .isotropicScaling, .rowScaling])
  }

  /// - Throws: `MeasureError.incompatibleInputs` when the row counts differ, `MeasureError.tooManyRows` above
  ///   `rowLimit`.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    try checkRows(x, y)
    let n = x.rows
    if k >= n { return .undefined("k >= n") }
    if x.hasIdenticalRows || y.hasIdenticalRows { return .constantRepresentation }
    let neighboursX = Self.nearestNeighbours(x, count: k)
    let neighboursY = Self.nearestNeighbours(y, count: k)
    // Mark row i's Y-neighbours with i, then count its X-neighbours carrying the mark.
    var mark = [Int](repeating: -1, count: n)
    var shared = 0
    for i in 0 ..< n {
      for p in (i * k) ..< ((i + 1) * k) { mark[neighboursY[p]] = i }
      for p in (i * k) ..< ((i + 1) * k) where mark[neighboursX[p]] == i { shared += 1 }
    }
    return MeasureValue(Double(shared) / Double(n * k))
  }

  /// For each row i, the indices of its `count` nearest rows (in no particular order), at `i·count ..< (i+1)·count`.
  ///
  /// - Precondition: `count < x.rows`.
  /// - Complexity: n²·d flops (`sgemm`) and O(n² log `count`) heap steps; memory O(`blockRows`·n + n·d).
  static func nearestNeighbours(_ x: Matrix, count: Int) -> [Int] {
    let (n, d) = (x.rows, x.columns)
    precondition(count < n, "MutualKNN.nearestNeighbours: \(count) neighbours among \(n) rows")
    let unit = normalizedRows(x)
    var neighbours = [Int](repeating: 0, count: n * count)
    var best = TopK<Float>(capacity: count, keeping: .largest)
    var similarities = Matrix(rows: min(blockRows, n), columns: n)
    for start in stride(from: 0, to: n, by: blockRows) {
      let rows = min(blockRows, n - start)
      let block = Matrix(rows: rows, columns: d, storage: Array(unit.storage[(start * d) ..< ((start + rows) * d)]))
      if similarities.rows != rows { similarities = Matrix(rows: rows, columns: n) }
      BLAS.multiply(block, .none, unit, .transposed, into: &similarities)
      similarities.storage.withUnsafeBufferPointer { s in
        for r in 0 ..< rows {
          let i = start + r
          best.removeAll()
          for j in 0 ..< n where j != i { best.insert(s[r * n + j], index: j) }
          for (p, j) in best.indices.enumerated() { neighbours[i * count + p] = j }
        }
      }
    }
    return neighbours
  }

  /// x̂ᵢ = xᵢ/‖xᵢ‖₂ with the norm and quotient in Float64, rounded to Float32; a zero row stays zero.
  static func normalizedRows(_ x: Matrix) -> Matrix {
    let (n, d) = (x.rows, x.columns)
    var unit = Matrix(rows: n, columns: d)
    x.storage.withUnsafeBufferPointer { xs in
      unit.storage.withUnsafeMutableBufferPointer { us in
        for i in 0 ..< n {
          var squares = 0.0
          for j in 0 ..< d { squares += Double(xs[i * d + j]) * Double(xs[i * d + j]) }
          guard squares > 0 else { continue }
          let norm = squares.squareRoot()
          for j in 0 ..< d { us[i * d + j] = Float(Double(xs[i * d + j]) / norm) }
        }
      }
    }
    return unit
  }
}
