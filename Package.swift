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
        .target(
            name: "CustomerLedger",
            dependencies: ["CLMDB"]
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
            dependencies: ["CustomerLedger"]
        ),
        .testTarget(
            name: "LedgerCLITests",
            dependencies: ["LedgerCommandLine", "ledger"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
