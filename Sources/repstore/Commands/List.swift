import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ls",
      abstract: "List stored tensors (or example sets) with shapes and sizes.",
      discussion: """
        A selector is [model:]MODEL[/LAYER][@SET]; each part is a name or a pattern: *, ?, [a-z], {a,b}, ranges L2..L7 \
        or layer{1..4}. Layers sort numerically (L2 before L10).

        Examples:
          repstore ls
          repstore ls 'model:seed*/L1..L4'
          repstore ls 'gpt2/*@wiki' --format csv
          repstore ls --sets
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("Which tensors to list (default: all).", valueName: "selector"))
    var selector: String?

    @Flag(help: "List example sets instead of tensors.")
    var sets = false

    @Option(help: "Output format.")
    var format: ListingFormat = .table

    func validate() throws {
      if sets, let selector {
        throw ValidationError("--sets lists every example set and takes no selector (got '\(selector)')")
      }
    }

    func run() throws {
      try reportingErrors {
        let store = try storeOptions.open()
        let listing = sets ? try Listings.exampleSets(store) : try tensorListing(store)
        FileHandle.standardOutput.write(Data(listing.render(format).utf8))
      }
    }

    private func tensorListing(_ store: Store) throws -> Listing {
      let tensors = try selector.map { try store.tensors(matching: Selector.parse($0)) } ?? store.allTensors()
      return format == .table ? Listings.layerSummary(tensors) : Listings.layers(tensors)
    }

  }
}
