import Foundation
import Testing
import RepFormats

/// Truncated and randomly mutated dumps never crash a reader: each either opens and delivers every row or throws a
/// `FormatError` with a one-line message naming the file. (Typed throws guarantee nothing else can be thrown.)
@Suite("Robustness")
struct RobustnessTests {
  struct Base: Sendable, CustomTestStringConvertible {
    var fixture: String
    var options: DumpOptions = DumpOptions()
    var testDescription: String { fixture }
  }

  static let bases: [Base] = [
    Base(fixture: "npy/v1_le_f4_C_2d.npy"),
    Base(fixture: "npy/v3_be_f2_F_3d.npy"),
    Base(fixture: "npy/bf16_void2.npy", options: DumpOptions(assumeVoid2As: .bfloat16)),
    Base(fixture: "npz/stored.npz"),
    Base(fixture: "npz/deflated.npz"),
    Base(fixture: "npz/zip64_stored.npz"),
    Base(fixture: "npz/streamed.npz"),
    Base(fixture: "safetensors/mixed.safetensors"),
  ]

  /// Opens and fully reads `path`; returns whether it succeeded. Fails the test on a malformed message.
  static func attempt(_ path: String, options: DumpOptions, label: @autoclosure () -> String) -> Bool {
    do {
      let dump = try Dump.open(path: path, options: options)
      for index in dump.layers.indices {
        let layer = dump.layers[index]
        let bits = try readAllBits(dump, layer: index, blockRows: 3)
        #expect(bits.count == layer.rowCount * layer.columnCount, "\(label())")
      }
      return true
    } catch let error as FormatError {
      let message = error.description
      #expect(message.hasPrefix(path + ": ") && !message.contains("\n") && message.contains(", expected "),
              "\(label()): \(message)")
      return false
    } catch {
      Issue.record("\(label()): threw \(error), not a FormatError")
      return false
    }
  }

  @Test("every truncation throws", arguments: bases)
  func truncations(_ base: Base) {
    let bytes = Manifest.bytes(base.fixture)
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    #expect(Self.attempt(directory.write(bytes, to: "whole"), options: base.options, label: "whole file"))
    for length in 0..<bytes.count {
      let path = directory.write(Array(bytes.prefix(length)), to: "cut")
      let succeeded = Self.attempt(path, options: base.options, label: "\(base.fixture) cut to \(length) bytes")
      #expect(!succeeded, "\(base.fixture) cut to \(length) bytes opened")
    }
  }

  @Test("random byte mutations never crash", arguments: bases)
  func mutations(_ base: Base) {
    let bytes = Manifest.bytes(base.fixture)
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    var generator = SplitMix64(seed: 0x5EED_0000 ^ UInt64(bytes.count))
    for trial in 0..<400 {
      var mutated = bytes
      let flips = Int.random(in: 1...4, using: &generator)
      var described: [String] = []
      for _ in 0..<flips {
        let position: Int
        // Half the mutations aim at the first 160 bytes, where the headers are.
        if Bool.random(using: &generator) {
          position = Int.random(in: 0..<min(160, mutated.count), using: &generator)
        } else {
          position = Int.random(in: 0..<mutated.count, using: &generator)
        }
        let value: UInt8 =
          switch Int.random(in: 0..<4, using: &generator) {
          case 0: 0xFF
          case 1: 0x00
          case 2: mutated[position] ^ (1 << UInt8.random(in: 0..<8, using: &generator))
          default: UInt8.random(in: 0...255, using: &generator)
          }
        described.append("\(position)=\(value)")
        mutated[position] = value
      }
      let path = directory.write(mutated, to: "mutant")
      _ = Self.attempt(path, options: base.options, label: "\(base.fixture) trial \(trial) [\(described.joined(separator: ","))]")
    }
  }

  @Test("random garbage never crashes")
  func garbage() {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    var generator = SplitMix64(seed: 42)
    let prefixes: [[UInt8]] = [[0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0], [0x50, 0x4B, 3, 4], [0x50, 0x4B, 5, 6],
                               [16, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "{")], []]
    for trial in 0..<300 {
      let prefix = prefixes[trial % prefixes.count]
      let tail = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let path = directory.write(prefix + tail, to: "garbage")
      _ = Self.attempt(path, options: DumpOptions(), label: "garbage trial \(trial)")
    }
  }
}
