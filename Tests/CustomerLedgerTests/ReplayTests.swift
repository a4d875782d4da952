import Foundation
import Testing

@testable import CustomerLedger

/// Four customers with every event type, two currencies, partial refunds, redemptions,
/// adjustments, profile updates, unrecognized events and one repeated batch.
private func mixedWorkload() -> [[NewEvent]] {
    var referred = registration(customer: 3, at: time("2024-01-03"), name: "王芳")
    referred.payload = .customerRegistered(
        CustomerRegistered(profile: CustomerProfile(name: "王芳", province: "浙江", city: "宁波"), referrer: customer(1)))
    let first = [
        registration(customer: 1, at: time("2024-01-01"), name: "张伟"),
        registration(customer: 2, at: time("2024-01-02"), name: "Li Na"),
        referred,
        purchase(customer: 1, order: "A-1", amount: cny("128.50"), at: time("2024-01-05")),
        purchase(customer: 2, order: "B-1", amount: usd("20.00"), at: time("2024-01-06")),
    ]
    let second = [
        purchase(customer: 1, order: "A-2", amount: cny("300.00"), at: time("2024-02-01")),
        refund(customer: 1, order: "A-1", amount: cny("28.50"), at: time("2024-02-02")),
        feedback(customer: 2, rating: 2, complaint: true, at: time("2024-02-03")),
        profileUpdate(customer: 3, changes: ProfileChanges(email: "wf@example.com", city: "杭州"), at: time("2024-02-04")),
    ]
    let third = [
        redemption(customer: 1, points: 200, at: time("2024-02-10")),
        adjustment(customer: 2, points: 50, at: time("2024-02-11")),
        unrecognizedEvent(customer: 3, typeCode: 999, schemaVersion: 1, at: time("2024-02-12")),
        unrecognizedEvent(customer: 1, typeCode: 3, schemaVersion: 9, at: time("2024-02-13")),
    ]
    var fourth = [registration(customer: 4, at: time("2023-06-01"))]
    for (index, month) in ["2023-07-01", "2023-09-15", "2024-01-20", "2024-03-01", "2024-06-30"].enumerated() {
        fourth.append(purchase(customer: 4, order: "D-\(index + 1)", amount: cny("\(50 + index * 25).00"), at: time(month)))
    }
    fourth.append(refund(customer: 4, order: "D-2", amount: cny("30.00"), at: time("2024-07-01")))
    fourth.append(refund(customer: 4, order: "D-2", amount: cny("45.00"), at: time("2024-07-02")))
    let fifth = [
        purchase(customer: 3, order: "C-1", amount: cny("99.99"), at: time("2024-03-01")),
        feedback(customer: 1, rating: 5, at: time("2024-03-02")),
        adjustment(customer: 1, points: -10, at: time("2024-03-03")),
        refund(customer: 2, order: "B-1", amount: usd("5.00"), at: time("2024-03-04")),
    ]
    return [first, second, third, fourth, fifth, first]
}

/// The number of events in `mixedWorkload()` after the repeated batch is skipped.
private let workloadEventCount: UInt64 = 5 + 4 + 4 + 8 + 4

/// A program unlike the default: 2 points per yuan and a silver tier from one purchase of 50.00 CNY.
private let doublePointsProgram = LoyaltyProgram(
    currency: .cny, pointsPerUnit: 2,
    tiers: [TierRule(name: "ordinary"), TierRule(name: "silver", minimumNetSpend: 5_000, minimumPurchases: 1)])

@Suite struct ReplayTests {
    @Test func replayMatchesIncrementalTables() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        for batch in mixedWorkload() { try ledger.append(batch) }
        let tablesBefore = try dumpProjections(ledger)
        let statisticsBefore = try storedStatistics(ledger)
        #expect(tablesBefore.customers.count == 4)
        #expect(try activeProjectionSet(ledger) == 0)

        var progress: [(UInt64, UInt64)] = []
        let summary = try ledger.replay { folded, total in progress.append((folded, total)) }

        #expect(summary == Ledger.ReplaySummary(
            events: workloadEventCount, customers: 4, orders: 9, position: workloadEventCount))
        #expect(progress.last?.0 == workloadEventCount)
        #expect(progress.last?.1 == workloadEventCount)
        #expect(try activeProjectionSet(ledger) == 1)
        #expect(try dumpProjections(ledger) == tablesBefore)
        #expect(try storedStatistics(ledger) == statisticsBefore)
        #expect(try ledger.statistics().projectionPosition == workloadEventCount)

        // A second replay fills the set that was live before, which still contains the old tables.
        try ledger.replay()
        #expect(try activeProjectionSet(ledger) == 0)
        #expect(try dumpProjections(ledger) == tablesBefore)
        #expect(try storedStatistics(ledger) == statisticsBefore)
    }

    @Test func newStartingProgramNeedsEmptyLog() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        // An empty log may still take another starting program, which then starts the chain.
        try ledger.replay(program: doublePointsProgram)
        #expect(try ledger.program() == doublePointsProgram)
        #expect(try ledger.head().hash == HashChain.genesis(program: doublePointsProgram.encode()).hex)
        for batch in mixedWorkload() { try ledger.append(batch) }
        let tablesBefore = try dumpProjections(ledger)

        let error = #expect(throws: LedgerError.self) { try ledger.replay(program: LoyaltyProgram(currency: .cny)) }

        #expect(
            error == .invalidProgram(
                "the starting program is covered by the hash chain once the log has events; record a change with setProgram(_:effectiveFrom:), or compare programs with simulate(program:asOf:)"))
        #expect(try ledger.program() == doublePointsProgram)
        #expect(try dumpProjections(ledger) == tablesBefore)
        #expect(try ledger.verify().isVerified)
    }

    @Test func appendsContinueAfterReplay() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        for batch in mixedWorkload() { try ledger.append(batch) }
        try ledger.replay()

        let outcomes = try ledger.append([
            registration(customer: 5, at: time("2024-04-01")),
            purchase(customer: 5, order: "E-1", amount: cny("88.00"), at: time("2024-04-02")),
            refund(customer: 4, order: "D-5", amount: cny("10.00"), at: time("2024-07-03")),
            purchase(customer: 1, order: "A-3", amount: cny("1.00"), at: time("2024-04-03")),
        ])

        #expect(outcomes.map(\.position) == Array(workloadEventCount + 1...workloadEventCount + 4))
        #expect(try ledger.customer(customer(5))?.points == PointsBalance(earned: 88))
        #expect(try ledger.customer(customer(4))?.refundCount == 3)
        #expect(try ledger.customer(customer(1))?.purchaseCount == 3)
        let incremental = try dumpProjections(ledger)
        #expect(incremental.customers.count == 5)

        try ledger.replay()
        #expect(try dumpProjections(ledger) == incremental)
    }

    @Test func canonicallyEqualOrderIDsStayApart() throws {
        // "café" precomposed and decomposed are equal Swift strings but different LMDB keys.
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "caf\u{E9}", amount: cny("10.00"), at: day),
        ])
        try ledger.append(purchase(customer: 1, order: "cafe\u{301}", amount: cny("20.00"), at: day))
        try ledger.append([
            purchase(customer: 1, order: "th\u{E9}", amount: cny("30.00"), at: day),
            purchase(customer: 1, order: "the\u{301}", amount: cny("40.00"), at: day),
            refund(customer: 1, order: "the\u{301}", amount: cny("40.00"), at: day),
        ])
        let incremental = try dumpProjections(ledger)

        let summary = try ledger.replay()

        #expect(summary.orders == 4)
        #expect(try dumpProjections(ledger) == incremental)
        #expect(try ledger.customer(customer(1))?.spend(in: .cny) == CurrencySpend(currency: .cny, gross: 10_000, refunded: 4_000))
    }

    @Test func replayOfEmptyLedger() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")

        let summary = try ledger.replay()

        #expect(summary == Ledger.ReplaySummary(events: 0, customers: 0, orders: 0, position: 0))
        #expect(try activeProjectionSet(ledger) == 1)
        #expect(try dumpProjections(ledger) == ProjectionDump(customers: []))
        #expect(try ledger.append(registration(customer: 1, at: time("2024-01-01"))).position == 1)
    }

    @Test func invalidProgramLeavesLedgerUnchanged() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try ledger.append(mixedWorkload()[0])
        let tablesBefore = try dumpProjections(ledger)

        let error = #expect(throws: LedgerError.self) {
            try ledger.replay(program: LoyaltyProgram(currency: .cny, tiers: []))
        }

        #expect(error == .invalidProgram("the tier ladder is empty; define at least one tier"))
        #expect(try ledger.program() == LoyaltyProgram(currency: .cny))
        #expect(try activeProjectionSet(ledger) == 0)
        #expect(try dumpProjections(ledger) == tablesBefore)
    }
}
