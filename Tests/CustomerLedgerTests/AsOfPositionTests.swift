import Foundation
import Testing

@testable import CustomerLedger

/// A program with pending points, expiry and a grace period, so that points and tiers depend on
/// the instant they are evaluated at.
private var startingProgram: LoyaltyProgram {
    var program = LoyaltyProgram(currency: .cny)
    program.pendingDays = 14
    program.expiry = .afterDays(90)
    program.downgradeGraceDays = 30
    return program
}

/// Writes three customers' interleaved events, one append each, with a program change and
/// expired points between them, and returns the ledger.
private func writeLog(at path: String) throws -> Ledger {
    let ledger = try openLedger(at: path, program: startingProgram)
    let singles: [NewEvent] = [
        registration(customer: 1, at: time("2024-01-01")),
        registration(customer: 2, at: time("2024-01-02")),
        NewEvent(
            customerID: customer(1), occurredAt: time("2024-01-10"),
            payload: .purchaseRecorded(PurchaseRecorded(
                orderID: "A-1", amount: cny("150.00"),
                lineItems: [LineItem(sku: "TEA-1", quantity: 3, unitPrice: 5_000, category: "tea")]))),
        purchase(customer: 2, order: "B-1", amount: cny("600.00"), at: time("2024-01-11")),
        profileUpdate(customer: 1, changes: ProfileChanges(city: "杭州"), at: time("2024-01-12")),
        refund(customer: 2, order: "B-1", amount: cny("100.00"), at: time("2024-01-20")),
        registration(customer: 3, at: time("2024-01-21")),
        purchase(customer: 1, order: "A-2", amount: cny("80.00"), at: time("2024-02-01")),
        redemption(customer: 1, points: 100, at: time("2024-02-10")),
        NewEvent(
            customerID: customer(3), occurredAt: time("2024-02-11"),
            payload: .tierAssigned(TierAssigned(tier: "VIP", reason: "partner", until: time("2024-06-01")))),
        feedback(customer: 2, rating: 2, complaint: true, at: time("2024-02-12")),
        adjustment(customer: 3, points: 50, at: time("2024-02-13")),
        unrecognizedEvent(customer: 2, typeCode: 999, schemaVersion: 1, at: time("2024-02-14")),
    ]
    for event in singles { try ledger.append(event) }

    // From March, points double and core needs one purchase instead of two.
    var doubled = startingProgram
    doubled.pointsPerUnit = 2
    doubled.tiers[1].minimumPurchases = 1
    try ledger.setProgram(doubled, effectiveFrom: time("2024-03-01"))
    for event in [
        purchase(customer: 2, order: "B-2", amount: cny("200.00"), at: time("2024-03-05")),
        refund(customer: 1, order: "A-2", amount: cny("80.00"), at: time("2024-03-06")),
        purchase(customer: 3, order: "C-1", amount: cny("50.00"), at: time("2024-03-07")),
    ] {
        try ledger.append(event)
    }
    try ledger.expirePoints(asOf: time("2024-05-01"))
    return ledger
}

/// Returns `event` as an event to append again, with its id, times and metadata.
private func reappendable(_ event: RecordedEvent) -> NewEvent {
    NewEvent(
        id: event.id, customerID: event.customerID, occurredAt: event.occurredAt, payload: event.payload,
        metadata: event.metadata, recordedAt: event.recordedAt)
}

private let customers = [customer(1), customer(2), customer(3)]

@Suite struct AsOfPositionTests {
    @Test func everyPositionMatchesTruncatedLedger() throws {
        let directory = try TemporaryDirectory()
        let ledger = try writeLog(at: directory.path + "/full")
        let events = try ledger.events(from: 1, limit: 1_000)
        // 13 single appends, the program event, 3 more appends and 2 PointsExpired events.
        #expect(events.count == 19)
        #expect(events.filter { if case .pointsExpired = $0.payload { true } else { false } }.count == 2)
        let truncated = try openLedger(at: directory.path + "/truncated", program: startingProgram)

        for event in events {
            let outcome = try truncated.append(reappendable(event))
            #expect(outcome.position == event.position)
            let position = event.position

            for id in customers {
                let past = try ledger.customer(id, asOfPosition: position)
                #expect(past == (try truncated.customer(id)), "customer \(id) at position \(position)")
                guard let past else { continue }
                let instant = past.latestEventAt
                #expect(
                    try ledger.points(of: id, asOfPosition: position) == (try truncated.points(of: id, asOf: instant)),
                    "points of \(id) at position \(position)")
                #expect(
                    try ledger.tier(of: id, asOfPosition: position, forecast: true)
                        == (try truncated.tier(of: id, asOf: instant, forecast: true)),
                    "tier of \(id) at position \(position)")
            }
        }
    }

    @Test func explicitInstantMatchesTruncatedLedger() throws {
        let directory = try TemporaryDirectory()
        let ledger = try writeLog(at: directory.path + "/full")
        let events = try ledger.events(from: 1, limit: 1_000)
        let truncated = try openLedger(at: directory.path + "/truncated", program: startingProgram)
        let instants = [time("2024-01-05"), time("2024-01-25"), time("2024-02-12T12:00:00Z"), time("2024-04-30"), time("2025-01-01")]

        for event in events {
            try truncated.append(reappendable(event))
            for id in customers {
                for instant in instants {
                    let context = "customer \(id) at position \(event.position) and \(instant)"
                    #expect(
                        try ledger.points(of: id, asOfPosition: event.position, at: instant)
                            == (try truncated.points(of: id, asOf: instant)), "\(context)")
                    #expect(
                        try ledger.tier(of: id, asOfPosition: event.position, at: instant)
                            == (try truncated.tier(of: id, asOf: instant)), "\(context)")
                }
            }
        }
    }

    @Test func positionBeforeRegistrationIsNil() throws {
        let directory = try TemporaryDirectory()
        let ledger = try writeLog(at: directory.path)

        #expect(try ledger.customer(customer(1), asOfPosition: 0) == nil)
        #expect(try ledger.customer(customer(3), asOfPosition: 6) == nil)
        #expect(try ledger.points(of: customer(3), asOfPosition: 6) == nil)
        #expect(try ledger.tier(of: customer(3), asOfPosition: 6) == nil)
        #expect(try ledger.customer(customer(3), asOfPosition: 7)?.version == 1)
        #expect(try ledger.customer(customer(9), asOfPosition: 7) == nil)
    }

    @Test func lastPositionAndBeyondGiveCurrentState() throws {
        let directory = try TemporaryDirectory()
        let ledger = try writeLog(at: directory.path)
        let last = try ledger.lastPosition()

        for id in customers {
            let current = try ledger.customer(id)
            #expect(try ledger.customer(id, asOfPosition: last) == current, "customer \(id)")
            #expect(try ledger.customer(id, asOfPosition: last + 10) == current, "customer \(id)")
            #expect(try ledger.customer(id, asOfPosition: .max) == current, "customer \(id)")
        }
    }

    @Test func laterProgramVersionsAreLeftOut() throws {
        let directory = try TemporaryDirectory()
        let ledger = try writeLog(at: directory.path)
        let programEvent = try ledger.events(from: 1, limit: 1_000).first { $0.customerID.isLedgerStream }
        let programPosition = try #require(programEvent?.position)
        let march = time("2024-03-04")

        // Until 5 March, customer 2 has one purchase of 500 net yuan, which reaches core only under the new program.
        let before = try ledger.tier(of: customer(2), asOfPosition: programPosition - 1, at: march)
        let after = try ledger.tier(of: customer(2), asOfPosition: programPosition, at: march)

        #expect(before?.tierName == "ordinary")
        #expect(after?.tierName == "core")
        #expect(try ledger.tier(of: customer(2), asOf: march)?.tierName == "core")
    }
}
