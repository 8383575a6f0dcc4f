import Foundation

/// What `verify` found.
public struct VerifyReport: Sendable {
  public var tensorCount = 0
  public var blockCount = 0
  public var rawByteCount: Int64 = 0
  public var storedByteCount: Int64 = 0
  /// One line per problem: catalog integrity, a block that fails its checks, a digest mismatch.
  public var problems: [String] = []
  /// Bytes in segment files that no tensor references (left by removed tensors or interrupted imports).
  public var unreferencedByteCount: Int64 = 0
  public var isHealthy: Bool { problems.isEmpty }
}

extension Store {
  /// Re-reads every block of every tensor, checking lengths and checksums, then each tensor's content digest,
  /// and the catalog's own integrity. Reads a consistent snapshot; a concurrent import is not seen.
  /// - Complexity: one read of all stored data; memory O(threads · block size).
  public func verify(threads: Int = defaultThreadCount, progress: (any ProgressReporter)? = nil) throws -> VerifyReport {
    var report = VerifyReport()
    report.problems += try catalog.read { db in try Catalog.integrityProblems(db) }.map { "catalog: \($0)" }
    let tensors = try allTensors()
    progress?.begin("verify", totalByteCount: tensors.reduce(0) { $0 + $1.rawByteCount })
    defer { progress?.end() }
    var done: Int64 = 0
    for tensor in tensors {
      report.tensorCount += 1
      report.blockCount += tensor.blockCount
      report.rawByteCount += tensor.rawByteCount
      report.storedByteCount += tensor.storedByteCount
      var digest = XXH64Hasher()
      withUnsafeBytes(of: UInt64(tensor.rowCount).littleEndian) { digest.update($0) }
      withUnsafeBytes(of: UInt64(tensor.columnCount).littleEndian) { digest.update($0) }
      let start = done
      do {
        try readRows(of: tensor, threads: threads) { block in
          digest.update(UnsafeRawBufferPointer(block.values))
          done += Int64(block.values.count * MemoryLayout<Float>.size)
          progress?.advance(to: done)
        }
        let computed = digest.finalize().hexDigest
        if computed != tensor.digest {
          report.problems.append(
            "\(path): tensor \(tensor.qualifiedName)@\(tensor.exampleSet): content digest \(computed), catalog says \(tensor.digest)")
        }
      } catch {
        // A tensor removed by another process since the listing is not damage.
        let stillThere = try catalog.read { db in try Catalog.allTensors(db) }.contains { $0.id == tensor.id }
        if stillThere { report.problems.append("\(error)") }
        done = start + tensor.rawByteCount
      }
    }
    report.unreferencedByteCount = try segmentUsage().reduce(0) { $0 + $1.deadByteCount }
    return report
  }

  /// Per segment file on disk: its size and how many of its bytes live blocks use.
  func segmentUsage() throws -> [SegmentUsage] {
    let live = try catalog.read { db in try Catalog.liveBytesBySegment(db) }
    let files = (try? FileManager.default.contentsOfDirectory(atPath: segmentsPath)) ?? []
    return files.compactMap { name -> SegmentUsage? in
      guard name.hasSuffix(".seg"), let number = Int(name.dropLast(4)) else { return nil }
      let size = (try? FileManager.default.attributesOfItem(atPath: segmentPath(number))[.size] as? Int64) ?? nil
      return SegmentUsage(number: number, fileByteCount: size ?? 0, liveByteCount: live[number] ?? 0)
    }.sorted { $0.number < $1.number }
  }
}

struct SegmentUsage {
  var number: Int
  var fileByteCount: Int64
  var liveByteCount: Int64
  /// Bytes `gc` would reclaim: the whole file when nothing lives in it, else the space between live blocks.
  var deadByteCount: Int64 {
    liveByteCount == 0 ? fileByteCount : max(0, fileByteCount - Int64(segmentMagic.count) - liveByteCount)
  }
}
