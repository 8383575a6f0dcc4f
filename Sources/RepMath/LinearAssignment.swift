/// The linear assignment problem on a rectangular cost matrix, solved exactly by shortest augmenting paths with
/// dual potentials (the Hungarian method in the form of Jonker & Volgenant 1987, "A shortest augmenting path
/// algorithm for dense and sparse linear assignment problems", Computing 38).
///
/// For an m×n matrix with m ≤ n, every row gets a distinct column, minimising (or maximising) the sum of the chosen
/// entries; a wider-than-tall matrix is solved through its transpose, so min(m, n) pairs are matched either way, as
/// `scipy.optimize.linear_sum_assignment` does. Ties are broken deterministically (lowest column first), though the
/// optimal sum, not the assignment, is what is unique.
///
/// - Complexity: O(min(m, n)²·max(m, n)) comparisons, O(m + n) memory beyond the matrix.
public enum LinearAssignment {
  /// The optimal assignment of a row-major `rows`×`columns` cost matrix.
  ///
  /// - Parameters:
  ///   - costs: the matrix, Float64, row-major.
  ///   - maximize: maximise the sum instead of minimising it.
  /// - Returns: for each row (in order), its column, when rows ≤ columns; otherwise for each column, its row. As
  ///   pairs (row, column), sorted by row: min(rows, columns) of them.
  /// - Precondition: `costs` holds rows·columns finite values.
  public static func solve(_ costs: DoubleMatrix, maximize: Bool = false) -> [(row: Int, column: Int)] {
    precondition(costs.storage.allSatisfy(\.isFinite), "LinearAssignment: costs must be finite")
    let transposed = costs.rows > costs.columns
    let matrix = transposed ? costs.transposed() : costs
    let sign = maximize ? -1.0 : 1.0
    let columnOfRow = solveTall(rows: matrix.rows, columns: matrix.columns) { sign * matrix.storage[$0 * matrix.columns + $1] }
    let pairs = columnOfRow.enumerated().map { transposed ? (row: $0.element, column: $0.offset) : (row: $0.offset, column: $0.element) }
    return pairs.sorted { $0.row < $1.row }
  }

  /// Shortest augmenting paths for m ≤ n: adds the rows one by one, each time finding the cheapest path in reduced
  /// costs (Dijkstra over columns) from the new row to a free column, then updating the potentials u, v so that every
  /// reduced cost c(i, j) − u(i) − v(j) stays ≥ 0 and is 0 on matched pairs (which proves optimality).
  private static func solveTall(rows m: Int, columns n: Int, cost: (Int, Int) -> Double) -> [Int] {
    // 1-based internally; index 0 of columns is the virtual column holding the row being added.
    var u = [Double](repeating: 0, count: m + 1)
    var v = [Double](repeating: 0, count: n + 1)
    var rowOfColumn = [Int](repeating: 0, count: n + 1)
    var previous = [Int](repeating: 0, count: n + 1)
    for i in 1 ... max(m, 1) where m > 0 {
      rowOfColumn[0] = i
      var column = 0
      var minimum = [Double](repeating: .infinity, count: n + 1)
      var used = [Bool](repeating: false, count: n + 1)
      repeat {
        used[column] = true
        let row = rowOfColumn[column]
        var delta = Double.infinity
        var next = 0
        for j in 1 ... n where !used[j] {
          let reduced = cost(row - 1, j - 1) - u[row] - v[j]
          if reduced < minimum[j] {
            minimum[j] = reduced
            previous[j] = column
          }
          if minimum[j] < delta {
            delta = minimum[j]
            next = j
          }
        }
        for j in 0 ... n {
          if used[j] {
            u[rowOfColumn[j]] += delta
            v[j] -= delta
          } else {
            minimum[j] -= delta
          }
        }
        column = next
      } while rowOfColumn[column] != 0
      // Augment along the path back to the virtual column.
      repeat {
        let back = previous[column]
        rowOfColumn[column] = rowOfColumn[back]
        column = back
      } while column != 0
    }
    var columnOfRow = [Int](repeating: -1, count: m)
    for j in 1 ... max(n, 1) where n > 0 && rowOfColumn[j] > 0 { columnOfRow[rowOfColumn[j] - 1] = j - 1 }
    return columnOfRow
  }
}
