import RepMath

/// Jaccard similarity of the k-nearest-neighbour sets (Klabunde et al. 2023's survey, as in its `resi` code):
///
/// ```
/// mknn.jaccard = (1/n) Σᵢ |N_X(i) ∩ N_Y(i)| / |N_X(i) ∪ N_Y(i)|
/// ```
///
/// with the exact cosine neighbours of `mknn` (`CosineNeighbours`: self excluded, ties to the lower index). resi asks
/// scikit-learn for k + 1 cosine neighbours and drops the first, assuming it is the row itself; the two agree except
/// where a row has an exact duplicate or exact ties. Range 0...1, larger is more similar, symmetric; 1 for X = Y.
/// Invariant to orthogonal maps, isotropic scaling and a positive scaling of each row; not to translation. Id
/// `mknn.jaccard(k=m)`, m = 10 by default. Degenerate inputs as `mknn`.
///
/// - Complexity: as `MutualKNN`.
public struct KNNJaccard: NeighbourMeasure {
  public static let name = "mknn.jaccard"
  public static let summary =
    "mean Jaccard similarity of the k-nearest-neighbour sets (cosine, self excluded; Klabunde et al. survey, resi)"

  /// The number of neighbours compared per example.
  public var k: Int
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  /// - Precondition: `k >= 1`.
  public init(k: Int = 10, rowLimit: Int = KNNJaccard.defaultRowLimit) {
    precondition(k >= 1, "KNNJaccard: k must be at least 1, got \(k)")
    self.k = k
    self.rowLimit = rowLimit
  }

  func value(of pair: NeighbourPair) -> MeasureValue {
    var total = 0.0
    pair.forEachRow { i, _, rankY in
      let shared = pair.neighboursX.neighbours(of: i).reduce(0) { $0 + (rankY($1) > 0 ? 1 : 0) }
      total += Double(shared) / Double(2 * k - shared)
    }
    return MeasureValue(total / Double(pair.rowCount))
  }
}
