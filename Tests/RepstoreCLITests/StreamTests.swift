import Foundation
import RepFormats
import Testing

/// `-` is standard input for `import` and standard output for `export`, never a file or folder name: what a script or
/// the Python package pipes in lands as a file would, and what comes out is the file's bytes.
@Suite("Standard input and output")
struct StreamTests {
  @Test("a .npy piped to import - lands bit for bit; export -o - writes it back, byte for byte")
  func npyThroughPipes() throws {
    try withScratch { scratch in
      let matrix = Matrix.seeded(rows: 300, columns: 17, seed: 3)
      // Larger than a pipe's buffer, so the copy to the scratch file runs over many reads.
      let big = Matrix.seeded(rows: 5_000, columns: 64, seed: 4)
      let imported = try scratch.repstore(
        ["import", "-", "--model", "m", "--layer", "L3", "--examples", "s"], input: .pipe(matrix.npyBytes))
      #expect(imported.succeeded && imported.stderr.contains("imported 1 tensor"), "\(imported)")
      let second = try scratch.repstore(["import", "-", "--model", "m", "--layer", "big"], input: .pipe(big.npyBytes))
      #expect(second.succeeded, "\(second)")

      let exported = try scratch.repstore("export", "m/L3@s", "-o", "-")
      #expect(exported.succeeded, "\(exported)")
      #expect(Array(exported.stdoutData) == matrix.npyBytes)
      #expect(Array(try scratch.repstore("export", "m/big", "-o", "-", "-q").stdoutData) == big.npyBytes)
      // The test's stdout is a file: /dev/stdout is written through the descriptor, never replaced by a rename.
      #expect(Array(try scratch.repstore("export", "m/L3@s", "-o", "/dev/stdout", "-q").stdoutData) == matrix.npyBytes)
      #expect(!scratch.exists("-"))
      // Nothing is left beside the store: the copy of the pipe had no name.
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") } == [".runs"])
      #expect(try scratch.repstore("verify").status == 0)
    }
  }

  @Test("a redirected .npz with a 3-D stack imports as its layers, KEY.L0 ...; --layers names the only stack")
  func stackedNpzFromAFile() throws {
    try withScratch { scratch in
      let layers = (0..<3).map { Matrix.seeded(rows: 9, columns: 4, seed: 10 + UInt64($0)) }
      let stack = NpyHeader.float32(shape: [3, 9, 4]) + layers.flatMap(\.littleEndianBytes)
      let archive = try scratch.write(
        storedZip([
          (name: "hs.npy", data: stack),
          (name: "pooled.npy", data: Matrix.seeded(rows: 9, columns: 4, seed: 20).npyBytes),
        ]), to: "acts.npz")
      let imported = try scratch.repstore(["import", "-", "--model", "m"], input: .file(archive))
      #expect(imported.succeeded, "\(imported)")
      #expect(try scratch.tensorNames() == ["m/hs.L0@default", "m/hs.L1@default", "m/hs.L2@default", "m/pooled@default"])
      for (index, layer) in layers.enumerated() {
        let out = try scratch.repstore("export", "m/hs.L\(index)", "-o", "-", "-q")
        #expect(Array(out.stdoutData) == layer.npyBytes, "layer \(index)")
      }
      // --layers names the stack when it is the file's only 3-D array.
      let stackOnly = try scratch.write(storedZip([(name: "hs.npy", data: stack)]), to: "stack.npz")
      try scratch.succeed("import", stackOnly, "--model", "n", "--layers", "emb,h1,h2")
      #expect(try scratch.tensorNames().filter { $0.hasPrefix("n/") } == ["n/emb@default", "n/h1@default", "n/h2@default"])
      let twoStacks = try scratch.write(storedZip([(name: "a.npy", data: stack), (name: "b.npy", data: stack)]), to: "two.npz")
      let ambiguous = try scratch.repstore("import", twoStacks, "--model", "o", "--layers", "a,b,c")
      #expect(ambiguous.status == 1 && ambiguous.stderr.contains("exactly one 3-D array"), "\(ambiguous)")
    }
  }

  @Test("bad input on stdin is one line naming stdin, and no store is created")
  func badInputOnStandardInput() throws {
    try withScratch { scratch in
      let unnamed = try scratch.repstore(
        ["import", "-", "--model", "m"], input: .pipe(Matrix.seeded(rows: 3, columns: 2, seed: 1).npyBytes))
      #expect(unnamed.status == 1 && unnamed.stderrLines.count == 1, "\(unnamed)")
      #expect(unnamed.stderr.hasPrefix("repstore: stdin: ") && unnamed.stderr.contains("--layer NAME"), "\(unnamed)")
      let garbage = try scratch.repstore(["import", "-", "--model", "m", "--layer", "x"], input: .pipe(Array("hello\n".utf8)))
      #expect(garbage.status == 1 && garbage.stderr.hasPrefix("repstore: stdin: byte 0: unrecognized content"), "\(garbage)")
      let empty = try scratch.repstore(["import", "-", "--model", "m", "--layer", "x"], input: .pipe([]))
      #expect(empty.status == 1 && empty.stderr.contains("stdin") && empty.stderr.contains("empty"), "\(empty)")
      let twice = try scratch.repstore(["import", "-", "-", "--model", "m"], input: .pipe([]))
      #expect(twice.status == 64 && twice.stderr.contains("once"), "\(twice)")
      #expect(!scratch.exists("store.repstore"))
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") } == [".runs"])
    }
  }

  @Test("several tensors go to stdout as one .safetensors with --format; as .npy they are refused with the fix")
  func severalTensorsToStandardOutput() throws {
    try withScratch { scratch in
      let a = try scratch.writeNpy(Matrix.seeded(rows: 6, columns: 3, seed: 1), to: "a.npy")
      let b = try scratch.writeNpy(Matrix.seeded(rows: 6, columns: 5, seed: 2), to: "b.npy")
      try scratch.succeed("import", a, b, "--model", "m")
      let refused = try scratch.repstore("export", "m/*", "-o", "-")
      #expect(refused.status == 64 && refused.stdoutData.isEmpty, "\(refused)")
      #expect(refused.stderr.contains("selects 2 tensors") && refused.stderr.contains("--format safetensors"), "\(refused)")

      let streamed = try scratch.repstore("export", "m/*", "-o", "-", "--format", "safetensors", "-q")
      #expect(streamed.succeeded, "\(streamed)")
      let file = try scratch.write(Array(streamed.stdoutData), to: "out.safetensors")
      let read = try readLayers(file)
      #expect(read.map(\.name) == ["a", "b"])
      #expect(read[1].bits == Matrix.seeded(rows: 6, columns: 5, seed: 2).bits)

      // Keys to stdout beside a file; not both on stdout.
      let keys = try scratch.repstore("export", "m/a", "-o", "a-out.npy", "--keys-out", "-", "-q")
      #expect(keys.stdout == (0..<6).map(String.init).joined(separator: "\n") + "\n", "\(keys)")
      let both = try scratch.repstore("export", "m/a", "-o", "-", "--keys-out", "-")
      #expect(both.status == 64 && both.stdoutData.isEmpty, "\(both)")
      #expect(!scratch.exists("-"))
    }
  }
}
