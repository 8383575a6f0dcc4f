import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  /// `repstore tables`: the stored result tables.
  struct Tables: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "tables",
      abstract: "List the similarity tables stored by earlier `sim` runs.",
      discussion: """
        Every `sim` stores its tables in the store's catalog: asking the same again reads them back, unless an input \
        tensor changed since (the table is then stale and computed again) or --recompute is given. A table that was \
        interrupted keeps the cells computed so far and is completed by the next run.

        Examples:
          repstore tables
          repstore tables --format json
          repstore table 3 --format csv
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Output format.")
    var format: ListingFormat = .table

    func run() throws {
      try reportingErrors {
        let listing = try Listings.tables(storeOptions.open())
        if format == .table && listing.rows.isEmpty {
          printNote("no stored tables yet: `repstore sim` stores each table it computes")
          return
        }
        FileHandle.standardOutput.write(Data(listing.render(format).utf8))
      }
    }
  }

  /// `repstore table N`: one stored table, re-read.
  struct Table: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "table",
      abstract: "Show a stored similarity table again, in any output format.",
      discussion: """
        N is the table's number from `repstore tables` or the note `sim` prints. The output is what `sim` printed when \
        it computed the table.

        Examples:
          repstore table 3
          repstore table 3 --format json
          repstore table 3 --reduce argmax --format csv
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The table's number.", valueName: "n"))
    var id: Int64

    @OptionGroup var layout: TableLayoutOptions

    func run() throws {
      try reportingErrors {
        let store = try storeOptions.open()
        guard let table = try StoredTables.table(id: id, in: store) else {
          let known = try store.resultTables().map { String($0.header.id) }
          let stored = known.isEmpty ? "; the store has none yet" : " (stored: \(known.joined(separator: ", ")))"
          throw ValidationError("no stored table \(id)" + stored)
        }
        FileHandle.standardOutput.write(
          Data(TableRenderer.render([table], as: layout.format, reduction: layout.reduce,
                                    width: standardOutputWidth()).utf8))
      }
    }
  }
}
