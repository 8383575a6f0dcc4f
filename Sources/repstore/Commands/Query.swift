import ArgumentParser
import Foundation
import RepQuery
import RepStore

extension Repstore {
  /// `repstore query`: statements of the query language, from an argument, stdin or a file.
  struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "query",
      abstract: "Run statements of the query language: sim, train, show, drop, explain.",
      discussion: """
        Statements (docs/query-language.md has the grammar):
          sim MEASURES SEL SEL [options]        a similarity table, as `repstore sim`
          train KIND NAME on SEL... [options]   a projection, as `repstore train`
          show models|layers [SEL]              what the store holds (SEL narrows)
          show examples|tables|projections|measures|benchmarks
          drop table N                          a stored table, by its number
          drop projection NAME... [--force]     as `repstore rm-projection`
          explain sim|train ...                 the plan, printed instead of run

        Options are written as in the commands (--name value) or, in query text, as `with name=value, ...`. Several \
        statements are separated by `;` or newlines; `#` starts a comment. A statement that fails is reported and the \
        others still run (unless --fail-fast); the exit status is 0 only if all succeeded.

        Examples:
          repstore query 'sim cka seed0/*@digits-test seed1/*@digits-test'
          repstore query 'show tables'
          repstore query 'explain sim cka,dot seed0/*@digits-test seed1/*@digits-test'
          echo 'show models; sim cka seed0/L1..L3 seed1/L1..L3' | repstore query -
          repstore query -f analysis.rsq --fail-fast
        """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The statement(s), or - to read them from stdin.", valueName: "statement"))
    var text: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Read the statements from a file.", valueName: "file"))
    var file: String?

    @Option(help: "Output format of statements that do not name one (tables and listings).")
    var format: TableFormat = .table

    @Flag(help: "Stop at the first statement that fails.")
    var failFast = false

    @Flag(name: .shortAndLong, help: "No progress or notes on stderr.")
    var quiet = false

    func validate() throws {
      if (text == nil) == (file == nil) {
        throw ValidationError("give the statements as one argument, - for stdin, or --file FILE (exactly one)")
      }
    }

    func run() throws {
      try reportingErrors {
        let source: String
        if let file {
          let bytes: Data
          do { bytes = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw ValidationError("\(file): cannot read the statements (\(oneLineDescription(of: error)))")
          }
          source = try ScriptText.decode(Array(bytes), from: file)
        } else if text == "-" {
          source = try ScriptText.decode(Array(FileHandle.standardInput.readDataToEndOfFile()), from: "stdin")
        } else {
          source = text ?? ""
        }
        let parsed = QueryParser.parseEachStatement(in: source)
        let session = try QuerySession(storeOptions, quiet: quiet, format: format)
        var failures = 0
        for statement in parsed {
          do {
            let query = try statement.result.get()
            if parsed.count > 1 && !quiet { printNote("statement \(statement.number): \(query)") }
            try session.execute(query)
          } catch let error as StoreError where error.kind == .interrupted {
            throw error
          } catch {
            failures += 1
            report(error, of: statement, among: parsed.count)
            if failFast { break }
          }
        }
        if parsed.isEmpty { throw ValidationError("no statement to run") }
        if failures > 0 {
          if parsed.count > 1 { printError("\(failures) of \(parsed.count) statements failed") }
          throw ExitCode(ExitStatus.failure)
        }
      }
    }

    /// One statement's failure: a caret diagnostic for syntax, one line for the rest.
    private func report(_ error: any Error, of statement: ParsedStatement, among count: Int) {
      let prefix = count > 1 ? "statement \(statement.number) (line \(statement.line)): " : ""
      switch error {
      case let syntax as QuerySyntaxError:
        // The statement's own lines follow the prefix, so the caret stays under its column.
        printError(prefix.isEmpty ? syntax.caretDiagnostic : prefix + "\n" + syntax.caretDiagnostic)
      case let validation as ValidationError: printError(prefix + validation.message)
      case let store as StoreError: printError(prefix + store.description)
      case let query as QueryError: printError(prefix + query.description)
      default: printError(prefix + oneLineDescription(of: error))
      }
    }
  }
}
