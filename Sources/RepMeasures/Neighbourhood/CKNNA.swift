import RepMath

/// Centered kernel nearest-neighbour alignment, CKNNA (Huh et al. 2024, `cknna` in the platonic-rep code): the
/// unbiased kernel alignment of the cosine Grams restricted, row by row, to the mutual k nearest neighbours.
///
/// ```
/// cknna = HSIC_u(M∘K, M∘L) / sqrt(HSIC_u(M_X∘K, M_X∘K) · HSIC_u(M_Y∘L, M_Y∘L))
/// K_ij = cos(xᵢ, xⱼ),  L_ij = cos(yᵢ, yⱼ)   (Float64, a zero row has cosine 0)
/// M_X[i, j] = 1 if j ∈ N_X(i) (k nearest, self excluded),  M_Y likewise,  M = M_X∘M_Y   (not symmetric in i, j)
/// HSIC_u(A, B) = [tr(AB) + (1ᵀA1)(1ᵀB1)/((n−1)(n−2)) − 2/(n−2)·1ᵀAB1] / (n(n−3))   (diagonals are 0)
/// ```
///
/// As in platonic-rep, where `compute_score` L2-normalises the rows before `cknna` forms K = XXᵀ: the kernel is the
/// cosine, HSIC is the unbiased estimator (its default `unbiased=True`, which also excludes each row from its own
/// neighbours), and a side is aligned with itself through its own neighbours (M_X∘M_X = M_X). Conventions that differ:
/// the neighbours are the exact cosine ranking with ties to the lower index (`CosineNeighbours`), where the peer takes
/// `torch.topk`'s order; and there is no ε: the peer divides by sqrt(…) + 1e-6, which lowers its values by a relative
/// 1e-6/sqrt(…), about 1e-4 for n = 1000, k = 10. The outlier clipping platonic-rep applies to features before any
/// measure is not part of the measure. Because M is not symmetric, 1ᵀAB1 ≠ 1ᵀBA1 in general, so cknna(X, Y) and
/// cknna(Y, X) differ slightly: the measure is not symmetric. Larger is more similar; 1 for X = Y; not bounded by 1
/// in general (the masks differ between numerator and denominator). Invariant to orthogonal maps, isotropic scaling
/// and a positive scaling of each row; not to translation. Id `cknna(k=m)`, m = 10 by default (≥ 2, as the peer).
///
/// Degenerate inputs, in this order: NaN ("k >= n"), NaN ("n < 4"), NaN ("constant representation"), NaN
/// ("non-finite value"), NaN ("self-alignment ≤ 0") when either HSIC_u under the square root is ≤ 0.
/// [Huh et al., "The Platonic Representation Hypothesis", ICML 2024](https://arxiv.org/abs/2405.07987).
///
/// - Complexity: as `MutualKNN`, plus O(n·k·log k) for the sparse HSIC terms.
public struct CKNNA: NeighbourMeasure {
  static let smallestK = 2
  static let minimumRows = 4
  public static let name = "cknna"
  public static let summary =
    "unbiased CKA of the cosine Grams restricted to mutual k nearest neighbours (Huh et al. 2024, platonic-rep)"

  /// The number of neighbours per example and side.
  public var k: Int
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  /// - Precondition: `k >= 2`.
  public init(k: Int = 10, rowLimit: Int = CKNNA.defaultRowLimit) {
    precondition(k >= 2, "CKNNA: k must be at least 2, got \(k)")
    self.k = k
    self.rowLimit = rowLimit
  }

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: false, range: "ℝ",
                      invariances: [.orthogonal, .isotropicScaling, .rowScaling])
  }

  func value(of pair: NeighbourPair) -> MeasureValue {
    let n = pair.rowCount
    var mutualK = SparseRows(rowCount: n), mutualL = SparseRows(rowCount: n)
    var ownK = SparseRows(rowCount: n), ownL = SparseRows(rowCount: n)
    pair.forEachRow { i, _, rankY in
      let (similaritiesX, similaritiesY) = (pair.neighboursX.similarities(of: i), pair.neighboursY.similarities(of: i))
      for (p, j) in pair.neighboursX.neighbours(of: i).enumerated() {
        let cosineX = similaritiesX[similaritiesX.startIndex + p]
        ownK.append(row: i, column: j, cosineX)
        let s = rankY(j)
        guard s > 0 else { continue }
        mutualK.append(row: i, column: j, cosineX)
        mutualL.append(row: i, column: j, similaritiesY[similaritiesY.startIndex + s - 1])
      }
      for (p, j) in pair.neighboursY.neighbours(of: i).enumerated() {
        ownL.append(row: i, column: j, similaritiesY[similaritiesY.startIndex + p])
      }
    }
    let (xx, yy) = (SparseRows.unbiasedHSIC(ownK, ownK), SparseRows.unbiasedHSIC(ownL, ownL))
    guard xx > 0 && yy > 0 else { return .undefined("self-alignment ≤ 0") }
    return MeasureValue(SparseRows.unbiasedHSIC(mutualK, mutualL) / (xx * yy).squareRoot())
  }
}

/// An n×n matrix with at most a few entries per row and a zero diagonal, as rows of (column, value) sorted by column:
/// a Gram restricted to neighbours.
struct SparseRows {
  /// Row i's entries at `starts[i] ..< starts[i + 1]`, once every row is appended in order.
  private(set) var starts: [Int] = [0]
  private(set) var columns: [Int] = []
  private(set) var values: [Double] = []
  let rowCount: Int

  init(rowCount: Int) { self.rowCount = rowCount }

  /// Adds entry (i, j); rows must come in increasing order, entries within a row in any order.
  ///
  /// - Precondition: i ≥ the previous row, i ≠ j.
  mutating func append(row i: Int, column j: Int, _ value: Double) {
    precondition(i >= starts.count - 1 && i != j, "SparseRows: entry (\(i), \(j)) out of order or on the diagonal")
    while starts.count <= i { starts.append(columns.count) }
    // Insertion keeps the row sorted by column; rows hold at most k entries.
    var p = columns.count
    columns.append(j)
    values.append(value)
    while p > starts[i] && columns[p - 1] > j {
      columns.swapAt(p - 1, p)
      values.swapAt(p - 1, p)
      p -= 1
    }
  }

  /// Entry (i, j), 0 when absent.
  ///
  /// - Complexity: O(log entries of row i).
  func value(_ i: Int, _ j: Int) -> Double {
    guard i + 1 < starts.count else { return 0 }
    var (low, high) = (starts[i], starts[i + 1])
    while low < high {
      let mid = (low + high) / 2
      if columns[mid] < j { low = mid + 1 } else { high = mid }
    }
    return low < starts[i + 1] && columns[low] == j ? values[low] : 0
  }

  /// Closes the rows after the last appended one.
  private func closed() -> SparseRows {
    var result = self
    while result.starts.count <= rowCount { result.starts.append(result.columns.count) }
    return result
  }

  /// HSIC_u(A, B) = [tr(AB) + (1ᵀA1)(1ᵀB1)/((n−1)(n−2)) − 2/(n−2)·1ᵀAB1] / (n(n−3)) for zero-diagonal A and B,
  /// not necessarily symmetric: tr(AB) = Σᵢⱼ A_ij B_ji and 1ᵀAB1 = Σⱼ (Σᵢ A_ij)(Σₗ B_jl), all in Float64.
  ///
  /// - Precondition: equal `rowCount` n ≥ 4.
  /// - Complexity: O(entries·log k) comparisons; memory O(n).
  static func unbiasedHSIC(_ a: SparseRows, _ b: SparseRows) -> Double {
    let (a, b) = (a.closed(), b.closed())
    let n = a.rowCount
    precondition(n == b.rowCount && n >= 4, "SparseRows.unbiasedHSIC: \(n) and \(b.rowCount) rows")
    var columnSumsA = [Double](repeating: 0, count: n), rowSumsB = [Double](repeating: 0, count: n)
    var (trace, sumA, sumB) = (0.0, 0.0, 0.0)
    for i in 0 ..< n {
      for p in a.starts[i] ..< a.starts[i + 1] {
        let j = a.columns[p]
        columnSumsA[j] += a.values[p]
        sumA += a.values[p]
        trace += a.values[p] * b.value(j, i)
      }
      for p in b.starts[i] ..< b.starts[i + 1] {
        rowSumsB[i] += b.values[p]
        sumB += b.values[p]
      }
    }
    var crossSum = 0.0
    for j in 0 ..< n { crossSum += columnSumsA[j] * rowSumsB[j] }
    let m = Double(n)
    return (trace + sumA * sumB / ((m - 1) * (m - 2)) - 2 / (m - 2) * crossSum) / (m * (m - 3))
  }
}
