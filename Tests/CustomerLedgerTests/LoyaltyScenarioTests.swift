import Foundation
import Testing

@testable import CustomerLedger

// Loyalty scenarios: each one appends a handful of dated events to a real ledger in a fresh
// temporary folder and checks points and tiers against figures worked out by hand in the comments.
// After the scenario, a replay must reproduce the points statements and tier evaluations at
// every instant the scenario looked at.

@Suite struct LoyaltyScenarioTests {
    @Test(arguments: LoyaltyScenario.all)
    func scenario(_ scenario: LoyaltyScenario) throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: scenario.program)
        #expect(try ledger.program() == scenario.program)

        let run = ScenarioRun(ledger: ledger)
        try scenario.body(run)
        #expect(!run.probes.isEmpty, "the scenario checks no balance or tier")

        let beforeReplay = try run.observe()
        try ledger.replay()
        let afterReplay = try run.observe()
        for (probe, (before, after)) in zip(run.probes, zip(beforeReplay, afterReplay)) {
            #expect(after.points == before.points, "points of customer \(probe.customer) at \(probe.instant) after replay")
            #expect(after.tier == before.tier, "tier of customer \(probe.customer) at \(probe.instant) after replay")
        }
    }
}

/// A named loyalty program and the events and checks to run against a ledger created with it.
struct LoyaltyScenario: Sendable, CustomTestStringConvertible {
    let name: String
    let program: LoyaltyProgram
    let body: @Sendable (ScenarioRun) throws -> Void

    init(_ name: String, program: LoyaltyProgram, body: @escaping @Sendable (ScenarioRun) throws -> Void) {
        self.name = name
        self.program = program
        self.body = body
    }

    var testDescription: String { name }
}

/// A points statement's figures as a scenario expects them. Fields left out are expected to be 0
/// or empty.
struct ExpectedPoints {
    var available: Int64 = 0
    var pending: Int64 = 0
    var expiring: [ExpiringPoints] = []
    var expired: Int64 = 0
    var earned: Int64 = 0
    var redeemed: Int64 = 0
    var reversed: Int64 = 0
}

/// A lot's number, points left and expiry, the parts of ``PointsLot`` that FIFO checks compare.
struct LotSummary: Equatable, CustomStringConvertible {
    var number: UInt32
    var remaining: Int64
    var expiresAt: Timestamp?

    init(number: UInt32, remaining: Int64, expiresAt: Timestamp?) {
        self.number = number
        self.remaining = remaining
        self.expiresAt = expiresAt
    }

    init(_ lot: PointsLot) {
        self.init(number: lot.number, remaining: lot.remaining, expiresAt: lot.expiresAt)
    }

    var description: String { "lot \(number): \(remaining) until \(expiresAt.map { "\($0)" } ?? "never")" }
}

/// The ledger of one scenario, with checks that remember each customer and instant they looked
/// at, so that the test can compare those figures again after a replay.
final class ScenarioRun {
    struct Probe: Equatable {
        var customer: UInt64
        var instant: Timestamp
    }

    struct Observation: Equatable {
        var points: PointsStatement?
        var tier: TierEvaluation?
    }

    let ledger: Ledger
    private(set) var probes: [Probe] = []

    init(ledger: Ledger) {
        self.ledger = ledger
    }

    func append(_ events: NewEvent...) throws {
        try ledger.append(events)
    }

    /// Checks every figure of the customer's points statement at `instant` and returns the statement.
    @discardableResult
    func expectPoints(
        _ number: UInt64, at instant: Timestamp, _ expected: ExpectedPoints,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> PointsStatement {
        remember(number, instant)
        let statement = try #require(
            try ledger.points(of: customer(number), asOf: instant), "customer \(number) has no points at \(instant)",
            sourceLocation: sourceLocation)
        let context: Comment = "customer \(number) at \(instant)"
        #expect(statement.available == expected.available, context, sourceLocation: sourceLocation)
        #expect(statement.pending == expected.pending, context, sourceLocation: sourceLocation)
        #expect(statement.expiring == expected.expiring, context, sourceLocation: sourceLocation)
        #expect(statement.expired == expected.expired, context, sourceLocation: sourceLocation)
        #expect(statement.earned == expected.earned, context, sourceLocation: sourceLocation)
        #expect(statement.redeemed == expected.redeemed, context, sourceLocation: sourceLocation)
        #expect(statement.reversed == expected.reversed, context, sourceLocation: sourceLocation)
        return statement
    }

    /// Checks the customer's tier name at `instant` and returns the evaluation for further checks.
    @discardableResult
    func expectTier(
        _ number: UInt64, at instant: Timestamp, _ tierName: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> TierEvaluation {
        remember(number, instant)
        let tier = try #require(
            try ledger.tier(of: customer(number), asOf: instant), "customer \(number) has no tier at \(instant)",
            sourceLocation: sourceLocation)
        #expect(tier.tierName == tierName, "customer \(number) at \(instant)", sourceLocation: sourceLocation)
        return tier
    }

    /// Returns the customer's lots as of `instant`, in the order the ledger keeps them.
    func lots(of number: UInt64, at instant: Timestamp) throws -> [LotSummary]? {
        try ledger.customer(customer(number), asOf: instant)?.lots.map(LotSummary.init)
    }

    /// Appends `event` alone, expects a rule violation whose reason contains `reasonFragment`, and
    /// checks that the log did not grow.
    func expectRejected(
        _ event: NewEvent, reasonContaining reasonFragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let positionBefore = try ledger.lastPosition()
        let error = #expect(throws: LedgerError.self, sourceLocation: sourceLocation) {
            try self.ledger.append(event)
        }
        expectViolation(error, eventID: event.id, reasonContaining: reasonFragment, sourceLocation: sourceLocation)
        #expect(try ledger.lastPosition() == positionBefore, sourceLocation: sourceLocation)
    }

    func expectViolation(
        _ error: LedgerError?, eventID: UUID, reasonContaining reasonFragment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .ruleViolation(let index, let rejectedID, let reason) = error else {
            Issue.record("expected a rule violation, got \(error.map { "\($0)" } ?? "no error")", sourceLocation: sourceLocation)
            return
        }
        #expect(index == 0, sourceLocation: sourceLocation)
        #expect(rejectedID == eventID, sourceLocation: sourceLocation)
        #expect(reason.contains(reasonFragment), "reason: \(reason)", sourceLocation: sourceLocation)
    }

    /// Reads the points statement and tier evaluation at every probed customer and instant.
    func observe() throws -> [Observation] {
        try probes.map { probe in
            Observation(
                points: try ledger.points(of: customer(probe.customer), asOf: probe.instant),
                tier: try ledger.tier(of: customer(probe.customer), asOf: probe.instant))
        }
    }

    private func remember(_ number: UInt64, _ instant: Timestamp) {
        let probe = Probe(customer: number, instant: instant)
        if !probes.contains(probe) { probes.append(probe) }
    }
}

// MARK: - Event and program builders

/// Returns the CNY program with the default ladder after `configure` changed it.
private func cnyProgram(_ configure: (inout LoyaltyProgram) -> Void = { _ in }) -> LoyaltyProgram {
    var program = LoyaltyProgram(currency: .cny)
    configure(&program)
    return program
}

private func registration(customer number: UInt64, at instant: Timestamp, birthday: CivilDate) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .customerRegistered(
            CustomerRegistered(profile: CustomerProfile(name: "顾客 \(number)", birthday: birthday, city: "上海"))))
}

private func registration(customer number: UInt64, at instant: Timestamp, referrer: UInt64) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .customerRegistered(
            CustomerRegistered(profile: CustomerProfile(name: "顾客 \(number)", city: "上海"), referrer: customer(referrer))))
}

private func purchase(customer number: UInt64, order: String, amount: Money, lineItems: [LineItem], at instant: Timestamp)
    -> NewEvent
{
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .purchaseRecorded(PurchaseRecorded(orderID: order, amount: amount, lineItems: lineItems, channel: "store")))
}

private func redemption(customer number: UInt64, points: Int64, reward: String, order: String = "", at instant: Timestamp)
    -> NewEvent
{
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .pointsRedeemed(PointsRedeemed(points: points, reward: reward, orderID: order)))
}

private func tierAssignment(customer number: UInt64, _ assigned: TierAssigned, at instant: Timestamp) -> NewEvent {
    NewEvent(customerID: customer(number), occurredAt: instant, payload: .tierAssigned(assigned))
}

/// Returns the date of `text`, such as `2000-02-29`, and traps on a typo.
private func date(_ text: String) -> CivilDate {
    guard let date = CivilDate(parsing: text) else { preconditionFailure("invalid test date '\(text)'") }
    return date
}

// MARK: - Scenarios

extension LoyaltyScenario {
    static let all: [LoyaltyScenario] = [
        pendingThenAvailable,
        refundInsideAndAfterReturnWindow,
        partialRefundsNeverExceedEarned,
        refundAfterSpendingClampsAtZero,
        refundAfterSpendingGoesNegative,
        endOfMonthExpiryInShanghai,
        afterDaysExpiryAcrossDaylightSaving,
        redemptionTakesSoonestExpiringLot,
        inclusiveTierThreshold,
        downgradeGracePeriod,
        redemptionDoesNotDemote,
        leapDayBirthdayOnFebruary28,
        leapDayBirthdayOnMarch1,
        referralRewardPaidOnce,
        programChangeFromEffectiveInstant,
    ] + LoyaltyProgram.Rounding.allCases.map(perOrderRounding) + [
        cumulativeRounding,
        materializedExpiry,
        manualTierAssignmentFloor,
        skuAndCategoryMultipliers,
        tierMultiplier,
        perOrderAndPerDayCaps,
        perDayCapWithLatePurchase,
        minimumOrderAmount,
        redemptionLimits,
        memberOfferTierEligibility,
    ]

    /// Points stay pending for 14 local days in Berlin, across the switch to summer time on 29 March 2026.
    static let pendingThenAvailable = LoyaltyScenario(
        "pending for 14 days, then available",
        program: cnyProgram {
            $0.timeZone = "Europe/Berlin"
            $0.pendingDays = 14
        }
    ) { run in
        // 10:00 CET on 20 March is 09:00Z. Fourteen local days later is 10:00 CEST on 3 April,
        // which is 08:00Z: 14 days minus the hour that the clocks skipped.
        try run.append(
            registration(customer: 1, at: time("2026-03-01T00:00:00Z")),
            purchase(customer: 1, order: "A-1", amount: cny("128.00"), at: time("2026-03-20T10:00:00+01:00")))

        // 128.00 CNY earns 128 points, pending from the purchase to one second before 08:00Z on 3 April.
        try run.expectPoints(1, at: time("2026-03-20T09:00:00Z"), ExpectedPoints(pending: 128, earned: 128))
        try run.expectPoints(1, at: time("2026-04-03T07:59:59Z"), ExpectedPoints(pending: 128, earned: 128))
        // At 10:00 local time on 3 April they are available.
        try run.expectPoints(1, at: time("2026-04-03T10:00:00+02:00"), ExpectedPoints(available: 128, earned: 128))
        // One purchase stays ordinary: core needs 2 purchases.
        let tier = try run.expectTier(1, at: time("2026-04-03T08:00:00Z"), "ordinary")
        #expect(tier.windowNetSpend == 12_800)
        #expect(tier.windowPurchases == 1)
        #expect(tier.windowPointsEarned == 128)
    }

    static let refundInsideAndAfterReturnWindow = LoyaltyScenario(
        "refund inside and after the return window",
        program: cnyProgram { $0.pendingDays = 14 }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // Lot 1: 100 points, available from 2026-02-15T10:00Z.
            purchase(customer: 1, order: "A-0", amount: cny("100.00"), at: time("2026-02-01T10:00:00Z")),
            // Lot 2: 200 points, pending until 2026-03-15T10:00Z.
            purchase(customer: 1, order: "A-1", amount: cny("200.00"), at: time("2026-03-01T10:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-03-01T10:00:00Z"), ExpectedPoints(available: 100, pending: 200, earned: 300))

        // Inside the window, refunding 50.00 of 200.00 reverses floor(200 × 50/200) = 50 points
        // from A-1's pending lot: pending 200 → 150, and the available 100 stay.
        try run.append(refund(customer: 1, order: "A-1", amount: cny("50.00"), at: time("2026-03-05T10:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-03-05T10:00:00Z"),
            ExpectedPoints(available: 100, pending: 150, earned: 300, reversed: 50))
        try run.expectPoints(
            1, at: time("2026-03-15T10:00:00Z"), ExpectedPoints(available: 250, earned: 300, reversed: 50))

        // After the window, another 50.00 brings the refunded share to floor(200 × 100/200) = 100,
        // so 50 more points come out of the available 250.
        try run.append(refund(customer: 1, order: "A-1", amount: cny("50.00"), at: time("2026-03-20T10:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-03-20T10:00:00Z"), ExpectedPoints(available: 200, earned: 300, reversed: 100))

        // Net spend 100.00 + 200.00 − 100.00 = 200.00 over 2 purchases reaches core (100.00 and 2).
        try run.expectTier(1, at: time("2026-03-05T10:00:00Z"), "core")
        let tier = try run.expectTier(1, at: time("2026-03-20T10:00:00Z"), "core")
        #expect(tier.windowNetSpend == 20_000)
    }

    static let partialRefundsNeverExceedEarned = LoyaltyScenario(
        "partial refunds never reverse more than earned",
        program: cnyProgram { $0.maximumPointsPerOrder = 500 }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            registration(customer: 2, at: time("2026-01-01T00:00:00Z")),
            registration(customer: 3, at: time("2026-01-01T00:00:00Z")),
            // floor(15.50) = 15 points.
            purchase(customer: 1, order: "A-1", amount: cny("15.50"), at: time("2026-02-01T00:00:00Z")),
            // 10 points.
            purchase(customer: 2, order: "B-1", amount: cny("10.00"), at: time("2026-02-01T00:00:00Z")),
            // 600 points capped at 500 per order.
            purchase(customer: 3, order: "C-1", amount: cny("600.00"), at: time("2026-02-01T00:00:00Z")))

        // Customer 1 refunds 7.75 twice. Each half is worth 7.5 points, so rounding each refund up
        // would take 16 of 15. The first reverses floor(15 × 7.75/15.50) = 7, the second
        // floor(15 × 15.50/15.50) − 7 = 8.
        try run.append(refund(customer: 1, order: "A-1", amount: cny("7.75"), at: time("2026-02-02T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-02T00:00:00Z"), ExpectedPoints(available: 8, earned: 15, reversed: 7))
        try run.append(refund(customer: 1, order: "A-1", amount: cny("7.75"), at: time("2026-02-03T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-03T00:00:00Z"), ExpectedPoints(earned: 15, reversed: 15))
        try run.expectRejected(
            refund(customer: 1, order: "A-1", amount: cny("0.01"), at: time("2026-02-04T00:00:00Z")),
            reasonContaining: "still refundable")

        // Customer 2 refunds 3.33, 3.33 and 3.34 of 10.00: shares floor(3.33) = 3, floor(6.66) = 6
        // and 10, so reversals of 3, 3 and 4.
        try run.append(
            refund(customer: 2, order: "B-1", amount: cny("3.33"), at: time("2026-02-02T00:00:00Z")),
            refund(customer: 2, order: "B-1", amount: cny("3.33"), at: time("2026-02-03T00:00:00Z")))
        try run.expectPoints(2, at: time("2026-02-03T00:00:00Z"), ExpectedPoints(available: 4, earned: 10, reversed: 6))
        try run.append(refund(customer: 2, order: "B-1", amount: cny("3.34"), at: time("2026-02-04T00:00:00Z")))
        try run.expectPoints(2, at: time("2026-02-04T00:00:00Z"), ExpectedPoints(earned: 10, reversed: 10))

        // Customer 3's order earned 500 of a possible 600. Refunds of 300.01 and 299.99 would take
        // back 300 + 299 = 599 points at one point per yuan. The shares are floor(500 × 300.01/600)
        // = floor(250.008) = 250, then 500 − 250 = 250.
        try run.append(refund(customer: 3, order: "C-1", amount: cny("300.01"), at: time("2026-02-02T00:00:00Z")))
        try run.expectPoints(
            3, at: time("2026-02-02T00:00:00Z"), ExpectedPoints(available: 250, earned: 500, reversed: 250))
        try run.append(refund(customer: 3, order: "C-1", amount: cny("299.99"), at: time("2026-02-03T00:00:00Z")))
        try run.expectPoints(3, at: time("2026-02-03T00:00:00Z"), ExpectedPoints(earned: 500, reversed: 500))

        // Fully refunded orders leave a net spend of 0.
        for number in 1...3 as ClosedRange<UInt64> {
            let tier = try run.expectTier(number, at: time("2026-02-05T00:00:00Z"), "ordinary")
            #expect(tier.windowNetSpend == 0)
        }
    }

    static let refundAfterSpendingClampsAtZero = LoyaltyScenario(
        "refund of spent points clamps at zero",
        program: cnyProgram { $0.refundShortfall = .clampAtZero }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-02-01T00:00:00Z")),
            redemption(customer: 1, points: 80, at: time("2026-02-02T00:00:00Z")),
            // Reverses 100 points: 20 are left to take, and the other 80 are forgiven.
            refund(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-02-03T00:00:00Z")))
        // earned 100 − redeemed 80 − reversed 20 = 0.
        try run.expectPoints(
            1, at: time("2026-02-03T00:00:00Z"), ExpectedPoints(earned: 100, redeemed: 80, reversed: 20))

        // Nothing is owed, so the next 50 points are all available.
        try run.append(purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: time("2026-02-04T00:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-02-04T00:00:00Z"), ExpectedPoints(available: 50, earned: 150, redeemed: 80, reversed: 20))
        // Net spend 100.00 + 50.00 − 100.00 = 50.00 stays below core.
        let tier = try run.expectTier(1, at: time("2026-02-04T00:00:00Z"), "ordinary")
        #expect(tier.windowNetSpend == 5_000)
        #expect(tier.windowPurchases == 2)
    }

    static let refundAfterSpendingGoesNegative = LoyaltyScenario(
        "refund of spent points goes negative",
        program: cnyProgram { $0.refundShortfall = .allowNegative }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-02-01T00:00:00Z")),
            redemption(customer: 1, points: 80, at: time("2026-02-02T00:00:00Z")),
            // Reverses 100 points: 20 are taken and the customer owes the other 80.
            refund(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-02-03T00:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-02-03T00:00:00Z"),
            ExpectedPoints(available: -80, earned: 100, redeemed: 80, reversed: 100))

        // The next 50 points repay 50 of the debt: −30.
        try run.append(purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: time("2026-02-04T00:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-02-04T00:00:00Z"),
            ExpectedPoints(available: -30, earned: 150, redeemed: 80, reversed: 100))
        // The 50 after them repay the last 30 and leave 20: 200 − 80 − 100 = 20.
        try run.append(purchase(customer: 1, order: "A-3", amount: cny("50.00"), at: time("2026-02-05T00:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-02-05T00:00:00Z"),
            ExpectedPoints(available: 20, earned: 200, redeemed: 80, reversed: 100))
        // Net spend 100.00 + 50.00 + 50.00 − 100.00 = 100.00 over 3 purchases is exactly core.
        let tier = try run.expectTier(1, at: time("2026-02-05T00:00:00Z"), "core")
        #expect(tier.windowNetSpend == 10_000)
    }

    static let endOfMonthExpiryInShanghai = LoyaltyScenario(
        "end-of-month expiry at the Shanghai month boundary",
        program: cnyProgram {
            $0.timeZone = "Asia/Shanghai"
            $0.expiry = .endOfMonth
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // Available on 10 January; they expire at 2026-02-01T00:00+08:00 = 2026-01-31T16:00Z.
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-01-10T12:00:00+08:00")),
            // 17:00Z on 31 January is 01:00 on 1 February in Shanghai, so these 50 points expire
            // at 2026-03-01T00:00+08:00 = 2026-02-28T16:00Z although the UTC date is in January.
            purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: time("2026-01-31T17:00:00Z")))

        try run.expectPoints(
            1, at: time("2026-01-31T15:59:59Z"),
            ExpectedPoints(
                available: 100, expiring: [ExpiringPoints(expiresAt: time("2026-01-31T16:00:00Z"), points: 100)],
                earned: 100))
        try run.expectPoints(1, at: time("2026-02-01T00:00:00+08:00"), ExpectedPoints(expired: 100, earned: 100))
        try run.expectPoints(
            1, at: time("2026-01-31T17:00:00Z"),
            ExpectedPoints(
                available: 50, expiring: [ExpiringPoints(expiresAt: time("2026-02-28T16:00:00Z"), points: 50)],
                expired: 100, earned: 150))
        try run.expectPoints(1, at: time("2026-02-28T16:00:00Z"), ExpectedPoints(expired: 150, earned: 150))
        // Expiry does not touch tiers: 150.00 over 2 purchases is core.
        try run.expectTier(1, at: time("2026-02-28T16:00:00Z"), "core")
    }

    static let afterDaysExpiryAcrossDaylightSaving = LoyaltyScenario(
        "one-day expiry across Berlin DST",
        program: cnyProgram {
            $0.timeZone = "Europe/Berlin"
            $0.expiry = .afterDays(1)
        }
    ) { run in
        // Available at 12:00 CET on 28 March (11:00Z). One local day later is 12:00 CEST on
        // 29 March (10:00Z), 23 hours later, because the clocks go forward that night.
        try run.append(
            registration(customer: 1, at: time("2026-03-01T00:00:00Z")),
            purchase(customer: 1, order: "A-1", amount: cny("80.00"), at: time("2026-03-28T12:00:00+01:00")))
        try run.expectPoints(
            1, at: time("2026-03-29T09:59:59Z"),
            ExpectedPoints(
                available: 80, expiring: [ExpiringPoints(expiresAt: time("2026-03-29T10:00:00Z"), points: 80)],
                earned: 80))
        try run.expectPoints(1, at: time("2026-03-29T12:00:00+02:00"), ExpectedPoints(expired: 80, earned: 80))
        try run.expectTier(1, at: time("2026-03-29T10:00:00Z"), "ordinary")
    }

    /// A program change shortens expiry, so that the newer lots expire before the older one.
    static let redemptionTakesSoonestExpiringLot = LoyaltyScenario(
        "redemption takes the soonest-expiring lot first",
        program: cnyProgram { $0.expiry = .afterDays(365) }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // Lot 1: 100 points, expiring 2027-01-10T10:00Z.
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-01-10T10:00:00Z")))
        var shortExpiry = try run.ledger.program()
        shortExpiry.expiry = .afterDays(30)
        try run.ledger.setProgram(shortExpiry, effectiveFrom: time("2026-02-01T00:00:00Z"))
        try run.append(
            // Lot 2: 60 points, expiring 2026-03-12T10:00Z.
            purchase(customer: 1, order: "A-2", amount: cny("60.00"), at: time("2026-02-10T10:00:00Z")),
            // Lot 3: 40 points, expiring 2026-03-13T10:00Z.
            purchase(customer: 1, order: "A-3", amount: cny("40.00"), at: time("2026-02-11T10:00:00Z")),
            // Takes all 60 of lot 2, then 20 of lot 3, and leaves the oldest lot 1 whole.
            redemption(customer: 1, points: 80, at: time("2026-02-20T10:00:00Z")))

        #expect(
            try run.lots(of: 1, at: time("2026-02-20T10:00:00Z")) == [
                LotSummary(number: 1, remaining: 100, expiresAt: time("2027-01-10T10:00:00Z")),
                LotSummary(number: 3, remaining: 20, expiresAt: time("2026-03-13T10:00:00Z")),
            ])
        try run.expectPoints(
            1, at: time("2026-02-20T10:00:00Z"),
            ExpectedPoints(
                available: 120,
                expiring: [
                    ExpiringPoints(expiresAt: time("2026-03-13T10:00:00Z"), points: 20),
                    ExpiringPoints(expiresAt: time("2027-01-10T10:00:00Z"), points: 100),
                ],
                earned: 200, redeemed: 80))
        // Only the 20 left in lot 3 expire on 13 March.
        try run.expectPoints(
            1, at: time("2026-03-13T10:00:00Z"),
            ExpectedPoints(
                available: 100, expiring: [ExpiringPoints(expiresAt: time("2027-01-10T10:00:00Z"), points: 100)],
                expired: 20, earned: 200, redeemed: 80))
        try run.expectTier(1, at: time("2026-03-13T10:00:00Z"), "core")
    }

    static let inclusiveTierThreshold = LoyaltyScenario(
        "tier threshold at and below the boundary",
        program: cnyProgram()
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            registration(customer: 2, at: time("2026-01-01T00:00:00Z")),
            // 50.00 + 50.00 = 100.00, exactly core's net spend.
            purchase(customer: 1, order: "A-1", amount: cny("50.00"), at: time("2026-02-01T00:00:00Z")),
            purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: time("2026-02-02T00:00:00Z")),
            // 50.00 + 49.99 = 99.99, one fen short.
            purchase(customer: 2, order: "B-1", amount: cny("50.00"), at: time("2026-02-01T00:00:00Z")),
            purchase(customer: 2, order: "B-2", amount: cny("49.99"), at: time("2026-02-02T00:00:00Z")))
        let asOf = time("2026-02-10T00:00:00Z")

        let atBoundary = try run.expectTier(1, at: asOf, "core")
        #expect(atBoundary.windowNetSpend == 10_000)
        #expect(atBoundary.nextTier?.netSpendNeeded == 40_000)
        let below = try run.expectTier(2, at: asOf, "ordinary")
        #expect(below.windowNetSpend == 9_999)
        #expect(below.nextTier?.netSpendNeeded == 1)
        // 50 + 50 and 50 + floor(49.99) = 99 points.
        try run.expectPoints(1, at: asOf, ExpectedPoints(available: 100, earned: 100))
        try run.expectPoints(2, at: asOf, ExpectedPoints(available: 99, earned: 99))
    }

    /// Core over a 90-day window, kept for 30 days after the customer last qualified.
    static let downgradeGracePeriod = LoyaltyScenario(
        "downgrade during and after the grace period",
        program: cnyProgram {
            $0.tierWindow = .rollingDays(90)
            $0.downgradeGraceDays = 30
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            registration(customer: 2, at: time("2026-01-01T00:00:00Z")),
            purchase(customer: 1, order: "A-1", amount: cny("60.00"), at: time("2026-01-10T00:00:00Z")),
            purchase(customer: 1, order: "A-2", amount: cny("60.00"), at: time("2026-01-20T00:00:00Z")),
            purchase(customer: 2, order: "B-1", amount: cny("60.00"), at: time("2026-01-10T00:00:00Z")),
            purchase(customer: 2, order: "B-2", amount: cny("60.00"), at: time("2026-01-20T00:00:00Z")),
            // Net spend 90.00 from this instant on: customer 2 stops qualifying at once.
            refund(customer: 2, order: "B-2", amount: cny("30.00"), at: time("2026-02-01T00:00:00Z")))

        // Both are core on their own figures before anything leaves the window or is refunded.
        let qualified = try run.expectTier(1, at: time("2026-01-25T00:00:00Z"), "core")
        #expect(qualified.reason == nil)
        #expect(qualified.dropsAt == nil)
        try run.expectTier(2, at: time("2026-01-25T00:00:00Z"), "core")

        // Customer 1: A-1 leaves the 90-day window at 2026-04-10T00:00Z, so the customer last
        // qualified one microsecond earlier and keeps core for 30 days, until 2026-05-10T00:00Z.
        let lastQualified = Timestamp(microseconds: time("2026-04-10T00:00:00Z").microseconds - 1)
        let firstDay = try run.expectTier(1, at: time("2026-04-10T00:00:00Z"), "core")
        #expect(firstDay.qualifiedTierIndex == 0)
        #expect(firstDay.windowPurchases == 1)
        // On 15 April only A-2 is in the window (2026-01-15, 2026-04-15].
        let during = try run.expectTier(1, at: time("2026-04-15T00:00:00Z"), "core")
        #expect(during.qualifiedTierIndex == 0)
        #expect(during.windowNetSpend == 6_000)
        #expect(during.reason == .grace(lastQualifiedAt: lastQualified))
        #expect(during.dropsAt == time("2026-05-10T00:00:00Z"))
        let lastMoment = try run.expectTier(1, at: Timestamp(microseconds: time("2026-05-10T00:00:00Z").microseconds - 1), "core")
        #expect(lastMoment.reason == .grace(lastQualifiedAt: lastQualified))
        let after = try run.expectTier(1, at: time("2026-05-10T00:00:00Z"), "ordinary")
        #expect(after.reason == nil)
        #expect(after.dropsAt == nil)

        // Customer 2: the refund at 2026-02-01T00:00Z ends qualification, so the customer last
        // qualified one microsecond before it and keeps core until 2026-03-03T00:00Z, 30 days
        // after the refund (February 2026 has 28 days).
        let lastBeforeRefund = Timestamp(microseconds: time("2026-02-01T00:00:00Z").microseconds - 1)
        let refunded = try run.expectTier(2, at: time("2026-02-15T00:00:00Z"), "core")
        #expect(refunded.qualifiedTierIndex == 0)
        #expect(refunded.windowNetSpend == 9_000)
        #expect(refunded.reason == .grace(lastQualifiedAt: lastBeforeRefund))
        #expect(refunded.dropsAt == time("2026-03-03T00:00:00Z"))
        // Later in the grace period the figures that explain the hold stay the same.
        let laterInGrace = try run.expectTier(2, at: time("2026-02-20T00:00:00Z"), "core")
        #expect(laterInGrace.reason == .grace(lastQualifiedAt: lastBeforeRefund))
        #expect(laterInGrace.dropsAt == time("2026-03-03T00:00:00Z"))
        try run.expectTier(2, at: Timestamp(microseconds: time("2026-03-03T00:00:00Z").microseconds - 1), "core")
        let afterRefundGrace = try run.expectTier(2, at: time("2026-03-03T00:00:00Z"), "ordinary")
        #expect(afterRefundGrace.reason == nil)

        // Points do not follow tiers: 120 earned, and customer 2's refund of 30.00 of B-2 reverses
        // floor(60 × 30/60) = 30.
        try run.expectPoints(1, at: time("2026-05-10T00:00:00Z"), ExpectedPoints(available: 120, earned: 120))
        try run.expectPoints(
            2, at: time("2026-03-03T00:00:00Z"), ExpectedPoints(available: 90, earned: 120, reversed: 30))
    }

    static let redemptionDoesNotDemote = LoyaltyScenario(
        "redemption does not demote",
        program: cnyProgram {
            $0.tiers = [
                TierRule(name: "ordinary"),
                TierRule(name: "silver", minimumPointsEarned: 500),
                TierRule(name: "gold", minimumNetSpend: 100_000, minimumPointsEarned: 1000),
            ]
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            registration(customer: 2, at: time("2026-01-01T00:00:00Z")),
            // 600 points earned: silver.
            purchase(customer: 1, order: "A-1", amount: cny("600.00"), at: time("2026-02-01T00:00:00Z")),
            // 1,200.00 spent and 1,200 points earned: gold.
            purchase(customer: 2, order: "B-1", amount: cny("600.00"), at: time("2026-02-01T00:00:00Z")),
            purchase(customer: 2, order: "B-2", amount: cny("600.00"), at: time("2026-02-02T00:00:00Z")))
        try run.expectTier(1, at: time("2026-02-03T00:00:00Z"), "silver")
        try run.expectTier(2, at: time("2026-02-03T00:00:00Z"), "gold")

        try run.append(
            redemption(customer: 1, points: 550, at: time("2026-02-04T00:00:00Z")),
            redemption(customer: 2, points: 1100, at: time("2026-02-04T00:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-02-04T00:00:00Z"), ExpectedPoints(available: 50, earned: 600, redeemed: 550))
        try run.expectPoints(
            2, at: time("2026-02-04T00:00:00Z"), ExpectedPoints(available: 100, earned: 1200, redeemed: 1100))
        // Tiers count points earned, not the balance, so both keep their tier.
        let silver = try run.expectTier(1, at: time("2026-02-04T00:00:00Z"), "silver")
        #expect(silver.windowPointsEarned == 600)
        #expect(silver.reason == nil)
        let gold = try run.expectTier(2, at: time("2026-02-04T00:00:00Z"), "gold")
        #expect(gold.windowPointsEarned == 1200)
        #expect(gold.windowNetSpend == 120_000)
    }

    static let leapDayBirthdayOnFebruary28 = leapDayBirthday(rule: .february28)
    static let leapDayBirthdayOnMarch1 = leapDayBirthday(rule: .march1)

    /// Builds the scenario of a customer born on 29 February 2000, who gets 100 points on the
    /// substitute day that `rule` picks in 2027, a common year, and on 29 February 2028, a leap
    /// year. Days are Shanghai days.
    private static func leapDayBirthday(rule: ZonedCalendar.LeapDayRule) -> LoyaltyScenario {
        LoyaltyScenario(
            "29 February birthday under \(rule)",
            program: cnyProgram {
                $0.timeZone = "Asia/Shanghai"
                $0.birthday = BirthdayReward(points: 100, timing: .onDay, leapDayInCommonYears: rule)
            }
        ) { run in
            try run.append(registration(customer: 1, at: time("2026-01-01T00:00:00Z"), birthday: date("2000-02-29")))
            let dayInCommonYear = rule == .february28 ? "2027-02-28" : "2027-03-01"
            let otherDay = rule == .february28 ? "2027-03-01" : "2027-02-28"

            // The day before the substitute day pays nothing, even one second before local midnight.
            let eve = time(rule == .february28 ? "2027-02-27T23:59:59+08:00" : "2027-02-28T23:59:59+08:00")
            #expect(try run.ledger.grantBirthdayRewards(asOf: eve).events == 0)

            // Local midnight of the substitute day pays 100 points once.
            let start = time("\(dayInCommonYear)T00:00:00+08:00")
            let paid = try run.ledger.grantBirthdayRewards(asOf: start)
            #expect(paid == MaterializedEvents(events: 1, customers: [customer(1)], points: 100))
            try run.expectPoints(1, at: start, ExpectedPoints(available: 100, earned: 100))

            // A rerun later that day and a run on the other candidate day pay nothing more.
            let positionAfterPayment = try run.ledger.lastPosition()
            #expect(try run.ledger.grantBirthdayRewards(asOf: time("\(dayInCommonYear)T20:00:00+08:00")).events == 0)
            #expect(try run.ledger.grantBirthdayRewards(asOf: time("\(otherDay)T12:00:00+08:00")).events == 0)
            #expect(try run.ledger.lastPosition() == positionAfterPayment)

            // 2028 is a leap year: 28 February pays nothing and 29 February pays, whatever the rule.
            #expect(try run.ledger.grantBirthdayRewards(asOf: time("2028-02-28T12:00:00+08:00")).events == 0)
            let leapDay = time("2028-02-29T12:00:00+08:00")
            #expect(try run.ledger.grantBirthdayRewards(asOf: leapDay).points == 100)
            #expect(try run.ledger.grantBirthdayRewards(asOf: leapDay).events == 0)
            try run.expectPoints(1, at: leapDay, ExpectedPoints(available: 200, earned: 200))
            try run.expectTier(1, at: leapDay, "ordinary")
        }
    }

    static let referralRewardPaidOnce = LoyaltyScenario(
        "referral reward paid once",
        program: cnyProgram { $0.referral = ReferralReward(referrerPoints: 200, newCustomerPoints: 100) }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            registration(customer: 2, at: time("2026-01-05T00:00:00Z"), referrer: 1))

        // Customer 2's first purchase pays 200 points to customer 1 and 100 to customer 2.
        let first = purchase(customer: 2, order: "B-1", amount: cny("100.00"), at: time("2026-01-10T00:00:00Z"))
        try run.append(first)
        let positionAfterFirst = try run.ledger.lastPosition()

        // The same event delivered again, alone and twice in one batch, appends nothing.
        #expect(try run.ledger.append(first).wasAppended == false)
        #expect(try run.ledger.append([first, first]).map(\.wasAppended) == [false, false])
        #expect(try run.ledger.lastPosition() == positionAfterFirst)
        // The same order under a new event id is a repeated order, rejected.
        var sameOrderNewID = first
        sameOrderNewID.id = EventID.timeOrdered()
        try run.expectRejected(sameOrderNewID, reasonContaining: "already recorded")

        // A second purchase is not a first purchase: 50 points and no reward.
        try run.append(purchase(customer: 2, order: "B-2", amount: cny("50.00"), at: time("2026-01-20T00:00:00Z")))
        #expect(try run.ledger.lastPosition() == positionAfterFirst + 1)

        try run.expectPoints(1, at: time("2026-01-20T00:00:00Z"), ExpectedPoints(available: 200, earned: 200))
        // 100 (B-1) + 100 (reward) + 50 (B-2).
        try run.expectPoints(2, at: time("2026-01-20T00:00:00Z"), ExpectedPoints(available: 250, earned: 250))
        // Rewards are no spend: customer 1 has no purchase, customer 2 has 150.00 over 2.
        try run.expectTier(1, at: time("2026-01-20T00:00:00Z"), "ordinary")
        let tier = try run.expectTier(2, at: time("2026-01-20T00:00:00Z"), "core")
        #expect(tier.windowPointsEarned == 150)
    }

    static let programChangeFromEffectiveInstant = LoyaltyScenario(
        "program change from its effective instant",
        program: cnyProgram { $0.timeZone = "Asia/Shanghai" }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // 1 point per yuan: 100.
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-03-01T00:00:00Z")),
            // One second before the change: 50.
            purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: time("2026-06-30T23:59:59+08:00")))

        // 2 points per yuan from 1 July, Shanghai midnight, which is 2026-06-30T16:00Z.
        var doublePoints = try run.ledger.program()
        doublePoints.pointsPerUnit = 2
        let effective = time("2026-07-01T00:00:00+08:00")
        try run.ledger.setProgram(doublePoints, effectiveFrom: effective)
        #expect(try run.ledger.program(asOf: Timestamp(microseconds: effective.microseconds - 1)).pointsPerUnit == 1)
        #expect(try run.ledger.program(asOf: effective).pointsPerUnit == 2)

        try run.append(
            // At the effective instant: 2 × 100 = 200.
            purchase(customer: 1, order: "A-3", amount: cny("100.00"), at: effective),
            // 2 × 10 = 20.
            purchase(customer: 1, order: "A-4", amount: cny("10.00"), at: time("2026-08-01T00:00:00Z")),
            // Recorded late but occurred before the change: 1 × 30 = 30.
            purchase(customer: 1, order: "A-5", amount: cny("30.00"), at: time("2026-06-15T00:00:00Z")))

        // Just before the change: A-1, A-2 and A-5, 100 + 50 + 30 = 180.
        try run.expectPoints(1, at: time("2026-06-30T15:59:59Z"), ExpectedPoints(available: 180, earned: 180))
        // At the change: 180 + 200 = 380. After A-4: 400.
        try run.expectPoints(1, at: effective, ExpectedPoints(available: 380, earned: 380))
        try run.expectPoints(1, at: time("2026-08-01T00:00:00Z"), ExpectedPoints(available: 400, earned: 400))
        // 290.00 over 5 purchases is core. VIP needs 500.00.
        let tier = try run.expectTier(1, at: time("2026-08-01T00:00:00Z"), "core")
        #expect(tier.windowNetSpend == 29_000)
        #expect(tier.windowPointsEarned == 400)

        // A change at the latest event's instant is rejected and writes nothing.
        var triplePoints = doublePoints
        triplePoints.pointsPerUnit = 3
        let positionBefore = try run.ledger.lastPosition()
        let versionsBefore = try run.ledger.programVersions()
        let changeID = EventID.timeOrdered()
        let error = #expect(throws: LedgerError.self) {
            try run.ledger.setProgram(triplePoints, effectiveFrom: time("2026-08-01T00:00:00Z"), id: changeID)
        }
        run.expectViolation(error, eventID: changeID, reasonContaining: "cannot take effect")
        #expect(try run.ledger.lastPosition() == positionBefore)
        #expect(try run.ledger.programVersions() == versionsBefore)
        #expect(try run.ledger.program(asOf: time("2026-09-01T00:00:00Z")).pointsPerUnit == 2)
    }

    /// Builds the scenario of one order of 10.50 CNY and one of 10.49 CNY at 1 point per yuan,
    /// rounded per order by `rounding`.
    private static func perOrderRounding(_ rounding: LoyaltyProgram.Rounding) -> LoyaltyScenario {
        // 10.5 and 10.49 points: floor 10 and 10, halfUp 11 and 10, ceiling 11 and 11.
        let (halfPoints, belowHalfPoints): (Int64, Int64) =
            switch rounding {
            case .floor: (10, 10)
            case .halfUp: (11, 10)
            case .ceiling: (11, 11)
            }
        return LoyaltyScenario("per-order rounding \(rounding)", program: cnyProgram { $0.rounding = rounding }) { run in
            try run.append(
                registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
                registration(customer: 2, at: time("2026-01-01T00:00:00Z")),
                purchase(customer: 1, order: "A-1", amount: cny("10.50"), at: time("2026-02-01T00:00:00Z")),
                purchase(customer: 2, order: "B-1", amount: cny("10.49"), at: time("2026-02-01T00:00:00Z")))
            let asOf = time("2026-02-01T00:00:00Z")
            try run.expectPoints(1, at: asOf, ExpectedPoints(available: halfPoints, earned: halfPoints))
            try run.expectPoints(2, at: asOf, ExpectedPoints(available: belowHalfPoints, earned: belowHalfPoints))
            try run.expectTier(1, at: asOf, "ordinary")
        }
    }

    static let cumulativeRounding = LoyaltyScenario(
        "cumulative earning adds fractions across orders",
        program: cnyProgram { $0.earningScope = .cumulative }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // floor(0.60) = 0.
            purchase(customer: 1, order: "A-1", amount: cny("0.60"), at: time("2026-02-01T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-01T00:00:00Z"), ExpectedPoints())
        // floor(0.60 + 0.60) = 1, where per-order rounding would give 0 + 0.
        try run.append(purchase(customer: 1, order: "A-2", amount: cny("0.60"), at: time("2026-02-02T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-02T00:00:00Z"), ExpectedPoints(available: 1, earned: 1))
        // Refunding 0.30 leaves floor(0.90) = 0: the point is reversed.
        try run.append(refund(customer: 1, order: "A-2", amount: cny("0.30"), at: time("2026-02-03T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-03T00:00:00Z"), ExpectedPoints(earned: 1, reversed: 1))
        let tier = try run.expectTier(1, at: time("2026-02-03T00:00:00Z"), "ordinary")
        #expect(tier.windowNetSpend == 90)
    }

    static let materializedExpiry = LoyaltyScenario(
        "materialized expiry changes no balance",
        program: cnyProgram { $0.expiry = .afterDays(30) }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // Lot 1: 100 points, expiring 2026-01-31T10:00Z.
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-01-01T10:00:00Z")),
            // Lot 2: 50 points, expiring 2026-02-19T10:00Z.
            purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: time("2026-01-20T10:00:00Z")),
            // Takes 30 from lot 1, which expires first: 70 left there.
            redemption(customer: 1, points: 30, at: time("2026-01-25T10:00:00Z")))
        let february = time("2026-02-01T00:00:00Z")
        let expected = ExpectedPoints(
            available: 50, expiring: [ExpiringPoints(expiresAt: time("2026-02-19T10:00:00Z"), points: 50)], expired: 70,
            earned: 150, redeemed: 30)
        let unwritten = try run.expectPoints(1, at: february, expected)

        // Writing the expiry down appends one PointsExpired of lot 1's 70 points at its expiry.
        let written = try run.ledger.expirePoints(asOf: february)
        #expect(written == MaterializedEvents(events: 1, customers: [customer(1)], points: 70))
        let lastEvent = try #require(try run.ledger.event(at: try run.ledger.lastPosition()))
        #expect(lastEvent.payload == .pointsExpired(PointsExpired(points: 70, lot: 1)))
        #expect(lastEvent.occurredAt == time("2026-01-31T10:00:00Z"))
        let materialized = try run.expectPoints(1, at: february, expected)
        #expect(materialized == unwritten)
        // Before the expiry instant the statement still shows both lots.
        try run.expectPoints(
            1, at: time("2026-01-31T09:59:59Z"),
            ExpectedPoints(
                available: 120,
                expiring: [
                    ExpiringPoints(expiresAt: time("2026-01-31T10:00:00Z"), points: 70),
                    ExpiringPoints(expiresAt: time("2026-02-19T10:00:00Z"), points: 50),
                ],
                earned: 150, redeemed: 30))

        // A rerun writes nothing.
        let position = try run.ledger.lastPosition()
        #expect(try run.ledger.expirePoints(asOf: february) == MaterializedEvents())
        #expect(try run.ledger.lastPosition() == position)

        // In March lot 2 expires as well: 70 + 50 = 120 expired, nothing left.
        #expect(try run.ledger.expirePoints(asOf: time("2026-03-01T00:00:00Z")).points == 50)
        try run.expectPoints(1, at: time("2026-03-01T00:00:00Z"), ExpectedPoints(expired: 120, earned: 150, redeemed: 30))
        try run.expectTier(1, at: time("2026-03-01T00:00:00Z"), "core")
    }

    /// VIP earns double. A manual VIP assignment lifts an ordinary customer until it ends.
    static let manualTierAssignmentFloor = LoyaltyScenario(
        "manual tier assignment as a floor",
        program: cnyProgram {
            $0.tiers[2].multiplier = 2000
        }
    ) { run in
        let assignment = TierAssigned(tier: "VIP", reason: "service recovery", until: time("2026-06-01T00:00:00Z"))
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            tierAssignment(customer: 1, assignment, at: time("2026-03-01T00:00:00Z")),
            // The tier before the purchase is the assigned VIP: 2 × 100 = 200 points.
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2026-04-01T00:00:00Z")),
            // The assignment has ended at this instant and the customer is ordinary: 100 points.
            purchase(customer: 1, order: "A-2", amount: cny("100.00"), at: time("2026-06-01T00:00:00Z")))

        try run.expectTier(1, at: time("2026-02-28T00:00:00Z"), "ordinary")
        let assigned = try run.expectTier(1, at: time("2026-05-31T23:59:59Z"), "VIP")
        #expect(assigned.qualifiedTierIndex == 0)
        #expect(assigned.reason == .assigned(assignment))
        #expect(assigned.dropsAt == time("2026-06-01T00:00:00Z"))
        // From the end of the assignment the customer's own figures count: 200.00 over 2 is core.
        let ended = try run.expectTier(1, at: time("2026-06-01T00:00:00Z"), "core")
        #expect(ended.reason == nil)
        #expect(ended.dropsAt == nil)
        try run.expectPoints(1, at: time("2026-06-01T00:00:00Z"), ExpectedPoints(available: 300, earned: 300))
    }

    static let skuAndCategoryMultipliers = LoyaltyScenario(
        "SKU and category multipliers",
        program: cnyProgram {
            $0.skuMultipliers = ["TEA-01": 2000]
            $0.categoryMultipliers = ["tea": 1500, "gift-card": 0]
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // Lines of 100.00 each: TEA-01 at 2× (its SKU wins over its category), TEA-02 at 1.5×
            // and CUP-01 at 1×, so the weighted multiplier is (2 + 1.5 + 1) / 3 = 1.5. It applies
            // to the discounted order amount: 270 × 1.5 = 405 points.
            purchase(
                customer: 1, order: "A-1", amount: cny("270.00"),
                lineItems: [
                    LineItem(sku: "TEA-01", quantity: 1, unitPrice: 10_000, category: "tea"),
                    LineItem(sku: "TEA-02", quantity: 2, unitPrice: 5_000, category: "tea"),
                    LineItem(sku: "CUP-01", quantity: 1, unitPrice: 10_000),
                ], at: time("2026-02-01T00:00:00Z")),
            // Gift cards earn nothing.
            purchase(
                customer: 1, order: "A-2", amount: cny("200.00"),
                lineItems: [LineItem(sku: "GC-200", quantity: 1, unitPrice: 20_000, category: "gift-card")],
                at: time("2026-02-02T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-02T00:00:00Z"), ExpectedPoints(available: 405, earned: 405))

        // Refunding half of A-1 reverses half of what A-1 earned: floor(405 × 135/270) = 202.
        try run.append(refund(customer: 1, order: "A-1", amount: cny("135.00"), at: time("2026-02-03T00:00:00Z")))
        try run.expectPoints(
            1, at: time("2026-02-03T00:00:00Z"), ExpectedPoints(available: 203, earned: 405, reversed: 202))
        // 270.00 + 200.00 − 135.00 = 335.00 over 2 purchases is core.
        let tier = try run.expectTier(1, at: time("2026-02-03T00:00:00Z"), "core")
        #expect(tier.windowNetSpend == 33_500)
    }

    static let tierMultiplier = LoyaltyScenario(
        "tier multiplier after an upgrade",
        program: cnyProgram {
            $0.tiers[1].multiplier = 1500
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // Ordinary before each of the first two purchases: 60 + 60.
            purchase(customer: 1, order: "A-1", amount: cny("60.00"), at: time("2026-02-01T00:00:00Z")),
            purchase(customer: 1, order: "A-2", amount: cny("60.00"), at: time("2026-02-02T00:00:00Z")),
            // Core (120.00 over 2) before the third: 1.5 × 100 = 150.
            purchase(customer: 1, order: "A-3", amount: cny("100.00"), at: time("2026-02-03T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-02T00:00:00Z"), ExpectedPoints(available: 120, earned: 120))
        try run.expectPoints(1, at: time("2026-02-03T00:00:00Z"), ExpectedPoints(available: 270, earned: 270))
        let tier = try run.expectTier(1, at: time("2026-02-03T00:00:00Z"), "core")
        #expect(tier.windowPointsEarned == 270)
    }

    /// At most 500 points per order and 800 per Shanghai day.
    static let perOrderAndPerDayCaps = LoyaltyScenario(
        "per-order and per-day caps",
        program: cnyProgram {
            $0.timeZone = "Asia/Shanghai"
            $0.maximumPointsPerOrder = 500
            $0.maximumPointsPerDay = 800
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-02-01T00:00:00Z")),
            // 600 capped at 500 per order: 500 today.
            purchase(customer: 1, order: "A-1", amount: cny("600.00"), at: time("2026-03-01T10:00:00+08:00")),
            // 400, of which 300 fit under the day's 800.
            purchase(customer: 1, order: "A-2", amount: cny("400.00"), at: time("2026-03-01T20:00:00+08:00")),
            // The day is full: 0.
            purchase(customer: 1, order: "A-3", amount: cny("100.00"), at: time("2026-03-01T23:59:59+08:00")),
            // A new Shanghai day at 16:00Z, although the UTC date is still 1 March: 100.
            purchase(customer: 1, order: "A-4", amount: cny("100.00"), at: time("2026-03-01T16:00:00Z")))
        try run.expectPoints(1, at: time("2026-03-01T15:59:59Z"), ExpectedPoints(available: 800, earned: 800))
        try run.expectPoints(1, at: time("2026-03-01T16:00:00Z"), ExpectedPoints(available: 900, earned: 900))
        // 1,200.00 over 4 purchases, but 28 days of tenure fall short of VIP's 180.
        let tier = try run.expectTier(1, at: time("2026-03-01T16:00:00Z"), "core")
        #expect(tier.windowPointsEarned == 900)
        #expect(tier.nextTier?.tenureDaysNeeded == 152)
    }

    /// A purchase recorded after a later day's purchase must not reopen that later day's cap.
    static let perDayCapWithLatePurchase = LoyaltyScenario(
        "per-day cap with a late purchase",
        program: cnyProgram {
            $0.timeZone = "Asia/Shanghai"
            $0.maximumPointsPerOrder = 500
            $0.maximumPointsPerDay = 800
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-02-01T00:00:00Z")),
            // 2 March: 600 capped at 500 per order.
            purchase(customer: 1, order: "A-1", amount: cny("600.00"), at: time("2026-03-02T10:00:00+08:00")))
        // Recorded now but made on 1 March: 100 points, on that day's cap.
        try run.append(purchase(customer: 1, order: "A-0", amount: cny("100.00"), at: time("2026-03-01T10:00:00+08:00")))
        // 2 March again: 400, of which 800 − 500 = 300 fit.
        try run.append(purchase(customer: 1, order: "A-2", amount: cny("400.00"), at: time("2026-03-02T12:00:00+08:00")))

        // 100 on 1 March, then 500 + 300 = 800 on 2 March: 900.
        try run.expectPoints(1, at: time("2026-03-02T12:00:00+08:00"), ExpectedPoints(available: 900, earned: 900))
        let tier = try run.expectTier(1, at: time("2026-03-02T12:00:00+08:00"), "core")
        #expect(tier.windowPointsEarned == 900)
    }

    static let minimumOrderAmount = LoyaltyScenario(
        "minimum order amount",
        program: cnyProgram { $0.minimumOrderAmount = 10_000 }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            // Below 100.00: no points.
            purchase(customer: 1, order: "A-1", amount: cny("99.99"), at: time("2026-02-01T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-01T00:00:00Z"), ExpectedPoints())
        // Exactly 100.00: 100 points.
        try run.append(purchase(customer: 1, order: "A-2", amount: cny("100.00"), at: time("2026-02-02T00:00:00Z")))
        try run.expectPoints(1, at: time("2026-02-02T00:00:00Z"), ExpectedPoints(available: 100, earned: 100))
        // Orders without points still count toward tiers: 199.99 over 2 is core.
        let tier = try run.expectTier(1, at: time("2026-02-02T00:00:00Z"), "core")
        #expect(tier.windowNetSpend == 19_999)
        #expect(tier.windowPointsEarned == 100)
    }

    /// At least 100 points, at most half the balance, and at most 20% of the order's amount when
    /// the redemption names an order, with 1 point worth 1.00 CNY.
    static let redemptionLimits = LoyaltyScenario(
        "redemption minimum and share limits",
        program: cnyProgram {
            $0.redemption = RedemptionRules(minimumPoints: 100, maximumBalancePercent: 50, maximumOrderPercent: 20)
            $0.pointValue = PointValue(points: 1, minorUnits: 100)
            $0.offers = [MemberOffer(id: "mug", name: "Tea mug", points: 200)]
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            purchase(customer: 1, order: "O-1", amount: cny("1000.00"), at: time("2026-02-01T00:00:00Z")))
        let day = time("2026-02-02T00:00:00Z")

        try run.expectRejected(redemption(customer: 1, points: 99, reward: "voucher", at: day), reasonContaining: "minimum")
        // Half of 1,000 is 500.
        try run.expectRejected(redemption(customer: 1, points: 501, reward: "voucher", at: day), reasonContaining: "50%")
        // 20% of 1,000.00 is 200.00: 201 points are worth 201.00.
        try run.expectRejected(
            redemption(customer: 1, points: 201, reward: "voucher", order: "O-1", at: day), reasonContaining: "20%")
        try run.expectRejected(redemption(customer: 1, points: 150, reward: "mug", at: day), reasonContaining: "costs 200")
        try run.expectPoints(1, at: day, ExpectedPoints(available: 1000, earned: 1000))

        // Each limit allows its boundary: 200 against O-1 (1,000 → 800), the mug (→ 600),
        // 300 = half of 600 (→ 300), and the minimum of 100 (→ 200).
        try run.append(
            redemption(customer: 1, points: 200, reward: "voucher", order: "O-1", at: day),
            redemption(customer: 1, points: 200, reward: "mug", at: day),
            redemption(customer: 1, points: 300, reward: "voucher", at: day),
            redemption(customer: 1, points: 100, reward: "voucher", at: day))
        try run.expectPoints(1, at: day, ExpectedPoints(available: 200, earned: 1000, redeemed: 800))
        // Half of 200 is 100, so 101 is too many.
        try run.expectRejected(redemption(customer: 1, points: 101, reward: "voucher", at: day), reasonContaining: "50%")
        try run.expectTier(1, at: day, "ordinary")
    }

    static let memberOfferTierEligibility = LoyaltyScenario(
        "member offer open to VIP only",
        program: cnyProgram {
            $0.offers = [MemberOffer(id: "lounge", name: "Tasting lounge", points: 0, eligibleTiers: ["VIP"])]
        }
    ) { run in
        try run.append(
            registration(customer: 1, at: time("2026-01-01T00:00:00Z")),
            registration(customer: 2, at: time("2026-01-01T00:00:00Z")),
            tierAssignment(customer: 2, TierAssigned(tier: "VIP", reason: "founding member"), at: time("2026-01-02T00:00:00Z")))
        let day = time("2026-02-01T00:00:00Z")

        // Customer 1 is ordinary, so the free offer is rejected.
        try run.expectRejected(redemption(customer: 1, points: 0, reward: "lounge", at: day), reasonContaining: "VIP")
        // Customer 2 is VIP by assignment and redeems the offer for 0 points.
        try run.append(redemption(customer: 2, points: 0, reward: "lounge", at: day))
        #expect(try run.ledger.customer(customer(2))?.version == 3)

        try run.expectTier(1, at: day, "ordinary")
        let vip = try run.expectTier(2, at: day, "VIP")
        #expect(vip.reason == .assigned(TierAssigned(tier: "VIP", reason: "founding member")))
        #expect(vip.dropsAt == nil)
        try run.expectPoints(2, at: day, ExpectedPoints())
    }
}
