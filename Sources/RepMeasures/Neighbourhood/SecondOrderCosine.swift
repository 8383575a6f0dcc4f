import RepMath

/// Second-order cosine similarity (Hamilton et al. 2016, as in the `resi` code of Klabunde et al.'s survey): for
/// each example, the cosine between its vectors of cosine distances, in X and in Y, to the union of its k nearest
/// neighbours in either space.
///
/// ```
/// mknn.second_order = (1/n) Σᵢ ⟨uᵢ, vᵢ⟩ / (‖uᵢ‖·‖vᵢ‖),   Uᵢ = N_X(i) ∪ N_Y(i)
/// uᵢ = (1 − cos(xᵢ, xⱼ))_{j∈Uᵢ},   vᵢ = (1 − cos(yᵢ, yⱼ))_{j∈Uᵢ},   each entry clipped to [0, 2]
/// ```
///
/// resi's convention, kept: the vectors hold cosine *distances* (scikit-learn's `pairwise_distances`, which clips
/// them to [0, 2]), not the similarities of Hamilton et al.'s paper. Neighbours are the exact cosine ranking of `mknn`
/// (`CosineNeighbours`: self excluded, ties to the lower index), and every cosine is the Float64 one. Range 0...1
/// (distances are nonnegative), larger is more similar, symmetric; 1 for X = Y. Invariant to orthogonal maps,
/// isotropic scaling and a positive scaling of each row; not to translation. Id `mknn.second_order(k=m)`, m = 10 by
/// default. Degenerate inputs as `mknn`, then NaN ("an example at cosine distance 0 from all its neighbours") when
/// some uᵢ or vᵢ is zero, where resi's cosine is 0/0.
/// [Hamilton et al., "Cultural Shift or Linguistic Drift?", EMNLP 2016](https://aclanthology.org/D16-1229/).
///
/// - Complexity: as `MutualKNN`, plus O(n·k·(d₁ + d₂)) flops for the cosines of neighbours of one side only.
public struct SecondOrderCosine: NeighbourMeasure {
  public static let name = "mknn.second_order"
  public static let summary =
    "mean cosine of the cosine-distance profiles over the union of k nearest neighbours (Hamilton et al. 2016, resi)"

  /// The number of neighbours per example and side.
  public var k: Int
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  /// - Precondition: `k >= 1`.
  public init(k: Int = 10, rowLimit: Int = SecondOrderCosine.defaultRowLimit) {
    precondition(k >= 1, "SecondOrderCosine: k must be at least 1, got \(k)")
    self.k = k
    self.rowLimit = rowLimit
  }

  func value(of pair: NeighbourPair) -> MeasureValue {
    var total = 0.0
    var zeroProfile = false
    pair.forEachRow { i, rankX, rankY in
      let (neighboursX, neighboursY) = (pair.neighboursX.neighbours(of: i), pair.neighboursY.neighbours(of: i))
      let (similaritiesX, similaritiesY) = (pair.neighboursX.similarities(of: i), pair.neighboursY.similarities(of: i))
      var (uv, uu, vv) = (0.0, 0.0, 0.0)
      func add(_ cosineX: Double, _ cosineY: Double) {
        let u = min(2, max(0, 1 - cosineX)), v = min(2, max(0, 1 - cosineY))
        (uv, uu, vv) = (uv + u * v, uu + u * u, vv + v * v)
      }
      // Uᵢ: X's neighbours (their Y cosine from the Y list when shared), then Y's that X lacks.
      for (p, j) in neighboursX.enumerated() {
        let s = rankY(j)
        add(similaritiesX[similaritiesX.startIndex + p],
            s > 0 ? similaritiesY[similaritiesY.startIndex + s - 1] : pair.y.cosine(i, j))
      }
      for (p, j) in neighboursY.enumerated() where rankX(j) == 0 {
        add(pair.x.cosine(i, j), similaritiesY[similaritiesY.startIndex + p])
      }
      if uu == 0 || vv == 0 { zeroProfile = true }
      total += uv / (uu * vv).squareRoot()
    }
    if zeroProfile { return .undefined("an example at cosine distance 0 from all its neighbours") }
    return MeasureValue(total / Double(pair.rowCount))
  }
}
