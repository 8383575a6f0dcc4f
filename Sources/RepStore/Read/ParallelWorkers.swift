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

/// Slots that workers write at disjoint indices, in memory allocated up front: a slot is reached through the
/// buffer's pointer, never through a Swift array shared by the workers (whose every element write checks, and may
/// copy, the whole array: a data race even at disjoint indices).
public final class WorkerSlots<Value>: @unchecked Sendable {
  private let slots: UnsafeMutableBufferPointer<Value>

  public init(count: Int, repeating value: Value) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: value)
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  public var count: Int { slots.count }

  /// Slot `index`; from a worker, only a slot no other thread uses meanwhile.
  public subscript(index: Int) -> Value {
    get { slots[index] }
    set { slots[index] = newValue }
  }

  /// Runs `body` on slot `index` in place (an array slot is not copied).
  public func update<R>(_ index: Int, _ body: (inout Value) throws -> R) rethrows -> R { try body(&slots[index]) }

  /// Every slot, once the workers are done.
  public var values: [Value] { Array(slots) }
}

/// One error slot per worker, written only by that worker.
private final class ErrorSlots: @unchecked Sendable {
  private let slots: WorkerSlots<(any Error)?>
  init(count: Int) { slots = WorkerSlots(count: count, repeating: nil) }
  func set(_ worker: Int, _ error: any Error) { slots[worker] = error }
  var first: (any Error)? { slots.values.lazy.compactMap { $0 }.first }
}

/// The number of worker threads to use by default: one per core.
public var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
