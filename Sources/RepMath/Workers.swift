import Foundation

/// Runs `body(worker)` for each worker in 0..<count, on that many threads (the caller's among them).
///
/// For work that would otherwise leave all but one core idle; each worker must touch only state it owns.
public func forEachWorker(_ count: Int, _ body: (Int) -> Void) {
  if count <= 1 {
    if count == 1 { body(0) }
    return
  }
  withoutActuallyEscaping(body) { body in
    let work = UncheckedSendable(body)
    DispatchQueue.concurrentPerform(iterations: count) { work.value($0) }
  }
}

/// Runs `body(0 ..< count)` on up to `threads` threads (the caller's among them), each index once.
///
/// For the element-wise loops around the BLAS calls, which would otherwise leave all but one core idle. `body` must
/// only touch state that is private to its index.
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
  let workers = max(1, min(threads, count))
  forEachWorker(count == 0 ? 0 : workers) { worker in
    var index = worker
    while index < count {
      body(index)
      index += workers
    }
  }
}

/// Hands out the indices 0, 1, 2, … one at a time to whichever worker asks first.
final class WorkQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0
  let count: Int

  init(count: Int) { self.count = count }

  /// The next index not yet taken, or `nil` when all `count` are.
  func take() -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard next < count else { return nil }
    next += 1
    return next - 1
  }
}

/// A value handed to other threads by code that guarantees they use it safely (disjoint indices, no overlap in time).
struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

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
