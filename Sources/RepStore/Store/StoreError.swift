import Foundation

/// Every failure the store reports. `description` is one line that the CLI prints as is: where (store path,
/// file, tensor, block) and what was found versus what was expected.
public struct StoreError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// No store exists at the path (read commands never create one).
    case noStore
    /// Another process holds the writer lock.
    case locked
    /// The store was written by a newer repstore (its catalog has migrations this build does not know).
    case newerStore
    /// The command must change the store, and this process cannot write to its folder (permissions, read-only mount).
    case readOnly
    /// Input that the user gave is not acceptable (names, keys, conflicts with the catalog).
    case invalidInput
    /// Something on disk does not match the catalog (checksum, length, missing segment).
    case corrupt
    /// An operating-system call failed.
    case io
    /// The catalog database reported an error.
    case catalog
    /// The user interrupted the operation (Ctrl-C); nothing was changed.
    case interrupted
  }

  public var kind: Kind
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}

extension StoreError {
  /// An error for a failed system call, with errno's text.
  static func io(_ call: String, _ path: String, errno code: Int32 = errno) -> StoreError {
    StoreError(.io, "\(path): \(call) failed: \(String(cString: strerror(code)))")
  }
}
