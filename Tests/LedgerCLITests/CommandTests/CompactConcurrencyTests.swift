import CustomerLedger
import Foundation
import Testing

// Compaction replaces the ledger's files. A write that another process starts meanwhile must
// either fail or land in the compacted ledger: an acknowledged event is never lost.

@Suite("compact while another process writes")
struct CompactConcurrencyTests {
    @Test func writeDuringCompactionIsKeptOrRejected() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/cdnow.db"
            let imported = try await LedgerProcess.run(["import", "cdnow", LedgerProcess.bundledCDNOWPath], database: database)
            try #require(imported.status == 0, "\(imported)")

            // Compacting the 93,229 CDNOW events takes seconds, so the write starts while it copies.
            let compaction = Process()
            compaction.executableURL = try LedgerProcess.locateExecutable()
            compaction.arguments = ["compact", "--db", database]
            var environment = ProcessInfo.processInfo.environment
            environment["LEDGER_KEY_FILE"] = try TestKey.file()
            compaction.environment = environment
            compaction.standardOutput = FileHandle.nullDevice
            compaction.standardError = FileHandle.nullDevice
            try compaction.run()
            try await Task.sleep(for: .milliseconds(300))

            let write = try await LedgerProcess.run(
                ["tier", "assign", "1", "VIP", "--reason", "written during compaction"], database: database)
            while compaction.isRunning { try await Task.sleep(for: .milliseconds(20)) }

            #expect([0, 75].contains(compaction.terminationStatus), "compact exited with \(compaction.terminationStatus)")
            let history = try await LedgerProcess.run(["history", "1", "--json"], database: database)
            let stored = history.standardOutput.contains("written during compaction")
            if write.status == 0 {
                #expect(stored, "the acknowledged write is missing: \(write)")
            } else {
                #expect(!stored, "a rejected write was stored: \(write)")
            }
            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")
        }
    }
}

@Suite("compact removes leftovers of interrupted runs")
struct CompactLeftoverTests {
    @Test func leftoverFolderIsRemovedAndNamed() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shop.db"
            try makeLedgerWithOneCustomer(at: database)
            let leftover = database + ".compacting-0badcafe"
            try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: false)

            let text = try await LedgerProcess.run(["compact"], database: database)
            #expect(text.status == 0, "\(text)")
            let removedLine = text.outputLines.first { $0.hasPrefix("removed ") }
            #expect(removedLine?.hasSuffix(" " + leftover) == true, "\(text)")
            #expect(!FileManager.default.fileExists(atPath: leftover))

            try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: false)
            let json = try await LedgerProcess.run(["compact", "--json"], database: database)
            #expect(try jsonObject(json)["removed_leftovers"] as? [String] == [leftover], "\(json)")
        }
    }
}

/// Creates an encrypted ledger with one registered customer, through the library.
private func makeLedgerWithOneCustomer(at path: String) throws {
    let ledger = try Ledger(path: path, options: .init(masterKey: TestKey.key))
    try ledger.append(
        NewEvent(
            customerID: CustomerID(1)!, occurredAt: Timestamp(parsing: "2024-01-01")!,
            payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "赵六")))))
}
