import Foundation
import RepSupport
import Testing

@Suite("Workers")
struct WorkersTests {
  struct Failure: Error, Equatable {
    var worker: Int
  }

  @Test("every worker runs once, each writing its own slot", arguments: [0, 1, 2, 7])
  func everyWorkerOnce(count: Int) {
    let slots = WorkerSlots<Int>(count: count, repeating: -1)
    runWorkers(count) { worker in slots[worker] = worker * worker }
    #expect(slots.values == (0 ..< count).map { $0 * $0 })
  }

  @Test("the first error by worker is thrown, after every worker has finished")
  func firstErrorByWorker() {
    let finished = WorkerSlots<Bool>(count: 6, repeating: false)
    #expect(throws: Failure(worker: 2)) {
      try runWorkers(6) { (worker) throws(Failure) in
        finished[worker] = true
        if worker >= 2 && worker % 2 == 0 { throw Failure(worker: worker) }
      }
    }
    #expect(finished.values.allSatisfy { $0 })
  }

  @Test("parallelFor visits every index once, worker w taking w, w + workers, …",
        arguments: [(0, 3), (1, 3), (10, 1), (10, 3), (5, 8)])
  func parallelForVisitsEachIndex(count: Int, threads: Int) {
    let visits = WorkerSlots<Int>(count: count, repeating: 0)
    parallelFor(count, threads: threads) { index in visits[index] += 1 }
    #expect(visits.values == [Int](repeating: 1, count: count))
  }

  @Test("the work queue hands out each index once across workers")
  func workQueue() {
    let queue = WorkQueue(count: 1000)
    let taken = WorkerSlots<[Int]>(count: 4, repeating: [])
    runWorkers(4) { worker in
      while let index = queue.take() { taken.update(worker) { $0.append(index) } }
    }
    #expect(taken.values.flatMap { $0 }.sorted() == Array(0 ..< 1000))
    #expect(queue.take() == nil)
  }
}
