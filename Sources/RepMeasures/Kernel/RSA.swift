import RepMath

/// Representational similarity analysis (Kriegeskorte et al. 2008): a comparison of the upper triangles (i < j) of
/// the two n×n representational dissimilarity matrices (RDMs).
///
/// ```
/// euclidean RDM:    Rᵢⱼ = ‖xᵢ − xⱼ‖₂
/// sqeuclidean RDM:  Rᵢⱼ = ‖xᵢ − xⱼ‖₂²   (rsatoolbox's 'euclidean' divides this by d, which no comparison here sees)
/// correlation RDM:  Rᵢⱼ = 1 − ẑᵢ·ẑⱼ,   ẑᵢ = (xᵢ − mean(xᵢ)) / ‖xᵢ − mean(xᵢ)‖₂   (1 − Pearson r of the rows)
///
/// a, b = upper(R_X), upper(R_Y), m = n(n−1)/2 entries each
/// pearson:    Pearson correlation of a and b
/// spearman:   Pearson correlation of their average ranks
/// cosine:     a·b / (‖a‖ ‖b‖)
/// tau-a:      Kendall's τ_a = (concordant − discordant pairs of entries) / (m(m−1)/2), ties count as neither
/// cosine_cov: ⟨G_X, G_Y⟩_F / (‖G_X‖_F ‖G_Y‖_F),  G = −½ H R H   (the cosine in the metric V⁻¹, V the iid-noise
///             covariance of RDM entries; rsatoolbox's whitened cosine, sigma_k = None; see RSA+Whitened.swift)
/// corr_cov:   cosine_cov after subtracting from a and b the mean of their entries (rsatoolbox's whitened Pearson)
/// ```
///
/// The comparisons are rsatoolbox's (`compare(method=...)`: `corr`, `spearman`, `cosine`, `tau-a`, `cosine_cov`,
/// `corr_cov`). Spearman ranks tied entries (exactly equal Float64 values) by their average rank. Range −1...1, larger
/// is more similar, symmetric. Every comparison is unchanged when an RDM is multiplied by c > 0, so with the
/// Euclidean RDMs RSA is invariant to orthogonal maps, translation and isotropic scaling of either side, and with the
/// correlation RDM to isotropic scaling and to each row's own positive scaling. For a squared Euclidean RDM,
/// cosine_cov is linear CKA. Id `rsa(rdm=r,compare=c)`, defaults rdm = correlation, compare = spearman. See
/// `docs/measures.md`;
/// [Kriegeskorte, Mur, Bandettini, "Representational similarity analysis", Front. Syst. Neurosci. 2008](https://doi.org/10.3389/neuro.06.004.2008);
/// [Diedrichsen et al., "Comparing representational geometries using whitened unbiased-distance-matrix similarity", NBDT 2021](https://doi.org/10.51628/001c.27664).
///
/// Degenerate inputs, in this order: NaN ("constant representation") when either side has every row equal;
/// NaN ("non-finite input") when the data hold NaN or ±Inf (imported with `--allow-nonfinite`);
/// NaN ("row with zero variance across features") for the correlation RDM when a row has all entries equal; then,
/// per comparison: pearson, spearman, corr_cov:
/// NaN ("constant RDM") when either triangle is constant (n = 2 included); cosine, cosine_cov: NaN ("zero RDM") when
/// either triangle is all zeros; tau-a: NaN ("one RDM entry") at n = 2, and 0, its value, for a constant RDM
/// (every pair is a tie). rsatoolbox returns 0 where a norm is 0; repstore says why the value is undefined instead.
///
/// - Complexity: O(n²·(d₁ + d₂)) flops (`dsyrk` in Float64) for the RDMs; then O(m) for pearson, cosine and the
///   whitened forms, O(m log m) for spearman (a sort) and tau-a (Knight's algorithm: radix sort and merge sort).
///   Memory one n×n Float64 matrix at a time plus the two triangles (8·m bytes each) and, for spearman and tau-a,
///   up to 32·m bytes of sort buffers (about 24·n² bytes at most).
public struct RSA: NamedMeasure, RowLimitedMeasure {
  /// How the dissimilarity of two rows is measured.
  public enum Dissimilarity: String, Sendable, CaseIterable {
    /// ‖xᵢ − xⱼ‖₂.
    case euclidean
    /// ‖xᵢ − xⱼ‖₂² (rsatoolbox's 'euclidean' up to the factor 1/d).
    case sqeuclidean
    /// 1 − the Pearson correlation of rows xᵢ and xⱼ across features.
    case correlation
  }

  /// How the two RDM triangles are compared.
  public enum Comparison: String, Sendable, CaseIterable {
    /// The Pearson correlation of the entries.
    case pearson
    /// The Pearson correlation of their ranks (average ranks for ties).
    case spearman
    /// The cosine of the angle between the two triangles.
    case cosine
    /// Kendall's τ_a: (concordant − discordant pairs of entries) over all pairs; ties count as neither.
    case tauA = "tau-a"
    /// The cosine of the double-centered RDMs, −½HRH: rsatoolbox's whitened cosine under iid noise.
    case cosineCov = "cosine_cov"
    /// `cosineCov` after subtracting each triangle's mean: rsatoolbox's whitened Pearson correlation under iid noise.
    case corrCov = "corr_cov"
  }

  public static let name = "rsa"
  public static let summary =
    "comparison of the upper triangles of two RDMs (Euclidean, squared Euclidean or 1 − Pearson rows)"
  public static let parameterSpecs = [
    ParameterSpec("rdm", default: "correlation", "dissimilarity of two rows: euclidean, sqeuclidean or correlation"),
    ParameterSpec("compare", default: "spearman",
                  "comparison of the two RDMs (rsatoolbox's): pearson, spearman, cosine, tau-a, cosine_cov or corr_cov"),
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

  public var id: MeasureID {
    MeasureID(name: Self.name, parameters: ["rdm": rdm.rawValue, "compare": compare.rawValue])
  }

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "[−1, 1]",
                      invariances: rdm == .correlation
                        ? [.isotropicScaling, .rowScaling] : [.orthogonal, .translation, .isotropicScaling])
  }

  /// - Throws: `MeasureError.incompatibleInputs` when the row counts differ, `MeasureError.tooManyRows` above
  ///   `rowLimit`.
  public func similarity(_ x: Matrix, _ y: Matrix) throws -> MeasureValue {
    try checkRows(x, y)
    if x.hasIdenticalRows || y.hasIdenticalRows { return .constantRepresentation }
    // NaN would otherwise reach the RDMs unseen (the squared distances clamp it to 0) and order arbitrarily.
    guard x.storage.allSatisfy(\.isFinite), y.storage.allSatisfy(\.isFinite) else {
      return .undefined("non-finite input")
    }
    guard let a = upperTriangle(x), let b = upperTriangle(y) else {
      return .undefined("row with zero variance across features")
    }
    return Self.compareTriangles(a, b, rowCount: x.rows, by: compare)
  }

  /// The comparison of two RDM triangles of n(n−1)/2 entries each, with its degenerate rules (see the type's doc).
  ///
  /// - Precondition: `a.count == b.count == n(n−1)/2`, n ≥ 2, finite entries.
  static func compareTriangles(
    _ a: [Double], _ b: [Double], rowCount n: Int, by comparison: Comparison
  ) -> MeasureValue {
    precondition(n >= 2 && a.count == n * (n - 1) / 2 && b.count == a.count,
                 "RSA.compareTriangles: \(a.count) and \(b.count) entries, n = \(n)")
    func isConstant(_ values: [Double]) -> Bool { !values.contains { $0 != values[0] } }
    func isZero(_ values: [Double]) -> Bool { !values.contains { $0 != 0 } }
    switch comparison {
    case .pearson, .spearman, .corrCov:
      if isConstant(a) || isConstant(b) { return .undefined("constant RDM") }
    case .cosine, .cosineCov:
      if isZero(a) || isZero(b) { return .undefined("zero RDM") }
    case .tauA:
      if a.count < 2 { return .undefined("one RDM entry") }
    }
    switch comparison {
    case .pearson: return MeasureValue(pearson(a, b))
    case .spearman: return MeasureValue(pearson(averageRanks(a), averageRanks(b)))
    case .cosine: return MeasureValue(cosine(a, b))
    case .tauA: return MeasureValue(kendallTauA(a, b))
    case .cosineCov, .corrCov:
      guard let value = whitenedCosine(a, b, rowCount: n, subtractingMean: comparison == .corrCov) else {
        return .undefined(comparison == .corrCov ? "constant RDM" : "zero RDM")
      }
      return MeasureValue(value)
    }
  }

  /// The entries Rᵢⱼ, i < j, in row order; nil when the correlation RDM meets a row with all entries equal.
  private func upperTriangle(_ x: Matrix) -> [Double]? {
    let n = x.rows
    var entries = [Double]()
    entries.reserveCapacity(n * (n - 1) / 2)
    switch rdm {
    case .euclidean, .sqeuclidean:
      let distances = RowDistances.squared(x)
      let isSquared = rdm == .sqeuclidean
      distances.matrix.storage.withUnsafeBufferPointer { g in
        for i in 0 ..< n {
          for j in (i + 1) ..< n { entries.append(isSquared ? g[i * n + j] : g[i * n + j].squareRoot()) }
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

  /// The cosine of the angle between two equally long sequences, a·b / (‖a‖ ‖b‖), summed in Float64.
  ///
  /// - Precondition: equal lengths ≥ 1.
  static func cosine(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count && !a.isEmpty, "RSA.cosine: lengths \(a.count) and \(b.count)")
    var (ab, aa, bb) = (0.0, 0.0, 0.0)
    for k in a.indices {
      ab += a[k] * b[k]
      aa += a[k] * a[k]
      bb += b[k] * b[k]
    }
    return ab / (aa * bb).squareRoot()
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
