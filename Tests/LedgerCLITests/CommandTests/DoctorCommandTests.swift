import CustomerLedger
import Foundation
import Testing

// A reader process killed inside its read transaction leaves a slot in LMDB's reader table.
// The slot stays only while another process keeps the ledger open, because the first process
// to open a ledger resets the table (`mdb_env_setup_locks` in LMDB 0.9). So this test keeps the
// ledger open through the library, and replays through it, because a command would clear the
// slot when it opens the ledger.

@Suite("doctor and stale readers")
struct DoctorCommandTests {
    @Test func staleReaderIsReportedAndCleared() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/cdnow.db"
            let imported = try await LedgerProcess.run(["import", "cdnow", LedgerProcess.bundledCDNOWPath], database: database)
            try #require(imported.status == 0, "\(imported)")
            let holder = try openHolder(database)

            // The export writes into a pipe that no process reads, so it blocks inside its first read
            // transaction once the pipe is full.
            let output = Pipe()
            let export = Process()
            export.executableURL = try LedgerProcess.locateExecutable()
            export.arguments = ["export", "--db", database]
            var environment = ProcessInfo.processInfo.environment
            environment["LEDGER_KEY_FILE"] = try TestKey.file()
            export.environment = environment
            export.standardOutput = output
            export.standardError = FileHandle.nullDevice
            try export.run()
            let exportID = export.processIdentifier
            let slotTransaction = try await waitForReader(exportID, in: holder)
            kill(exportID, SIGKILL)
            while export.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            withExtendedLifetime(output) {}

            let found = try await LedgerProcess.run(["doctor", "--json"], database: database)
            try #require(found.status == 0, "\(found)")
            let report = try jsonObject(found)
            let readers = try #require(report["readers"] as? [[String: Any]], "\(found)")
            #expect(readers.count == 1, "\(found)")
            #expect(readers.first?["pid"] as? Int == Int(exportID), "\(found)")
            #expect(readers.first?["stale"] as? Bool == true, "\(found)")
            #expect(readers.first?["txn_id"] as? Int == Int(slotTransaction), "\(found)")
            #expect(report["stale_readers"] as? Int == 1, "\(found)")
            #expect(report["cleared_stale_readers"] is NSNull, "\(found)")

            // doctor only reads, so it runs for every role and without the master key.
            let text = try await LedgerProcess.run(
                ["doctor", "--role", "analyst"], database: database, environment: ["LEDGER_KEY_FILE": ""])
            #expect(text.status == 0, "\(text)")
            #expect(text.standardOutput.contains("gone (stale slot)"), "\(text)")
            #expect(text.standardOutput.contains("readers           1 (1 stale)"), "\(text)")

            // A writer is not blocked by the stale slot, but cannot reuse the pages freed after
            // the slot's snapshot, so each replay grows the file.
            let pinned = try replayThreeTimes(holder)
            #expect(pinned.staleSlotsAfter == 1)
            #expect(pinned.lastPageAfter > pinned.lastPageBefore, "\(pinned)")

            let clearing = try await LedgerProcess.run(["doctor", "--clear-stale-readers"], database: database)
            #expect(clearing.status == 0, "\(clearing)")
            #expect(clearing.standardOutput.contains("gone (stale slot)"), "\(clearing)")
            #expect(clearing.outputLines.last == "cleared 1 stale reader slot", "\(clearing)")

            let after = try jsonObject(try await LedgerProcess.run(["doctor", "--json"], database: database))
            #expect((after["readers"] as? [Any])?.isEmpty == true, "\(after)")
            #expect(after["stale_readers"] as? Int == 0, "\(after)")

            let freed = try replayThreeTimes(holder)
            #expect(freed.staleSlotsAfter == 0)
            #expect(freed.lastPageAfter - freed.lastPageBefore < pinned.lastPageAfter - pinned.lastPageBefore,
                    "with the stale slot: \(pinned); after clearing: \(freed)")
            print("doctor growth with a stale reader: \(pinned); after clearing: \(freed)")

            let assign = try await LedgerProcess.run(
                ["tier", "assign", "1", "VIP", "--reason", "after clearing stale readers"], database: database)
            #expect(assign.status == 0, "\(assign)")
            withExtendedLifetime(holder) {}
        }
    }
}

/// File figures before and after three replays.
private struct ReplayGrowth: CustomStringConvertible {
    var lastPageBefore: Int
    var lastPageAfter: Int
    var fileBytesBefore: Int64
    var fileBytesAfter: Int64
    var staleSlotsAfter: Int

    var description: String {
        "last page \(lastPageBefore) → \(lastPageAfter), data file \(fileBytesBefore) → \(fileBytesAfter) bytes"
    }
}

/// Opens the ledger in this process, so that its reader table outlives the killed reader.
private func openHolder(_ database: String) throws -> Ledger {
    try Ledger(path: database, options: .init(masterKey: TestKey.key))
}

/// Waits until the process `processID` has a reader slot with an open transaction and returns
/// that transaction's id.
private func waitForReader(_ processID: Int32, in ledger: Ledger) async throws -> UInt64 {
    for _ in 0..<500 {
        if let transaction = try readerTransaction(processID, in: ledger) { return transaction }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw LedgerProcessError(description: "process \(processID) opened no read transaction within 10 s")
}

private func readerTransaction(_ processID: Int32, in ledger: Ledger) throws -> UInt64? {
    try ledger.diagnostics().readers.first { $0.processID == processID }?.transactionID
}

/// Appends one event and replays the log three times, and returns the growth of the file.
private func replayThreeTimes(_ ledger: Ledger) throws -> ReplayGrowth {
    let before = try ledger.diagnostics()
    try ledger.append(
        NewEvent(
            customerID: CustomerID(1)!, occurredAt: Timestamp(parsing: "1998-07-01")!,
            payload: .pointsAdjusted(PointsAdjusted(points: 1, reason: "written beside a stale reader"))))
    for _ in 0..<3 { try ledger.replay() }
    let after = try ledger.diagnostics()
    return ReplayGrowth(
        lastPageBefore: before.lastPageNumber, lastPageAfter: after.lastPageNumber,
        fileBytesBefore: before.dataFileSizeBytes, fileBytesAfter: after.dataFileSizeBytes,
        staleSlotsAfter: after.staleReaders.count)
}
