import Foundation
import RepFormats
import Testing

/// Import, then export: the Float32 data comes back bit for bit, whatever the input format, element type, byte order
/// or memory order, and `.npy`, `.safetensors`, folder and keys exports have the documented layout.
@Suite("Round trips")
struct RoundTripTests {
  static let importableFixtures = FixtureCase.all.filter(\.isImportable)

  @Test("the fixture manifest is there and covers every input kind")
  func manifestCoversInputKinds() {
    let files = Self.importableFixtures.map(\.file)
    #expect(files.count >= 80, "\(files.count) importable fixtures")
    for needle in [
      "_le_f2_", "_be_f2_", "_le_f8_", "_be_f8_", "_F_2d", "_C_3d", "_F_3d", "v2_", "v3_", "bf16_void2",
      "bf16_ml_dtypes", "zip64_stored.npz", "zip64_deflated.npz", "streamed.npz", "bf16.npz",
      "f16.safetensors", "mixed.safetensors",
    ] {
      #expect(files.contains { $0.contains(needle) }, "no importable fixture matches \(needle)")
    }
  }

  /// Every readable fixture with data: .npy v1/v2/v3 × f16/f32/f64 × little/big endian × C/Fortran × 2-D/3-D,
  /// `|V2` and `<V2` bfloat16, stored and deflated (zip64, data descriptors) .npz, safetensors F16/BF16/F32/F64.
  /// The values include NaN payloads, ±Inf and subnormals, hence `--allow-nonfinite`. 3-D files get `--layers`.
  @Test("fixture import and export are bit-exact", arguments: importableFixtures)
  func fixtureRoundTrip(_ fixture: FixtureCase) throws {
    try withScratch { scratch in
      let path = PackageFiles.fixture(fixture.file)
      let isStack = fixture.format == "npy" && fixture.layers.first?.name != nil
      let layerNames: [String] =
        isStack
        ? fixture.layers.indices.map { "stack-\($0)" }
        : fixture.layers.map { $0.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }
      var arguments = ["import", path, "--model", "m", "--allow-nonfinite"]
      if isStack { arguments += ["--layers", layerNames.joined(separator: ",")] }
      if let assumed = fixture.options.assumeVoid2As { arguments += ["--assume-dtype", assumed] }
      let imported = try scratch.run(arguments + ["--store", scratch.store])
      try #require(imported.succeeded, "\(imported)")

      let listed = try scratch.listing()
      #expect(Set(listed.map { $0["layer"] as? String ?? "?" }) == Set(layerNames))
      for (name, layer) in zip(layerNames, fixture.layers) {
        let row = listed.first { $0["layer"] as? String == name }
        #expect(row?["rows"] as? Int == layer.rows, "\(name)")
        #expect(row?["columns"] as? Int == layer.columns, "\(name)")
        #expect(row?["source_dtype"] as? String == layer.elementType, "\(name)")
      }

      try scratch.succeed("export", "model:m/*", "-o", scratch.path("out"))
      let expected = try scratch.bytes(PackageFiles.fixture(fixture.expected))
      var offset = 0
      for (name, layer) in zip(layerNames, fixture.layers) {
        let byteCount = layer.rows * layer.columns * 4
        let exported = try scratch.bytes("out/m/\(name).npy")
        let want = NpyHeader.float32(shape: [layer.rows, layer.columns]) + expected[offset..<(offset + byteCount)]
        #expect(exported == want, "\(name): \(firstDifference(exported, want))")
        offset += byteCount
      }
      #expect(offset == expected.count)
    }
  }

  @Test("many blocks, NaN payloads with --allow-nonfinite, and a one-row tensor")
  func manyBlocksAndOneRow() throws {
    try withScratch { scratch in
      var big = Matrix.seeded(rows: 5_000, columns: 300, seed: 11)
      // NaN payloads (quiet, signalling, negative), infinities and a subnormal, in the first and in later blocks.
      let specials: [(Int, UInt32)] = [
        (0, 0x7FC1_2345), (17, 0xFF80_0001), (1_747 * 300 + 5, 0x7F80_0000), (4_321 * 300 + 17, 0xFFFF_FFFF),
        (4_999 * 300 + 299, 0x0000_0001),
      ]
      for (index, bits) in specials { big.values[index] = Float(bitPattern: bits) }
      try scratch.writeNpy(big, to: "big.npy")
      let one = Matrix.seeded(rows: 1, columns: 7, seed: 12)
      try scratch.writeNpy(one, to: "one.npy")
      try scratch.succeed("import", scratch.path("big.npy"), "--model", "m", "--examples", "big", "--allow-nonfinite")
      try scratch.succeed("import", scratch.path("one.npy"), "--model", "m", "--examples", "single")

      let listed = try scratch.listing()
      let bigRow = try #require(listed.first { $0["layer"] as? String == "big" })
      // 300 columns × 4 bytes = 1,200 bytes a row; ~2 MiB blocks hold 1,747 rows: 1,747 + 1,747 + 1,506.
      #expect(bigRow["blocks"] as? Int == 3)
      #expect(bigRow["raw_bytes"] as? Int == 5_000 * 300 * 4)
      let oneRow = try #require(listed.first { $0["layer"] as? String == "one" })
      #expect(oneRow["rows"] as? Int == 1)
      #expect(oneRow["blocks"] as? Int == 1)

      try scratch.succeed("export", "model:m/big", "-o", scratch.path("big-out.npy"))
      try scratch.succeed("export", "model:m/one", "-o", scratch.path("one-out.npy"))
      let exported = try scratch.bytes("big-out.npy")
      #expect(exported == big.npyBytes, "\(firstDifference(exported, big.npyBytes))")
      #expect(try scratch.bytes("one-out.npy") == one.npyBytes)
    }
  }

  /// bfloat16 from `|V2` and `<V2` .npy (how numpy saves ml_dtypes/torch bfloat16) and safetensors F16, BF16 and F64
  /// written by hand: expected values computed independently (bf16 is the high half of a binary32).
  @Test("hand-made bfloat16, float16 and float64 inputs", arguments: ["|V2", "<V2"])
  func handMadeHalfAndDouble(voidDescriptor: String) throws {
    try withScratch { scratch in
      let bf16: [UInt16] = [0x3F80, 0xC000, 0x0001, 0x7F7F, 0x8000, 0x4049, 0x3E80, 0xBF01, 0x0080, 0x42F7]
      let bf16Data = bf16.flatMap { littleEndian(UInt64($0), byteCount: 2) }
      try scratch.write(
        npyFile(dict: "{'descr': '\(voidDescriptor)', 'fortran_order': False, 'shape': (2, 5), }", data: bf16Data),
        to: "bf.npy")
      let f16: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7BFF, 0x8000, 0x3555]
      let f64: [Double] = [1.0 / 3.0, -2.5, 1e-40, 3.4028234663852886e38, 0.1, -0.0]
      let header =
        #"{"h":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},"#
        + #""b":{"dtype":"BF16","shape":[2,5],"data_offsets":[12,32]},"#
        + #""d":{"dtype":"F64","shape":[2,3],"data_offsets":[32,80]}}"#
      let data =
        f16.flatMap { littleEndian(UInt64($0), byteCount: 2) } + bf16Data
        + f64.flatMap { littleEndian($0.bitPattern, byteCount: 8) }
      try scratch.write(safetensorsFile(json: header, data: data), to: "mixed.safetensors")

      try scratch.succeed("import", scratch.path("bf.npy"), "--model", "npy", "--assume-dtype", "bfloat16")
      try scratch.succeed("import", scratch.path("mixed.safetensors"), "--model", "st")
      try scratch.succeed("export", "model:*/*", "-o", scratch.path("out"))

      let bf16Bits = bf16.map { UInt32($0) << 16 }
      #expect(try scratch.bytes("out/npy/bf.npy") == npyFloat32(shape: [2, 5], bits: bf16Bits))
      #expect(try scratch.bytes("out/st/b.npy") == npyFloat32(shape: [2, 5], bits: bf16Bits))
      let f16Bits = f16.map { Float(Float16(bitPattern: $0)).bitPattern }
      #expect(try scratch.bytes("out/st/h.npy") == npyFloat32(shape: [2, 3], bits: f16Bits))
      #expect(try scratch.bytes("out/st/d.npy") == npyFloat32(shape: [2, 3], bits: f64.map { Float($0).bitPattern }))
      let types = try scratch.listing().map { "\($0["model"]!)/\($0["layer"]!):\($0["source_dtype"]!)" }
      #expect(types == ["npy/bf:bfloat16", "st/b:bfloat16", "st/d:float64", "st/h:float16"])
    }
  }

  @Test("a stored .npz written here: keys become layers, bits unchanged")
  func storedNpz() throws {
    try withScratch { scratch in
      let arrays = [
        (key: "embed", matrix: Matrix.seeded(rows: 6, columns: 4, seed: 1)),
        (key: "block.0", matrix: Matrix.seeded(rows: 6, columns: 9, seed: 2)),
        (key: "L10", matrix: Matrix.seeded(rows: 6, columns: 1, seed: 3)),
      ]
      try scratch.write(npzFile(arrays), to: "acts.npz")
      try scratch.succeed("import", scratch.path("acts.npz"), "--model", "net")
      try scratch.succeed("export", "model:net/*", "-o", scratch.path("out"))
      for (key, matrix) in arrays {
        #expect(try scratch.bytes("out/net/\(key).npy") == matrix.npyBytes, "\(key)")
      }
    }
  }

  /// The shipped digits activations (deflated zip64 .npz written by numpy): a `.safetensors` export read back through
  /// RepFormats holds the same bits under the documented names.
  @Test(
    "safetensors export names and bits",
    arguments: [
      (
        selector: "model:seed0/*@digits-test",
        names: ["L1", "L2", "L3", "L4", "L5", "L6", "out"].map { ($0, "seed0", $0, "test") }
      ),
      (
        selector: "model:seed{0,1}/L2@digits-test",
        names: [("seed0/L2", "seed0", "L2", "test"), ("seed1/L2", "seed1", "L2", "test")]
      ),
      (
        selector: "model:seed0/L1..L2@*",
        names: [
          ("seed0/L1@digits-test", "seed0", "L1", "test"), ("seed0/L1@digits-train", "seed0", "L1", "train"),
          ("seed0/L2@digits-test", "seed0", "L2", "test"), ("seed0/L2@digits-train", "seed0", "L2", "train"),
        ]
      ),
    ])
  func safetensorsExport(selector: String, names: [(String, String, String, String)]) throws {
    try withScratch { scratch in
      for seed in ["seed0", "seed1"] {
        try scratch.succeed(
          "import", PackageFiles.digits("\(seed)_test.npz"), "--model", seed, "--examples", "digits-test", "--keys",
          PackageFiles.digits("test.keys"))
      }
      try scratch.succeed(
        "import", PackageFiles.digits("seed0_train.npz"), "--model", "seed0", "--examples", "digits-train", "--keys",
        PackageFiles.digits("train.keys"))
      let output = scratch.path("out.safetensors")
      let exported = try scratch.succeed("export", selector, "-o", output)
      #expect(exported.stderr == "exported \(names.count) tensor\(names.count == 1 ? "" : "s") to \(output)\n")

      let back = try readLayers(output)
      #expect(back.map(\.name) == names.map(\.0))
      var sources: [String: [String: [UInt32]]] = [:]
      for (stored, model, layer, split) in names {
        let file = PackageFiles.digits("\(model)_\(split).npz")
        if sources[file] == nil {
          sources[file] = Dictionary(uniqueKeysWithValues: try readLayers(file).map { ($0.name, $0.bits) })
        }
        let got = back.first { $0.name == stored }
        #expect(got?.bits == sources[file]?[layer], "\(stored)")
        #expect(got?.rows == (split == "test" ? 540 : 1257), "\(stored)")
      }
    }
  }

  @Test("folder export: DIR/MODEL/LAYER.npy, and LAYER@SET.npy when several sets are selected")
  func folderExport() throws {
    try withScratch { scratch in
      let a = Matrix.seeded(rows: 5, columns: 3, seed: 21)
      let b = Matrix.seeded(rows: 5, columns: 2, seed: 22)
      let c = Matrix.seeded(rows: 4, columns: 2, seed: 23)
      try scratch.writeNpy(a, to: "in/a.npy")
      try scratch.writeNpy(b, to: "in/b.npy")
      try scratch.writeNpy(c, to: "in/c.npy")
      try scratch.succeed("import", scratch.path("in/a.npy"), "--model", "m1", "--layer", "x", "--examples", "five")
      try scratch.succeed("import", scratch.path("in/b.npy"), "--model", "m2", "--layer", "x", "--examples", "five")
      try scratch.succeed("import", scratch.path("in/c.npy"), "--model", "m2", "--layer", "x", "--examples", "four")

      try scratch.succeed("export", "model:*/x@five", "-o", scratch.path("one-set"))
      #expect(try files(under: scratch.path("one-set")) == ["m1/x.npy", "m2/x.npy"])
      #expect(try scratch.bytes("one-set/m1/x.npy") == a.npyBytes)
      #expect(try scratch.bytes("one-set/m2/x.npy") == b.npyBytes)

      try scratch.succeed("export", "model:m2/x", "-o", scratch.path("two-sets"))
      #expect(try files(under: scratch.path("two-sets")) == ["m2/x@five.npy", "m2/x@four.npy"])
      #expect(try scratch.bytes("two-sets/m2/x@four.npy") == c.npyBytes)
    }
  }

  @Test("--keys-out writes the keys given at import", arguments: [true, false])
  func keysOut(explicitKeys: Bool) throws {
    try withScratch { scratch in
      try scratch.writeNpy(Matrix.seeded(rows: 4, columns: 2, seed: 31), to: "x.npy")
      let keys = ["img-7", "img-3", "päärynä", "a b"]
      try scratch.write(keys.joined(separator: "\n") + "\n", to: "x.keys")
      var arguments = ["import", scratch.path("x.npy"), "--model", "m", "--store", scratch.store]
      if explicitKeys { arguments += ["--keys", scratch.path("x.keys")] }
      try #require(try scratch.run(arguments).succeeded)
      try scratch.succeed(
        "export", "model:m/x", "-o", scratch.path("x-out.npy"), "--keys-out", scratch.path("out.keys"))
      let written = String(decoding: try scratch.bytes("out.keys"), as: UTF8.self)
      #expect(written == (explicitKeys ? keys : ["0", "1", "2", "3"]).joined(separator: "\n") + "\n")
    }
  }

  @Test("--keys-out of the shipped digits keys is byte-identical to the keys file")
  func digitsKeysOut() throws {
    try withScratch { scratch in
      try scratch.succeed(
        "import", PackageFiles.digits("seed2_test.npz"), "--model", "seed2", "--examples", "digits-test", "--keys",
        PackageFiles.digits("test.keys"))
      try scratch.succeed("export", "seed2/L3", "-o", scratch.path("L3.npy"), "--keys-out", scratch.path("L3.keys"))
      #expect(try scratch.bytes("L3.keys") == scratch.bytes(PackageFiles.digits("test.keys")))
      let source = try #require(try readLayers(PackageFiles.digits("seed2_test.npz")).first { $0.name == "L3" })
      #expect(try scratch.bytes("L3.npy") == npyFloat32(shape: [540, 40], bits: source.bits))
    }
  }
}

/// The regular files under `folder`, as sorted relative paths.
func files(under folder: String) throws -> [String] {
  let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath()
  var found: [String] = []
  let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
  while let url = walker?.nextObject() as? URL {
    if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
      found.append(String(url.resolvingSymlinksInPath().path.dropFirst(root.path.count + 1)))
    }
  }
  return found.sorted()
}

/// Where two byte arrays first differ, for failure messages.
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
  if let index = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
    return "first difference at byte \(index) of \(a.count) / \(b.count)"
  }
  return a.count == b.count ? "equal" : "lengths \(a.count) and \(b.count)"
}
