import CustomerLedger
import Foundation
import Testing

// Several processes writing one ledger at once: LMDB serializes their write transactions, and
// the ledger's business rules run inside each transaction, so every process completes and no
// event is lost or stored twice.

/// Returns a CSV file of `rows` purchases by customers 1 to `customers`, with order ids `PREFIX-N`.
private func purchaseFile(prefix: String, rows: Int, customers: Int) -> String {
    var csv = "customer,order,amount,occurred_at\n"
    for index in 1...rows {
        let customer = (index * 7) % customers + 1
        let cents = (index * 379) % 50_000
        csv += "\(customer),\(prefix)-\(index),\(cents / 100).\(String(format: "%02d", cents % 100)),2024-03-\(String(format: "%02d", index % 28 + 1))\n"
    }
    return csv
}

/// Starts `executable arguments` with `environment` added, writing its output to files in `folder`.
private func start(
    _ executable: URL, _ arguments: [String], environment: [String: String], folder: String, name: String
) throws -> (process: Process, output: String) {
    let output = folder + "/\(name).out"
    FileManager.default.createFile(atPath: output, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardError = process.standardOutput
    try process.run()
    return (process, output)
}

private func waitForExit(_ process: Process, seconds: Double = 120) async throws -> Int32 {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning {
        guard Date() < deadline else {
            process.terminate()
            throw LedgerProcessError(description: "process \(process.processIdentifier) ran longer than \(seconds) s")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    return process.terminationStatus
}

@Suite("concurrent writer processes")
struct ConcurrencyCommandTests {
    @Test func twoImportsCompleteTogether() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shared.db"
            let mapping = "customer=customer,order=order,amount=amount,occurred_at=occurred_at"
            // The ledger exists before the two imports race, created by one row of customer 1000.
            let seed = folder + "/seed.csv"
            FileManager.default.createFile(atPath: seed, contents: Data("customer,order,amount,occurred_at\n1000,SEED-1,1.00,2024-01-01\n".utf8))
            let seeded = try await LedgerProcess.run(["import", "csv", seed, "--map", mapping], database: database)
            try #require(seeded.status == 0, "\(seeded)")

            // Both files buy from customers 1 to 300, so both processes try to register them.
            let files = ["A", "B"].map { prefix in
                let path = folder + "/\(prefix).csv"
                FileManager.default.createFile(atPath: path, contents: Data(purchaseFile(prefix: prefix, rows: 3_000, customers: 300).utf8))
                return path
            }
            let ledger = try LedgerProcess.locateExecutable()
            let environment = ["LEDGER_KEY_FILE": try TestKey.file()]
            let runs = try files.enumerated().map { index, file in
                try start(
                    ledger, ["import", "csv", file, "--db", database, "--map", mapping, "--commit-every", "100"],
                    environment: environment, folder: folder, name: "import-\(index)")
            }
            var statuses: [Int32] = []
            for run in runs { statuses.append(try await waitForExit(run.process)) }
            let outputs = try runs.map { try String(contentsOfFile: $0.output, encoding: .utf8) }

            #expect(statuses == [0, 0], "\(outputs)")
            let statistics = try await LedgerProcess.run(["stats", "--json"], database: database)
            let counts = try jsonObject(statistics)["events_by_type"] as? [String: Int]
            #expect(counts?["CustomerRegistered"] == 301, "\(statistics)")
            #expect(counts?["PurchaseRecorded"] == 6_001, "\(statistics)")
            let verified = try await LedgerProcess.run(["verify"], database: database)
            #expect(verified.status == 0, "\(verified)")

            // Each file again appends nothing: every row is present exactly once.
            for file in files {
                let again = try await LedgerProcess.run(["import", "csv", file, "--map", mapping], database: database)
                #expect(again.status == 0, "\(again)")
                #expect(again.standardOutput.contains(": 0 events appended (0 new customers), 3,000 already present"), "\(again)")
            }
        }
    }

    @Test func expectedVersionsGiveOneConflict() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shared.db"
            let csv = folder + "/seed.csv"
            FileManager.default.createFile(atPath: csv, contents: Data(purchaseFile(prefix: "S", rows: 10, customers: 2).utf8))
            let seeded = try await LedgerProcess.run(
                ["import", "csv", csv, "--map", "customer=customer,order=order,amount=amount,occurred_at=occurred_at"],
                database: database)
            try #require(seeded.status == 0, "\(seeded)")
            let before = try jsonObject(try await LedgerProcess.run(["customer", "1", "--json"], database: database))
            let version = try #require(before["version"] as? Int)

            let appender = try LedgerProcess.locateExecutable(named: "ledger-test-appender")
            let startFile = folder + "/start"
            let runs = try (0..<2).map { index in
                try start(
                    appender, [database, try TestKey.file(), "1", "CONFLICT-\(index)", startFile],
                    environment: [:], folder: folder, name: "appender-\(index)")
            }
            // Both processes read the version before either appends.
            let deadline = Date().addingTimeInterval(60)
            while try runs.contains(where: { !(try String(contentsOfFile: $0.output, encoding: .utf8)).contains("read version") }) {
                #expect(Date() < deadline, "the appenders did not read the version in time")
                if Date() >= deadline { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            FileManager.default.createFile(atPath: startFile, contents: nil)
            var statuses: [Int32] = []
            for run in runs { statuses.append(try await waitForExit(run.process)) }
            let outputs = try runs.map { try String(contentsOfFile: $0.output, encoding: .utf8) }

            #expect(statuses.sorted() == [0, 75], "\(outputs)")
            for output in outputs { #expect(output.contains("read version \(version)\n"), "\(output)") }
            let conflict = try #require(outputs.first { $0.contains("conflict:") })
            #expect(conflict.contains("expected version \(version)"), "\(conflict)")
            let after = try jsonObject(try await LedgerProcess.run(["customer", "1", "--json"], database: database))
            #expect(after["version"] as? Int == version + 1)
            let verified = try await LedgerProcess.run(["verify"], database: database)
            #expect(verified.status == 0, "\(verified)")
        }
    }
}
