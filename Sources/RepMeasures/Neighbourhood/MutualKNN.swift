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
public struct MutualKNN: NeighbourMeasure {
  public static let name = "mknn"
  public static let summary =
    "mean overlap of the k nearest neighbours (cosine, self excluded, ties to the lower index; Huh et al. 2024)"

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

  func value(of pair: NeighbourPair) -> MeasureValue {
    var shared = 0
    pair.forEachRow { i, _, rankY in
      for j in pair.neighboursX.neighbours(of: i) where rankY(j) > 0 { shared += 1 }
    }
    return MeasureValue(Double(shared) / Double(pair.rowCount * k))
  }
}
