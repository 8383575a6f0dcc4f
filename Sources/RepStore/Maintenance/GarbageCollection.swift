import Foundation

/// What `gc` did.
public struct GarbageReport: Sendable {
  public var deletedSegmentCount = 0
  public var compactedSegmentCount = 0
  public var reclaimedByteCount: Int64 = 0
}

extension Store {
  /// Reclaims space that no tensor references: deletes segment files with no live block and rewrites segments
  /// that are partly dead, copying their live blocks (compressed bytes as they are) into a new segment.
  ///
  /// Crash-safe at every step: the copy is synced before the catalog points at it, and old files are deleted only
  /// after that commit, while no reader holds the store. A killed `gc` leaves, at worst, unreferenced files that the
  /// next `gc` removes.
  public func collectGarbage(waitForLock: Bool = false) throws -> GarbageReport {
    let lock = try lockForWriting(wait: waitForLock, purpose: "gc")
    defer { withExtendedLifetime(lock) {} }
    var report = GarbageReport()
    let usage = try segmentUsage()
    var obsolete: [SegmentUsage] = usage.filter { $0.liveByteCount == 0 }
    let partlyDead = usage.filter { $0.liveByteCount > 0 && $0.deadByteCount > 0 }

    if !partlyDead.isEmpty {
      var writer: SegmentWriter?
      var nextNumber = try firstFreeSegmentNumber()
      var moves: [(tensorID: Int64, index: Int, segment: Int, byteOffset: Int64)] = []
      var written: [SegmentWriter] = []
      var segments = SegmentCache(store: self)
      // A failure or Ctrl-C while copying deletes the copies made so far: the catalog has not changed yet.
      do {
        for segment in partlyDead {
          let blocks = try catalog.read { db in try Catalog.blocks(db, inSegment: segment.number) }
          for (tensorID, block) in blocks {
            let target: SegmentWriter
            if let current = writer, current.length < BlockWriter.segmentByteLimit {
              target = current
            } else {
              target = try SegmentWriter(number: nextNumber, path: segmentPath(nextNumber))
              nextNumber += 1
              written.append(target)
              writer = target
            }
            try Interruption.check()
            var bytes = [UInt8](repeating: 0, count: block.storedLength)
            try bytes.withUnsafeMutableBytes {
              try segments.reader(block.segment).read(at: block.byteOffset, into: $0)
            }
            let offset = try bytes.withUnsafeBytes { try target.append($0) }
            moves.append((tensorID, block.index, target.number, offset))
          }
          obsolete.append(segment)
          report.compactedSegmentCount += 1
        }
      } catch {
        for segment in written { unlink(segmentPath(segment.number)) }
        throw error
      }
      for segment in written { try segment.sync() }
      try syncDirectory(segmentsPath)
      try catalog.moveBlocks(moves)
      report.reclaimedByteCount -= written.reduce(0) { $0 + $1.length }
    }

    if !obsolete.isEmpty {
      try withoutReaders(wait: waitForLock) {
        // No reader can still be reading a replaced tensor's blocks: they may go with their segments.
        try catalog.forgetRetiredBlocks()
        for segment in obsolete {
          if unlink(segmentPath(segment.number)) == 0 {
            report.reclaimedByteCount += segment.fileByteCount
            if segment.liveByteCount == 0 { report.deletedSegmentCount += 1 }
          }
        }
        try syncDirectory(segmentsPath)
        try catalog.vacuum()
      }
    }
    return report
  }
}
