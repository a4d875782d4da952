// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CustomerLedger",
    products: [
        .library(name: "CustomerLedger", targets: ["CustomerLedger"]),
        .executable(name: "ledger", targets: ["ledger"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "CustomerLedger",
            dependencies: ["CLMDB", "CSodium"]
        ),
        .target(
            name: "LedgerCommandLine",
            dependencies: ["CustomerLedger"],
            resources: [.copy("Resources/cdnow")]
        ),
        .executableTarget(
            name: "ledger",
            dependencies: ["LedgerCommandLine"]
        ),
        .executableTarget(
            name: "ledger-bench",
            dependencies: ["CustomerLedger"],
            path: "Benchmarks/LedgerBenchmark"
        ),
        .testTarget(
            name: "CustomerLedgerTests",
            dependencies: ["CustomerLedger", "CLMDB", "CSodium"],
            resources: [.copy("Fixtures")]
        ),
        // A second writer process for the concurrency tests, built only for them.
        .executableTarget(
            name: "ledger-test-appender",
            dependencies: ["CustomerLedger"],
            path: "Tests/LedgerTestAppender"
        ),
        .testTarget(
            name: "LedgerCLITests",
            dependencies: ["LedgerCommandLine", "ledger", "ledger-test-appender", "CLMDB"],
            // Read through their source path, like the bundled CDNOW file.
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
