import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Check the catalog, then re-read every block against its checksum and its tensor's digest.",
      discussion: """
        The catalog is checked first: SQLite's integrity check; every tensor, block list, example set and its keys, \
        projection, result table and its cells, and benchmark run against the digest written with it; commits the \
        catalog may have lost (a deleted catalog.sqlite-wal); segment files that must hold its blocks. Reports space \
        that `repstore gc` can reclaim. Exits with status 2 when anything is damaged; each problem is one line on \
        stderr, naming the object.

        Examples:
          repstore verify
          repstore verify --catalog-only   # the catalog alone: seconds for any store
          repstore verify --format json
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Check the catalog only, without reading the blocks.")
    var catalogOnly = false

    @Option(help: "Output format.")
    var format: ListingFormat = .table

    @Option(help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
    var threads: Int?

    @Flag(name: .shortAndLong, help: "Print nothing unless there is a problem.")
    var quiet = false

    func run() throws {
      try reportingErrors {
        do { try check() } catch let error as StoreError where error.isDamage {
          // A catalog SQLite cannot read at all is damage verify found, not a failure to verify.
          printError(error.description)
          throw ExitCode(ExitStatus.damaged)
        }
      }
    }

    private func check() throws {
      let store = try Store.open(at: storeOptions.path, evenIfDamaged: true)
      let started = Date()
      let report = try store.verify(
        catalogOnly: catalogOnly, threads: threads ?? defaultThreadCount, progress: TerminalProgress.ifTerminal(quiet: quiet))
      let seconds = Date().timeIntervalSince(started)
      for problem in report.problems { printError(problem) }
      if !quiet || !report.isHealthy {
        var listing = Listing(
          columns: [
            "status", "tensors", "blocks", "raw_bytes", "stored_bytes", "problems", "unreferenced_bytes", "seconds",
          ])
        listing.rows = [[
          .text(report.isHealthy ? "ok" : "damaged"), .integer(Int64(report.tensorCount)),
          .integer(Int64(report.blockCount)), .integer(report.rawByteCount), .integer(report.storedByteCount),
          .integer(Int64(report.problems.count)), .integer(report.unreferencedByteCount), .number(seconds),
        ]]
        if format == .table {
          let rate = Double(report.rawByteCount) / max(seconds, 1e-9)
          FileHandle.standardOutput.write(
            Data(
              ("\(report.isHealthy ? "ok" : "DAMAGED"): \(report.tensorCount) tensors, \(report.blockCount) blocks, "
                + (catalogOnly ? "catalog checked in " : "\(byteCountText(report.rawByteCount)) checked in ")
                + String(format: "%.2f s", seconds)
                + (catalogOnly ? "" : String(format: " (%@/s)", byteCountText(Int64(rate))))
                + (report.problems.isEmpty ? "" : "; \(report.problems.count) problems")
                + (report.unreferencedByteCount > 0
                  ? "; \(byteCountText(report.unreferencedByteCount)) unreferenced (run repstore gc)" : "") + "\n")
                .utf8))
        } else {
          FileHandle.standardOutput.write(Data(listing.render(format).utf8))
        }
      }
      if !report.isHealthy { throw ExitCode(ExitStatus.damaged) }
    }
  }
}
