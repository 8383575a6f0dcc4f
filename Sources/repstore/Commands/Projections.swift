import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  /// `repstore projections`: the stored projections, as `show projections` lists them.
  struct Projections: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "projections",
      abstract: "List the trained projections: what each was trained on, and which tables use it.",
      discussion: """
        One row per projection, oldest first: its kind, whether its name was derived from what it was trained on \
        (AUTO: `sim --train-on` names them KIND-HASH), the models, layers and examples it was trained on (ROWS \
        examples, POSITIVES same-layer or same-example, EPOCHS run), the stored tables that compare through it, and \
        when it was made. --format csv, tsv and json list every layer and add the final loss, collapse, whether \
        Ctrl-C interrupted its training, input standardization, seed, seconds and the train statement.

        Examples:
          repstore projections
          repstore projections --format json
          repstore rm-projection 'contrasim-*' --force
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Output format.")
    var format: ListingFormat = .table

    func run() throws {
      try reportingErrors {
        let listing = try Listings.projections(storeOptions.open(), detailed: format != .table)
        if format == .table && listing.rows.isEmpty {
          printNote(Listings.noProjectionsNote)
          return
        }
        FileHandle.standardOutput.write(Data(listing.render(format).utf8))
      }
    }
  }
}
