import ArgumentParser
import Foundation
import RepStore

extension Repstore {
  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm",
      abstract: "Remove tensors from the store (run `repstore gc` to reclaim their space).",
      discussion: """
        Removal is one transaction. Models and example sets left without tensors are removed as well. Trained \
        projections are removed with `repstore rm-projection`.

        Examples:
          repstore rm model:seed3/L7
          repstore rm 'model:old-*' --dry-run
        """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var lockOptions: LockOptions

    @Argument(help: ArgumentHelp("Which tensors to remove.", valueName: "selector"))
    var selector: String

    @Flag(help: "Only list what would be removed.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
      try reportingErrors {
        let (store, tensors) = try storeOptions.openSelecting(selector)
        if !dryRun { try store.remove(tensors, waitForLock: lockOptions.wait) }
        if !quiet || dryRun {
          for tensor in tensors {
            printNote("\(dryRun ? "would remove" : "removed") \(tensor.qualifiedName)@\(tensor.exampleSet)")
          }
        }
      }
    }
  }
}
