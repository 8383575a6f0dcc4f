import ArgumentParser
import Foundation

/// The `manifest.json` the dump tool (`tools/dump_activations.py`, `repstore.dump`) writes beside its files, written
/// last, so its presence says the dump is whole: `repstore import DIR` imports what it lists.
///
/// ```json
/// {"format": "repstore-dump", "version": 1, "model": "minilm", "source": "...", "pooling": "mean", "rows": 300,
///  "keys": "keys.txt", "layers": [{"name": "L0", "file": "L0.npy", "shape": [300, 384]}, ...]}
/// ```
struct DumpManifest: Decodable {
  struct Layer: Decodable {
    var name: String
    var file: String
    var shape: [Int]?
  }

  var format: String
  var version: Int
  var model: String
  var pooling: String?
  var rows: Int?
  var keys: String?
  var layers: [Layer]

  static let fileName = "manifest.json"

  /// The manifest in `folder`, nil when it has none.
  /// - Throws: `ValidationError` naming the file when it is not a manifest repstore can read.
  static func read(inFolder folder: String) throws -> DumpManifest? {
    let path = (folder as NSString).appendingPathComponent(fileName)
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let manifest: DumpManifest
    do {
      manifest = try JSONDecoder().decode(DumpManifest.self, from: data)
    } catch {
      throw ValidationError("\(path): not a dump manifest (\(Self.reason(error)))")
    }
    guard manifest.format == "repstore-dump", manifest.version == 1 else {
      throw ValidationError(
        "\(path): format \(manifest.format) version \(manifest.version); this repstore reads repstore-dump version 1")
    }
    guard !manifest.layers.isEmpty else { throw ValidationError("\(path): lists no layers") }
    for layer in manifest.layers where layer.file.contains("/") || layer.file.hasPrefix(".") {
      throw ValidationError("\(path): layer \(layer.name): file \(layer.file) is not a file name in the folder")
    }
    return manifest
  }

  private static func reason(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\""
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
    case DecodingError.dataCorrupted(let context): return context.debugDescription
    default: return "\(error)"
    }
  }
}
