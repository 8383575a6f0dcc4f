import Foundation
import RepMath
import RepMeasures
import RepStore
import RepSupport

/// A similarity table to compute: measures × (row tensors × column tensors).
public struct TableRequest: Sendable {
  public var measures: [any SimilarityMeasure]
  public var rows: [TensorInfo]
  public var columns: [TensorInfo]
  /// Compare tensors of different example sets on their common keys.
  public var intersect = false
  /// Only these examples (a row range or a list of keys) of the aligned order.
  public var subset: ExampleRowSubset?
  public var threads = defaultThreadCount
  /// Rows per compute chunk: fixed, so results do not depend on how the data were stored.
  public var chunkRows = RowChunker.defaultChunkRows
  /// Bytes the per-pair statistics (d₁×d₂ Float64 each) may take; beyond it the pairs are split over passes. The
  /// n×n Gram route is taken only when all its Grams fit in this budget too.
  public var pairStatisticsBudget = 2 << 30
  /// How the statistics measures are computed; `.automatic` picks the cheaper route.
  public var route = StatisticsRoute.automatic
  /// Per measure, the cells (`row · columns.count + column`) that are known already (a stored partial table): not
  /// computed again, left "not computed" in the result for the caller to fill.
  public var knownCells: [Set<Int>] = []
  /// Called with cells as they are computed (from worker threads; calls do not overlap), so a caller can keep them
  /// before the table is done.
  public var onCells: (@Sendable ([ComputedCell]) -> Void)?
  /// Called before each cell: throws to stop the table there (by default when Ctrl-C or SIGTERM arrived). The cells
  /// computed before are reported, so a stored table keeps them and a later run completes it.
  public var checkInterruption: @Sendable () throws -> Void = { try Interruption.check() }
  /// The rows' alignment when it is known already (a plan made it); nil aligns them from `intersect` and `subset`.
  public var alignment: ExampleAlignment?

  public init(measures: [any SimilarityMeasure], rows: [TensorInfo], columns: [TensorInfo]) {
    self.measures = measures
    self.rows = rows
    self.columns = columns
  }
}

/// One computed cell of measure `measure` (an index into the request's measures).
public struct ComputedCell: Sendable {
  public var measure: Int
  public var row: Int
  public var column: Int
  public var value: MeasureValue

  public init(measure: Int, row: Int, column: Int, value: MeasureValue) {
    self.measure = measure
    self.row = row
    self.column = column
    self.value = value
  }
}

/// How a table's statistics measures are computed.
public enum StatisticsRoute: String, Sendable, CaseIterable {
  /// The cheaper of the two for the table's shapes (Gram only when every statistics measure has a Gram form).
  case automatic = "auto"
  /// d×d feature statistics streamed in row chunks: any n, memory O(d²) per layer and pair.
  case features
  /// n×n centered Gram matrices of whole layers: O(n²·d) per layer and O(n²) per pair, for n much smaller than d.
  case grams
}

/// Computes similarity tables from stored tensors.
///
/// The plan: every statistics measure (CKA, CCA family, Procrustes) of the request shares ONE set of per-layer and
/// per-pair statistics, accumulated in a single pass over the blocks of every distinct tensor (more passes only if
/// the pair statistics exceed the memory budget); each unordered pair is accumulated once and a self-pair costs
/// nothing. When n is much smaller than the widths and every statistics measure has a Gram form (linear and debiased
/// CKA), the n×n centered Gram of each layer is formed once instead and each pair costs O(n²) (`StatisticsRoute`).
/// Rowwise measures (dot, norm, minibatch CKA) stream their own running sums. The remaining measures
/// need whole matrices (n×n kernels, neighbours) and load each tensor once.
public enum TableExecutor {
  public static func run(
    _ request: TableRequest, in store: Store, progress: (any ProgressReporter)? = nil
  ) throws -> [SimilarityTable] {
    let started = Date()
    BLAS.setThreadCount(request.threads)
    let alignment = try request.alignment ?? ExampleAlignment.align(
      request.rows + request.columns, in: store, intersect: request.intersect, subset: request.subset)
    let layout = TableLayout(rows: request.rows, columns: request.columns)
    let (distinct, cells) = (layout.tensors, layout.cells)
    let rowIndices = alignment.rowIndices.map { indices in distinct.map { indices[$0.exampleSet] ?? [] } }
    var context = Context(
      store: store, request: request, layout: layout, tensors: distinct, rowIndices: rowIndices, rowCount: alignment.rowCount,
      progress: progress)

    var values: [[[MeasureValue]]] = request.measures.map { _ in
      Array(repeating: Array(repeating: MeasureValue.undefined("not computed"), count: request.columns.count),
            count: request.rows.count)
    }
    let statistics = request.measures.indices.filter { request.measures[$0] is any StatisticsMeasure }
    let rowwise = request.measures.indices.filter { request.measures[$0] is any RowwiseMeasure }
    let folded = request.measures.indices.filter { request.measures[$0] is any FoldedStatisticsMeasure }
    let whole = request.measures.indices.filter {
      !statistics.contains($0) && !rowwise.contains($0) && !folded.contains($0)
    }

    // Only the cells some measure of a group still needs are computed.
    let columnCount = request.columns.count
    let needed = { (measures: [Int]) in
      cells.filter { cell in
        measures.contains { m in
          m >= request.knownCells.count || !request.knownCells[m].contains(cell.row * columnCount + cell.column)
        }
      }
    }
    var route: StatisticsRoute?
    if !statistics.isEmpty {
      // The route depends on the whole table, not on what is left of it, so a resumed table keeps its route.
      route = try context.chooseRoute(measures: statistics)
      let remaining = needed(statistics)
      if !remaining.isEmpty, route == .grams {
        try context.runGrams(measures: statistics, cells: remaining, into: &values)
      } else if !remaining.isEmpty {
        try context.runStatistics(measures: statistics, cells: remaining, into: &values)
      }
    }
    for measure in rowwise where !needed([measure]).isEmpty {
      try context.runRowwise(measure: measure, cells: needed([measure]), into: &values)
    }
    // Measures with the same folds share their statistics.
    for group in TableLayout.foldGroups(folded.map { request.measures[$0] }) {
      let measures = group.map { folded[$0] }
      let remaining = needed(measures)
      if !remaining.isEmpty { try context.runFolded(measures: measures, cells: remaining, into: &values) }
    }
    let remainingWhole = needed(whole)
    if !remainingWhole.isEmpty {
      try context.runWhole(measures: whole, cells: remainingWhole, into: &values)
    }
    let seconds = Date().timeIntervalSince(started)
    return request.measures.indices.map { m in
      SimilarityTable(
        measure: request.measures[m].id, properties: request.measures[m].properties, rows: request.rows,
        columns: request.columns, values: values[m], examples: alignment.description,
        exampleCount: alignment.rowCount, seconds: seconds,
        route: request.measures[m] is any StatisticsMeasure ? route : nil)
    }
  }
}

/// The state of one run: the distinct tensors, their alignment, and how to stream them.
private struct Context {
  let store: Store
  let request: TableRequest
  let layout: TableLayout
  let tensors: [TensorInfo]
  let rowIndices: [[Int]]?
  let rowCount: Int
  let progress: (any ProgressReporter)?

  /// Hands cells just computed to `request.onCells`, skipping those the request already knew.
  func report(_ measures: [Int], _ cells: [(row: Int, column: Int, a: Int, b: Int)], _ results: [[MeasureValue]]) {
    guard let onCells = request.onCells else { return }
    let columnCount = request.columns.count
    var computed: [ComputedCell] = []
    for (cell, result) in zip(cells, results) {
      for (k, m) in measures.enumerated() where k < result.count {
        let known = m < request.knownCells.count && request.knownCells[m].contains(cell.row * columnCount + cell.column)
        if !known { computed.append(ComputedCell(measure: m, row: cell.row, column: cell.column, value: result[k])) }
      }
    }
    if !computed.isEmpty { onCells(computed) }
  }

  /// Streams `tensors` in aligned chunks of `chunkRows` rows, calling `body` with one buffer per tensor.
  func stream(
    _ subset: [Int], chunkRows: Int, label: String,
    _ body: ([UnsafeBufferPointer<Float>], Int) throws -> Void
  ) throws {
    try stream(reader(subset, chunkRows: chunkRows), label: label, body)
  }

  /// A reader of `tensors[subset]` in aligned chunks; it starts reading the first chunk at once.
  func reader(_ subset: [Int], chunkRows: Int) throws -> AlignedRowReader {
    try AlignedRowReader(
      store: store, tensors: subset.map { tensors[$0] }, rowIndices: rowIndices.map { all in subset.map { all[$0] } },
      chunkRows: chunkRows, threads: request.threads)
  }

  /// Streams a reader's chunks, calling `body` with one buffer per tensor.
  func stream(
    _ reader: AlignedRowReader, label: String, _ body: ([UnsafeBufferPointer<Float>], Int) throws -> Void
  ) throws {
    let (chosen, chunkRows) = (reader.tensors, reader.chunkRows)
    // One chunk buffer per tensor, owned here and freed on every path.
    let buffers = chosen.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: chunkRows * $0.columnCount) }
    defer { for buffer in buffers { buffer.deallocate() } }
    let views = buffers.map { UnsafeBufferPointer($0) }
    let total = Int64(rowCount) * Int64(chosen.reduce(0) { $0 + $1.columnCount }) * 4
    progress?.begin(label, totalByteCount: total)
    defer { progress?.end() }
    while true {
      let rows = try reader.nextChunk(into: buffers)
      if rows == 0 { break }
      try body(views, rows)
      progress?.advance(to: Int64(reader.rowsRead) * total / Int64(max(1, rowCount)))
    }
  }

  // MARK: Statistics measures

  /// The route for the statistics measures (`TableLayout.statisticsRoute`).
  /// - Throws: `QueryError` when `.grams` is asked for a measure that has no Gram form.
  func chooseRoute(measures: [Int]) throws -> StatisticsRoute {
    let gramless = measures.filter { !(request.measures[$0] is any GramMeasure) }
    try TableLayout.checkRoute(request.route, gramless: gramless.map { request.measures[$0].id })
    return layout.statisticsRoute(
      request.route, gramCapable: gramless.isEmpty, rowCount: rowCount, budget: request.pairStatisticsBudget)
  }

  /// The Gram route: each involved layer loaded whole, once, and reduced to its centered n×n Gram; then every cell
  /// from two Grams.
  mutating func runGrams(
    measures: [Int], cells: [(row: Int, column: Int, a: Int, b: Int)], into values: inout [[[MeasureValue]]]
  ) throws {
    let involved = Array(Set(cells.flatMap { [$0.a, $0.b] })).sorted()
    var grams: [Int: CenteredGram] = [:]
    for (k, t) in involved.enumerated() {
      grams[t] = CenteredGram(try load([t], label: "grams \(k + 1)/\(involved.count)")[0])
    }
    try evaluateDistinct(measures: measures, cells: cells, into: &values) { cell in
      guard let a = grams[cell.a], let b = grams[cell.b] else { return [] }
      return try measures.map { m in
        guard let measure = request.measures[m] as? any GramMeasure else { return MeasureValue.undefined("") }
        return try measure.similarity(a, b)
      }
    }
  }


  mutating func runStatistics(
    measures: [Int], cells: [(row: Int, column: Int, a: Int, b: Int)], into values: inout [[[MeasureValue]]]
  ) throws {
    let groups = layout.statisticsPasses(of: cells, budget: request.pairStatisticsBudget)
    // Float64 products only when a measure of the table asks for them (the CCA and Procrustes families).
    let precision = measures.compactMap { (request.measures[$0] as? any StatisticsMeasure)?.productPrecision }.max()
      ?? .single
    for (pass, group) in groups.enumerated() {
      let involved = pass == 0 ? Array(tensors.indices) : Array(Set(group.flatMap { [$0.0, $0.1] })).sorted()
      let local = Dictionary(uniqueKeysWithValues: involved.enumerated().map { ($1, $0) })
      // The reader starts on the first chunk while the statistics are allocated.
      let reader = try reader(involved, chunkRows: request.chunkRows)
      var joint = JointStatistics(
        columnCounts: involved.map { tensors[$0].columnCount },
        pairs: group.compactMap { pair in local[pair.0].flatMap { a in local[pair.1].map { (a, $0) } } },
        precision: precision)
      let label = groups.count == 1 ? "statistics" : "statistics \(pass + 1)/\(groups.count)"
      try stream(reader, label: label) { chunks, rows in
        joint.accumulate(chunks: chunks, rows: rows)
      }
      let inGroup = Set(group.map { $0.0 * tensors.count + $0.1 })
      let inPass = cells.filter { cell in
        cell.a == cell.b ? pass == 0 : inGroup.contains(min(cell.a, cell.b) * tensors.count + max(cell.a, cell.b))
      }
      try evaluateDistinct(measures: measures, cells: inPass, into: &values) { cell in
        guard let a = local[cell.a], let b = local[cell.b] else { return [] }
        let cross = joint.cross(a, b)
        return try measures.map { m in
          guard let measure = request.measures[m] as? any StatisticsMeasure else { return MeasureValue.undefined("") }
          return try measure.similarity(joint.columnStatistics[a], joint.columnStatistics[b], cross: cross)
        }
      }
      releaseInBackground(consume joint)
    }
  }

  // MARK: Per-fold statistics measures

  /// Cross-validated measures with the same fold count: the statistics of every layer and pair on each of the K
  /// contiguous folds of the aligned rows, accumulated in one pass (more when K times the pair statistics exceed the
  /// memory budget), then every cell from them.
  mutating func runFolded(
    measures: [Int], cells: [(row: Int, column: Int, a: Int, b: Int)], into values: inout [[[MeasureValue]]]
  ) throws {
    guard let first = request.measures[measures[0]] as? any FoldedStatisticsMeasure else { return }
    let ranges = ContiguousFolds.ranges(rowCount: rowCount, folds: first.foldCount)
    let groups = layout.statisticsPasses(of: cells, budget: request.pairStatisticsBudget / max(1, ranges.count))
    for (pass, group) in groups.enumerated() {
      let inGroup = Set(group.map { $0.0 * tensors.count + $0.1 })
      let inPass = cells.filter { cell in
        cell.a == cell.b ? pass == 0 : inGroup.contains(min(cell.a, cell.b) * tensors.count + max(cell.a, cell.b))
      }
      // The first pass reads every layer of the cells (their diagonal cells are in it), later ones their pairs'.
      let involved = Array(Set((pass == 0 ? cells : inPass).flatMap { [$0.a, $0.b] })).sorted()
      guard !inPass.isEmpty else { continue }
      let local = Dictionary(uniqueKeysWithValues: involved.enumerated().map { ($1, $0) })
      let reader = try reader(involved, chunkRows: request.chunkRows)
      var folds = FoldedJointStatistics(
        columnCounts: involved.map { tensors[$0].columnCount },
        pairs: group.compactMap { pair in local[pair.0].flatMap { a in local[pair.1].map { (a, $0) } } },
        foldRanges: ranges)
      let label = groups.count == 1 ? "fold statistics" : "fold statistics \(pass + 1)/\(groups.count)"
      try stream(reader, label: label) { chunks, rows in
        folds.accumulate(chunks: chunks, rows: rows)
      }
      // One value per layer, so that each layer's derived cache (its training eigendecompositions) serves every pair.
      let layers = involved.indices.map { folds.columnStatistics($0) }
      try evaluateDistinct(measures: measures, cells: inPass, into: &values) { cell in
        guard let a = local[cell.a], let b = local[cell.b] else { return [] }
        let cross = folds.centeredCross(a, b)
        return try measures.map { m in
          guard let measure = request.measures[m] as? any FoldedStatisticsMeasure else { return .undefined("") }
          return try measure.similarity(layers[a], layers[b], cross: cross)
        }
      }
    }
  }

  /// Evaluates `body` once per distinct pair of tensors among `cells` ((a, b) and (b, a) once when every measure is
  /// symmetric), on the worker threads, writes the values of every cell and reports them.
  ///
  /// - Parameter eachCell: report each pair as soon as it is done (slow measures, whose finished cells an
  ///   interrupted table keeps), rather than all at the end in one report.
  func evaluateDistinct(
    measures: [Int], cells: [(row: Int, column: Int, a: Int, b: Int)], eachCell: Bool = false,
    into values: inout [[[MeasureValue]]], _ body: ((row: Int, column: Int, a: Int, b: Int)) throws -> [MeasureValue]
  ) throws {
    let symmetric = measures.allSatisfy { request.measures[$0].properties.isSymmetric }
    let count = tensors.count
    let key = { (cell: (row: Int, column: Int, a: Int, b: Int)) in
      symmetric ? min(cell.a, cell.b) * count + max(cell.a, cell.b) : cell.a * count + cell.b
    }
    let cellsOfKey = Dictionary(grouping: cells, by: key)
    var firstOfKey: [Int: Int] = [:]
    var distinct: [(row: Int, column: Int, a: Int, b: Int)] = []
    for cell in cells where firstOfKey[key(cell)] == nil {
      firstOfKey[key(cell)] = distinct.count
      distinct.append(cell)
    }
    let context = self
    let results = try evaluate(
      distinct.count,
      completed: eachCell
        ? { index, value in
          let sharing = cellsOfKey[key(distinct[index])] ?? []
          context.report(measures, sharing, sharing.map { _ in value })
        } : nil
    ) { try body(distinct[$0]) }
    for cell in cells {
      guard let index = firstOfKey[key(cell)] else { continue }
      for (k, m) in measures.enumerated() where k < results[index].count {
        values[m][cell.row][cell.column] = results[index][k]
      }
    }
    if !eachCell { report(measures, cells, cells.map { firstOfKey[key($0)].map { results[$0] } ?? [] }) }
  }

  /// Whole tensors `subset` in memory, read once in aligned chunks.
  func load(_ subset: [Int], label: String) throws -> [Matrix] {
    var matrices = subset.map { Matrix(rows: rowCount, columns: tensors[$0].columnCount) }
    var filled = 0
    try stream(subset, chunkRows: request.chunkRows, label: label) { chunks, rows in
      for (t, chunk) in chunks.enumerated() {
        let width = matrices[t].columns
        matrices[t].storage.withUnsafeMutableBufferPointer { storage in
          (storage.baseAddress! + filled * width).update(from: chunk.baseAddress!, count: rows * width)
        }
      }
      filled += rows
    }
    return matrices
  }

  // MARK: Rowwise measures

  mutating func runRowwise(
    measure index: Int, cells: [(row: Int, column: Int, a: Int, b: Int)], into values: inout [[[MeasureValue]]]
  ) throws {
    guard let measure = request.measures[index] as? any RowwiseMeasure else { return }
    for cell in cells {
      try measure.checkShapes(rows: rowCount, columns: (tensors[cell.a].columnCount, tensors[cell.b].columnCount))
    }
    var states = cells.map { _ in RowwiseState(count: 0) }
    let chunkRows = measure.chunkRows ?? request.chunkRows
    // Rows standardized by their tensor's statistics, for a projection trained that way, in buffers of their own.
    let standardizations = try standardizations(for: measure)
    let standardized = standardizations.map { _ in
      tensors.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: chunkRows * $0.columnCount) }
    } ?? []
    defer { for buffer in standardized { buffer.deallocate() } }
    try stream(Array(tensors.indices), chunkRows: chunkRows, label: measure.id.description) { raw, rows in
      var chunks = raw
      if let standardizations {
        for t in chunks.indices {
          standardizations[t].apply(raw[t], rows: rows, into: standardized[t])
          chunks[t] = UnsafeBufferPointer(standardized[t])
        }
      }
      for (k, cell) in cells.enumerated() {
        measure.accumulate(
          chunks[cell.a], chunks[cell.b], rows: rows,
          columns: (tensors[cell.a].columnCount, tensors[cell.b].columnCount), into: &states[k])
      }
    }
    let results = states.map { [measure.value(of: $0)] }
    for (k, cell) in cells.enumerated() { values[index][cell.row][cell.column] = results[k][0] }
    report([index], cells, results)
  }

  // MARK: Whole-matrix measures

  mutating func runWhole(
    measures: [Int], cells: [(row: Int, column: Int, a: Int, b: Int)], into values: inout [[[MeasureValue]]]
  ) throws {
    for m in measures {
      if let limited = request.measures[m] as? any RowLimitedMeasure, rowCount > limited.rowLimit {
        throw MeasureError.tooManyRows(measure: request.measures[m].id.description, rows: rowCount, limit: limited.rowLimit)
      }
    }
    let raw = try load(Array(tensors.indices), label: "load")
    var standardized: [Matrix]?
    for m in measures {
      let measure = request.measures[m]
      var matrices = raw
      if let standardizations = try standardizations(for: measure) {
        if standardized == nil { standardized = zip(standardizations, raw).map { $0.apply($1) } }
        matrices = standardized!
      }
      // These measures are slow: each pair is reported when done, and an interrupted table keeps it.
      try evaluateDistinct(measures: [m], cells: cells, eachCell: true, into: &values) { cell in
        [try measure.similarity(matrices[cell.a], matrices[cell.b])]
      }
    }
  }

  /// Each tensor's standardization when `measure` compares standardized rows (`StandardizedInputMeasure`), else nil.
  func standardizations(for measure: any SimilarityMeasure) throws -> [ColumnStandardization]? {
    guard (measure as? any StandardizedInputMeasure)?.standardizesInputs == true else { return nil }
    return try tensors.map { try TensorStandardizations.shared.standardization(of: $0, in: store) }
  }

  /// Evaluates `count` independent cells on the worker threads (BLAS itself single-threaded meanwhile).
  ///
  /// `completed`, if given, sees each cell as soon as it is done (one call at a time), so that slow measures can hand
  /// cells on before the others finish.
  func evaluate(
    _ count: Int, completed: ((Int, [MeasureValue]) -> Void)? = nil, _ body: (Int) throws -> [MeasureValue]
  ) throws -> [[MeasureValue]] {
    let results = WorkerSlots<[MeasureValue]>(count: count, repeating: [])
    let workers = max(1, min(request.threads, count))
    let lock = NSLock()
    try BLAS.withSingleThread(if: workers > 1) {
      try parallelFor(count, threads: workers) { index in
        try request.checkInterruption()
        let value = try body(index)
        results[index] = value
        if let completed {
          lock.lock()
          completed(index, value)
          lock.unlock()
        }
      }
    }
    return results.values
  }
}

/// Drops the last reference to `value` on another thread: unmapping the statistics of a large table (hundreds of MB)
/// took 80 ms of the command's end, which the table's output and storage need not wait for.
private func releaseInBackground<Value>(_ value: consuming Value) {
  let box = UncheckedBox(value)
  DispatchQueue.global().async { _ = box }
}
