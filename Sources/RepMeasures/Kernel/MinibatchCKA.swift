import RepMath

/// Minibatch CKA (Nguyen et al. 2021): unbiased HSIC of linear Grams summed over consecutive batches of b rows.
///
/// ```
/// CKA_mb = Σ_β HSIC_u(K_β, L_β) / sqrt(Σ_β HSIC_u(K_β, K_β) · Σ_β HSIC_u(L_β, L_β)),   K_β = X̃_β X̃_βᵀ, L_β = Ỹ_β Ỹ_βᵀ
/// ```
///
/// X̃_β is batch β of X with its columns centered over the batch: HSIC_u does not change under a translation, and
/// centering first removes the cancellation a large offset would cause in the Gram. HSIC_u is the estimator of
/// `UnbiasedHSIC`. A final batch of fewer than 4 rows is dropped. At most 1 and possibly negative, larger is more
/// similar, symmetric; invariant to orthogonal maps, isotropic scaling and translation of either side, not to a row
/// permutation (it changes the partition). With one batch (b ≥ n) it equals debiased linear CKA. Id
/// `cka.minibatch(batch=b)`, b = 256 by default. See `docs/measures.md`;
/// [Nguyen, Raghu, Kornblith, "Do Wide and Deep Networks Learn the Same Things?", ICLR 2021](https://arxiv.org/abs/2010.15327).
///
/// Streams: the chunks are the batches (`chunkRows` = b), the state is three Float64 sums plus what the constant
/// rule needs. Degenerate inputs, in this order: NaN ("n < 4"); NaN ("batch < 4") when b < 4 leaves a batch of fewer
/// than 4 rows that is not the last; NaN ("constant representation") when either side has every row equal; NaN
/// ("non-positive value under the square root") when Σ HSIC_u(K, K) ≤ 0 or Σ HSIC_u(L, L) ≤ 0.
///
/// - Complexity: O(n·b·(d₁ + d₂)) flops (`dsyrk` in Float64); memory O(b² + b·(d₁ + d₂)) per batch, O(d₁ + d₂) state.
public struct MinibatchCKA: NamedMeasure, RowwiseMeasure {
  public static let name = "cka.minibatch"
  public static let summary =
    "Σ HSIC_u over consecutive batches of linear Grams, normalised (minibatch CKA, Nguyen et al. 2021)"
  public static let parameterSpecs = [
    ParameterSpec("batch", default: "256", "rows per batch (≥ 2); a last batch under 4 rows is dropped")
  ]

  /// b, the rows per batch.
  public var batch: Int

  /// - Precondition: `batch >= 2`.
  public init(batch: Int = 256) {
    precondition(batch >= 2, "MinibatchCKA: batch must be at least 2, got \(batch)")
    self.batch = batch
  }

  /// - Throws: `MeasureError.badParameter` when `batch` is not an integer ≥ 2.
  public init(parameters: MeasureParameters) throws {
    self.init(batch: try parameters.integer("batch", default: 256, in: 2 ... Int.max))
  }

  public var id: MeasureID { MeasureID(name: Self.name, parameters: ["batch": String(batch)]) }

  public var properties: MeasureProperties {
    MeasureProperties(largerIsMoreSimilar: true, isSymmetric: true, range: "≤ 1",
                      invariances: [.orthogonal, .isotropicScaling, .translation])
  }

  /// The batches: every chunk but the last has exactly `batch` rows.
  public var chunkRows: Int? { batch }

  // State: sums[0...2] = Σ HSIC_u(K, L), Σ HSIC_u(K, K), Σ HSIC_u(L, L); then the constant-rule slots.
  private static let hsicCount = 3

  /// Any widths are accepted.
  public func checkShapes(rows: Int, columns: (Int, Int)) throws {}

  /// Adds one batch: centers it, forms both linear Grams and adds the three HSIC_u values. A batch of fewer than
  /// 4 rows adds nothing (it is either the dropped last batch or makes `value(of:)` NaN).
  ///
  /// - Precondition: `rows <= batch`; the same widths on every call.
  public func accumulate(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, rows: Int, columns: (Int, Int),
    into state: inout RowwiseState
  ) {
    precondition(rows <= batch, "MinibatchCKA.accumulate: \(rows) rows in a batch of \(batch)")
    let slots = ConstantRowsSlots(offset: Self.hsicCount, columns: columns)
    if state.rows == 0 && state.sums.count != Self.hsicCount + slots.count {
      state.sums = [Double](repeating: 0, count: Self.hsicCount + slots.count)  // sized by the first chunk's widths
    }
    precondition(state.sums.count == Self.hsicCount + slots.count, "MinibatchCKA.accumulate: widths changed")
    slots.record(x, y, rowCount: rows, isFirstChunk: state.rows == 0, in: &state.sums)
    state.rows += rows
    guard rows >= 4 else { return }
    let k = SymmetricGram.linear(Self.centered(x, rows: rows, columns: columns.0))
    let l = SymmetricGram.linear(Self.centered(y, rows: rows, columns: columns.1))
    let hsic = UnbiasedHSIC.values(k, l)
    state.sums[0] += hsic.kl
    state.sums[1] += hsic.kk
    state.sums[2] += hsic.ll
  }

  public func value(of state: RowwiseState) -> MeasureValue {
    if state.rows < 4 { return .fewerThanFourRows }
    if batch < 4 { return .undefined("batch < 4") }  // n ≥ 4 > b: the first batch is short and not the last
    if ConstantRowsSlots.eitherIsConstant(state.sums, offset: Self.hsicCount) { return .constantRepresentation }
    let (kl, kk, ll) = (state.sums[0], state.sums[1], state.sums[2])
    guard kk > 0, ll > 0 else { return .nonPositiveNormaliser }
    return MeasureValue(kl / (kk * ll).squareRoot())
  }

  /// The rows with each column's batch mean subtracted, in Float64.
  private static func centered(_ chunk: UnsafeBufferPointer<Float>, rows: Int, columns: Int) -> DoubleMatrix {
    var mean = [Double](repeating: 0, count: columns)
    for i in 0 ..< rows {
      for j in 0 ..< columns { mean[j] += Double(chunk[i * columns + j]) }
    }
    for j in 0 ..< columns { mean[j] /= Double(rows) }
    var result = DoubleMatrix(rows: rows, columns: columns)
    result.storage.withUnsafeMutableBufferPointer { z in
      for i in 0 ..< rows {
        for j in 0 ..< columns { z[i * columns + j] = Double(chunk[i * columns + j]) - mean[j] }
      }
    }
    return result
  }
}
