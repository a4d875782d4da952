import Foundation
import Testing

@testable import CustomerLedger

/// A closed ledger of 14 events: three customers with purchases, refunds, a redemption,
/// feedback and a profile update, and a program change at position 12.
private struct SampleLedger {
    let directory: TemporaryDirectory
    /// The event id at each position.
    let ids: [UInt64: UUID]
    /// The index, 0 or 1, of the live projection tables.
    let activeSet: UInt8

    var path: String { directory.path + "/db" }

    init() throws {
        directory = try TemporaryDirectory()
        let batches = [
            [
                registration(customer: 1, at: time("2024-01-01"), name: "张伟"),
                registration(customer: 2, at: time("2024-01-02"), name: "Li Na"),
                purchase(customer: 1, order: "A-1", amount: cny("128.50"), at: time("2024-01-05")),
                purchase(customer: 2, order: "B-1", amount: cny("60.00"), at: time("2024-01-06")),
                registration(customer: 3, at: time("2024-01-07"), name: "王芳"),
            ],
            [
                purchase(customer: 1, order: "A-2", amount: cny("300.00"), at: time("2024-02-01")),
                refund(customer: 1, order: "A-1", amount: cny("28.50"), at: time("2024-02-02")),
                feedback(customer: 2, rating: 4, at: time("2024-02-03")),
                redemption(customer: 1, points: 100, at: time("2024-02-04")),
                purchase(customer: 3, order: "C-1", amount: cny("99.99"), at: time("2024-02-05")),
                profileUpdate(customer: 3, changes: ProfileChanges(email: "wf@example.com"), at: time("2024-02-06")),
            ],
        ]
        let ledger = try openLedger(at: directory.path + "/db")
        for batch in batches { try ledger.append(batch) }
        let programOutcome = try ledger.setProgram(LoyaltyProgram(currency: .cny, pointsPerUnit: 2), effectiveFrom: time("2024-06-01"))
        #expect(programOutcome.position == 12)
        try ledger.append([
            purchase(customer: 2, order: "B-2", amount: cny("80.00"), at: time("2024-07-01")),
            refund(customer: 2, order: "B-2", amount: cny("10.00"), at: time("2024-07-02")),
        ])
        #expect(try ledger.lastPosition() == 14)
        ids = try Dictionary(uniqueKeysWithValues: ledger.events(from: 1, limit: 14).map { ($0.position, $0.id) })
        activeSet = try activeProjectionSet(ledger)
    }

    /// Changes the closed ledger's files through raw LMDB in one write transaction.
    func tamper(_ body: (RawTransaction) throws -> Void) throws {
        try withRawLMDB(path, body)
    }

    func verify() throws -> VerificationReport {
        try openLedger(at: path, readOnly: true).verify()
    }
}

private let chainKinds: Set<VerificationFinding.Kind> = [.recordChanged, .hashChanged, .chainBroken, .headMismatch]

@Suite struct VerifyTests {
    @Test func cleanLedgerVerifies() throws {
        let sample = try SampleLedger()
        let ledger = try openLedger(at: sample.path)
        var progress: [(UInt64, UInt64)] = []

        let report = try ledger.verify { checked, total in progress.append((checked, total)) }

        #expect(report.findings == [])
        #expect(report.isVerified)
        #expect(report.eventsChecked == 14)
        #expect(report.head == (try ledger.head()))
        #expect(report.recomputedHash == report.head.hash)
        #expect(report.projectionsCompared)
        #expect(progress.last?.0 == 14)
        #expect(progress.last?.1 == 14)

        // A replay swaps in the other table set, which must compare equal too.
        try ledger.replay()
        #expect(try activeProjectionSet(ledger) != sample.activeSet)
        #expect(try ledger.verify().findings == [])
    }

    @Test func emptyLedgerVerifies() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")

        let report = try ledger.verify()

        #expect(report.findings == [])
        #expect(report.eventsChecked == 0)
        let genesis = HashChain.genesis(program: LoyaltyProgram(currency: .cny).encode()).hex
        #expect(report.head == LogHead(position: 0, hash: genesis))
    }

    @Test(arguments: [1, 4, 13, 14])
    func smallChunksVerify(chunkSize: Int) throws {
        let sample = try SampleLedger()
        let ledger = try openLedger(at: sample.path, readOnly: true)

        let report = try ledger.verify(chunkSize: chunkSize, progress: nil)

        #expect(report.findings == [])
        #expect(report.eventsChecked == 14)
        #expect(report.recomputedHash == report.head.hash)
    }

    @Test func findingsAcrossChunkBoundaries() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in
            try txn.delete("events", positionKey(5))
            try txn.put("hashes", positionKey(9), [UInt8](repeating: 0xCD, count: 32))
        }
        let ledger = try openLedger(at: sample.path, readOnly: true)

        // Chunks of 4 events end at positions 4, 9 and 13, so the gap at 5 and the changed hash
        // at 9, which the event at 10 settles, each straddle a boundary.
        let report = try ledger.verify(chunkSize: 4, progress: nil)

        let chainAndGaps = report.findings.filter { chainKinds.contains($0.kind) || $0.kind == .positionGap }
        #expect(chainAndGaps.map(\.kind) == [.positionGap, .hashChanged])
        #expect(chainAndGaps.map(\.position) == [5, 9])
    }

    @Test func eventsAppendedDuringCheckAreChecked() throws {
        let sample = try SampleLedger()
        let ledger = try openLedger(at: sample.path)
        var appended = false

        // The progress callback runs between read transactions, so it may append.
        let report = try ledger.verify(chunkSize: 5) { _, _ in
            guard !appended else { return }
            appended = true
            _ = try? ledger.append(purchase(customer: 3, order: "C-2", amount: cny("5.00"), at: time("2024-08-01")))
        }

        #expect(report.findings == [])
        #expect(report.eventsChecked == 15)
        #expect(report.head.position == 15)
        #expect(report.head == (try ledger.head()))
    }

    @Test func changedRecordByteFound() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in
            var record = try #require(try txn.get("events", positionKey(6)))
            let orderID = Array("A-2".utf8)
            let offset = try #require(record.indices.first { record[$0...].starts(with: orderID) })
            record[offset] = UInt8(ascii: "Z")
            try txn.put("events", positionKey(6), record)
        }

        let report = try sample.verify()

        #expect(report.findings.first?.kind == .recordChanged)
        #expect(report.findings.first?.position == 6)
        #expect(report.findings.filter { chainKinds.contains($0.kind) }.map(\.position) == [6])
        // The renamed order changes customer 1's order fingerprints, so its projection differs.
        let projection = report.findings.first { $0.kind == .projection }
        #expect(projection?.customerID == customer(1))
        #expect(report.recomputedHash != report.head.hash)
    }

    @Test func undecodableRecordFound() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in
            var record = try #require(try txn.get("events", positionKey(4)))
            record[0] = 0xEE
            try txn.put("events", positionKey(4), record)
        }

        let report = try sample.verify()

        #expect(report.findings.first?.kind == .undecodableRecord)
        #expect(report.findings.first?.position == 4)
        #expect(report.findings.dropFirst().first?.kind == .recordChanged)
        #expect(report.findings.dropFirst().first?.position == 4)
        #expect(!report.projectionsCompared)
    }

    @Test func deletedEventFound() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in try txn.delete("events", positionKey(8)) }

        let report = try sample.verify()

        let first = try #require(report.findings.first)
        #expect(first.kind == .positionGap)
        #expect(first.position == 8)
        #expect(first.detail == "position 8 is missing before the event at 9: events were deleted")
        #expect(report.eventsChecked == 13)
        // The stored hash of position 8 still links 7 to 9, so the chain itself shows nothing.
        #expect(report.findings.filter { chainKinds.contains($0.kind) } == [])
        // Customer 2's next event, at 13, follows version 2 at position 4.
        let versionBreak = report.findings.first { $0.kind == .versionSequence }
        #expect(versionBreak?.position == 13)
        #expect(versionBreak?.customerID == customer(2))
        // The id of the deleted event still maps to position 8.
        let indexEntry = report.findings.first { $0.kind == .eventIDIndex }
        #expect(indexEntry?.position == 8)
        #expect(report.recomputedHash == nil)
    }

    @Test func deletedLastEventFound() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in try txn.delete("events", positionKey(14)) }

        let report = try sample.verify()

        #expect(report.findings.first?.kind == .positionGap)
        #expect(report.findings.first?.position == 14)
    }

    @Test(arguments: [5, 14] as [UInt64])
    func changedHashEntryFound(position: UInt64) throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in
            try txn.put("hashes", positionKey(position), [UInt8](repeating: 0xAB, count: 32))
        }

        let report = try sample.verify()

        #expect(report.findings.first?.kind == .hashChanged)
        #expect(report.findings.first?.position == position)
        #expect(report.findings.count == 1)
        // The records are intact, so the chain recomputed from them still ends at the head.
        #expect(report.recomputedHash == report.head.hash)
    }

    @Test func missingHashEntryFound() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in try txn.delete("hashes", positionKey(3)) }

        let report = try sample.verify()

        #expect(report.findings.map(\.kind) == [.chainBroken])
        #expect(report.findings.first?.position == 3)
        #expect(report.findings.first?.detail == "the chain hash of this position is missing")
    }

    @Test func remappedEventIDFound() throws {
        let sample = try SampleLedger()
        let id = try #require(sample.ids[3])
        let otherID = try #require(sample.ids[9])
        try sample.tamper { txn in
            try withUnsafeBytes(of: id.uuid) { try txn.put("event-ids", Array($0), positionKey(9)) }
        }

        let report = try sample.verify()

        #expect(report.findings.count == 2)
        let forward = try #require(report.findings.first)
        #expect(forward.kind == .eventIDIndex)
        #expect(forward.position == 3)
        #expect(forward.detail == "the event-id index maps this event's id \(id.uuidString.lowercased()) to position 9")
        let reverse = try #require(report.findings.last)
        #expect(reverse.kind == .eventIDIndex)
        #expect(reverse.position == 9)
        #expect(reverse.detail == "the event-id index maps id \(id.uuidString.lowercased()) to position 9, whose event has id \(otherID.uuidString.lowercased())")
    }

    @Test func missingEventIDFound() throws {
        let sample = try SampleLedger()
        let id = try #require(sample.ids[10])
        try sample.tamper { txn in
            try withUnsafeBytes(of: id.uuid) { try txn.delete("event-ids", Array($0)) }
        }

        let report = try sample.verify()

        #expect(report.findings.count == 1)
        #expect(report.findings.first?.kind == .eventIDIndex)
        #expect(report.findings.first?.position == 10)
    }

    @Test func tamperedCustomerProjectionFound() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in
            let table = "customers.\(sample.activeSet)"
            var state = try #require(try txn.get(table, positionKey(2)))
            state[state.count - 1] ^= 0x01
            try txn.put(table, positionKey(2), state)
        }

        let report = try sample.verify()

        #expect(report.findings.count == 1)
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .projection)
        #expect(finding.customerID == customer(2))
        #expect(finding.position == nil)
        #expect(finding.detail.hasPrefix("the stored projection of customer 2 "))
    }

    @Test func changedStatisticsFound() throws {
        let sample = try SampleLedger()
        try sample.tamper { txn in
            var statistics = LogStatistics()
            statistics.customers = 99
            try txn.put("meta", Array("statistics".utf8), statistics.encode())
        }

        let report = try sample.verify()

        #expect(report.findings.map(\.kind) == [.projectionMeta])
        #expect(report.findings.first?.detail == "the stored statistics differ from the ones rebuilt from the log")
    }
}
