/// Verifies the CRC-32 of a stored (uncompressed) npz member read through `StridedRowSource`.
///
/// Rows read in C order pass their raw bytes through `absorb(_:)`, so the running checksum covers the member once it
/// has delivered the last row. Rows read in Fortran order are fetched out of order, and one layer of a 3-D stack is
/// only part of the member, so for these `verifyByRereading()` reads the member once more, sequentially, in bounded
/// chunks.
final class StoredMemberCheck {
  private let file: OpenFile
  private let entry: ZipEntry
  private let site: ErrorSite
  private let headerByteCount: Int
  private var running = CRC32()

  /// A check for `entry`, whose first `headerByteCount` bytes (the `.npy` header) are read and absorbed now.
  /// - Throws: `FormatError` of kind `.truncated` or `.io` if the header cannot be read.
  init(file: OpenFile, entry: ZipEntry, headerByteCount: Int) throws(FormatError) {
    self.file = file
    self.entry = entry
    self.site = file.site.within(entry.partName, offsetsInPart: false)
    self.headerByteCount = headerByteCount
    let header = try file.bytes(at: entry.dataOffset, upTo: headerByteCount, "the member's .npy header")
    header.withUnsafeBytes { running.update($0) }
  }

  /// Whether reading all of `layout` in order passes every byte of the member through `absorb(_:)`: a C-order
  /// array that fills the member after its header.
  func isFedWhole(by layout: ArrayLayout) -> Bool {
    layout.isRowContiguous && layout.dataOffset == entry.dataOffset + headerByteCount
      && headerByteCount + layout.rowCount * layout.columnCount * layout.elementByteCount == entry.uncompressedByteCount
  }

  /// Folds the next raw bytes of the member, in order, into the running checksum.
  func absorb(_ bytes: UnsafeRawBufferPointer) {
    running.update(bytes)
  }

  /// Compares the running checksum with the central directory.
  /// - Throws: `FormatError` of kind `.corruptData` on a mismatch.
  func verifyRunning() throws(FormatError) {
    try compare(running.value)
  }

  /// Reads the whole member again, in chunks of `RowSourceLimits.scratchByteCount`, and compares its CRC-32.
  /// - Throws: `FormatError` of kind `.corruptData` on a mismatch, `.truncated` or `.io` if reading fails.
  /// - Complexity: O(member bytes) read, O(1 MiB) memory.
  func verifyByRereading() throws(FormatError) {
    var checksum = CRC32()
    try RowSourceLimits.forEachScratchChunk(of: entry.uncompressedByteCount) { (part, offset) throws(FormatError) in
      try file.read(into: part, at: entry.dataOffset + offset, "member data")
      checksum.update(UnsafeRawBufferPointer(part))
    }
    try compare(checksum.value)
  }

  private func compare(_ value: UInt32) throws(FormatError) {
    guard value == entry.crc32 else {
      throw site.error(
        .corruptData, at: entry.localHeaderOffset, found: "CRC-32 \(CRC32.text(value)) of the data",
        expected: "\(CRC32.text(entry.crc32)) from the central directory")
    }
  }
}
