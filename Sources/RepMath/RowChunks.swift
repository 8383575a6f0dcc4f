import RepSupport

/// Runs `body` over `0 ..< rows` cut into at most `threads` contiguous ranges, one per thread (the caller's among
/// them), and returns its results in range order: for the element-wise passes between BLAS calls, which would
/// otherwise leave all but one core idle.
///
/// The ranges depend only on `rows`, `threads` and `minimumRows`, so per-range sums combined in the returned order are
/// deterministic for a given thread count. `body` must only write state private to its range.
///
/// - Parameters:
///   - minimumRows: ranges are at least this long; below `2 · minimumRows` rows everything runs on the calling thread,
///     where starting a thread would cost more than it saves.
public func mapRowRanges<Result>(
  _ rows: Int, threads: Int = BLAS.threadCount, minimumRows: Int = 64, _ body: (Range<Int>) -> Result
) -> [Result] {
  let count = max(1, min(threads, rows / max(1, minimumRows)))
  if count == 1 { return [body(0 ..< rows)] }
  let ranges = (0 ..< count).map { k in rows * k / count ..< rows * (k + 1) / count }
  let results = WorkerSlots<Result?>(count: count, repeating: nil)
  runWorkers(count) { k in results[k] = body(ranges[k]) }
  return results.values.map { $0! }
}

/// `mapRowRanges` for passes that only write in place.
public func forEachRowRange(
  _ rows: Int, threads: Int = BLAS.threadCount, minimumRows: Int = 64, _ body: (Range<Int>) -> Void
) {
  _ = mapRowRanges(rows, threads: threads, minimumRows: minimumRows, body)
}
