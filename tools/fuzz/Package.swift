// swift-tools-version: 6.0
// libFuzzer targets for repstore's input surfaces, kept out of the main package so its build and tests are unchanged.
// Built with libFuzzer and AddressSanitizer by `make fuzz-build` (README.md says why the flags are what they are):
//   swift build --package-path tools/fuzz -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
import PackageDescription

let package = Package(
  name: "repstore-fuzz",
  dependencies: [.package(name: "repstore", path: "../..")],
  targets: [
    // memfd_create, which Swift's Glibc module does not export.
    .target(name: "CMemoryFile"),
    // Feeds bytes to Dump.open through an in-memory file and reads every row, as import does.
    .target(
      name: "DumpHarness",
      dependencies: ["CMemoryFile", .product(name: "RepFormats", package: "repstore")]),
    // One executable per surface; libFuzzer supplies main, so each is built as a library (-parse-as-library).
    .executableTarget(name: "fuzz-npy", dependencies: ["DumpHarness"], swiftSettings: libFuzzerEntry),
    .executableTarget(name: "fuzz-npz", dependencies: ["DumpHarness"], swiftSettings: libFuzzerEntry),
    .executableTarget(name: "fuzz-safetensors", dependencies: ["DumpHarness"], swiftSettings: libFuzzerEntry),
    .executableTarget(
      name: "fuzz-query",
      dependencies: [
        .product(name: "RepQuery", package: "repstore"), .product(name: "RepStore", package: "repstore"),
      ],
      swiftSettings: libFuzzerEntry),
  ]
)

var libFuzzerEntry: [SwiftSetting] { [.unsafeFlags(["-parse-as-library"])] }
