import CLMDB
import Foundation
import Testing

@testable import CustomerLedger

// Storage diagnostics on real LMDB: page counts that add up to the file, the free list after a
// replay, and the reader table with a transaction open on another thread.

@Suite("storage diagnostics")
struct DiagnosticsTests {
    /// Appends 2,000 customers with one purchase each, in batches of 500.
    private func fill(_ ledger: Ledger) throws {
        for batch in 0..<4 {
            var events: [NewEvent] = []
            for offset in 1...500 {
                let number = UInt64(batch * 500 + offset)
                events.append(registration(customer: number, at: time("2024-01-01")))
                events.append(purchase(customer: number, order: "O-\(number)", amount: cny("120.00"), at: time("2024-02-01")))
            }
            try ledger.append(events)
        }
    }

    @Test func figuresMatchLMDB() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/shop.ledger")
        try fill(ledger)
        let report = try ledger.diagnostics()

        #expect(report.lmdbVersion == String(cString: mdb_version(nil, nil, nil)))
        #expect(report.lmdbVersion.hasPrefix("LMDB 0.9."))
        #expect(report.mapSizeBytes == 64 << 20)
        #expect(report.pageSize == Int(ledger.environment.stat.ms_psize))
        #expect(report.pageSize >= 4096)
        #expect(report.maxReaders == 256)
        #expect(report.lastTransactionID > 0)

        let names = report.databases.map(\.name)
        #expect(names == names.sorted())
        for name in ["events", "event-ids", "meta", "customers.0", "customers.1", "hashes", "data-keys"] {
            #expect(names.contains(name), "table \(name) missing from \(names)")
        }
        let events = try #require(report.databases.first { $0.name == "events" })
        #expect(events.entries == 4_000)
        #expect(events.leafPages > 0)
        #expect(events.depth >= 2)
        #expect(report.mainDatabase.entries == report.databases.count)

        // Every page is a meta page, a B-tree page or a free page.
        #expect(report.pagesInUse + report.freePages == report.lastPageNumber + 1)
        #expect(report.dataFileSizeBytes >= Int64(report.lastPageNumber + 1) * Int64(report.pageSize))
        #expect(report.reusableFreePages <= report.freePages)
    }

    @Test func replayLeavesFreePages() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/shop.ledger")
        try fill(ledger)
        let before = try ledger.diagnostics()

        try ledger.replay()
        let after = try ledger.diagnostics()

        // Replay builds the projections in the spare table and empties the old one, whose pages
        // go to the free list.
        let projections = try #require(before.databases.first { $0.name == "customers.0" })
        #expect(projections.pages > 10)
        #expect(after.freePages > before.freePages)
        #expect(after.freePages >= projections.pages - 10, "free \(after.freePages), old projections \(projections.pages)")
        #expect(after.pagesInUse + after.freePages == after.lastPageNumber + 1)
        #expect(after.lastTransactionID > before.lastTransactionID)
        #expect(after.readers.isEmpty, "\(after.readers)")
    }

    @Test func readerOnOtherThreadIsListed() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/shop.ledger")
        try fill(ledger)
        let lastTransaction = try ledger.diagnostics().lastTransactionID

        let started = DispatchSemaphore(value: 0)
        let finish = DispatchSemaphore(value: 0)
        let reader = Thread {
            try? ledger.environment.read { _ in
                started.signal()
                finish.wait()
            }
        }
        reader.start()
        started.wait()
        let report: StorageDiagnostics
        let cleared: Int
        do {
            defer { finish.signal() }
            report = try ledger.diagnostics()
            cleared = try ledger.clearStaleReaders()
        }

        #expect(report.readers.count == 1, "\(report.readers)")
        let slot = try #require(report.readers.first)
        #expect(slot.processID == getpid())
        #expect(slot.transactionID == lastTransaction)
        #expect(!slot.isStale)
        #expect(report.staleReaders.isEmpty)
        #expect(cleared == 0)
        // The reader's snapshot is the last transaction, so pages freed by it are not reusable.
        #expect(report.reusableFreePages <= report.freePages)
    }

    @Test func readerListLinesParse() throws {
        #expect(Environment.parseReaderLine("    pid     thread     txnid\n") == nil)
        #expect(Environment.parseReaderLine("(no active readers)\n") == nil)

        let own = try #require(Environment.parseReaderLine("\(String(getpid()).leftPadded(10)) 7f00aa001b40 42\n"))
        #expect(own == ReaderSlot(processID: getpid(), threadID: 0x7f00_aa00_1b40, transactionID: 42, isStale: false))

        let idle = try #require(Environment.parseReaderLine("\(String(getpid()).leftPadded(10)) 7f00aa001b40 -\n"))
        #expect(idle.transactionID == nil)

        // Process ids stay below pid_max, so no process has that id.
        let pidMax = try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)
        let unused = try #require(Int32(pidMax.trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadSlot = try #require(Environment.parseReaderLine("\(unused) 1f 7\n"))
        #expect(deadSlot.isStale)
        #expect(deadSlot.transactionID == 7)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
