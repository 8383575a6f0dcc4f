import Foundation
import Testing

/// The readable cases of `Tests/RepFormatsTests/Fixtures/manifest.json` (written by
/// `tools/fixtures/make_format_fixtures.py`): each file, its layers, and the `.f32` file holding the Float32 values
/// every layer must produce, in layer order.
struct FixtureCase: Decodable, Sendable, CustomTestStringConvertible {
  struct Layer: Decodable, Sendable {
    var name: String?
    var rows: Int
    var columns: Int
    var elementType: String
  }
  struct Options: Decodable, Sendable {
    var assumeVoid2As: String?
    var layerNames: [String]?
  }

  var file: String
  var format: String
  var expected: String
  var options: Options
  var layers: [Layer]

  var testDescription: String { file }

  /// Whether one import can take the file: the store refuses empty layers (n = 0 or d = 0) and a file without
  /// layers, and all tensors of one import share one example set, so one row count.
  var isImportable: Bool {
    !layers.isEmpty && layers.allSatisfy { $0.rows > 0 && $0.columns > 0 && $0.rows == layers[0].rows }
  }

  /// All readable cases, in manifest order.
  static let all: [FixtureCase] = {
    struct Manifest: Decodable { var cases: [FixtureCase] }
    let url = URL(fileURLWithPath: PackageFiles.fixture("manifest.json"))
    guard let data = try? Data(contentsOf: url), let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
    else { return [] }
    return manifest.cases
  }()
}
