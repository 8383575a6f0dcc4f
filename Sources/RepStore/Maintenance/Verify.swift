import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif

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
  /// Checks the catalog (SQLite's integrity check, every object against its digest, every example set's keys, commits
  /// it may have lost, segment files that must hold its blocks) and then, unless `catalogOnly`, re-reads every block
  /// of every tensor, checking lengths and checksums, then each tensor's content digest. Reads a consistent snapshot;
  /// a concurrent import is not seen.
  /// - Complexity: one read of all stored data (of the catalog alone with `catalogOnly`); memory O(threads · block
  ///   size) and O(keys of the largest example set).
  public func verify(
    catalogOnly: Bool = false, threads: Int = defaultThreadCount, progress: (any ProgressReporter)? = nil
  ) throws -> VerifyReport {
    var report = VerifyReport()
    if let lostCommits { report.problems.append("\(path): \(lostCommits)") }
    report.problems += try catalog.read { db in try catalogProblems(db) }.map { "\(path): \($0)" }
    let tensors = try catalog.read { db in try Catalog.allTensors(db) }.sorted(by: Store.naturalOrder)
    for tensor in tensors {
      report.tensorCount += 1
      report.blockCount += tensor.blockCount
      report.rawByteCount += tensor.rawByteCount
      report.storedByteCount += tensor.storedByteCount
    }
    if catalogOnly {
      report.problems += try segmentProblems()
    } else {
      // Reading the blocks names each tensor a missing or short segment file damages.
      try verifyBlocks(of: tensors, threads: threads, progress: progress, into: &report)
    }
    report.unreferencedByteCount = try segmentUsage().reduce(0) { $0 + $1.deadByteCount }
    return report
  }

  /// What is wrong in the catalog alone, one line each.
  private func catalogProblems(_ db: Database) throws -> [String] {
    var problems = try Catalog.integrityProblems(db).map { "catalog: \($0)" }
    // Names for the lines: what a tensor or set is called is part of what its digest covers, so a damaged name shows.
    var names: [DigestedObject: [Int64: String]] = [:]
    for tensor in try Catalog.allTensors(db) { names[.tensor, default: [:]][tensor.id] = tensor.fullName }
    names[.blocks] = names[.tensor]
    let sets = try Catalog.exampleSets(db)
    for set in sets { names[.exampleSet, default: [:]][set.id] = set.name }
    for row in try Row.fetchAll(db, sql: "SELECT id, name FROM projections") {
      names[.projection, default: [:]][row[0]] = row[1]
    }
    for object in DigestedObject.allCases {
      problems += try CatalogDigests.problems(db, object, names: names[object] ?? [:]).map { "catalog: \($0)" }
    }
    for set in sets {
      do { try catalog.requireKeys(Catalog.exampleKeys(db, of: set), of: set) } catch let error as StoreError {
        problems.append(error.detail ?? "\(error)")
      }
    }
    // A complete table must have all its cells (a lost cell would read as "not computed").
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT t.id, t.row_count * t.column_count, (SELECT COUNT(*) FROM result_cells c WHERE c.table_id = t.id)
        FROM result_tables t WHERE t.complete = 1
        """)
    {
      let (id, want, have): (Int64, Int64, Int64) = (row[0], row[1], row[2])
      if have != want { problems.append("catalog: result table \(id) is complete but has \(have) of \(want) cells") }
    }
    return problems
  }

  /// Blocks the catalog places past the end of their segment file, or in one that is missing.
  private func segmentProblems() throws -> [String] {
    let extents = try catalog.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT segment, MAX(byte_offset + stored_length), COUNT(*), COUNT(DISTINCT tensor_id) FROM blocks
          GROUP BY segment ORDER BY segment
          """)
    }
    var problems: [String] = []
    for row in extents {
      let (segment, end, blocks, tensors): (Int, Int64, Int, Int) = (row[0], row[1], row[2], row[3])
      var info = stat()
      let file = segmentPath(segment)
      let what = "\(blocks) block\(blocks == 1 ? "" : "s") of \(tensors) tensor\(tensors == 1 ? "" : "s")"
      if stat(file, &info) != 0 {
        problems.append("\(file): missing; the catalog keeps \(what) in it")
      } else if Int64(info.st_size) < end {
        problems.append("\(file): \(info.st_size) bytes, but the catalog keeps \(what) up to byte \(end)")
      }
    }
    return problems
  }

  /// Re-reads every block of `tensors`, checking each against its checksum and each tensor against its digest.
  private func verifyBlocks(
    of tensors: [TensorInfo], threads: Int, progress: (any ProgressReporter)?, into report: inout VerifyReport
  ) throws {
    progress?.begin("verify", totalByteCount: tensors.reduce(0) { $0 + $1.rawByteCount })
    defer { progress?.end() }
    var done: Int64 = 0
    for tensor in tensors {
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
            "\(path): tensor \(tensor.fullName): content digest \(computed), catalog says \(tensor.digest)")
        }
      } catch {
        // A tensor removed by another process since the listing is not damage.
        let stillThere = try catalog.read { db in try Catalog.allTensors(db) }.contains { $0.id == tensor.id }
        if stillThere { report.problems.append("\(error)") }
        done = start + tensor.rawByteCount
      }
    }
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
