import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  /// `repstore rm-projection`: a `drop projection` statement in argument form.
  struct RemoveProjection: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rm-projection",
      abstract: "Remove trained projections (with --force, also the tables that compare through them).",
      discussion: """
        NAME is a projection's name or a pattern as in selectors: 'contrasim-*' picks every projection that `sim \
        --train-on` named. Stored tables that compare through a projection would be left naming one that is gone, so \
        the removal is refused, naming them, unless --force, which removes them too, in the same transaction. \
        Benchmark runs keep their scores. The statement form is `drop projection NAME... [--force]`.

        Examples:
          repstore rm-projection probe
          repstore rm-projection 'contrasim-*' --dry-run
          repstore rm-projection 'contrasim-*' --force
        """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var lockOptions: LockOptions

    @Argument(help: ArgumentHelp("The projections to remove: names or patterns.", valueName: "name"))
    var names: [String]

    @Flag(help: "Also remove the stored tables that compare through them.")
    var force = false

    @Flag(help: "Only list what would be removed.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
      try reportingErrors {
        let statement = try parseStatement(["drop", "projection"] + names + (force ? ["--force"] : []))
        var session = try QuerySession(storeOptions, quiet: quiet)
        session.waitForLock = lockOptions.wait
        guard dryRun else { return try session.execute(statement) }
        guard case .dropProjections(let drop) = try session.plan(statement).action else { return }
        for table in drop.tables { printNote("would drop table \(table.table) (\(table.measure))") }
        for projection in drop.projections { printNote("would drop projection '\(projection.name)'") }
      }
    }
  }
}
