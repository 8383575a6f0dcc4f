import Testing
import RepFormats

/// Every deliberately broken fixture throws a `FormatError` of the listed kind whose one-line message names the
/// file and contains the listed words.
@Suite("Broken fixtures")
struct BrokenFixtureTests {
  @Test("throws the expected FormatError", arguments: Manifest.shared.errors)
  func throwsExpectedError(_ broken: Manifest.BrokenFile) throws {
    let path = Manifest.path(broken.file)
    let options = broken.options.dumpOptions
    let error: FormatError
    switch broken.stage {
    case "open":
      error = try #require(throws: FormatError.self) { try Dump.open(path: path, options: options) }
    default:
      let dump = try Dump.open(path: path, options: options)
      error = try #require(throws: FormatError.self) {
        for index in dump.layers.indices { _ = try readAllBits(dump, layer: index, blockRows: 2) }
      }
    }
    let message = error.description
    #expect(error.kind.rawValue == broken.kind, "\(message)")
    #expect(error.path == path)
    #expect(message.hasPrefix(path + ": "), "\(message)")
    #expect(!message.contains("\n"), "\(message)")
    #expect(message.contains(", expected "), "\(message)")
    for word in broken.contains {
      #expect(message.contains(word), "\(message) should mention \(word)")
    }
  }

  @Test("a failed reader keeps failing with the same error")
  func failureIsSticky() throws {
    let dump = try Dump.open(path: Manifest.path("broken/npz_bad_deflate.npz"))
    let reader = try dump.rowReader(layer: 0)
    var buffer = [Float](repeating: 0, count: reader.columnCount)
    var first: FormatError?
    while reader.rowsRead < reader.rowCount {
      do {
        try buffer.withUnsafeMutableBufferPointer { (b) throws(FormatError) in try reader.readRows(1, into: b) }
      } catch {
        first = error
        break
      }
    }
    let failure = try #require(first)
    let again = try #require(throws: FormatError.self) {
      try buffer.withUnsafeMutableBufferPointer { try reader.readRows(1, into: $0) }
    }
    #expect(again.description == failure.description)
  }
}
