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

  /// The upper-trapezoidal factor F (c×d) of the whitening basis' first `columns` columns W_c: FᵀF = W_c W_cᵀ, from the
  /// QR factorisation W_cᵀ = QF. Cached per column count, for `CanonicalCorrelationCore`'s triangular products.
  func whiteningFactor(columns: Int, measure: MeasureID) throws(MeasureError) -> DoubleMatrix {
    let basis = try whitening(measure: measure).basis(columns: columns)
    do {
      return try derived.value("cca.whiteningFactor.\(columns)") {
        try LAPACK.upperTrapezoidalFactor(basis.transposed())
      }
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
