extension BLAS {
  /// Runs `body` with OpenBLAS on one thread if `condition` and it has more, restoring the count afterwards: workers
  /// that each call BLAS must not each start OpenBLAS's threads too (no nested parallelism).
  public static func withSingleThread<R>(if condition: Bool, _ body: () throws -> R) rethrows -> R {
    let previous = threadCount
    guard condition && previous > 1 else { return try body() }
    setThreadCount(1)
    defer { setThreadCount(previous) }
    return try body()
  }
}
