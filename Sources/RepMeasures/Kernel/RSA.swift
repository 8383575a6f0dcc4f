import RepMath

/// Representational similarity analysis (Kriegeskorte et al. 2008): the correlation between the upper triangles
/// (i < j) of the two n×n representational dissimilarity matrices (RDMs).
///
/// ```
/// euclidean RDM:    Rᵢⱼ = ‖xᵢ − xⱼ‖₂
/// correlation RDM:  Rᵢⱼ = 1 − ẑᵢ·ẑⱼ,   ẑᵢ = (xᵢ − mean(xᵢ)) / ‖xᵢ − mean(xᵢ)‖₂   (1 − Pearson r of the rows)
/// RSA = pearson(upper(R_X), upper(R_Y))   or   pearson(ranks(upper(R_X)), ranks(upper(R_Y)))   (Spearman)
/// ```
///
/// Spearman ranks tied entries (exactly equal Float64 values) by their average rank. Range −1...1, larger is more
/// similar, symmetric. With the Euclidean RDM it is invariant to orthogonal maps, translation and isotropic scaling
/// of either side; with the correlation RDM to isotropic scaling. Id `rsa(rdm=r,compare=c)`, defaults
/// rdm = correlation, compare = spearman. See `docs/measures.md`;
/// [Kriegeskorte, Mur, Bandettini, "Representational similarity analysis", Front. Syst. Neurosci. 2008](https://doi.org/10.3389/neuro.06.004.2008).
///
/// Degenerate inputs, in this order: NaN ("constant representation") when either side has every row equal;
/// NaN ("row with zero variance across features") for the correlation RDM when a row has all entries equal;
/// NaN ("constant RDM") when either upper triangle is constant (n = 2 included).
///
/// - Complexity: O(n²·(d₁ + d₂)) flops (`dsyrk` in Float64) and a sort of n(n−1)/2 entries per side for Spearman;
///   memory one n×n Float64 matrix at a time plus the two triangles and their ranks (about 24·n² bytes at most).
public struct RSA: NamedMeasure, RowLimitedMeasure {
  /// How the dissimilarity of two rows is measured.
  public enum Dissimilarity: String, Sendable, CaseIterable {
    /// ‖xᵢ − xⱼ‖₂.
    case euclidean
    /// 1 − the Pearson correlation of rows xᵢ and xⱼ across features.
    case correlation
  }

  /// How the two RDM triangles are compared.
  public enum Comparison: String, Sendable, CaseIterable {
    /// The Pearson correlation of the entries.
    case pearson
    /// The Pearson correlation of their ranks (average ranks for ties).
    case spearman
  }

  public static let name = "rsa"
  public static let summary =
    "correlation of the upper triangles of two RDMs (Euclidean or 1 − Pearson rows), Pearson or Spearman"
  public static let parameterSpecs = [
    ParameterSpec("rdm", default: "correlation", "dissimilarity of two rows: euclidean or correlation"),
    ParameterSpec("compare", default: "spearman", "comparison of the two RDMs: pearson or spearman"),
  ]

  public var rdm: Dissimilarity
  public var compare: Comparison
  /// The most rows accepted; see `RowLimitedMeasure`.
  public var rowLimit: Int

  public init(rdm: Dissimilarity = .correlation, compare: Comparison = .spearman, rowLimit: Int = RSA.defaultRowLimit) {
    self.rdm = rdm
    self.compare = compare
    self.rowLimit = rowLimit
  }

  /// - Throws: `MeasureError.badParameter` for an unknown `rdm` or `compare` word.
  public init(parameters: MeasureParameters) throws {
    let rdm = try parameters.choice("rdm", default: "correlation", among: Dissimilarity.allCases.map(\.rawValue))
    let compare = try parameters.choice("compare", default: "spearman", among: Comparison.allCases.map(\.rawValue))
    self.init(rdm: Dissimilarity(rawValue: rdm) ?? .correlation, compare: Comparison(rawValue: compare) ?? .spearman)
  }

  public var id: MeasureID { MeasureID(name: Self.name, parameters: ["rdm": rdm.rawValue, "compare": compare.rawValue]) }

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[−1, 1]",
                      invariances: rdm == .euclidean ? [.orthogonal, .translation, .isotropicScaling] : [.isotropicScaling])
  }

  /// - Throws: `MeasureError.incompatibleInputs` when the row counts differ, `MeasureError.tooManyRows` above
  ///   `rowLimit`.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    try checkRows(x, y)
    if x.hasIdenticalRows || y.hasIdenticalRows { return .constantRepresentation }
    guard var a = upperTriangle(x), var b = upperTriangle(y) else {
      return .undefined("row with zero variance across features")
    }
    if compare == .spearman {
      a = Self.averageRanks(a)
      b = Self.averageRanks(b)
    }
    guard let first = a.first, let firstB = b.first, a.contains(where: { $0 != first }),
          b.contains(where: { $0 != firstB })
    else { return .undefined("constant RDM") }
    return MeasureValue(Self.pearson(a, b))
  }

  /// The entries Rᵢⱼ, i < j, in row order; nil when the correlation RDM meets a row with all entries equal.
  private func upperTriangle(_ x: Matrix) -> [Double]? {
    let n = x.rows
    var entries = [Double]()
    entries.reserveCapacity(n * (n - 1) / 2)
    switch rdm {
    case .euclidean:
      let distances = RowDistances.squared(x)
      distances.matrix.storage.withUnsafeBufferPointer { g in
        for i in 0 ..< n {
          for j in (i + 1) ..< n { entries.append(g[i * n + j].squareRoot()) }
        }
      }
    case .correlation:
      guard let z = Self.standardizedRows(x) else { return nil }
      let gram = SymmetricGram.linear(z)
      gram.matrix.storage.withUnsafeBufferPointer { g in
        for i in 0 ..< n {
          for j in (i + 1) ..< n { entries.append(1 - g[i * n + j]) }
        }
      }
    }
    return entries
  }

  /// Each row minus its mean across features, divided by its norm, in Float64; nil when a row has all entries equal
  /// (compared exactly).
  private static func standardizedRows(_ x: Matrix) -> DoubleMatrix? {
    let (n, d) = (x.rows, x.columns)
    var z = DoubleMatrix(rows: n, columns: d)
    let isDefined = x.storage.withUnsafeBufferPointer { xs in
      z.storage.withUnsafeMutableBufferPointer { zs in
        for i in 0 ..< n {
          let row = UnsafeBufferPointer(rebasing: xs[(i * d) ..< ((i + 1) * d)])
          guard let first = row.first, row.contains(where: { $0 != first }) else { return false }
          var mean = 0.0
          for value in row { mean += Double(value) }
          mean /= Double(d)
          var squares = 0.0
          for j in 0 ..< d {
            zs[i * d + j] = Double(row[j]) - mean
            squares += zs[i * d + j] * zs[i * d + j]
          }
          let norm = squares.squareRoot()
          for j in 0 ..< d { zs[i * d + j] /= norm }
        }
        return true
      }
    }
    return isDefined ? z : nil
  }

  /// Ranks 1...m of the values, tied values (exactly equal) sharing the average of their ranks.
  ///
  /// - Complexity: O(m log m) comparisons of (value, index) pairs, kept contiguous so the sort stays in cache;
  ///   16·m bytes for the pairs besides the result.
  static func averageRanks(_ values: [Double]) -> [Double] {
    // Ordering by (value, index) is a total order: the same as a stable sort by value.
    var sorted = values.enumerated().map { (value: $0.element, index: $0.offset) }
    sorted.sort { $0.value < $1.value || ($0.value == $1.value && $0.index < $1.index) }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < sorted.count {
      var end = start + 1
      while end < sorted.count && sorted[end].value == sorted[start].value { end += 1 }
      let rank = Double(start + 1 + end) / 2  // the mean of the 1-based ranks start + 1 ... end
      for position in start ..< end { ranks[sorted[position].index] = rank }
      start = end
    }
    return ranks
  }

  /// The Pearson correlation of two equally long sequences, in Float64.
  ///
  /// - Precondition: equal lengths ≥ 1.
  static func pearson(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count && !a.isEmpty, "RSA.pearson: lengths \(a.count) and \(b.count)")
    let m = Double(a.count)
    var (meanA, meanB) = (0.0, 0.0)
    for k in a.indices {
      meanA += a[k]
      meanB += b[k]
    }
    meanA /= m
    meanB /= m
    var (ab, aa, bb) = (0.0, 0.0, 0.0)
    for k in a.indices {
      let (u, v) = (a[k] - meanA, b[k] - meanB)
      ab += u * v
      aa += u * u
      bb += v * v
    }
    return ab / (aa * bb).squareRoot()
  }
}
