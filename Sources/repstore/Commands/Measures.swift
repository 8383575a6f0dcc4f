import ArgumentParser
import Foundation
import RepMeasures

extension Repstore {
  struct Measures: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the similarity measures with their conventions.",
      discussion: """
        Each id names every convention (kernel, estimator, centering, score or distance); parameters go in
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
        var listing = Listing(
          columns: ["id", "larger_is_similar", "symmetric", "range", "invariances", "definition"])
        for type in MeasureRegistry.types {
          let measure = try MeasureRegistry.make(MeasureID(name: type.name))
          let properties = measure.properties
          listing.rows.append([
            .text(measure.id.description), .text(properties.largerIsMoreSimilar ? "yes" : "no (distance)"),
            .text(properties.isSymmetric ? "yes" : "no"), .text(properties.range),
            .text(properties.invariances.sorted().map(\.rawValue).joined(separator: " ")), .text(type.summary),
          ])
        }
        FileHandle.standardOutput.write(Data(listing.render(format).utf8))
      }
    }
  }
}
