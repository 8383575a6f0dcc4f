import ArgumentParser
import Foundation
import RepFormats
import RepQuery
import RepStore

/// Exit statuses scripts can rely on (documented in `repstore --help`).
enum ExitStatus {
  static let failure: Int32 = 1
  static let damaged: Int32 = 2
  static let locked: Int32 = 75
  static let interrupted: Int32 = 130
}

/// Runs a command body; prints any error as one `repstore: ...` line on stderr and exits with its status.
func reportingErrors(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as ExitCode {
    throw error
  } catch let error as ValidationError {
    // Thrown from run(), the argument parser would print the usage of the root command ("repstore <subcommand>"),
    // not of the command that failed; say what is wrong in one line instead, with the usage-error status.
    printError(error.message)
    throw ExitCode.validationFailure
  } catch let error as StoreError {
    printError(error.description)
    switch error.kind {
    case .locked: throw ExitCode(ExitStatus.locked)
    case .interrupted: throw ExitCode(ExitStatus.interrupted)
    default: throw ExitCode(ExitStatus.failure)
    }
  } catch let error as QueryError {
    // Options that do not go together are a usage error, as the argument parser's own are.
    printError(error.description)
    throw error.kind == .usage ? ExitCode.validationFailure : ExitCode(ExitStatus.failure)
  } catch {
    printError(oneLineDescription(of: error))
    throw ExitCode(ExitStatus.failure)
  }
}

/// `"\(error)"`, except for Foundation's file errors (creating an export folder, writing `--keys-out`), whose text
/// is an unreadable `NSError` dump: those become `PATH: reason`, the reason from the underlying POSIX error if any.
func oneLineDescription(of error: any Error) -> String {
  let nsError = error as NSError
  guard nsError.domain == NSCocoaErrorDomain else { return "\(error)" }
  let path = nsError.userInfo[NSFilePathErrorKey] as? String ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
  let reason: String
  if let underlying = (nsError.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }),
    underlying.domain == NSPOSIXErrorDomain
  {
    reason = String(cString: strerror(Int32(underlying.code)))
  } else {
    reason = nsError.localizedDescription
  }
  return path.map { "\($0): \(reason)" } ?? reason
}

///
/// Lines after the first are indented by the width of `repstore: `, so that a caret diagnostic's caret stays under
/// the character it points at.
func printError(_ message: String) {
  LiveLine.clear()
  let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
  let text = lines.enumerated().map { $0 == 0 ? "repstore: \($1)" : "          \($1)" }.joined(separator: "\n")
  FileHandle.standardError.write(Data("\(text)\n".utf8))
}

/// A line of information for people, on stderr (stdout carries data only).
func printNote(_ message: String) {
  FileHandle.standardError.write(Data("\(message)\n".utf8))
}
