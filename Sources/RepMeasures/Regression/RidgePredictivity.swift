import RepMath

/// Linear predictivity: how well a ridge regression from X predicts Y on held-out rows (Brain-Score's `ridge` metric,
/// the Klabunde et al. 2023 survey's linear regression measure, cross-validated). The rows are cut into K contiguous
/// folds (scikit-learn's `KFold(n_splits=K, shuffle=False)`); for each fold k, fit on the other folds with an
/// intercept (scikit-learn's `Ridge(alpha=λ, fit_intercept=True)`: X and Y centered by the training means) and score
/// the predictions of fold k:
///
/// ```
/// W_k   = (X̃_Tᵀ X̃_T + λ_k I)⁻¹ X̃_Tᵀ Ỹ_T            T = every fold but k, centered by its own means
/// Ŷ_k   = (X_k − 1 x̄_Tᵀ) W_k + 1 ȳ_Tᵀ
/// λ_k   = alpha · tr(X̃_Tᵀ X̃_T) / d₁   (penalty=relative)      or   alpha   (penalty=absolute, scikit-learn's)
/// r2:      s_k = mean over columns j of  1 − Σᵢ (y_ij − ŷ_ij)² / Σᵢ (y_ij − ȳ_kj)²      (r2_score, uniform average)
/// pearson: s_k = mean over columns j of  corr(ŷ_·j, y_·j) on the rows of fold k
/// value = (1/K) Σ_k s_k
/// ```
///
/// Every quantity comes from each fold's column means, X̃ᵀX̃, X̃ᵀỸ and the diagonal of ỸᵀỸ (Float64 throughout,
/// `FoldedJointStatistics`): the training statistics of
/// fold k merge the other folds' (Chan et al.'s pairwise update: C = C_A + C_B + n_A n_B/n · δδᵀ, no cancellation),
/// and the held-out sums of squares are quadratic forms in W_k. The eigendecomposition of each training X̃ᵀX̃ is
/// computed once per layer (not per pair) and serves any alpha.
///
/// **Conventions.** A column of Y that is constant on a held-out fold has no R² there (scikit-learn's `r2_score`
/// would score it 1 or 0 depending on whether its prediction is exact to the last bit): it is left out of that fold's
/// mean, as is, for `pearson`, a column whose prediction or target is constant on the fold. Relative penalty (the
/// default) makes one alpha fit layers of any scale.
///
/// Range (−∞, 1] for r2, [−1, 1] for pearson; larger is more similar; **not symmetric** (predicts Y from X).
/// Invariant to translation of either side and, with `penalty=relative`, to isotropic scaling of either side (with
/// `absolute`, of Y only). Also invariant to orthogonal maps of X (the ridge fit is rotation-equivariant), but not of
/// Y (per-column scores); not to a row permutation (the folds follow the row order).
///
/// NaN, in this order: "n too small" when n < 2K (each held-out fold needs two rows); "constant representation" when
/// every row of X, or of Y, is equal; "training Gram singular" when X̃_TᵀX̃_T + λI has a condition number above 10¹²
/// on some fold (alpha = 0 with rank-deficient X); "no column … varies" when a held-out fold has no column to score.
///
/// - Complexity: from the statistics, O(K·d₁³) per layer X (cached) and O(K²·d₁·d₂ + K·d₁²·d₂) per pair; the
///   statistics cost O(n·(d₁ + d₂)²) flops over row chunks and O(K·(d₁ + d₂)²) memory, accumulated in Float64.
public struct RidgePredictivity: FoldedStatisticsMeasure, NamedMeasure, RemedyingMeasure {
  public static let name = "ridge"
  public static let summary =
    "Ridge predictivity of Y from X on K contiguous held-out folds (sklearn Ridge + KFold), R² or Pearson; asymmetric"

  /// How the ridge penalty scales.
  public enum Penalty: String, Sendable, CaseIterable {
    /// λ = alpha · tr(X̃ᵀX̃)/d₁ on each training set: the same alpha fits layers of any scale.
    case relative
    /// λ = alpha, scikit-learn's `Ridge(alpha)` and Brain-Score's.
    case absolute
  }

  /// How each held-out fold's predictions are scored.
  public enum Score: String, Sendable, CaseIterable {
    /// R² per column, averaged over columns (`r2_score`'s 'uniform_average').
    case r2
    /// Pearson correlation of prediction and target per column, averaged over columns.
    case pearson
  }

  public static var parameterSpecs: [ParameterSpec] {
    [
      ParameterSpec("alpha", default: "0.01", "ridge penalty, 0 ≤ alpha (scaled as penalty says)"),
      ParameterSpec("penalty", default: "relative", "relative: λ = alpha·tr(X̃ᵀX̃)/d₁ per training set; absolute: λ = alpha"),
      ParameterSpec("folds", default: "5", "contiguous folds K in row order, 2 ≤ K ≤ 1000 (sklearn KFold, no shuffle)"),
      ParameterSpec("score", default: "r2", "r2 (mean over columns) or pearson (mean correlation per column)"),
    ]
  }

  public var alpha: Double
  public var penalty: Penalty
  public var foldCount: Int
  public var score: Score

  public init(alpha: Double = 0.01, penalty: Penalty = .relative, folds: Int = 5, score: Score = .r2) {
    precondition(alpha >= 0 && alpha.isFinite && folds >= 2, "RidgePredictivity: alpha \(alpha), folds \(folds)")
    self.alpha = alpha
    self.penalty = penalty
    self.foldCount = folds
    self.score = score
  }

  public init(parameters: MeasureParameters) throws {
    self.init(
      alpha: try parameters.double("alpha", default: 0.01, in: 0 ... 1e12),
      penalty: Penalty(rawValue: try parameters.choice(
        "penalty", default: "relative", among: Penalty.allCases.map(\.rawValue))) ?? .relative,
      folds: try parameters.integer("folds", default: 5, in: 2 ... 1000),
      score: Score(rawValue: try parameters.choice("score", default: "r2", among: Score.allCases.map(\.rawValue))) ?? .r2)
  }

  public var id: MeasureID {
    MeasureID(name: Self.name, parameters: [
      "alpha": canonicalNumber(alpha), "penalty": penalty.rawValue, "folds": "\(foldCount)", "score": score.rawValue,
    ])
  }

  public var properties: MeasureProperties {
    MeasureProperties(
      largerIsMoreSimilar: true, isSymmetric: false, range: score == .r2 ? "(−∞, 1]" : "[−1, 1]",
      invariances: penalty == .relative ? [.translation, .isotropicScaling] : [.translation])
  }

  /// The reason for n < 2K.
  func smallSampleReason(rowCount: Int) -> String {
    "n too small: \(rowCount) rows for \(foldCount) folds (each held-out fold needs at least 2 rows)"
  }

  public func remedy(forReason reason: String, rowCount: Int) -> String? {
    guard reason.hasPrefix("n too small"), rowCount >= 4 else { return nil }
    return "ridge with folds=\(min(rowCount / 2, 1000)) or fewer (2 rows per held-out fold)"
  }

  public func similarity(_ x: FoldedColumnStatistics, _ y: FoldedColumnStatistics, cross: [DoubleMatrix]) throws
    -> MeasureValue
  {
    let k = foldCount
    precondition(x.folds.count == k && y.folds.count == k && cross.count == k,
                 "RidgePredictivity: \(x.folds.count), \(y.folds.count) and \(cross.count) folds for K = \(k)")
    let n = x.rowCount
    guard n >= 2 * k, x.folds.allSatisfy({ $0.rowCount >= 2 }) else {
      return .undefined(smallSampleReason(rowCount: n))
    }
    if Self.isConstant(x) || Self.isConstant(y) { return .undefined(CanonicalCorrelationCore.constantReason) }
    var total = 0.0
    for fold in 0 ..< k {
      let training = try trainingSide(x, fold: fold)
      let lambda = penalty == .relative ? alpha * training.trace / Double(x.columnCount) : alpha
      let lowest = (training.eigenvalues.first ?? 0) + lambda
      let highest = (training.eigenvalues.last ?? 0) + lambda
      guard highest > 0, lowest > 1e-12 * highest else {
        return .undefined("training Gram singular in fold \(fold + 1) of \(k) (condition above 1e12): use alpha > 0")
      }
      guard let value = foldScore(x, y, cross: cross, fold: fold, training: training, lambda: lambda) else {
        return .undefined(score == .r2
          ? "held-out fold \(fold + 1) of \(k): no column of Y varies"
          : "held-out fold \(fold + 1) of \(k): no column where both prediction and Y vary")
      }
      total += value
    }
    return MeasureValue(total / Double(k))
  }

  /// Whether every row of the side equals the first: each fold constant (centered Gram of trace exactly 0, which the
  /// per-column shift makes exact) and every fold's mean the same.
  static func isConstant(_ side: FoldedColumnStatistics) -> Bool {
    side.derived.value("ridge.isConstant") {
      let first = side.folds[0].mean
      return side.folds.allSatisfy { !($0.cachedCenteredGram.trace > 0) && $0.mean == first }
    }
  }

  // MARK: The X side of a fold, shared by every pair with this X

  /// What fold k needs of X alone, for any penalty: the eigendecomposition of its training X̃ᵀX̃, and the held-out
  /// rows' Grams.
  struct TrainingSide: Sendable {
    /// Eigenvalues (ascending) and eigenvectors of X̃_TᵀX̃_T.
    var eigenvalues: [Double]
    var eigenvectors: DoubleMatrix
    /// tr(X̃_TᵀX̃_T).
    var trace: Double
    /// The held-out rows: δ = x̄_k − x̄_T, their centered Gram X̃_kᵀX̃_k, and A = (X_k − 1x̄_Tᵀ)ᵀ(X_k − 1x̄_Tᵀ)
    /// = X̃_kᵀX̃_k + n_k δδᵀ.
    var delta: [Double]
    var heldOutGram: DoubleMatrix
    var heldOutShiftedGram: DoubleMatrix
  }

  /// Fold `fold`'s X side, from the cache of `x` (it depends neither on Y nor on the penalty).
  func trainingSide(_ x: FoldedColumnStatistics, fold: Int) throws -> TrainingSide {
    try x.derived.value("ridge.training.\(fold)") { () throws -> TrainingSide in
      var moments: Moments?
      for other in x.folds.indices where other != fold {
        let part = Moments(x.folds[other], x.folds[other], cross: x.folds[other].cachedCenteredGram)
        if moments == nil { moments = part } else { moments!.merge(part) }
      }
      // K ≥ 2, so there is another fold.
      let training = moments!
      let gram = training.centered
      let eigen: (values: [Double], vectors: DoubleMatrix)
      do {
        eigen = try LAPACK.symmetricEigen(gram)
      } catch {
        throw MeasureError.numerical(measure: id.description, message: "\(error)")
      }
      let heldOut = x.folds[fold]
      let delta = zip(heldOut.mean, training.meanA).map { $0 - $1 }
      let count = Double(heldOut.rowCount)
      var shifted = heldOut.cachedCenteredGram
      let d = delta.count
      for i in 0 ..< d {
        for j in 0 ..< d { shifted.storage[i * d + j] += count * delta[i] * delta[j] }
      }
      return TrainingSide(
        eigenvalues: eigen.values, eigenvectors: eigen.vectors, trace: gram.trace, delta: delta,
        heldOutGram: heldOut.cachedCenteredGram, heldOutShiftedGram: shifted)
    }
  }

  // MARK: One held-out fold

  /// The score of fold `fold`, or nil when it has no column to score.
  func foldScore(
    _ x: FoldedColumnStatistics, _ y: FoldedColumnStatistics, cross: [DoubleMatrix], fold: Int,
    training side: TrainingSide, lambda: Double
  ) -> Double? {
    // X̃_TᵀỸ_T and ȳ_T, merged from the other folds.
    var moments: Moments?
    for other in cross.indices where other != fold {
      let part = Moments(x.folds[other], y.folds[other], cross: cross[other])
      if moments == nil { moments = part } else { moments!.merge(part) }
    }
    let training = moments!
    // W = V (Λ + λI)⁻¹ Vᵀ X̃_TᵀỸ_T.
    var rotated = BLAS.product(side.eigenvectors, .transposed, training.centered)
    let d2 = rotated.columns
    for i in 0 ..< rotated.rows {
      let factor = 1 / (side.eigenvalues[i] + lambda)
      for j in 0 ..< d2 { rotated.storage[i * d2 + j] *= factor }
    }
    let weights = BLAS.product(side.eigenvectors, .none, rotated)

    let heldOutY = y.folds[fold]
    let count = Double(heldOutY.rowCount)
    let yDelta = zip(heldOutY.mean, training.meanB).map { $0 - $1 }
    let heldOutCross = cross[fold]
    let yVariation = heldOutY.cachedCenteredGram.diagonal  // Σᵢ (y_ij − ȳ_kj)²
    let d1 = weights.rows
    var sum = 0.0
    var scored = 0
    switch score {
    case .r2:
      // Σᵢ (y_ij − ŷ_ij)² = bⱼᵀbⱼ − 2 wⱼᵀ(Aᵀb)ⱼ + wⱼᵀ A wⱼ with a = X_k − 1x̄_Tᵀ, b = Y_k − 1ȳ_Tᵀ.
      let quadratic = BLAS.product(side.heldOutShiftedGram, .none, weights)
      for j in 0 ..< d2 where yVariation[j] > 0 {
        var linear = 0.0
        var square = 0.0
        for i in 0 ..< d1 {
          let w = weights.storage[i * d2 + j]
          linear += w * (heldOutCross.storage[i * d2 + j] + count * side.delta[i] * yDelta[j])
          square += w * quadratic.storage[i * d2 + j]
        }
        let residual = yVariation[j] + count * yDelta[j] * yDelta[j] - 2 * linear + square
        sum += 1 - residual / yVariation[j]
        scored += 1
      }
    case .pearson:
      // corr(ŷ_·j, y_·j) = wⱼᵀ(X̃_kᵀỸ_k)ⱼ / sqrt(wⱼᵀ X̃_kᵀX̃_k wⱼ · Σᵢ (y_ij − ȳ_kj)²).
      let quadratic = BLAS.product(side.heldOutGram, .none, weights)
      for j in 0 ..< d2 where yVariation[j] > 0 {
        var covariance = 0.0
        var variance = 0.0
        for i in 0 ..< d1 {
          let w = weights.storage[i * d2 + j]
          covariance += w * heldOutCross.storage[i * d2 + j]
          variance += w * quadratic.storage[i * d2 + j]
        }
        guard variance > 0 else { continue }
        sum += covariance / (variance * yVariation[j]).squareRoot()
        scored += 1
      }
    }
    return scored == 0 ? nil : sum / Double(scored)
  }
}

extension FoldMoments {
  /// X̃ᵀX̃, computed once.
  var cachedCenteredGram: DoubleMatrix { derived.value("centeredGram") { centeredGram } }
}

/// The count, means and centered cross-product Σ (a − ā)(b − b̄)ᵀ of some rows of two aligned sides, which merge
/// exactly (Chan, Golub & LeVeque 1979): the statistics of a union of folds without subtracting one from another.
struct Moments {
  var count: Double
  var meanA: [Double]
  var meanB: [Double]
  var centered: DoubleMatrix

  init(_ a: FoldMoments, _ b: FoldMoments, cross: DoubleMatrix) {
    count = Double(a.rowCount)
    meanA = a.mean
    meanB = b.mean
    centered = cross
  }

  /// Adds the rows of `other`: C += C_other + n·n_other/(n + n_other) · δ_a δ_bᵀ, means moved by n_other/(n + n_other)·δ.
  mutating func merge(_ other: Moments) {
    let total = count + other.count
    let deltaA = zip(other.meanA, meanA).map { $0 - $1 }
    let deltaB = zip(other.meanB, meanB).map { $0 - $1 }
    let weight = count * other.count / total
    let columns = centered.columns
    for i in 0 ..< centered.rows {
      let scaled = weight * deltaA[i]
      for j in 0 ..< columns {
        centered.storage[i * columns + j] += other.centered.storage[i * columns + j] + scaled * deltaB[j]
      }
    }
    let share = other.count / total
    meanA = zip(meanA, deltaA).map { $0 + share * $1 }
    meanB = zip(meanB, deltaB).map { $0 + share * $1 }
    count = total
  }
}
