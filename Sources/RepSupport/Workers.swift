import Foundation

/// Runs `body(worker)` for `worker` in 0..<count on that many threads (the caller's among them) and throws the first
/// error, by worker, once all have finished.
///
/// The one worker pool of repstore: the store's import and read pipelines, the statistics, the table executor,
/// training and the neighbour searches all run on it. Each worker must touch only state it owns (codecs and scratch
/// buffers indexed by `worker`, disjoint `WorkerSlots`) or state behind a lock (`WorkQueue`): the pool shares nothing.
public func runWorkers<Failure: Error>(_ count: Int, _ body: (Int) throws(Failure) -> Void) throws(Failure) {
  if count <= 1 {
    if count == 1 { try body(0) }
    return
  }
  let errors = WorkerSlots<Failure?>(count: count, repeating: nil)
  withoutActuallyEscaping(body) { body in
    let work = UncheckedBox(body)
    DispatchQueue.concurrentPerform(iterations: count) { worker in
      do throws(Failure) { try work.value(worker) } catch { errors[worker] = error }
    }
  }
  if let error = errors.values.lazy.compactMap({ $0 }).first { throw error }
}

/// Runs `body(index)` for each index in 0..<count on up to `threads` workers, worker w taking w, w + workers, …
///
/// The assignment depends only on `count` and `threads`, never on timing. `body` must only touch state that is
/// private to its index.
public func parallelFor<Failure: Error>(
  _ count: Int, threads: Int, _ body: (Int) throws(Failure) -> Void
) throws(Failure) {
  let workers = max(1, min(threads, count))
  try runWorkers(count == 0 ? 0 : workers) { (worker) throws(Failure) in
    for index in stride(from: worker, to: count, by: workers) { try body(index) }
  }
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

/// Hands out the indices 0, 1, 2, … one at a time to whichever worker asks first: for units of uneven cost.
public final class WorkQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0
  public let count: Int

  public init(count: Int) { self.count = count }

  /// The next index not yet taken, or `nil` when all `count` are.
  public func take() -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard next < count else { return nil }
    next += 1
    return next - 1
  }
}

/// A value handed to other threads by code that makes their use of it safe (disjoint indices, no overlap in time).
public final class UncheckedBox<Value>: @unchecked Sendable {
  public var value: Value
  public init(_ value: Value) { self.value = value }
}
