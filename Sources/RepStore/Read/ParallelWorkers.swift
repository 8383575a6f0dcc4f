import Foundation

/// Runs `body(worker)` for `worker` in 0..<count on separate threads and rethrows the first error.
///
/// Each worker owns its own state (codecs, scratch buffers), indexed by `worker`, so no state is shared
/// between threads except through disjoint slots.
public func runWorkers(_ count: Int, _ body: (Int) throws -> Void) throws {
  if count == 1 {
    try body(0)
    return
  }
  let errors = ErrorSlots(count: count)
  withoutActuallyEscaping(body) { body in
    let shared = UncheckedBox(body)
    DispatchQueue.concurrentPerform(iterations: count) { worker in
      do { try shared.value(worker) } catch { errors.set(worker, error) }
    }
  }
  if let error = errors.first { throw error }
}

/// Wraps a value whose use across threads is made safe by the caller (disjoint slots per worker).
public final class UncheckedBox<Value>: @unchecked Sendable {
  public var value: Value
  public init(_ value: Value) { self.value = value }
}

/// One error slot per worker, written only by that worker.
private final class ErrorSlots: @unchecked Sendable {
  private var slots: [(any Error)?]
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ worker: Int, _ error: any Error) { slots[worker] = error }
  var first: (any Error)? { slots.lazy.compactMap { $0 }.first }
}

/// The number of worker threads to use by default: one per core.
public var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
