import Foundation
import RepFormats
import Testing

/// Bad input gets one `repstore: FILE: ...` line on stderr, exit status 1, and leaves the store exactly as it was;
/// a failed first import leaves no store folder.
@Suite("Bad input")
struct BadInputTests {
  /// A good 7 × 5 float32 `.npy` (128-byte header, 140 data bytes) and its pieces.
  static let matrix = Matrix.seeded(rows: 7, columns: 5, seed: 3)
  static let good = matrix.npyBytes
  static let data = matrix.littleEndianBytes
  static func dict(_ descr: String, _ shape: String) -> String {
    "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
  }

  /// One bad file: its name, its bytes, and what the error line must say besides the file's path.
  enum BadFile: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case empty, cutInMagic, cutInLengthField, cutInHeader, cutBeforeHeaderEnd, headerOnly, cutInData, oneByteShort
    case badMagic, notADump, shapeTooLarge, shapeTooSmall, hugeHeaderV1, hugeHeaderV2, zeroHeaderV2, absurdShape
    case objectArray, pickle, int32, int64, bool, complex64, void2WithoutOption, safetensorsI64, npzTextMember, npzCRC,
      npzBadDeflate
    case nan, inf, nanInLaterBlock, nanInNpz, zeroRows

    var testDescription: String { rawValue }

    var fileName: String {
      switch self {
      case .safetensorsI64: "bad.safetensors"
      case .npzTextMember, .npzCRC, .npzBadDeflate, .nanInNpz: "bad.npz"
      default: "bad.npy"
      }
    }

    var bytes: [UInt8] {
      get throws {
        let good = BadInputTests.good
        let data = BadInputTests.data
        let dict = BadInputTests.dict
        switch self {
        case .empty: return []
        case .cutInMagic: return Array(good.prefix(6))
        case .cutInLengthField: return Array(good.prefix(9))
        case .cutInHeader: return Array(good.prefix(40))
        case .cutBeforeHeaderEnd: return Array(good.prefix(127))
        case .headerOnly: return Array(good.prefix(128))
        case .cutInData: return Array(good.prefix(200))
        case .oneByteShort: return Array(good.prefix(267))
        case .badMagic: return [0x93] + Array("NUMPX".utf8) + good.dropFirst(6)
        case .notADump: return Array("model,layer\nm,L1\n".utf8)
        case .shapeTooLarge: return npyFile(dict: dict("<f4", "(9, 5)"), data: data)
        case .shapeTooSmall: return npyFile(dict: dict("<f4", "(5, 5)"), data: data)
        case .hugeHeaderV1: return npyFile(dict: dict("<f4", "(7, 5)"), data: data, declaredHeaderLength: 65_535)
        case .hugeHeaderV2:
          return npyFile(dict: dict("<f4", "(7, 5)"), data: data, version: 2, declaredHeaderLength: 0xFFFF_FFF0)
        case .zeroHeaderV2: return npyFile(dict: dict("<f4", "(7, 5)"), data: data, version: 2, declaredHeaderLength: 0)
        case .absurdShape: return npyFile(dict: dict("<f4", "(9223372036854775807, 5)"), data: data)
        case .objectArray: return try fixture("broken/object.npy")
        case .pickle: return try fixture("broken/pickle.npy")
        case .int32: return npyFile(dict: dict("<i4", "(7, 5)"), data: data)
        case .int64: return npyFile(dict: dict("<i8", "(7, 5)"), data: data + data)
        case .bool: return npyFile(dict: dict("|b1", "(7, 5)"), data: [UInt8](repeating: 1, count: 35))
        case .complex64: return npyFile(dict: dict("<c8", "(7, 5)"), data: data + data)
        case .void2WithoutOption: return npyFile(dict: dict("|V2", "(7, 5)"), data: Array(data.prefix(70)))
        case .safetensorsI64: return try fixture("broken/st_i64.safetensors")
        case .npzTextMember: return try fixture("broken/npz_txt.npz")
        case .npzCRC: return try fixture("broken/npz_crc_deflated.npz")
        case .npzBadDeflate: return try fixture("broken/npz_bad_deflate.npz")
        case .nan: return withValue(.nan, atRow: 4, column: 3)
        case .inf: return withValue(-.infinity, atRow: 6, column: 0)
        case .nanInLaterBlock:
          // 5,000 × 300: blocks of 1,747 rows, so the first two blocks are written before the NaN in the third.
          var big = Matrix.seeded(rows: 5_000, columns: 300, seed: 4)
          big.values[4_321 * 300 + 17] = .nan
          return big.npyBytes
        case .nanInNpz:
          var bad = BadInputTests.matrix
          bad.values[2 * 5 + 4] = .infinity
          return npzFile([("fine", BadInputTests.matrix), ("h.1", bad)])
        case .zeroRows: return npyFile(dict: dict("<f4", "(0, 5)"), data: [])
        }
      }
    }

    /// What the message says after the path (all of these must appear).
    var fragments: [String] {
      switch self {
      case .empty: ["empty file"]
      case .cutInMagic: ["byte 6", "truncated", ".npy version"]
      case .cutInLengthField: ["byte 8", "truncated", ".npy header length"]
      case .cutInHeader: ["byte 10", "truncated: only 30 of 118 bytes left"]
      case .cutBeforeHeaderEnd: ["truncated: only 117 of 118 bytes left"]
      case .headerOnly: ["byte 128", "truncated: data ends after 0 bytes, expected 140 bytes"]
      case .cutInData: ["byte 200", "truncated: data ends after 72 bytes"]
      case .oneByteShort: ["byte 267", "truncated: data ends after 139 bytes"]
      case .badMagic: ["byte 0", "not an .npy file"]
      case .notADump: ["byte 0", "unrecognized content"]
      case .shapeTooLarge: ["truncated", "expected 180 bytes for shape (9, 5)"]
      case .shapeTooSmall: ["40 trailing bytes", "expected 100 bytes for shape (5, 5)"]
      case .hugeHeaderV1: ["only 258 of 65535 bytes left"]
      case .hugeHeaderV2: ["header length 4294967280 bytes", "at most 1 MiB"]
      case .zeroHeaderV2: ["byte 12", "unparsable header"]
      case .absurdShape: ["shape (9223372036854775807, 5)"]
      case .objectArray: ["'|O'", "object arrays are not supported"]
      case .pickle: ["pickle"]
      case .int32: ["'<i4' (int32) is not supported"]
      case .int64: ["'<i8' (int64) is not supported"]
      case .bool: ["'|b1' (bool) is not supported"]
      case .complex64: ["'<c8' (complex64) is not supported"]
      case .void2WithoutOption: ["'|V2'", "pass --assume-dtype bfloat16"]
      case .safetensorsI64: ["tensor 'ids'", "'I64' is not supported"]
      case .npzTextMember: ["zip member 'notes.txt' is not an .npy array"]
      case .npzCRC: ["member 'a.npy'", "CRC-32 0x7511f467 of the data, expected 0x7511f498"]
      case .npzBadDeflate: ["member 'a.npy'", "invalid deflate data"]
      case .nan: ["row 4, column 3 is nan", "--allow-nonfinite"]
      case .inf: ["row 6, column 0 is -inf", "--allow-nonfinite"]
      case .nanInLaterBlock: ["row 4321, column 17 is nan"]
      case .nanInNpz: [":h.1: row 2, column 4 is inf"]
      case .zeroRows: ["shape (0, 5) has no data"]
      }
    }

    /// Whether `--allow-nonfinite` makes the file acceptable.
    var isNonFinite: Bool { [.nan, .inf, .nanInLaterBlock, .nanInNpz].contains(self) }

    private func fixture(_ relative: String) throws -> [UInt8] {
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: PackageFiles.fixture(relative))))
    }

    private func withValue(_ value: Float, atRow row: Int, column: Int) -> [UInt8] {
      var matrix = BadInputTests.matrix
      matrix.values[row * matrix.columns + column] = value
      return matrix.npyBytes
    }
  }

  /// Checks the one-line message: `repstore: PATH...` with every fragment, status 1, nothing else on stderr.
  static func expectOneLineError(
    _ result: CommandResult, path: String, fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(result.status == 1 && !result.wasSignaled, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderrLines.count == 1, "\(result)", sourceLocation: sourceLocation)
    let line = result.stderrLines.first ?? ""
    #expect(line.hasPrefix("repstore: \(path)"), "\(line)", sourceLocation: sourceLocation)
    for fragment in fragments {
      #expect(line.contains(fragment), "'\(fragment)' not in: \(line)", sourceLocation: sourceLocation)
    }
  }

  /// A store holding one tensor, m/kept, from a good file.
  static func makeStore(_ scratch: Scratch) throws {
    try scratch.writeNpy(matrix, to: "kept.npy")
    try scratch.succeed("import", scratch.path("kept.npy"), "--model", "m")
  }

  @Test("bad files are refused with one line, and the store is unchanged", arguments: BadFile.allCases)
  func refusedIntoExistingStore(_ bad: BadFile) throws {
    try withScratch { scratch in
      try Self.makeStore(scratch)
      let path = try scratch.write(bad.bytes, to: bad.fileName)
      let before = try scratch.storeState()
      // Its own example set, so that the row count is no reason to refuse it.
      let result = try scratch.repstore("import", path, "--model", "m", "--examples", "bad")
      Self.expectOneLineError(result, path: path, fragments: bad.fragments)
      #expect(try scratch.storeState() == before)
      if bad.isNonFinite {
        let allowed = try scratch.repstore("import", path, "--model", "m", "--allow-nonfinite", "--examples", "bad")
        #expect(allowed.succeeded, "\(allowed)")
      }
    }
  }

  @Test("a failed first import leaves no store folder", arguments: BadFile.allCases)
  func refusedAsFirstImport(_ bad: BadFile) throws {
    try withScratch { scratch in
      let path = try scratch.write(bad.bytes, to: bad.fileName)
      let result = try scratch.repstore("import", path, "--model", "m")
      Self.expectOneLineError(result, path: path, fragments: bad.fragments)
      #expect(!scratch.exists(scratch.store))
      let listed = try scratch.repstore("ls")
      #expect(listed.status == 1 && listed.stderr.contains("no repstore store"), "\(listed)")
    }
  }

  @Test("a folder that is not a store is left alone")
  func foreignFolder() throws {
    try withScratch { scratch in
      try scratch.writeNpy(Self.matrix, to: "a.npy")
      try scratch.write("notes", to: "store.repstore/notes.txt")
      let result = try scratch.repstore("import", scratch.path("a.npy"), "--model", "m")
      #expect(result.status == 1, "\(result)")
      #expect(
        result.stderr
          == "repstore: \(scratch.store): folder is not empty and holds no repstore catalog; refusing to create a store in it\n"
      )
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.store) == ["notes.txt"])
      try scratch.write("a file", to: "file.repstore")
      let onFile = try scratch.run([
        "import", scratch.path("a.npy"), "--model", "m", "--store", scratch.path("file.repstore"),
      ])
      #expect(
        onFile.status == 1
          && onFile.stderr == "repstore: \(scratch.path("file.repstore")): exists and is not a folder\n", "\(onFile)")
    }
  }

  @Test(
    "a failed first import into an existing empty folder leaves it empty")
  func failedFirstImportIntoEmptyFolder() throws {
    try withScratch { scratch in
      try FileManager.default.createDirectory(atPath: scratch.store, withIntermediateDirectories: true)
      let path = try scratch.write(BadFile.nan.bytes, to: "bad.npy")
      let result = try scratch.repstore("import", path, "--model", "m")
      Self.expectOneLineError(result, path: path, fragments: BadFile.nan.fragments)
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.store) == [])
    }
  }

  @Test("--allow-nonfinite stores NaN and Inf bit for bit")
  func allowNonfinite() throws {
    try withScratch { scratch in
      var matrix = Self.matrix
      matrix.values[4 * 5 + 3] = Float(bitPattern: 0x7FC0_0001)
      matrix.values[6 * 5] = -.infinity
      try scratch.writeNpy(matrix, to: "odd.npy")
      try scratch.succeed("import", scratch.path("odd.npy"), "--model", "m", "--allow-nonfinite")
      try scratch.succeed("export", "m/odd", "-o", scratch.path("back.npy"))
      #expect(try scratch.bytes("back.npy") == matrix.npyBytes)
    }
  }

  @Test("a missing file and a folder are refused", arguments: ["missing.npy", "folder.npy"])
  func notAFile(name: String) throws {
    try withScratch { scratch in
      try Self.makeStore(scratch)
      try FileManager.default.createDirectory(atPath: scratch.path("folder.npy"), withIntermediateDirectories: true)
      let before = try scratch.storeState()
      let result = try scratch.repstore("import", scratch.path(name), "--model", "m")
      if name == "missing.npy" {
        Self.expectOneLineError(result, path: scratch.path(name), fragments: ["No such file or directory"])
      } else {
        // A folder is a dump folder or a usage error that says what to give instead.
        #expect(result.status == 64 && result.stderrLines.count == 1, "\(result)")
        #expect(result.stderr.hasPrefix("repstore: \(scratch.path(name)) is a folder without a dump manifest"), "\(result)")
      }
      #expect(try scratch.storeState() == before)
    }
  }

  @Test("one bad file among good ones: nothing of the import lands")
  func badFileAmongGoodOnes() throws {
    try withScratch { scratch in
      try Self.makeStore(scratch)
      try scratch.writeNpy(Self.matrix, to: "good1.npy")
      try scratch.writeNpy(Self.matrix, to: "good2.npy")
      var bad = Self.matrix
      bad.values[34] = .nan
      try scratch.writeNpy(bad, to: "good3.npy")
      let before = try scratch.storeState()
      let result = try scratch.repstore(
        "import", scratch.path("good1.npy"), scratch.path("good2.npy"), scratch.path("good3.npy"), "--model", "n")
      Self.expectOneLineError(result, path: scratch.path("good3.npy"), fragments: ["row 6, column 4 is nan"])
      #expect(try scratch.storeState() == before)
    }
  }

  @Test("re-importing an existing tensor needs --replace, which swaps in the new data")
  func replace() throws {
    try withScratch { scratch in
      try Self.makeStore(scratch)
      let original = try #require(try scratch.listing().first)
      let newer = Matrix.seeded(rows: 7, columns: 5, seed: 99)
      try scratch.writeNpy(newer, to: "v2/kept.npy")
      let before = try scratch.storeState()
      let refused = try scratch.repstore("import", scratch.path("v2/kept.npy"), "--model", "m")
      Self.expectOneLineError(
        refused, path: scratch.path("v2/kept.npy"),
        fragments: ["tensor m/kept@default already exists", "imported from \(scratch.path("kept.npy"))", "--replace"])
      #expect(try scratch.storeState() == before)

      let replaced = try scratch.repstore("import", scratch.path("v2/kept.npy"), "--model", "m", "--replace")
      #expect(replaced.succeeded, "\(replaced)")
      #expect(replaced.stderr.contains("imported 1 tensor of set 'default' (1 replaced)"), "\(replaced)")
      let listed = try scratch.listing()
      #expect(listed.count == 1)
      let digest = try #require(listed.first?["digest"] as? String)
      #expect(digest != original["digest"] as? String)
      #expect(digest.count == 16)
      #expect(listed.first?["source"] as? String == scratch.path("v2/kept.npy"))
      try scratch.succeed("export", "m/kept", "-o", scratch.path("back.npy"))
      #expect(try scratch.bytes("back.npy") == newer.npyBytes)
    }
  }

  @Test("a statement or name that starts with - is a usage error in one line, not the help", arguments: [
    ["query", "-0 show models"], ["ls", "-x y"], ["sim", "cka", "-a b", "m/*"],
  ])
  func dashedWordsAreNotFlags(_ arguments: [String]) throws {
    try withScratch { scratch in
      let result = try scratch.run(arguments)
      #expect(result.status == 64, "\(result)")
      #expect(result.stdout.isEmpty, "\(result)")
      #expect(result.stderrLines.count == 1, "\(result)")
      #expect(result.stderr.contains("starts with - but is not an option") && result.stderr.contains("put -- before it"))
    }
  }
}
