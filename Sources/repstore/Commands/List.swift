import ArgumentParser
import Foundation
import RepStore

extension Repstore {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ls",
      abstract: "List stored tensors (or example sets) with shapes and sizes.",
      discussion: """
        A selector is [model:]MODEL[/LAYER][@SET]; each part is a name or a pattern: *, ?, [a-z], {a,b},
        ranges L2..L7 or layer{1..4}. Layers sort numerically (L2 before L10).

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
      return format == .table ? Self.summaryTable(tensors) : Self.fullListing(tensors)
    }

    /// Every column, raw numbers: for scripts.
    static func fullListing(_ tensors: [TensorInfo]) -> Listing {
      var listing = Listing(
        columns: [
          "model", "layer", "examples", "rows", "columns", "source_dtype", "stored_bytes", "raw_bytes", "ratio",
          "blocks", "digest", "source", "imported_at",
        ])
      for tensor in tensors {
        listing.rows.append([
          .text(tensor.model), .text(tensor.layer), .text(tensor.exampleSet), .integer(Int64(tensor.rowCount)),
          .integer(Int64(tensor.columnCount)), .text(tensor.sourceDType), .integer(tensor.storedByteCount),
          .integer(tensor.rawByteCount), .number(ratio(tensor.storedByteCount, tensor.rawByteCount)),
          .integer(Int64(tensor.blockCount)), .text(tensor.digest), .text(tensor.source), .text(tensor.importedAt),
        ])
      }
      return listing
    }

    /// The essentials with readable sizes and a totals line: for people.
    static func summaryTable(_ tensors: [TensorInfo]) -> Listing {
      var listing = Listing(columns: ["model", "layer", "examples", "rows", "cols", "dtype", "stored", "raw", "ratio"])
      listing.numericColumns = ["rows", "cols", "stored", "raw", "ratio"]
      for tensor in tensors {
        listing.rows.append([
          .text(tensor.model), .text(tensor.layer), .text(tensor.exampleSet), .integer(Int64(tensor.rowCount)),
          .integer(Int64(tensor.columnCount)), .text(tensor.sourceDType), .text(byteCountText(tensor.storedByteCount)),
          .text(byteCountText(tensor.rawByteCount)),
          .text(fixedPoint(ratio(tensor.storedByteCount, tensor.rawByteCount), decimals: 2)),
        ])
      }
      let stored = tensors.reduce(Int64(0)) { $0 + $1.storedByteCount }
      let raw = tensors.reduce(Int64(0)) { $0 + $1.rawByteCount }
      let models = Set(tensors.map(\.model)).count
      listing.footer =
        "\(tensors.count) tensor\(tensors.count == 1 ? "" : "s") in \(models) model\(models == 1 ? "" : "s"): "
        + "\(byteCountText(stored)) stored, \(byteCountText(raw)) raw"
        + " (\(fixedPoint(ratio(stored, raw), decimals: 2)))"
      return listing
    }

    static func ratio(_ stored: Int64, _ raw: Int64) -> Double { raw > 0 ? Double(stored) / Double(raw) : 0 }
  }
}
