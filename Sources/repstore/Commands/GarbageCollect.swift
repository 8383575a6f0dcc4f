import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  struct GarbageCollect: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "gc",
      abstract: "Reclaim disk space that no tensor references.",
      discussion: """
        Deletes segment files left by removed or replaced tensors and by interrupted imports, and rewrites segments \
        that are partly unused. Safe to interrupt. Waits for no reader to hold the store before deleting files (with \
        --wait), or fails at once if readers are active.

        Examples:
          repstore gc
          repstore rm 'model:old-*' && repstore gc --wait
        """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var lockOptions: LockOptions

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
      try reportingErrors {
        let store = try storeOptions.open()
        let report = try store.collectGarbage(waitForLock: lockOptions.wait)
        if !quiet {
          printNote(
            "reclaimed \(byteCountText(report.reclaimedByteCount)): \(report.deletedSegmentCount) segment files "
              + "deleted, \(report.compactedSegmentCount) compacted")
        }
      }
    }
  }
}
