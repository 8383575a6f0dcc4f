import RepMath

/// Rank similarity of the k nearest neighbours (Wang et al. 2020, as in the `resi` code of Klabunde et al.'s survey):
/// shared neighbours count more when they are near in both spaces and at similar ranks.
///
/// ```
/// mknn.rank = (1/n) Σᵢ vᵢ,   vᵢ = (1/H_|Jᵢ|) Σ_{j∈Jᵢ} 2 / ((1 + |r_X(j) − r_Y(j)|)·(r_X(j) + r_Y(j)))
/// Jᵢ = N_X(i) ∩ N_Y(i),   r_X(j) = j's rank among i's X-neighbours (1 = nearest),   H_m = Σ_{t=1}^m 1/t
/// ```
///
/// and vᵢ = 0 when Jᵢ is empty. Neighbours and their order are the exact cosine ranking of `mknn`
/// (`CosineNeighbours`: self excluded, ties to the lower index; resi takes scikit-learn's order and drops its first
/// neighbour as the row itself). Range 0...1, larger is more similar, symmetric; 1 for X = Y. Invariant to orthogonal
/// maps, isotropic scaling and a positive scaling of each row; not to translation. Id `mknn.rank(k=m)`, m = 10 by
/// default. Degenerate inputs as `mknn`. [Wang et al., "Towards Understanding Learning Representations: To What
/// Extent Do Different Neural Networks Learn the Same Representation", 2018/2020](https://arxiv.org/abs/1810.11750).
///
/// - Complexity: as `MutualKNN`.
public struct KNNRankSimilarity: NeighbourMeasure {
  public static let name = "mknn.rank"
  public static let summary =
    "rank similarity of the shared k nearest neighbours (cosine, self excluded; Wang et al. 2020 as in resi)"

  /// The number of neighbours compared per example.
  public var k: Int
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  /// - Precondition: `k >= 1`.
  public init(k: Int = 10, rowLimit: Int = KNNRankSimilarity.defaultRowLimit) {
    precondition(k >= 1, "KNNRankSimilarity: k must be at least 1, got \(k)")
    self.k = k
    self.rowLimit = rowLimit
  }

  func value(of pair: NeighbourPair) -> MeasureValue {
    // H_m for m = 0 ... k, summed in the order of its definition.
    var harmonic = [0.0]
    for t in 1 ... k { harmonic.append(harmonic[t - 1] + 1 / Double(t)) }
    var total = 0.0
    pair.forEachRow { i, rankX, rankY in
      var (score, shared) = (0.0, 0)
      for j in pair.neighboursX.neighbours(of: i) {
        let (r, s) = (rankX(j), rankY(j))
        guard s > 0 else { continue }
        score += 2 / (Double(1 + abs(r - s)) * Double(r + s))
        shared += 1
      }
      if shared > 0 { total += score / harmonic[shared] }
    }
    return MeasureValue(total / Double(pair.rowCount))
  }
}
