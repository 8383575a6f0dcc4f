import RepMath
import RepSupport

/// Mutual k-nearest-neighbour overlap (Huh et al. 2024): how many of each example's k nearest neighbours in X are
/// also among its k nearest neighbours in Y.
///
/// ```
/// mknn = (1/n) Σᵢ |N_X(i) ∩ N_Y(i)| / k
/// N_X(i) = the k rows j ≠ i with the largest cos(xᵢ, xⱼ)   (a zero row has cosine 0 with every row)
/// ```
///
/// Neighbours are ranked by cosine, the row itself excluded, ties broken by the lower row index (so a zero row, whose
/// similarities are all 0, takes the first k other rows), exactly as a Float64 brute force ranks them
/// (`CosineNeighbours`): near-duplicate rows whose neighbours differ by less than Float32 can resolve are ranked by
/// their Float64 cosines. Range 0...1, larger is more similar, symmetric; 1 for X = Y. Invariant to orthogonal maps,
/// isotropic scaling and a positive scaling of each row of either side; not to translation. Id `mknn(k=m)`, m = 10
/// by default. See `docs/measures.md`;
/// [Huh et al., "The Platonic Representation Hypothesis", ICML 2024](https://arxiv.org/abs/2405.07987).
///
/// Degenerate inputs, in this order: NaN ("k >= n"); NaN ("constant representation") when either side has every
/// row equal; NaN ("non-finite value").
///
/// - Complexity: two `CosineNeighbours` searches, O(n²·(d₁ + d₂)) flops; memory O(`blockRows`·n + n·(k + d)),
///   never an n×n matrix.
public struct MutualKNN: NamedMeasure, RowLimitedMeasure {
  public static let name = "mknn"
  public static let summary =
    "mean overlap of the k nearest neighbours (cosine, self excluded, ties to the lower index; Huh et al. 2024)"
  public static let parameterSpecs = [ParameterSpec("k", default: "10", "neighbours per example (≥ 1, < n)")]

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
    switch NeighbourPair.make(x, y, k: k) {
    case .failure(let degenerate): return degenerate.value
    case .success(let pair):
      var shared = 0
      pair.forEachRow { i, _, rankY in
        for j in pair.neighboursX.neighbours(of: i) where rankY(j) > 0 { shared += 1 }
      }
      return MeasureValue(Double(shared) / Double(pair.rowCount * k))
    }
  }
}
