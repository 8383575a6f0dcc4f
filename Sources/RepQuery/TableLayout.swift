import RepMeasures
import RepStore

/// A table's cells over its distinct tensors, and the choices that depend only on their shapes: the statistics route
/// and how the pair statistics split into passes under the memory budget. The executor follows it and `explain`
/// prints it, so the plan shown is the plan run.
struct TableLayout: Sendable {
  /// Cell (row, column) compares distinct tensors a and b.
  typealias Cell = (row: Int, column: Int, a: Int, b: Int)

  /// Each tensor once, in order of first appearance among the rows, then the columns.
  let tensors: [TensorInfo]
  /// Every cell, row-major.
  let cells: [Cell]

  init(rows: [TensorInfo], columns: [TensorInfo]) {
    var distinct: [TensorInfo] = []
    var position: [Int64: Int] = [:]
    for tensor in rows + columns where position[tensor.id] == nil {
      position[tensor.id] = distinct.count
      distinct.append(tensor)
    }
    tensors = distinct
    cells = rows.indices.flatMap { i in
      columns.indices.map { j in (i, j, position[rows[i].id] ?? 0, position[columns[j].id] ?? 0) }
    }
  }

  /// Refuses `--route grams` when some statistics measure has no Gram form.
  static func checkRoute(_ requested: StatisticsRoute, gramless: [MeasureID]) throws {
    guard requested == .grams, !gramless.isEmpty else { return }
    throw QueryError(.usage, "--route grams: \(gramless.map(\.description).joined(separator: ", ")) has no Gram form "
      + "(only cka and cka.debiased do); use --route features or auto")
  }

  /// The route of the statistics measures for `requested`: `.automatic` takes the one with fewer flops whose memory
  /// fits the budget (only when every statistics measure has a Gram form). Features: n·(Σ dᵢ² + 2·Σ_pairs dᵢdⱼ)
  /// flops. Grams: n²·Σ dᵢ to form them plus about 2n² per pair (memory-bound, so counted at twice its flops).
  func statisticsRoute(
    _ requested: StatisticsRoute, gramCapable: Bool, rowCount: Int, budget: Int
  ) -> StatisticsRoute {
    switch requested {
    case .features, .grams: return requested
    case .automatic:
      guard gramCapable else { return .features }
      let n = Double(rowCount)
      let involved = Set(cells.flatMap { [$0.a, $0.b] })
      let widths = involved.map { Double(tensors[$0].columnCount) }
      let pairs = distinctPairs(of: cells)
      let crossFlops = pairs.reduce(0.0) { $0 + 2 * Double(tensors[$1.0].columnCount * tensors[$1.1].columnCount) }
      let features = n * (widths.reduce(0) { $0 + $1 * $1 } + crossFlops)
      let grams = n * n * widths.reduce(0, +) + 4 * n * n * Double(pairs.count)
      let gramBytes = Double(involved.count) * n * n * 8
      return grams < features && gramBytes <= Double(budget) ? .grams : .features
    }
  }

  /// The unordered pairs of different tensors that `cells` compare, each once, in order of first use.
  func distinctPairs(of cells: [Cell]) -> [(Int, Int)] {
    var pairs: [(Int, Int)] = []
    var seen = Set<Int>()
    for cell in cells where cell.a != cell.b {
      let key = min(cell.a, cell.b) * tensors.count + max(cell.a, cell.b)
      if seen.insert(key).inserted { pairs.append((min(cell.a, cell.b), max(cell.a, cell.b))) }
    }
    return pairs
  }

  /// The pairs of `cells` split into passes whose cross statistics (dᵢ·dⱼ Float64 each) fit `budget` (usually one).
  func statisticsPasses(of cells: [Cell], budget: Int) -> [[(Int, Int)]] {
    var passes: [[(Int, Int)]] = [[]]
    var bytes = 0
    for pair in distinctPairs(of: cells) {
      let cost = pairStatisticsBytes(pair)
      if bytes + cost > budget, !(passes.last?.isEmpty ?? true) {
        passes.append([])
        bytes = 0
      }
      passes[passes.count - 1].append(pair)
      bytes += cost
    }
    return passes
  }

  /// The per-fold statistics measures grouped by their fold count (indices into `measures`, in order of first
  /// appearance): each group shares one set of fold statistics.
  static func foldGroups(_ measures: [any SimilarityMeasure]) -> [[Int]] {
    var groups: [[Int]] = []
    var groupOfCount: [Int: Int] = [:]
    for (index, measure) in measures.enumerated() {
      guard let folded = measure as? any FoldedStatisticsMeasure else { continue }
      if let group = groupOfCount[folded.foldCount] {
        groups[group].append(index)
      } else {
        groupOfCount[folded.foldCount] = groups.count
        groups.append([index])
      }
    }
    return groups
  }

  /// The bytes of one pair's cross statistics.
  func pairStatisticsBytes(_ pair: (Int, Int)) -> Int { tensors[pair.0].columnCount * tensors[pair.1].columnCount * 8 }
}
