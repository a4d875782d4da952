import CustomerLedger
import Foundation
import Testing

/// A ladder whose top tier needs points earned and earns a multiplier. Of the fixture's
/// customers, only customer 1 earned 200 points (230) in the window to 2024-03-11.
private let pointsLadderProgram = """
    {"currency": "CNY",
     "tiers": {"ladder": [
       {"name": "ordinary"},
       {"name": "core", "min_net_spend": "100.00", "min_purchases": 1},
       {"name": "gold", "min_net_spend": "100.00", "min_purchases": 1, "min_points_earned": 200, "multiplier": "1.5"}]}}
    """

/// `ledger tiers --json` with the members that show the whole rule of each tier.
private struct TierRulesOutput: Decodable {
    struct Tier: Decodable, Equatable {
        let name: String
        let minimumPurchases: Int64
        let minimumTenureDays: Int64
        let minimumPointsEarned: Int64
        let multiplier: String

        enum CodingKeys: String, CodingKey {
            case name, multiplier
            case minimumPurchases = "minimum_purchases"
            case minimumTenureDays = "minimum_tenure_days"
            case minimumPointsEarned = "minimum_points_earned"
        }
    }

    let tiers: [Tier]
}

/// Appends a redemption of 1 point by customer 1 to the fixture ledger at `database`. The
/// `Ledger` is released on return, before the CLI opens the folder.
private func redeemOnePoint(in database: String) throws {
    let ledger = try Ledger(path: database, options: .init(masterKey: TestKey.key))
    let customer = try #require(CustomerID(1))
    let instant = try #require(Timestamp(parsing: LoyaltyFixture.latestEvent))
    try ledger.append(
        NewEvent(
            customerID: customer, occurredAt: instant, payload: .pointsRedeemed(PointsRedeemed(points: 1, reward: "sticker"))))
}

@Suite("Tier rules, point counts and program file ranges in command output")
struct LoyaltyDetailCommandTests {
    // MARK: tiers

    @Test func tiersShowPointsEarnedAndMultiplier() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let file = try LoyaltyFixture.writeFile(pointsLadderProgram, named: "ladder.json", in: folder)
            let set = try await LedgerProcess.run(["program", "set", file, "--effective", "2024-03-11"], database: database)
            #expect(set.status == 0, "\(set)")

            // The default instant is the latest customer event, 2024-03-10, before the new ladder.
            let text = try await LedgerProcess.run(["tiers", "--as-of", "2024-03-11"], database: database)
            #expect(text.status == 0, "\(text)")
            #expect(Array(text.outputLines.dropFirst(2)) == [
                "TIER      CUSTOMERS  SHARE  EARNS  REQUIRES IN WINDOW",
                "--------  ---------  -----  -----  ---------------------------------------------------------",
                "ordinary          3  75.0%     ×1  —",
                "core              0   0.0%     ×1  net spend ≥ 100.00 CNY, ≥ 1 purchase",
                "gold              1  25.0%   ×1.5  net spend ≥ 100.00 CNY, ≥ 1 purchase, ≥ 200 points earned",
            ])

            let json = try await LedgerProcess.run(["tiers", "--as-of", "2024-03-11", "--json"], database: database)
            #expect(json.status == 0, "\(json)")
            #expect(try decodeOutput(TierRulesOutput.self, from: json).tiers == [
                .init(name: "ordinary", minimumPurchases: 0, minimumTenureDays: 0, minimumPointsEarned: 0, multiplier: "1"),
                .init(name: "core", minimumPurchases: 1, minimumTenureDays: 0, minimumPointsEarned: 0, multiplier: "1"),
                .init(name: "gold", minimumPurchases: 1, minimumTenureDays: 0, minimumPointsEarned: 200, multiplier: "1.5"),
            ])
        }
    }

    @Test func tiersWithoutMultipliersOmitColumn() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let text = try await LedgerProcess.run(["tiers"], database: database)
            #expect(text.status == 0, "\(text)")
            #expect(text.outputLines.dropFirst(2).first == "TIER      CUSTOMERS  SHARE  REQUIRES IN WINDOW", "\(text)")

            let json = try await LedgerProcess.run(["tiers", "--json"], database: database)
            let tiers = try decodeOutput(TierRulesOutput.self, from: json).tiers
            #expect(tiers.map(\.multiplier) == ["1", "1", "1"])
            #expect(tiers.map(\.minimumPointsEarned) == [0, 0, 0])
        }
    }

    // MARK: Point counts

    @Test func historyCountsOnePointInSingular() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            try redeemOnePoint(in: database)

            let result = try await LedgerProcess.run(["history", "1"], database: database)
            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines.last?.hasSuffix("redeemed 1 point for sticker") == true, "\(result)")
        }
    }

    // MARK: Program file ranges

    @Test(arguments: [
        (#"{"expiry": {"kind": "after-days", "days": 0}}"#, "expiry.days: expected an integer from 1 to 36500, got 0"),
        (#"{"pending_days": 3651}"#, "pending_days: expected an integer from 0 to 3650, got 3651"),
        (#"{"redemption": {"max_order_percent": 0}}"#, "redemption.max_order_percent: expected an integer from 1 to 100, got 0"),
        (#"{"earning": {"multipliers": {"sku": {"CD": 101}}}}"#, "earning.multipliers.sku.CD: 101 is too large; multipliers are at most 100"),
    ])
    func outOfRangeFieldNamesRange(members: String, message: String) async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let document = #"{"currency": "CNY", "# + members.dropFirst()
            let file = try LoyaltyFixture.writeFile(document, named: "program.json", in: folder)
            let result = try await LedgerProcess.run(["program", "set", file, "--effective", "2024-03-11"], database: database)
            #expect(result.status == 65, "\(result)")
            #expect(result.standardError == "ledger program set: \(file): \(message); nothing was written\n", "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount)
        }
    }

    /// A minified program with 20,000 SKU multipliers on one line, which `simulate` accepts.
    /// `ProgramDocumentTests` checks that parsing such a document takes time linear in its length.
    @Test func minifiedProgramWithManyKeysIsAccepted() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let skus = (0..<20_000).map { #""SKU-\#($0)":"1.5""# }.joined(separator: ",")
            let document = #"{"currency":"CNY","earning":{"multipliers":{"sku":{"# + skus + "}}}}"
            let file = try LoyaltyFixture.writeFile(document, named: "minified.json", in: folder)

            let result = try await LedgerProcess.run(["simulate", "--program", file, "--json"], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(try jsonObject(result)["tier_changes"] as? Int == 0, "\(result)")
        }
    }
}
