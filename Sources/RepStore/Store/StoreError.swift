import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Every failure the store reports. Where it happened and what was wrong are separate fields, so that callers can
/// branch on them (an errno, a SQLite code, a block) without parsing text; `description` is one line that the CLI
/// prints as is, composed from them:
///
///     <path>[: tensor <T>][: block <n> (rows <a>..<b>, <file> byte <offset>)][: <file>]
///       [: <detail>][: <found>, expected <expected>][: <operation> failed: <OS or SQLite error>]
///
/// (`file` stands alone when there is no byte to point at, e.g. a missing segment.)
///
/// Two messages keep the wording scripts already match: `read-only store: <path> (<why>)`, and a selector that
/// matches nothing, whose sentence names the store itself.
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
  /// The store folder, or the one file the error is about when there is no store around it (an input, a keys file,
  /// an export, a lock file, the catalog, a segment read on its own).
  public internal(set) var path: String?
  /// The tensor concerned, as `model/layer@set`.
  public internal(set) var tensor: String?
  /// The index of the block of `tensor` concerned.
  public internal(set) var block: Int?
  /// The rows of `tensor` that `block` holds.
  public internal(set) var rows: Range<Int>?
  /// The file inside the store at `path` that failed: the segment of `block`.
  public internal(set) var file: String?
  /// The byte of `file` (of `path` when `file` is nil) where the data concerned starts.
  public internal(set) var offset: Int64?
  /// What was found where a value disagrees with the catalog or the rules, e.g. "rows 4+2, 32 raw bytes".
  public internal(set) var found: String?
  /// What was expected instead of `found`.
  public internal(set) var expected: String?
  /// What is wrong, in words, when it is not (only) a found/expected pair.
  public internal(set) var detail: String?
  /// The system call (`open`, `fsync`) or catalog operation (`open`, `read`, `write`) that failed.
  public internal(set) var operation: String?
  /// For `.io`: the errno of the failed call, as a number (its text is in `description`).
  public internal(set) var errno: Int32?
  /// For `.catalog`: SQLite's extended result code (GRDB's `extendedResultCode`); see `sqlitePrimaryCode`.
  public internal(set) var sqliteCode: Int32?
  /// For `.catalog`: SQLite's error text and the statement that failed, as GRDB words them.
  public internal(set) var sqliteMessage: String?
  /// Whether `detail` names `path` itself, in a sentence scripts match, so that `description` does not repeat it.
  private var detailNamesPath = false

  init(
    _ kind: Kind, path: String? = nil, tensor: String? = nil, block: Int? = nil, rows: Range<Int>? = nil,
    file: String? = nil, offset: Int64? = nil, found: String? = nil, expected: String? = nil, detail: String? = nil,
    operation: String? = nil, errno: Int32? = nil, sqliteCode: Int32? = nil, sqliteMessage: String? = nil
  ) {
    self.kind = kind
    self.path = path
    self.tensor = tensor
    self.block = block
    self.rows = rows
    self.file = file
    self.offset = offset
    self.found = found
    self.expected = expected
    self.detail = detail
    self.operation = operation
    self.errno = errno
    self.sqliteCode = sqliteCode
    self.sqliteMessage = sqliteMessage
  }

  /// SQLite's primary result code (the low 8 bits of `sqliteCode`), e.g. 26 for SQLITE_NOTADB.
  public var sqlitePrimaryCode: Int32? { sqliteCode.map { $0 & 0xFF } }

  /// Whether this reports damage to the store (a block or catalog row that fails its check, a catalog file SQLite
  /// finds corrupt or not a database), as opposed to a failure to do the work.
  public var isDamage: Bool {
    kind == .corrupt || (kind == .catalog && (sqlitePrimaryCode == 11 || sqlitePrimaryCode == 26))
  }

  /// The same line as `description`.
  public var message: String { description }

  public var description: String {
    if kind == .readOnly, let path, !detailNamesPath {
      return oneLine("read-only store: \(path)" + (detail.map { " (\($0))" } ?? ""))
    }
    var pieces: [String] = []
    if let path, !detailNamesPath { pieces.append(path) }
    if let tensor { pieces.append("tensor \(tensor)") }
    if let block {
      var place: [String] = []
      if let rows { place.append("rows \(rows.lowerBound)..<\(rows.upperBound)") }
      if let offset { place.append([file, "byte \(offset)"].compactMap { $0 }.joined(separator: " ")) }
      pieces.append("block \(block)" + (place.isEmpty ? "" : " (\(place.joined(separator: ", ")))"))
      // Without a byte to point at (a missing or unopenable segment), the file is named on its own.
      if offset == nil, let file { pieces.append(file) }
    } else {
      if let file { pieces.append(file) }
      if let offset { pieces.append("byte \(offset)") }
    }
    if let detail { pieces.append(detail) }
    switch (found, expected) {
    case let (found?, expected?): pieces.append("\(found), expected \(expected)")
    case let (found?, nil): pieces.append(found)
    case let (nil, expected?): pieces.append("expected \(expected)")
    case (nil, nil): break
    }
    if let operation {
      let reason = errno.map { String(cString: strerror($0)) } ?? sqliteMessage
      pieces.append("\(operation) failed" + (reason.map { ": \($0)" } ?? ""))
    }
    return oneLine(pieces.joined(separator: ": "))
  }

  /// Lines joined with single spaces (GRDB quotes multi-line SQL), so that the CLI prints one line.
  private func oneLine(_ text: String) -> String {
    guard text.contains(where: \.isNewline) else { return text }
    return text.split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
  }
}

/// The calling thread's errno, read where a factory's default argument is evaluated: at the call site, right after
/// the call that failed. (Inside `StoreError`, `errno` names the field.)
var lastErrno: Int32 { errno }

// MARK: - Factories, one per situation

extension StoreError {
  /// A system call on `path` failed; `offset` is where a read or write of part of the file started.
  static func io(call: String, path: String, errno code: Int32 = lastErrno, offset: Int64? = nil) -> StoreError {
    StoreError(.io, path: path, offset: offset, operation: call, errno: code)
  }

  // `.catalog(_:path:while:)`, which reads GRDB's error, is in Catalog.swift: GRDB stays in the catalog's folder.

  /// The catalog at `path` holds something this build cannot use (no SQLite error involved).
  static func catalog(path: String, detail: String) -> StoreError {
    StoreError(.catalog, path: path, detail: detail)
  }

  /// A tensor's catalog rows in the store at `path` disagree with each other (blocks that do not tile its rows).
  static func corrupt(
    path: String, tensor: TensorInfo, block: Int? = nil, detail: String? = nil, found: String, expected: String
  ) -> StoreError {
    StoreError(
      .corrupt, path: path, tensor: tensor.fullName, block: block, found: found, expected: expected, detail: detail)
  }

  /// A file (a segment) does not hold what the catalog says; `offset` is where the data concerned starts.
  static func corrupt(path: String, offset: Int64? = nil, detail: String) -> StoreError {
    StoreError(.corrupt, path: path, offset: offset, detail: detail)
  }

  /// This error, from reading or decoding one block of a tensor in the store at `storePath`, placed at that block.
  /// A path the error already had (the segment) becomes `file`; an error that is not a `StoreError` (the codec's
  /// checksum, size and zstd failures) becomes `.corrupt`, keeping the codec's wording.
  static func atBlock(
    _ error: any Error, _ block: BlockInfo, of tensor: TensorInfo, storePath: String, segmentPath: String
  ) -> StoreError {
    var located = error as? StoreError
      ?? StoreError(.corrupt, file: segmentPath, offset: block.byteOffset, detail: "\(error)")
    if located.file == nil { located.file = located.path }
    located.path = storePath
    located.tensor = tensor.fullName
    located.block = block.index
    located.rows = block.rowStart..<(block.rowStart + block.rowCount)
    return located
  }

  /// What the user gave at `path` (an input file, a keys file, a pattern) is not acceptable.
  static func invalidInput(path: String?, detail: String) -> StoreError {
    StoreError(.invalidInput, path: path, detail: detail)
  }

  /// What the user gave at `path` is not acceptable: `found`, where `expected` was.
  static func invalidInput(path: String, found: String, expected: String) -> StoreError {
    StoreError(.invalidInput, path: path, found: found, expected: expected)
  }

  /// A selector matched no tensor of the store at `path`; `sentence` names the store itself.
  static func noMatch(storePath path: String, sentence: String) -> StoreError {
    var error = StoreError(.invalidInput, path: path, detail: sentence)
    error.detailNamesPath = true
    return error
  }

  /// No store at `path`.
  static func noStore(path: String) -> StoreError {
    StoreError(
      .noStore, path: path,
      detail: "no repstore store here (create one with `repstore import`, or pass --store DIR)")
  }

  /// Another process writes to, or reads, the store at `path`; `detail` says who and what to do.
  static func locked(path: String, detail: String) -> StoreError {
    StoreError(.locked, path: path, detail: detail)
  }

  /// The catalog at `path` has migrations this build does not know.
  static func newerStore(catalogPath path: String, unknownMigrations: [String]) -> StoreError {
    StoreError(
      .newerStore, path: path,
      detail: "this store was written by a newer repstore (unknown catalog migrations: "
        + "\(unknownMigrations.joined(separator: ", "))); upgrade repstore to open it")
  }

  /// This process cannot write to the store at `path`, for `reason`: `read-only store: PATH (REASON)`.
  static func readOnly(storePath path: String, reason: String) -> StoreError {
    StoreError(.readOnly, path: path, detail: reason)
  }

  /// The user interrupted the operation before anything was changed.
  static var interrupted: StoreError { interrupted("nothing was changed") }

  /// The user interrupted the operation; `outcome` says what was kept.
  static func interrupted(_ outcome: String) -> StoreError {
    StoreError(.interrupted, detail: "interrupted; " + outcome)
  }
}

extension TensorInfo {
  /// `model/layer@set`, as errors name a tensor.
  var fullName: String { "\(qualifiedName)@\(exampleSet)" }
}
