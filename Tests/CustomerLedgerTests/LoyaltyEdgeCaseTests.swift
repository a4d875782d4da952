import Foundation
import Testing

@testable import CustomerLedger

/// Cases that a user's attack on the loyalty engine found, each checked by hand, and each
/// reproduced by replay.
@Suite struct LoyaltyEdgeCaseTests {
    /// Points that expire 30 days after they become available, in UTC.
    private static var thirtyDayProgram: LoyaltyProgram {
        var program = LoyaltyProgram(currency: .cny)
        program.expiry = .afterDays(30)
        return program
    }

    private func expectReplayKeeps(_ ledger: Ledger, customer number: UInt64, at instant: Timestamp) throws {
        let before = try ledger.points(of: customer(number), asOf: instant)
        try ledger.replay()
        #expect(try ledger.points(of: customer(number), asOf: instant) == before)
    }

    @Test func backdatedRedemptionAfterWriteOff() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: Self.thirtyDayProgram)
        try ledger.append([
            registration(customer: 1, at: time("2024-01-01")),
            purchase(customer: 1, order: "A", amount: cny("100.00"), at: time("2024-01-01")),
            purchase(customer: 1, order: "B", amount: cny("100.00"), at: time("2024-01-05")),
        ])
        // Lot A expires on 31 January, lot B on 4 February.
        try ledger.expirePoints(asOf: time("2024-02-01"))
        try ledger.append(redemption(customer: 1, points: 60, at: time("2024-01-20")))

        // On 20 January the 60 came out of lot A, the sooner to expire, so only 40 of A expired.
        let statement = try #require(try ledger.points(of: customer(1), asOf: time("2024-02-01")))
        #expect(statement.available == 100)
        #expect(statement.redeemed == 60)
        #expect(statement.expired == 40)
        try expectReplayKeeps(ledger, customer: 1, at: time("2024-02-01"))
    }

    @Test func refundAfterExpiryTakesNothingElse() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: Self.thirtyDayProgram)
        try ledger.append([
            registration(customer: 1, at: time("2024-01-01")),
            purchase(customer: 1, order: "A", amount: cny("100.00"), at: time("2024-01-01")),
            purchase(customer: 1, order: "B", amount: cny("50.00"), at: time("2024-02-10")),
            refund(customer: 1, order: "A", amount: cny("100.00"), at: time("2024-02-15")),
        ])

        // A's 100 points expired on 31 January, so the refund takes back those and not B's 50.
        let statement = try #require(try ledger.points(of: customer(1), asOf: time("2024-02-15")))
        #expect(statement.available == 50)
        #expect(statement.reversed == 100)
        #expect(statement.expired == 0)
        try expectReplayKeeps(ledger, customer: 1, at: time("2024-02-15"))
    }

    @Test func currencyChangeDropsOldSpendFromTiers() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: LoyaltyProgram(currency: .usd))
        try ledger.append([
            registration(customer: 1, at: time("1997-01-01")),
            purchase(customer: 1, order: "A", amount: usd("100.00"), at: time("1997-01-02")),
            purchase(customer: 1, order: "B", amount: usd("50.00"), at: time("1997-01-03")),
        ])
        #expect(try ledger.tier(of: customer(1), asOf: time("1997-01-31"))?.tierName == "core")

        try ledger.setProgram(LoyaltyProgram(currency: .cny), effectiveFrom: time("1997-02-01"))

        let tier = try #require(try ledger.tier(of: customer(1), asOf: time("1997-02-01")))
        #expect(tier.windowNetSpend == 0)
        #expect(tier.windowPurchases == 2)
        #expect(tier.tierName == "ordinary")
    }

    @Test func futureProgramCanBeReplaced() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try ledger.append(registration(customer: 1, at: time("2024-01-01")))
        let mistaken = LoyaltyProgram(currency: .cny, pointsPerUnit: 5)
        try ledger.setProgram(mistaken, effectiveFrom: time("2205-01-01"))

        let fixed = LoyaltyProgram(currency: .cny, pointsPerUnit: 2)
        try ledger.setProgram(fixed, effectiveFrom: time("2024-06-01"))
        try ledger.append(purchase(customer: 1, order: "A", amount: cny("10.00"), at: time("2300-01-01")))

        // The 2205 version never took effect: the 2300 purchase earns under the 2024 one.
        #expect(try ledger.program(asOf: time("2300-01-01")) == fixed)
        #expect(try ledger.customer(customer(1))?.points.earned == 20)
        try ledger.replay()
        #expect(try ledger.customer(customer(1))?.points.earned == 20)
    }

    @Test func referralNeedsQualifyingPurchase() throws {
        let directory = try TemporaryDirectory()
        var program = LoyaltyProgram(currency: .cny)
        program.minimumOrderAmount = 5_000
        program.referral = ReferralReward(referrerPoints: 200, newCustomerPoints: 100)
        let ledger = try openLedger(at: directory.path + "/db", program: program)
        try ledger.append(registration(customer: 1, at: time("2024-01-01")))
        var referred = registration(customer: 2, at: time("2024-01-02"))
        referred.payload = .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "李娜"), referrer: customer(1)))
        try ledger.append(referred)

        // A free order, one below the minimum and one in another currency pay nothing.
        try ledger.append([
            purchase(customer: 2, order: "A", amount: cny("0.00"), at: time("2024-01-03")),
            purchase(customer: 2, order: "B", amount: cny("49.99"), at: time("2024-01-04")),
            purchase(customer: 2, order: "C", amount: usd("80.00"), at: time("2024-01-05")),
        ])
        #expect(try ledger.customer(customer(1))?.points.earned == 0)

        try ledger.append(purchase(customer: 2, order: "D", amount: cny("50.00"), at: time("2024-01-06")))
        try ledger.append(purchase(customer: 2, order: "E", amount: cny("60.00"), at: time("2024-01-07")))

        #expect(try ledger.customer(customer(1))?.points.earned == 200)
        // 49.99 is below the minimum order amount, so it earns no points either.
        #expect(try ledger.customer(customer(2))?.points.earned == 100 + 50 + 60)
    }

    @Test func unknownReferrerRejected() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        var referred = registration(customer: 2, at: time("2024-01-02"))
        referred.payload = .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: ""), referrer: customer(9)))

        try expectRuleViolation(
            ledger, [referred],
            reason: "referrer 9 is not a registered customer; register the referrer first or leave the referrer out")
    }

    @Test func ladderMustRise() throws {
        let program = LoyaltyProgram(
            currency: .cny,
            tiers: [
                TierRule(name: "ordinary"), TierRule(name: "gold", minimumNetSpend: 50_000),
                TierRule(name: "silver", minimumNetSpend: 10_000),
            ])
        #expect(throws: LedgerError.invalidProgram(
            "tier 'silver' requires less than the tier below it, 'gold'; order the ladder from lowest to highest")
        ) { try program.validate() }

        let same = LoyaltyProgram(
            currency: .cny,
            tiers: [TierRule(name: "ordinary"), TierRule(name: "a", minimumPurchases: 2), TierRule(name: "b", minimumPurchases: 2)])
        #expect(throws: LedgerError.self) { try same.validate() }

        let typo = LoyaltyProgram(currency: Currency("CYN")!)
        #expect(throws: LedgerError.invalidProgram(
            "currency CYN is not an ISO 4217 code; use one such as CNY, USD, EUR or JPY")
        ) { try typo.validate() }
    }

    @Test func tierWindowCountsLocalDays() throws {
        let directory = try TemporaryDirectory()
        var program = LoyaltyProgram(
            currency: .cny, tierWindowDays: 1,
            tiers: [TierRule(name: "base"), TierRule(name: "buyer", minimumPurchases: 1)])
        program.timeZone = "Europe/Berlin"
        let ledger = try openLedger(at: directory.path + "/db", program: program)
        // 12:00 CET on 28 March 2026; one local day later is 12:00 CEST, 23 hours later.
        let bought = time("2026-03-28T11:00:00Z")
        try ledger.append([
            registration(customer: 1, at: bought), purchase(customer: 1, order: "A", amount: cny("1.00"), at: bought),
        ])

        let justBefore = try #require(try ledger.tier(of: customer(1), asOf: time("2026-03-29T09:59:59Z")))
        let dayLater = try #require(try ledger.tier(of: customer(1), asOf: time("2026-03-29T10:00:00Z")))

        #expect(justBefore.tierName == "buyer")
        #expect(justBefore.tenureDays == 0)
        #expect(dayLater.tierName == "base")
        #expect(dayLater.tenureDays == 1)
    }
}
