import Foundation
import Testing
import RepFormats

/// `Fixtures/manifest.json`, written by `tools/fixtures/make_format_fixtures.py`.
struct Manifest: Decodable, Sendable {
  struct Options: Decodable, Sendable {
    var assumeVoid2As: String?
    var layerNames: [String]?

    var dumpOptions: DumpOptions {
      DumpOptions(assumeVoid2As: assumeVoid2As.flatMap(ElementType.init(rawValue:)), layerNames: layerNames)
    }
  }

  struct Layer: Decodable, Sendable {
    var name: String?
    var rows: Int
    var columns: Int
    var elementType: String
  }

  /// A readable fixture and the Float32 values it must produce.
  struct Case: Decodable, Sendable, CustomTestStringConvertible {
    var file: String
    var format: String
    var expected: String
    var options: Options
    var layers: [Layer]
    var testDescription: String { file }
  }

  /// A broken fixture and the error it must produce.
  struct BrokenFile: Decodable, Sendable, CustomTestStringConvertible {
    var file: String
    var kind: String
    var contains: [String]
    /// "open": `Dump.open` throws; "read": opening works, reading every row throws.
    var stage: String
    var options: Options
    var testDescription: String { file }
  }

  struct NpyHeaderCase: Decodable, Sendable, CustomTestStringConvertible {
    var shape: [Int]
    var file: String
    var testDescription: String { file }
  }

  struct SafetensorsHeaderCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Tensor: Decodable, Sendable {
      var name: String
      var shape: [Int]
    }
    var tensors: [Tensor]
    var metadata: [String: String]
    var file: String
    var testDescription: String { file }
  }

  struct Large: Decodable, Sendable {
    var file: String
    var rows: Int
    var columns: Int
    var members: [String]
  }

  var cases: [Case]
  var errors: [BrokenFile]
  var npyHeaders: [NpyHeaderCase]
  var safetensorsHeaders: [SafetensorsHeaderCase]
  var large: Large

  /// The directory holding the fixtures inside the test bundle.
  static let directory: URL = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

  /// The parsed manifest.
  static let shared: Manifest = {
    let data = try! Data(contentsOf: directory.appendingPathComponent("manifest.json"))
    return try! JSONDecoder().decode(Manifest.self, from: data)
  }()

  /// The absolute path of a fixture.
  static func path(_ relative: String) -> String {
    directory.appendingPathComponent(relative).path
  }

  /// The bytes of a fixture.
  static func bytes(_ relative: String) -> [UInt8] {
    [UInt8](try! Data(contentsOf: directory.appendingPathComponent(relative)))
  }
}
