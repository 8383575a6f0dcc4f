// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "repstore",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "repstore", targets: ["repstore"]),
    .library(name: "RepStore", targets: ["RepStore"]),
    .library(name: "RepFormats", targets: ["RepFormats"]),
    // For tools/fuzz, whose query target parses statements with RepQuery.
    .library(name: "RepQuery", targets: ["RepQuery"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // C libraries from Debian, one module map each (see Sources/C*/module.modulemap).
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
    .systemLibrary(name: "CMalloc"),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

    // CPU identification for the choice of OpenBLAS kernels.
    .target(name: "CKernelChoice"),

    // Shared by the store and the numeric modules, needing nothing: the worker pool, the top-k heap, edit distance.
    .target(name: "RepSupport"),
    .target(name: "RepFormats", dependencies: ["CZlib"]),
    .target(
      name: "RepStore",
      dependencies: ["RepFormats", "RepSupport", "CZstd", .product(name: "GRDB", package: "GRDB.swift")],
      resources: [.embedInCode("schema")]),
    .target(name: "RepMath", dependencies: ["RepSupport", "COpenBLAS", "CKernelChoice"]),
    .target(name: "RepMeasures", dependencies: ["RepMath", "RepSupport"]),
    .target(name: "RepLearning", dependencies: ["RepMath", "RepSupport", "CMalloc"]),
    .target(
      name: "RepQuery",
      dependencies: ["RepStore", "RepFormats", "RepMeasures", "RepMath", "RepLearning", "RepSupport"]),
    .executableTarget(
      name: "repstore",
      dependencies: [
        "RepStore", "RepFormats", "RepQuery", "RepMeasures", "RepLearning", "RepMath",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(name: "RepSupportTests", dependencies: ["RepSupport"]),
    .testTarget(name: "RepFormatsTests", dependencies: ["RepFormats"], resources: [.copy("Fixtures")]),
    // GRDB: the catalog tests damage a catalog's rows the way a disk or an editor would.
    .testTarget(
      name: "RepStoreTests", dependencies: ["RepStore", .product(name: "GRDB", package: "GRDB.swift")]),
    .testTarget(name: "RepMathTests", dependencies: ["RepMath"]),
    .testTarget(name: "RepMeasuresTests", dependencies: ["RepMeasures"], resources: [.copy("Fixtures")]),
    .testTarget(name: "RepQueryTests", dependencies: ["RepQuery"]),
    .testTarget(name: "RepLearningTests", dependencies: ["RepLearning"]),
    // The help fixtures are read from the source tree, as text to compare with.
    .testTarget(name: "RepstoreCLITests", dependencies: ["repstore", "RepFormats"], exclude: ["Fixtures/help"]),
  ]
)
