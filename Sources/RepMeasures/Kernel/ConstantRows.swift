import RepMath

// The constant-representation rule of docs/measures.md (step 2 of the degenerate checks): a side is constant when
// every row equals the first, compared exactly. Exact comparison recognises a constant matrix even when its float
// column mean differs from the value by round-off, where X − mean is not exactly 0 (fixture case
// `constant_x_inexact_mean`). As in numpy, NaN differs from itself, and a matrix with no rows or no columns is
// constant.

extension Matrix {
  /// True when every row equals the first row exactly (vacuously true for fewer than two rows or no columns).
  ///
  /// - Complexity: O(`rows · columns`) comparisons at most; stops at the first differing row.
  var hasIdenticalRows: Bool {
    guard rows > 1, columns > 0 else { return true }
    return storage.withUnsafeBufferPointer { elements in
      for i in 1 ..< rows {
        for j in 0 ..< columns where elements[i * columns + j] != elements[j] { return false }
      }
      return true
    }
  }
}

/// The slots a streamed (rowwise) measure keeps in `RowwiseState.sums` to apply the constant rule to the two sides:
/// a flag per side, 0 while every row so far equals the side's first row and 1 after a row that differs, followed by
/// the first row of X and the first row of Y (their Float32 values widened exactly).
///
/// The flags come first, at fixed places, so that `value(of:)` can read them without knowing the widths.
/// - Complexity: O(d₁ + d₂) state; recording compares rows only until the first difference.
struct ConstantRowsSlots {
  /// Where the flag of X sits in `sums`; the flag of Y follows it, then the two first rows.
  let offset: Int
  /// The widths of X and Y.
  let columns: (Int, Int)

  /// The number of `sums` entries used: two flags and one row of each side.
  var count: Int { 2 + columns.0 + columns.1 }

  /// Records the next `rowCount` aligned rows of both sides (row-major). `isFirstChunk` tells that these are the
  /// first rows, whose first row becomes the reference.
  ///
  /// - Precondition: `sums` has room for the slots; the chunks hold `rowCount` rows.
  func record(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, rowCount: Int, isFirstChunk: Bool,
    in sums: inout [Double]
  ) {
    precondition(sums.count >= offset + count, "ConstantRowsSlots.record: state too small")
    let rowStart = offset + 2
    record(x, rowCount: rowCount, width: columns.0, flag: offset, row: rowStart, isFirstChunk: isFirstChunk, &sums)
    record(y, rowCount: rowCount, width: columns.1, flag: offset + 1, row: rowStart + columns.0,
           isFirstChunk: isFirstChunk, &sums)
  }

  private func record(
    _ rows: UnsafeBufferPointer<Float>, rowCount: Int, width: Int, flag: Int, row: Int, isFirstChunk: Bool,
    _ sums: inout [Double]
  ) {
    precondition(rows.count >= rowCount * width, "ConstantRowsSlots.record: chunk too small")
    guard rowCount > 0, width > 0 else { return }
    var start = 0
    if isFirstChunk {
      for j in 0 ..< width { sums[row + j] = Double(rows[j]) }
      start = 1
    }
    guard sums[flag] == 0 else { return }
    for i in start ..< rowCount {
      for j in 0 ..< width where Double(rows[i * width + j]) != sums[row + j] {
        sums[flag] = 1
        return
      }
    }
  }

  /// True when X or Y has every recorded row equal to its first (or there were no rows: `sums` not yet sized).
  static func eitherIsConstant(_ sums: [Double], offset: Int) -> Bool {
    sums.count < offset + 2 || sums[offset] == 0 || sums[offset + 1] == 0
  }
}

extension MeasureValue {
  /// NaN ("constant representation"): one side has every row equal (step 2 of the degenerate checks).
  static let constantRepresentation = MeasureValue.undefined("constant representation")
  /// NaN ("non-positive value under the square root"): a normalising HSIC or Frobenius factor is ≤ 0 (step 4).
  static let nonPositiveNormaliser = MeasureValue.undefined("non-positive value under the square root")
  /// NaN ("n < 4"): the unbiased HSIC needs at least four rows (step 1).
  static let fewerThanFourRows = MeasureValue.undefined("n < 4")
}
