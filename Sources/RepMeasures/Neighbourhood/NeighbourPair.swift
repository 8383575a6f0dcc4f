import RepMath

/// The exact cosine neighbours of both sides of a neighbour measure (`mknn*`, `cknna`), built after the degenerate
/// checks that all of them share.
struct NeighbourPair: Sendable {
  /// The two sides' rows with their Float64 norms, for cosines the neighbour lists do not hold.
  let x: RowCosines
  let y: RowCosines
  /// Each row's k nearest other rows in X and in Y (`CosineNeighbours`).
  let neighboursX: CosineNeighbours
  let neighboursY: CosineNeighbours

  /// n.
  var rowCount: Int { neighboursX.rowCount }
  /// Neighbours per row.
  var k: Int { neighboursX.k }

  /// The pair's neighbours, or the value the degenerate-input rules of `docs/measures.md` give, in their order:
  /// NaN ("k >= n"), NaN ("n < `minimumRows`"), NaN ("constant representation") when either side has every row
  /// equal, NaN ("non-finite value") when either side holds a NaN or an infinity.
  ///
  /// - Complexity: that of two `CosineNeighbours` searches.
  static func make(_ x: Matrix, _ y: Matrix, k: Int, minimumRows: Int = 2) -> Result<NeighbourPair, Undefined> {
    let n = x.rows
    if k >= n { return .failure(Undefined(value: .undefined("k >= n"))) }
    if n < minimumRows { return .failure(Undefined(value: .undefined("n < \(minimumRows)"))) }
    if x.hasIdenticalRows || y.hasIdenticalRows { return .failure(Undefined(value: .constantRepresentation)) }
    let (cosinesX, cosinesY) = (RowCosines(x), RowCosines(y))
    guard cosinesX.isFinite && cosinesY.isFinite else { return .failure(Undefined(value: .undefined("non-finite value"))) }
    return .success(NeighbourPair(
      x: cosinesX, y: cosinesY, neighboursX: CosineNeighbours(cosinesX, k: k), neighboursY: CosineNeighbours(cosinesY, k: k)))
  }

  /// A degenerate input's value, carried as the failure of `make`.
  struct Undefined: Error {
    let value: MeasureValue
  }

  /// Calls `body(i, positionsX, positionsY)` for each row i, where `positionsY[j]` is j's 1-based rank among row
  /// i's Y-neighbours (0 if it is not one) and `positionsX` likewise for X; both are valid only during the call.
  ///
  /// - Complexity: O(n·k) besides `body`; memory O(n).
  func forEachRow(_ body: (Int, _ rankX: (Int) -> Int, _ rankY: (Int) -> Int) -> Void) {
    let n = rowCount
    // A position is current for row i when its stamp is i; no clearing between rows.
    var stampX = [Int](repeating: -1, count: n), stampY = [Int](repeating: -1, count: n)
    var rankX = [Int](repeating: 0, count: n), rankY = [Int](repeating: 0, count: n)
    for i in 0 ..< n {
      for (p, j) in neighboursX.neighbours(of: i).enumerated() { (stampX[j], rankX[j]) = (i, p + 1) }
      for (p, j) in neighboursY.neighbours(of: i).enumerated() { (stampY[j], rankY[j]) = (i, p + 1) }
      body(i, { j in stampX[j] == i ? rankX[j] : 0 }, { j in stampY[j] == i ? rankY[j] : 0 })
    }
  }
}
