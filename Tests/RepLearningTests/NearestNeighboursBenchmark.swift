import Foundation
import RepMath
import Testing
@testable import RepLearning

/// Times a 20,000 × 768 self-search with k = 10, the size of one stored layer, and prints it (no assertion), beside
/// the `sgemm` calls alone and a single worker. Runs only when `REPSTORE_BENCH` is set, in a release
/// build; `REPSTORE_BENCH_ROUNDS` (default 3) repeats every variant, interleaved, and the fastest round is shown:
///
///     swift build -c release -Xswiftc -enable-testing --build-tests
///     REPSTORE_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter NearestNeighboursBenchmark
@Suite("NearestNeighboursBenchmark", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["REPSTORE_BENCH"] != nil))
struct NearestNeighboursBenchmark {
  static let (rows, columns, k) = (20_000, 768, 10)

  /// Activation-like rows: a rank-64 signal, per-column offsets between 2 and 4, and noise.
  static func activations() -> Matrix {
    var generator = SplitMix64(seed: 42)
    let factors = Matrix(rows: rows, columns: 64, storage: (0 ..< rows * 64).map { _ in
      Float.random(in: -1 ..< 1, using: &generator)
    })
    let loadings = Matrix(rows: 64, columns: columns, storage: (0 ..< 64 * columns).map { _ in
      Float.random(in: -0.25 ..< 0.25, using: &generator)
    })
    var x = BLAS.product(factors, .none, loadings, .none)
    let offsets = (0 ..< columns).map { _ in Float.random(in: 2 ..< 4, using: &generator) }
    for i in 0 ..< rows {
      for t in 0 ..< columns {
        x.storage[i * columns + t] += offsets[t] + 0.1 * Float.random(in: -1 ..< 1, using: &generator)
      }
    }
    return x
  }

  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  /// The `sgemm` calls of a search alone, over the same blocks of the same rows.
  static func productsAlone(_ x: Matrix) {
    let blocks = NearestNeighbours.BlockShape.standard
    func rows(_ start: Int, _ count: Int) -> Matrix {
      let count = min(count, x.rows - start)
      return Matrix(rows: count, columns: x.columns,
                    storage: Array(x.storage[(start * x.columns) ..< ((start + count) * x.columns)]))
    }
    var c = Matrix(rows: 0, columns: 0)
    for queryStart in stride(from: 0, to: x.rows, by: blocks.queryRows) {
      let q = rows(queryStart, blocks.queryRows)
      for baseStart in stride(from: 0, to: x.rows, by: blocks.baseRows) {
        let b = rows(baseStart, blocks.baseRows)
        if c.rows != q.rows || c.columns != b.rows { c = Matrix(rows: q.rows, columns: b.rows) }
        BLAS.multiply(q, .none, b, .transposed, into: &c)
      }
    }
  }

  @Test func selfSearch() throws {
    let x = Self.activations()
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let rounds = Int(ProcessInfo.processInfo.environment["REPSTORE_BENCH_ROUNDS"] ?? "") ?? 3
    let previousThreads = BLAS.threadCount
    defer { BLAS.setThreadCount(previousThreads) }
    let variants: [(String, () throws -> Void)] = [
      ("sgemm calls alone, BLAS \(cores) threads", {
        BLAS.setThreadCount(cores)
        Self.productsAlone(x)
      }),
      ("selfSearch: \(cores) workers, BLAS 1 thread each", {
        BLAS.setThreadCount(cores)
        _ = try NearestNeighbours.selfSearch(x, k: Self.k)
      }),
      ("one worker, BLAS \(cores) threads", {
        BLAS.setThreadCount(cores)
        _ = try NearestNeighbours.search(queries: x, in: x, k: Self.k, excluding: Array(0 ..< Self.rows),
                                         blocks: .standard, workerCount: 1)
      }),
      ("sgemm calls alone, BLAS 1 thread", {
        BLAS.setThreadCount(1)
        Self.productsAlone(x)
      }),
      ("one core: BLAS 1 thread, 1 worker", {
        BLAS.setThreadCount(1)
        _ = try NearestNeighbours.search(queries: x, in: x, k: Self.k, excluding: Array(0 ..< Self.rows),
                                         blocks: .standard, workerCount: 1)
      }),
    ]
    var times = [[Double]](repeating: [], count: variants.count)
    for _ in 0 ..< rounds {
      for (v, variant) in variants.enumerated() { times[v].append(try Self.seconds(variant.1)) }
    }
    var report = ["self-search \(Self.rows)×\(Self.columns), k = \(Self.k), \(cores) cores, best of \(rounds):"]
    for (v, variant) in variants.enumerated() {
      let all = times[v].map { String(format: "%.2f", $0) }.joined(separator: " ")
      report.append("  " + variant.0.padding(toLength: 52, withPad: " ", startingAt: 0)
        + String(format: "%6.2f s", times[v].min() ?? .nan) + "   (\(all))")
    }
    print(report.joined(separator: "\n"))
  }
}
