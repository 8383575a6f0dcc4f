import Foundation
import Testing

/// `repstore import DIR` of a folder the dump tool wrote: its manifest.json names the layers, files, keys and model.
@Suite("Dump folders")
struct DumpFolderTests {
  static func manifest(model: String, layers: [(String, String)], keys: String? = "keys.txt") -> String {
    let entries = layers.map { "{\"name\": \"\($0.0)\", \"file\": \"\($0.1)\", \"shape\": [4, 3]}" }
    return """
      {"format": "repstore-dump", "version": 1, "model": "\(model)", "source": "Sequential", "pooling": "mean",
       "rows": 4, \(keys.map { "\"keys\": \"\($0)\", " } ?? "")"layers": [\(entries.joined(separator: ", "))]}
      """
  }

  @Test("a dump folder imports whole from its manifest: layers, keys and model name (--model overrides it)")
  func importsFromTheManifest() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 3, seed: 1), to: "dumps/net/first.npy")
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 3, seed: 2), to: "dumps/net/second.npy")
      try scratch.write("a\nb\nc\nd\n", to: "dumps/net/keys.txt")
      try scratch.write(Self.manifest(model: "net", layers: [("emb", "first.npy"), ("out", "second.npy")]), to: "dumps/net/manifest.json")
      try scratch.succeed("import", scratch.path("dumps/net"), "--examples", "ex")
      #expect(try scratch.tensorNames() == ["net/emb@ex", "net/out@ex"])
      let keys = try scratch.repstore("export", "net/emb", "-o", scratch.path("e.npy"), "--keys-out", "-", "-q")
      #expect(keys.stdout == "a\nb\nc\nd\n", "\(keys)")
      try scratch.succeed("import", scratch.path("dumps/net"), "--examples", "ex", "--model", "renamed")
      #expect(try scratch.tensorNames().filter { $0.hasPrefix("renamed/") } == ["renamed/emb@ex", "renamed/out@ex"])

      // The files themselves, by a pattern: the keys the manifest names beside them are used, and said.
      let pattern = try scratch.succeed("import", scratch.path("dumps/net/{layer}.npy"), "--model", "p", "--examples", "ex2")
      #expect(pattern.stderr.contains("example keys from \(scratch.path("dumps/net/keys.txt"))"), "\(pattern)")
      let patternKeys = try scratch.repstore("export", "p/first@ex2", "-o", scratch.path("f.npy"), "--keys-out", "-", "-q")
      #expect(patternKeys.stdout == "a\nb\nc\nd\n", "\(patternKeys)")
      // A file the manifest does not list: no keys are guessed.
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 3, seed: 3), to: "dumps/net/extra.npy")
      let mixed = try scratch.succeed("import", scratch.path("dumps/net/*.npy"), "--model", "q", "--examples", "ex3")
      #expect(!mixed.stderr.contains("example keys from"), "\(mixed)")
    }
  }

  @Test("a folder without a manifest, a foreign manifest and a file outside the folder are one-line errors")
  func refusesWhatIsNotADump() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 3, seed: 1), to: "plain/L0.npy")
      let plain = try scratch.repstore("import", scratch.path("plain"), "--model", "m")
      #expect(plain.status == 64 && plain.stderr.contains("without a dump manifest") && plain.stderr.contains("{layer}.npy"), "\(plain)")

      try scratch.write("{\"format\": \"other\", \"version\": 3, \"model\": \"m\", \"layers\": []}", to: "foreign/manifest.json")
      let foreign = try scratch.repstore("import", scratch.path("foreign"))
      #expect(foreign.status == 64 && foreign.stderr.contains("repstore-dump version 1"), "\(foreign)")

      try scratch.write(Self.manifest(model: "m", layers: [("x", "../plain/L0.npy")]), to: "escape/manifest.json")
      let escape = try scratch.repstore("import", scratch.path("escape"))
      #expect(escape.status == 64 && escape.stderr.contains("not a file name in the folder"), "\(escape)")

      try scratch.write("{\"format\": \"repstore-dump\"}", to: "broken/manifest.json")
      let broken = try scratch.repstore("import", scratch.path("broken"))
      #expect(broken.status == 64 && broken.stderr.contains("manifest.json: not a dump manifest"), "\(broken)")
      #expect(!scratch.exists("store.repstore"))
    }
  }
}
