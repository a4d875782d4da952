import Foundation
import Testing

@testable import CustomerLedger

/// Tiers under the default ladder of `LoyaltyProgram(currency: .cny)`, measured over the trailing
/// 365 days. Core needs 2 purchases and 100.00 CNY net spend. VIP needs 4 purchases, 500.00 CNY
/// and 180 days since registration.
@Suite struct TierEvaluationTests {
    @Test func defaultLadderValues() {
        #expect(LoyaltyProgram.defaultTiers(currency: .cny) == [
            TierRule(name: "ordinary"),
            TierRule(name: "core", minimumNetSpend: 10_000, minimumPurchases: 2),
            TierRule(name: "VIP", minimumNetSpend: 50_000, minimumPurchases: 4, minimumTenureDays: 180),
        ])
        #expect(LoyaltyProgram.defaultTiers(currency: Currency("JPY")!)[1].minimumNetSpend == 100)
    }

    @Test func coreThresholdIsInclusive() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: LoyaltyProgram(currency: .cny))
        let registered = time("2024-03-01")
        let day = time("2024-03-02")
        try ledger.append([
            registration(customer: 1, at: registered),
            purchase(customer: 1, order: "A-1", amount: cny("50.00"), at: day),
            purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: day),
            registration(customer: 2, at: registered),
            purchase(customer: 2, order: "B-1", amount: cny("50.00"), at: day),
            purchase(customer: 2, order: "B-2", amount: cny("49.99"), at: day),
        ])
        let asOf = time("2024-03-10")

        #expect(try ledger.tier(of: customer(1), asOf: asOf) == TierEvaluation(
            tierIndex: 1, tierName: "core", asOf: asOf, windowNetSpend: 10_000, windowPurchases: 2,
            windowPointsEarned: 100, tenureDays: 9, windowStart: asOf.adding(days: -365), qualifiedTierIndex: 1,
            nextTier: NextTierGap(
                tierName: "VIP", netSpendNeeded: 40_000, purchasesNeeded: 2, tenureDaysNeeded: 171, pointsNeeded: 0)))
        #expect(try ledger.tier(of: customer(2), asOf: asOf) == TierEvaluation(
            tierIndex: 0, tierName: "ordinary", asOf: asOf, windowNetSpend: 9_999, windowPurchases: 2,
            windowPointsEarned: 99, tenureDays: 9, windowStart: asOf.adding(days: -365), qualifiedTierIndex: 0,
            nextTier: NextTierGap(tierName: "core", netSpendNeeded: 1, purchasesNeeded: 0, tenureDaysNeeded: 0, pointsNeeded: 0)))
        #expect(try ledger.tier(of: customer(3), asOf: asOf) == nil)
    }

    @Test func refundDropsBelowThreshold() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-02")
        try ledger.append([
            registration(customer: 1, at: time("2024-03-01")),
            purchase(customer: 1, order: "A-1", amount: cny("60.00"), at: day),
            purchase(customer: 1, order: "A-2", amount: cny("60.00"), at: day),
        ])
        #expect(try ledger.tier(of: customer(1), asOf: day)?.tierName == "core")

        try ledger.append(refund(customer: 1, order: "A-2", amount: cny("20.01"), at: day))

        let tier = try #require(try ledger.tier(of: customer(1), asOf: day))
        #expect(tier.tierName == "ordinary")
        #expect(tier.windowNetSpend == 9_999)
        #expect(tier.windowPurchases == 2)
        #expect(
            tier.nextTier
                == NextTierGap(tierName: "core", netSpendNeeded: 1, purchasesNeeded: 0, tenureDaysNeeded: 0, pointsNeeded: 0))
    }

    @Test func windowExcludesExactly365Days() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let start = time("2023-01-01T12:00:00Z")
        let latest = start.adding(days: 365)
        let oneMicrosecondLater = Timestamp(microseconds: start.microseconds + 1)
        try ledger.append([
            registration(customer: 1, at: time("2023-01-01")),
            purchase(customer: 1, order: "A-1", amount: cny("60.00"), at: start),
            purchase(customer: 1, order: "A-2", amount: cny("60.00"), at: latest),
            registration(customer: 2, at: time("2023-01-01")),
            purchase(customer: 2, order: "B-1", amount: cny("60.00"), at: oneMicrosecondLater),
            purchase(customer: 2, order: "B-2", amount: cny("60.00"), at: latest),
        ])

        let outside = try #require(try ledger.tier(of: customer(1), asOf: latest))
        let inside = try #require(try ledger.tier(of: customer(2), asOf: latest))
        let slidPast = try #require(
            try ledger.tier(of: customer(2), asOf: Timestamp(microseconds: latest.microseconds + 1)))

        #expect(outside.windowNetSpend == 6_000)
        #expect(outside.windowPurchases == 1)
        #expect(outside.tierName == "ordinary")
        #expect(inside.windowNetSpend == 12_000)
        #expect(inside.windowPurchases == 2)
        #expect(inside.tierName == "core")
        #expect(slidPast.windowNetSpend == 6_000)
        #expect(slidPast.tierName == "ordinary")
    }

    @Test func vipNeedsTenure() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let registered = time("2024-01-01")
        try ledger.append([registration(customer: 1, at: registered)])
        try ledger.append((1...4).map { number in
            purchase(customer: 1, order: "A-\(number)", amount: cny("125.00"), at: registered.adding(days: Int64(number)))
        })
        let day180 = registered.adding(days: 180)
        let justBefore = Timestamp(microseconds: day180.microseconds - 1)

        #expect(day180 == time("2024-06-29"))
        #expect(try ledger.tier(of: customer(1), asOf: justBefore) == TierEvaluation(
            tierIndex: 1, tierName: "core", asOf: justBefore, windowNetSpend: 50_000, windowPurchases: 4,
            windowPointsEarned: 500, tenureDays: 179, windowStart: justBefore.adding(days: -365), qualifiedTierIndex: 1,
            nextTier: NextTierGap(tierName: "VIP", netSpendNeeded: 0, purchasesNeeded: 0, tenureDaysNeeded: 1, pointsNeeded: 0)))
        #expect(try ledger.tier(of: customer(1), asOf: day180) == TierEvaluation(
            tierIndex: 2, tierName: "VIP", asOf: day180, windowNetSpend: 50_000, windowPurchases: 4,
            windowPointsEarned: 500, tenureDays: 180, windowStart: day180.adding(days: -365), qualifiedTierIndex: 2,
            nextTier: nil))
    }

    @Test func nextTierGapsFromOrdinary() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            registration(customer: 2, at: day),
            purchase(customer: 2, order: "B-1", amount: cny("60.00"), at: day),
        ])

        #expect(try ledger.tier(of: customer(1), asOf: day)?.nextTier == NextTierGap(
            tierName: "core", netSpendNeeded: 10_000, purchasesNeeded: 2, tenureDaysNeeded: 0, pointsNeeded: 0))
        #expect(try ledger.tier(of: customer(2), asOf: day)?.nextTier == NextTierGap(
            tierName: "core", netSpendNeeded: 4_000, purchasesNeeded: 1, tenureDaysNeeded: 0, pointsNeeded: 0))
    }

    @Test func earlierInstantMatchesShorterLog() throws {
        let directory = try TemporaryDirectory()
        let early = [
            registration(customer: 1, at: time("2024-01-10")),
            purchase(customer: 1, order: "A-1", amount: cny("80.00"), at: time("2024-02-01")),
            purchase(customer: 1, order: "A-2", amount: cny("40.00"), at: time("2024-03-01")),
        ]
        // A year later the early purchases have left the stored window, and A-2 is partly refunded.
        let late = [
            purchase(customer: 1, order: "A-3", amount: cny("10.00"), at: time("2025-03-10")),
            refund(customer: 1, order: "A-2", amount: cny("20.00"), at: time("2025-03-12")),
        ]
        let full = try openLedger(at: directory.path + "/full")
        try full.append(early)
        try full.append(late)
        let shorter = try openLedger(at: directory.path + "/shorter")
        try shorter.append(early)
        let instant = time("2024-03-15")

        let refolded = try #require(try full.tier(of: customer(1), asOf: instant))
        let expected = try #require(try shorter.tier(of: customer(1), asOf: instant))

        #expect(refolded == expected)
        #expect(refolded.tierName == "core")
        #expect(refolded.windowNetSpend == 12_000)
        #expect(try full.tiers(asOf: instant).map { $0.tier } == [expected])
        #expect(try full.tier(of: customer(1), asOf: time("2025-03-12"))?.windowNetSpend == -1_000)
    }
}
