import Foundation
import RepFormats
import Testing

/// How imports name models, layers and example sets: placeholders, globs, file stems, npz and safetensors keys,
/// `--layers`; and which names and combinations are refused.
@Suite("Naming")
struct NamingTests {
  /// The same small inputs for every case (all with 3 rows, so they share the default example set):
  /// `a.npy`; `dumps/mA/{L1,L2}.npy`, `dumps/mB/L10.npy`; `runs/{val,test}/m1/h.npy`; a 3-D `stack.npy` of 3 layers;
  /// npz files keyed `L1, L2`, `a/b, c`, `x@y`, `` (member `.npy`), and one with no member at all.
  static func writeInputs(_ scratch: Scratch) throws {
    let matrix = Matrix.seeded(rows: 3, columns: 2, seed: 5)
    for file in [
      "a.npy", "dumps/mA/L1.npy", "dumps/mA/L2.npy", "dumps/mB/L10.npy", "runs/val/m1/h.npy", "runs/test/m1/h.npy",
    ] {
      try scratch.writeNpy(matrix, to: file)
    }
    let stack = Matrix.seeded(rows: 9, columns: 2, seed: 6)
    try scratch.write(
      NpyHeader.float32(shape: [3, 3, 2]) + stack.littleEndianBytes, to: "stack.npy")
    try scratch.write(npzFile([("L1", matrix), ("L2", matrix)]), to: "acts.npz")
    try scratch.write(npzFile([("a/b", matrix), ("c", matrix)]), to: "slash.npz")
    try scratch.write(npzFile([("x@y", matrix)]), to: "at.npz")
    try scratch.write(npzFile([("", matrix)]), to: "emptykey.npz")
    try scratch.write(storedZip([]), to: "nothing.npz")
  }

  /// `$/` at the start of an argument stands for the scratch folder.
  static func expand(_ arguments: [String], in scratch: Scratch) -> [String] {
    arguments.map { $0.hasPrefix("$/") ? scratch.path(String($0.dropFirst(2))) : $0 }
  }

  struct Named: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    /// `MODEL/LAYER@SET` in listing order.
    var tensors: [String]
    var testDescription: String { arguments.joined(separator: " ") }
  }

  static let namedCases: [Named] = [
    Named(arguments: ["$/dumps/{model}/{layer}.npy"], tensors: ["mA/L1@default", "mA/L2@default", "mB/L10@default"]),
    Named(
      arguments: ["$/dumps/*/{layer}.npy", "--model", "g"], tensors: ["g/L1@default", "g/L2@default", "g/L10@default"]),
    Named(arguments: ["$/dumps/mA/L?.npy", "--model", "q"], tensors: ["q/L1@default", "q/L2@default"]),
    Named(arguments: ["$/dumps/{model}/L1*.npy"], tensors: ["mA/L1@default", "mB/L10@default"]),
    Named(arguments: ["$/dumps/m[AB]/L1.npy", "--model", "c"], tensors: ["c/L1@default"]),
    Named(arguments: ["$/runs/{examples}/{model}/{layer}.npy"], tensors: ["m1/h@test", "m1/h@val"]),
    Named(arguments: ["$/a.npy", "--model", "m"], tensors: ["m/a@default"]),
    Named(
      arguments: ["$/a.npy", "--model", "résnet 50", "--layer", "block 3.out"],
      tensors: ["résnet 50/block 3.out@default"]),
    Named(arguments: ["$/a.npy", "--model", "m", "--examples", "wiki-5k"], tensors: ["m/a@wiki-5k"]),
    Named(arguments: ["$/stack.npy", "--model", "m"], tensors: ["m/L0@default", "m/L1@default", "m/L2@default"]),
    Named(
      arguments: ["$/stack.npy", "--model", "m", "--layers", "emb, h1 ,out"],
      tensors: ["m/emb@default", "m/h1@default", "m/out@default"]),
    Named(arguments: ["$/acts.npz", "--model", "m"], tensors: ["m/L1@default", "m/L2@default"]),
    Named(
      arguments: ["$/a.npy", "$/acts.npz", "--model", "m"], tensors: ["m/L1@default", "m/L2@default", "m/a@default"]),
  ]

  @Test("names come from placeholders, globs, stems, keys and options", arguments: namedCases)
  func names(_ c: Named) throws {
    try withScratch { scratch in
      try Self.writeInputs(scratch)
      let result = try scratch.run(["import"] + Self.expand(c.arguments, in: scratch) + ["--store", scratch.store])
      try #require(result.succeeded, "\(result)")
      #expect(try scratch.tensorNames() == c.tensors)
    }
  }

  struct Refused: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    /// 1 for bad input, 64 for a usage error.
    var status: Int32
    /// Text the one error line must contain.
    var fragments: [String]
    var testDescription: String { arguments.joined(separator: " ") }
  }

  static let refusedCases: [Refused] = [
    Refused(
      arguments: ["$/stack.npy", "--model", "m", "--layers", "a,b"], status: 1,
      fragments: ["stack.npy", "2 layer names", "expected 3 names"]),
    Refused(
      arguments: ["$/stack.npy", "--model", "m", "--layers", "a,b,c,d"], status: 1,
      fragments: ["stack.npy", "4 layer names"]),
    Refused(
      arguments: ["$/acts.npz", "--model", "m", "--layer", "x"], status: 1,
      fragments: ["acts.npz", "a layer name was given", "2 layer(s)"]),
    Refused(
      arguments: ["$/acts.npz", "--model", "m", "--layers", "a,b"], status: 1,
      fragments: ["acts.npz", "layer names given, but the file holds no 3-D (L, n, d) array", "--layers"]),
    Refused(
      arguments: ["$/dumps/{model}/{layer}.npy", "--model", "x"], status: 64,
      fragments: ["--model", "{model}", "not both"]),
    Refused(
      arguments: ["$/dumps/mA/{layer}.npy", "--model", "m", "--layer", "x"], status: 64,
      fragments: ["--layer", "{layer}", "not both"]),
    Refused(
      arguments: ["$/runs/{examples}/m1/h.npy", "--model", "m", "--examples", "x"], status: 64,
      fragments: ["--examples", "{examples}"]),
    Refused(arguments: ["$/a.npy"], status: 64, fragments: ["a.npy", "no model name", "--model"]),
    Refused(arguments: ["$/dumps/mA/*.npy"], status: 64, fragments: ["L1.npy", "no model name"]),
    Refused(
      arguments: ["$/slash.npz", "--model", "m"], status: 1,
      fragments: ["slash.npz:a/b", "layer name 'a/b' contains '/'"]),
    Refused(
      arguments: ["$/at.npz", "--model", "m"], status: 1, fragments: ["at.npz:x@y", "layer name 'x@y' contains '@'"]),
    Refused(
      arguments: ["$/emptykey.npz", "--model", "m"], status: 1, fragments: ["emptykey.npz", "zip member '.npy'"]),
    Refused(arguments: ["$/a.npy", "--model", ""], status: 1, fragments: ["a.npy", "model name '' is empty"]),
    Refused(
      arguments: ["$/a.npy", "--model", "a@b"], status: 1, fragments: ["a.npy", "model name 'a@b' contains '@'"]),
    Refused(
      arguments: ["$/a.npy", "--model", "a/b"], status: 1, fragments: ["a.npy", "model name 'a/b' contains '/'"]),
    Refused(
      arguments: ["$/a.npy", "--model", " m"], status: 1, fragments: ["model name ' m' starts or ends with white space"]
    ),
    Refused(arguments: ["$/a.npy", "--model", "m*"], status: 1, fragments: ["model name 'm*' contains '*'"]),
    Refused(
      arguments: ["$/a.npy", "--model", "m", "--layer", ""], status: 1, fragments: ["a.npy", "layer name '' is empty"]),
    Refused(
      arguments: ["$/a.npy", "--model", "m", "--layer", "x@y"], status: 1, fragments: ["layer name 'x@y' contains '@'"]),
    Refused(
      arguments: ["$/a.npy", "--model", "m", "--examples", "s/t"], status: 1,
      fragments: ["example set name 's/t' contains '/'"]),
    Refused(
      arguments: ["$/a.npy", "--model", "m", "--examples", ""], status: 1, fragments: ["example set name '' is empty"]),
    Refused(
      arguments: ["$/stack.npy", "--model", "m", "--layers", "a,,b"], status: 1,
      fragments: ["stack.npy[1]", "layer name '' is empty"]),
    Refused(
      arguments: ["$/a.npy", "$/a.npy", "--model", "m"], status: 1, fragments: ["tensor m/a@default also comes from"]),
    Refused(arguments: ["$/dumps/{model}/none*.npy"], status: 1, fragments: ["none*.npy", "no file matches"]),
    Refused(arguments: ["$/dumps/{mdl}/*.npy"], status: 1, fragments: ["unknown placeholder {mdl}"]),
  ]

  /// Every refusal is one `repstore: ` line naming the problem, the right status, and no store left behind.
  @Test("bad names and option combinations are refused", arguments: refusedCases)
  func refused(_ c: Refused) throws {
    try withScratch { scratch in
      try Self.writeInputs(scratch)
      let result = try scratch.run(["import"] + Self.expand(c.arguments, in: scratch) + ["--store", scratch.store])
      #expect(result.status == c.status && !result.wasSignaled, "\(result)")
      #expect(result.stderrLines.count == 1, "\(result)")
      let line = result.stderrLines.first ?? ""
      #expect(line.hasPrefix("repstore: "), "\(line)")
      for fragment in c.fragments {
        #expect(line.contains(fragment), "\(fragment) not in: \(line)")
      }
      #expect(!scratch.exists(scratch.store), "a failed first import left \(scratch.store)")
    }
  }

  @Test(
    "a file with no layers is refused")
  func fileWithoutLayers() throws {
    try withScratch { scratch in
      try Self.writeInputs(scratch)
      let result = try scratch.repstore("import", scratch.path("nothing.npz"), "--model", "m")
      #expect(result.status == 1, "\(result)")
      #expect(result.stderr.hasPrefix("repstore: \(scratch.path("nothing.npz")): "), "\(result)")
      #expect(!scratch.exists(scratch.store))
    }
  }
}
