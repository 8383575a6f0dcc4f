import ArgumentParser
import Foundation
import RepQuery
import RepMeasures

extension Repstore {
  struct Measures: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "measures",
      abstract: "List the similarity measures with their conventions.",
      discussion: """
        Each id names every convention (kernel, estimator, centering, score or distance); parameters go in \
        parentheses, e.g. cka.rbf(threshold=0.5). Definitions: docs/measures.md.

        Examples:
          repstore measures
          repstore measures --format csv
        """)

    /// Accepted (and unused) so that scripts can pass --store to every command.
    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Output format.")
    var format: ListingFormat = .table

    func run() throws {
      try reportingErrors {
        let listing = try Listings.measures()
        FileHandle.standardOutput.write(Data(listing.render(format).utf8))
      }
    }
  }
}
