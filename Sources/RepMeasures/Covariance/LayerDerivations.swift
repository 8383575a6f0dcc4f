import RepMath

/// Per-layer quantities the covariance measures share, computed once per layer (not once per table cell) through
/// the statistics' `DerivedCache`.
extension ColumnStatistics {
  /// X̃ᵀX̃ (Float64 d×d).
  var cachedCenteredGram: DoubleMatrix { derived.value("centeredGram") { centeredGram } }

  /// ‖X̃ᵀX̃‖²_F.
  var centeredGramFrobeniusSquared: Double {
    derived.value("centeredGram.frobeniusSquared") { cachedCenteredGram.frobeniusNormSquared }
  }

  /// Whether every row equals the first (centered Gram trace exactly 0, or no rows).
  var isConstant: Bool {
    derived.value("isConstant") { rowCount == 0 || !(cachedCenteredGram.trace > 0) }
  }

  /// The rank r of the CCA whitening (eigenvalues above the rank cut): from the whitening when it has been computed,
  /// else from the covariance's eigenvalues alone, a third of the work of the eigenvectors.
  func whiteningRank(measure: MeasureID) throws(MeasureError) -> Int {
    if let whitening: Whitening = derived.cached("cca.whitening") { return whitening.rank }
    return try derivedValue("cca.rank", measure: measure) { () throws(MathError) in
      let ascending = try LAPACK.symmetricEigenvalues(covariance)
      return Whitening.rank(ofDescending: ascending.reversed())
    }
  }

  /// An upper-trapezoidal factor F (c×d) of the whitening basis' first `columns` columns W_c: FᵀF = W_c W_cᵀ, for
  /// `CanonicalCorrelationCore`'s triangular products. Cached per column count.
  ///
  /// All d columns of a full-rank layer: FᵀF = Σ⁻¹, and F is the inverse of Σ's reversed Cholesky factor (2d³/3
  /// flops, no eigenvectors). Otherwise F comes from the QR factorisation W_cᵀ = QF of the eigenvector basis.
  func whiteningFactor(columns: Int, measure: MeasureID) throws(MeasureError) -> DoubleMatrix {
    if columns == columnCount, let factor = try fullRankWhiteningFactor(measure: measure) { return factor }
    let basis = try whitening(measure: measure).basis(columns: columns)
    return try derivedValue("cca.whiteningFactor.\(columns)", measure: measure) { () throws(MathError) in
      try LAPACK.upperTrapezoidalFactor(basis.transposed())
    }
  }

  /// F with FᵀF = Σ⁻¹ from Σ's Cholesky factorisation, or nil when the rank cut keeps fewer than d directions or
  /// Σ is not numerically positive definite after all (then the eigenvector route decides).
  private func fullRankWhiteningFactor(measure: MeasureID) throws(MeasureError) -> DoubleMatrix? {
    guard try whiteningRank(measure: measure) == columnCount else { return nil }
    return derived.value("cca.whiteningFactor.full") { try? LAPACK.inverseUpperFactor(covariance) }
  }

  /// `derived.value(key, make)` with a LAPACK failure reported as `MeasureError.numerical` for `measure`.
  private func derivedValue<T>(
    _ key: String, measure: MeasureID, _ make: () throws(MathError) -> T
  ) throws(MeasureError) -> T {
    do {
      return try derived.value(key) { () throws -> T in try make() }
    } catch let error as MathError {
      throw MeasureError.numerical(measure: measure.description, message: error.description)
    } catch {
      throw MeasureError.numerical(measure: measure.description, message: "\(error)")
    }
  }

  /// The CCA whitening of this layer's covariance (eigendecomposition, rank cut, bases).
  func whitening(measure: MeasureID) throws(MeasureError) -> Whitening {
    do {
      return try derived.value("cca.whitening") { try Whitening(covariance: covariance, measure: measure) }
    } catch let error as MeasureError {
      throw error
    } catch {
      throw MeasureError.numerical(measure: measure.description, message: "\(error)")
    }
  }
}
