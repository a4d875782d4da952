import Foundation
import Testing

/// Runs `ledger arguments` against a new fixture ledger in a temporary folder and passes the
/// ledger's path and the folder to `body` with the result.
private func withFixture<Result>(_ body: (_ database: String, _ folder: String) async throws -> Result) async throws -> Result {
    try await withTemporaryFolder { folder in
        let database = try LoyaltyFixture.makeLedger(in: folder)
        return try await body(database, folder)
    }
}

/// Returns the lines of `text` with their trailing spaces removed.
private func trimmedLines(_ result: CommandResult) -> [String] {
    result.outputLines.map { line in
        var line = line
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}

@Suite("Loyalty commands on a small ledger")
struct LoyaltyCommandTests {
    // MARK: points

    @Test func pointsTextShowsStatementAndLots() async throws {
        try await withFixture { database, _ in
            let result = try await LedgerProcess.run(["points", "1"], database: database)
            #expect(result.status == 0, "\(result)")
            #expect(result.standardError.isEmpty, "\(result)")
            let lines = trimmedLines(result)
            #expect(lines.first == "customer 1, points as of 2024-03-10")
            for expected in [
                "available  150", "pending    80", "expiring   150 on 2024-04-23", "           80 on 2024-06-13",
                "earned     230", "redeemed   0", "expired    0", "reversed   0", "adjusted   0",
            ] {
                #expect(lines.contains(expected), "missing line '\(expected)' in\n\(result.standardOutput)")
            }
            #expect(lines.contains("LOT  EARNED      AVAILABLE FROM  EXPIRES     REMAINING  STATUS"), "\(result)")
            #expect(lines.contains("  1  2024-01-10  2024-01-24      2024-04-23        150  available"), "\(result)")
            #expect(lines.contains("  2  2024-03-01  2024-03-15      2024-06-13         80  pending"), "\(result)")
        }
    }

    @Test func pointsJSONListsExpiringAndLots() async throws {
        try await withFixture { database, _ in
            let result = try await LedgerProcess.run(["points", "1", "--json"], database: database)
            #expect(result.status == 0, "\(result)")
            let points = try decodeOutput(PointsOutput.self, from: result)
            #expect(points.customerID == 1)
            #expect(points.asOf == "2024-03-10T00:00:00Z")
            #expect(points.available == 150)
            #expect(points.pending == 80)
            #expect(points.expiring == [
                .init(expiresAt: "2024-04-23T00:00:00Z", points: 150), .init(expiresAt: "2024-06-13T00:00:00Z", points: 80),
            ])
            #expect(points.earned == 230)
            #expect(points.lots.map(\.number) == [1, 2])
            #expect(points.lots.map(\.status) == ["available", "pending"])
            #expect(points.lots.map(\.remaining) == [150, 80])
        }
    }

    @Test func pointsAsOfEarlierInstantRefolds() async throws {
        try await withFixture { database, _ in
            let result = try await LedgerProcess.run(["points", "1", "--as-of", "2024-01-20", "--json"], database: database)
            #expect(result.status == 0, "\(result)")
            let points = try decodeOutput(PointsOutput.self, from: result)
            #expect(points.asOf == "2024-01-20T00:00:00Z")
            #expect(points.available == 0)
            #expect(points.pending == 150)
            #expect(points.earned == 150)
            #expect(points.lots.map(\.status) == ["pending"])
        }
    }

    @Test func pointsOfExpiredLotsCountAsExpired() async throws {
        try await withFixture { database, _ in
            let result = try await LedgerProcess.run(["points", "2", "--json"], database: database)
            #expect(result.status == 0, "\(result)")
            let points = try decodeOutput(PointsOutput.self, from: result)
            #expect(points.available == 0)
            #expect(points.expired == 120)
            #expect(points.expiring.isEmpty)
            #expect(points.lots.map(\.status) == ["expired", "expired"])
        }
    }

    @Test func pointsOfDebtorShowsOwedPoints() async throws {
        try await withFixture { database, _ in
            let text = try await LedgerProcess.run(["points", "4"], database: database)
            #expect(text.status == 0, "\(text)")
            #expect(text.standardOutput.contains("available  -100 (owes 100 points, repaid from later earnings first)"), "\(text)")
            #expect(text.standardOutput.contains("no lots with points left"), "\(text)")

            let json = try await LedgerProcess.run(["points", "4", "--json"], database: database)
            let points = try decodeOutput(PointsOutput.self, from: json)
            #expect(points.available == -100)
            #expect(points.redeemed == 100)
            #expect(points.reversed == 100)
            #expect(points.lots.isEmpty)
        }
    }

    // MARK: points expire and rewards birthday

    @Test func pointsExpireWritesOnceThenNothing() async throws {
        try await withFixture { database, _ in
            let first = try await LedgerProcess.run(
                ["points", "expire", "--as-of", LoyaltyFixture.latestEvent, "--actor", "nightly"], database: database)
            #expect(first.status == 0, "\(first)")
            #expect(first.standardOutput == "wrote 2 PointsExpired events for 1 customer: 120 points expired as of 2024-03-10\n")

            let second = try await LedgerProcess.run(
                ["points", "expire", "--as-of", LoyaltyFixture.latestEvent, "--json"], database: database)
            #expect(second.status == 0, "\(second)")
            #expect(
                try decodeOutput(MaterializedEventsOutput.self, from: second)
                    == .init(asOf: "2024-03-10T00:00:00Z", eventType: "PointsExpired", events: 0, customers: 0, points: 0))
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount + 2)

            let history = try await LedgerProcess.run(["history", "2", "--type", "PointsExpired", "--json"], database: database)
            let events = try history.outputLines.map { line in
                try JSONDecoder().decode(HistoryEventOutput.self, from: Data(line.utf8))
            }
            #expect(events.map(\.occurredAt) == ["2023-05-16T00:00:00Z", "2023-06-13T00:00:00Z"])
            #expect(events.map(\.actor) == ["nightly", "nightly"])
            #expect(events.map(\.source) == ["cli", "cli"])

            // The points stay counted as expired, now written down by the events.
            let points = try await LedgerProcess.run(["points", "2", "--json"], database: database)
            let statement = try decodeOutput(PointsOutput.self, from: points)
            #expect(statement.expired == 120)
            #expect(statement.lots.isEmpty)
        }
    }

    @Test func birthdayRewardIsGrantedOnce() async throws {
        try await withFixture { database, _ in
            let first = try await LedgerProcess.run(["rewards", "birthday", "--as-of", "2024-03-15", "--json"], database: database)
            #expect(first.status == 0, "\(first)")
            #expect(
                try decodeOutput(MaterializedEventsOutput.self, from: first)
                    == .init(asOf: "2024-03-15T00:00:00Z", eventType: "RewardGranted", events: 1, customers: 1, points: 100))

            let second = try await LedgerProcess.run(["rewards", "birthday", "--as-of", "2024-03-15T18:00:00Z"], database: database)
            #expect(second.status == 0, "\(second)")
            #expect(
                second.standardOutput
                    == "wrote 0 RewardGranted events for 0 customers: 0 points granted as of 2024-03-15T18:00:00Z\n")

            let points = try await LedgerProcess.run(["points", "1", "--as-of", "2024-03-15", "--json"], database: database)
            #expect(try decodeOutput(PointsOutput.self, from: points).earned == 330)
        }
    }

    @Test func birthdayRunWithoutRuleNotesIt() async throws {
        try await withTemporaryFolder { folder in
            let cdnow = try LoyaltyFixture.writeFile(
                "customer_id date number_of_cds dollar_value\n 00001 19970101  1   11.77\n", named: "one.txt", in: folder)
            let database = folder + "/ledger.db"
            let imported = try await LedgerProcess.run(["import", "cdnow", cdnow], database: database)
            try #require(imported.status == 0, "\(imported)")

            let result = try await LedgerProcess.run(["rewards", "birthday", "--as-of", "1997-01-01"], database: database)
            #expect(result.status == 0, "\(result)")
            #expect(result.standardError.contains("has no birthday reward, so none is due"), "\(result)")
            #expect(result.standardOutput.hasPrefix("wrote 0 RewardGranted events"), "\(result)")
        }
    }

    // MARK: tier

    @Test func tierTextExplainsFiguresAndNextTier() async throws {
        try await withFixture { database, _ in
            let result = try await LedgerProcess.run(["tier", "1"], database: database)
            #expect(result.status == 0, "\(result)")
            let lines = trimmedLines(result)
            #expect(lines.first == "customer 1 holds core as of 2024-03-10")
            #expect(lines.contains("reason   the window's figures meet the requirements of core"), "\(result)")
            #expect(lines.contains("window   the trailing 365 days: after 2023-03-11, up to 2024-03-10"), "\(result)")
            #expect(lines.contains("FIGURE         CUSTOMER  core (TIER)         VIP (NEXT)"), "\(result)")
            #expect(lines.contains("net spend    230.00 CNY  ≥ 100.00 CNY (met)  ≥ 500.00 CNY (not met)"), "\(result)")
            #expect(lines.contains("purchases             2  ≥ 2 (met)           ≥ 4 (not met)"), "\(result)")
            #expect(lines.contains("tenure days          69  —                   ≥ 180 (not met)"), "\(result)")
            #expect(
                lines.contains(
                    "next     VIP needs 270.00 CNY more net spend, 2 more purchases, 111 more days of tenure in the window"),
                "\(result)")
            #expect(
                lines.last
                    == "changes  drops to ordinary at 2025-02-08 as purchases leave the window, unless new events change the figures",
                "\(result)")
        }
    }

    @Test func tierJSONHasFiguresAndGap() async throws {
        try await withFixture { database, _ in
            let result = try await LedgerProcess.run(["tier", "1", "--json"], database: database)
            #expect(result.status == 0, "\(result)")
            let tier = try decodeOutput(TierOutput.self, from: result)
            #expect(tier.tier == "core")
            #expect(tier.rank == 1)
            #expect(tier.qualifiedTier == "core")
            #expect(tier.figures == .init(
                netSpend: MoneyOutput(minorUnits: 23_000, currency: "CNY"), purchases: 2, tenureDays: 69, pointsEarned: 230))
            #expect(tier.requirements.tier.name == "core")
            #expect(tier.requirements.tier.met)
            #expect(tier.requirements.next?.name == "VIP")
            #expect(tier.requirements.next?.met == false)
            #expect(tier.nextTier == .init(
                name: "VIP", netSpendNeeded: MoneyOutput(minorUnits: 27_000, currency: "CNY"), purchasesNeeded: 2,
                tenureDaysNeeded: 111))
            #expect(tier.heldBy == nil)
            #expect(tier.dropsAt == nil)
        }
    }

    @Test func tierHeldByGraceShowsDropInstant() async throws {
        try await withFixture { database, _ in
            let json = try await LedgerProcess.run(["tier", "2", "--as-of", "2024-02-15", "--json"], database: database)
            #expect(json.status == 0, "\(json)")
            let tier = try decodeOutput(TierOutput.self, from: json)
            #expect(tier.tier == "core")
            #expect(tier.qualifiedTier == "ordinary")
            #expect(tier.figures.purchases == 1)
            #expect(tier.requirements.tier.met == false)
            // The purchase of 2023-02-01 leaves the window at 2024-02-01, so the customer last
            // qualified just before, and the 30 days of grace run from there.
            #expect(tier.heldBy?.kind == "grace")
            #expect(tier.heldBy?.lastQualifiedAt == "2024-01-31T23:59:59.999999Z")
            #expect(tier.heldBy?.graceDays == 30)
            #expect(tier.dropsAt == "2024-03-02T00:00:00Z")

            let text = try await LedgerProcess.run(["tier", "2", "--as-of", "2024-02-15"], database: database)
            #expect(
                text.standardOutput.contains(
                    "reason   grace period: last qualified for core at 2024-01-31T23:59:59.999999Z, and the program keeps a tier 30 days after that; the figures alone reach ordinary"),
                "\(text)")
            #expect(
                text.standardOutput.contains(
                    "changes  drops to ordinary at 2024-03-02 when the grace period ends, unless new events change the figures"),
                "\(text)")

            let before = try await LedgerProcess.run(
                ["tier", "2", "--as-of", "2024-03-01T23:59:59.999999Z", "--json"], database: database)
            #expect(try decodeOutput(TierOutput.self, from: before).tier == "core")
            let after = try await LedgerProcess.run(["tier", "2", "--as-of", "2024-03-02", "--json"], database: database)
            #expect(try decodeOutput(TierOutput.self, from: after).tier == "ordinary")
        }
    }

    // MARK: tier assign

    @Test func tierAssignAppendsFloorUntilEnd() async throws {
        try await withFixture { database, _ in
            let assigned = try await LedgerProcess.run(
                ["tier", "assign", "3", "VIP", "--reason", "press partner", "--until", "2024-06-01", "--actor", "alice"],
                database: database)
            #expect(assigned.status == 0, "\(assigned)")
            #expect(
                assigned.outputLines == [
                    "assigned VIP to customer 3 from 2024-03-10 until 2024-06-01 (event at position 12)",
                    "customer 3 holds VIP as of 2024-03-10",
                ], "\(assigned)")

            let json = try await LedgerProcess.run(["tier", "3", "--json"], database: database)
            let tier = try decodeOutput(TierOutput.self, from: json)
            #expect(tier.tier == "VIP")
            #expect(tier.qualifiedTier == "ordinary")
            #expect(tier.heldBy == .init(
                kind: "assignment", lastQualifiedAt: nil, graceDays: nil, tier: "VIP", reason: "press partner",
                until: "2024-06-01T00:00:00Z", assignedAt: "2024-03-10T00:00:00Z", actor: "alice"))
            #expect(tier.dropsAt == "2024-06-01T00:00:00Z")
            #expect(tier.nextTier == nil)

            let text = try await LedgerProcess.run(["tier", "3"], database: database)
            #expect(
                text.standardOutput.contains(
                    "reason   manual assignment of VIP by alice at 2024-03-10, until 2024-06-01 (press partner); the figures alone reach ordinary"),
                "\(text)")
            #expect(text.standardOutput.contains("changes  drops to ordinary at 2024-06-01 when the assignment ends"), "\(text)")

            let ended = try await LedgerProcess.run(["tier", "3", "--as-of", "2024-06-01", "--json"], database: database)
            #expect(try decodeOutput(TierOutput.self, from: ended).tier == "ordinary")
        }
    }

    @Test func tierAssignTakesActorFromUser() async throws {
        try await withFixture { database, _ in
            let assigned = try await LedgerProcess.run(
                ["tier", "assign", "1", "VIP", "--reason", "goodwill", "--at", "2024-03-10T12:00:00+08:00", "--json"],
                database: database, environment: ["USER": "bob"])
            #expect(assigned.status == 0, "\(assigned)")
            let output = try decodeOutput(TierAssignOutput.self, from: assigned)
            #expect(output.position == UInt64(LoyaltyFixture.eventCount + 1))
            #expect(output.customerID == 1)
            #expect(output.at == "2024-03-10T04:00:00Z")
            #expect(output.until == nil)
            #expect(output.actor == "bob")
            #expect(output.tierNow == "VIP")

            let tier = try await LedgerProcess.run(["tier", "1", "--as-of", "2024-03-10T04:00:00Z", "--json"], database: database)
            let evaluation = try decodeOutput(TierOutput.self, from: tier)
            #expect(evaluation.heldBy?.actor == "bob")
            #expect(evaluation.dropsAt == nil)
        }
    }

    @Test func tierAssignBelowStandingIsFloorOnly() async throws {
        try await withFixture { database, _ in
            let assigned = try await LedgerProcess.run(
                ["tier", "assign", "1", "ordinary", "--reason", "test"], database: database)
            #expect(assigned.status == 0, "\(assigned)")
            #expect(
                assigned.outputLines.last
                    == "customer 1 holds core as of 2024-03-10; an assignment is a floor, and the customer's own standing is above ordinary",
                "\(assigned)")
        }
    }

    // MARK: liability

    @Test func liabilityCountsAvailablePendingOwed() async throws {
        try await withFixture { database, _ in
            let json = try await LedgerProcess.run(["liability", "--json"], database: database)
            #expect(json.status == 0, "\(json)")
            let liability = try decodeOutput(LiabilityOutput.self, from: json)
            #expect(liability.asOf == "2024-03-10T00:00:00Z")
            #expect(liability.currency == "CNY")
            #expect(liability.customers == 4)
            #expect(liability.available == 50)
            #expect(liability.pending == 80)
            #expect(liability.owed == 100)
            #expect(liability.positiveBalances == 150)
            #expect(liability.availableValue == MoneyOutput(minorUnits: 50, currency: "CNY"))
            #expect(liability.positiveBalancesValue == MoneyOutput(minorUnits: 150, currency: "CNY"))
            #expect(liability.pendingValue == MoneyOutput(minorUnits: 80, currency: "CNY"))
            #expect(liability.owedValue == MoneyOutput(minorUnits: 100, currency: "CNY"))

            let text = try await LedgerProcess.run(["liability"], database: database)
            #expect(text.status == 0, "\(text)")
            #expect(
                trimmedLines(text) == [
                    "points liability as of 2024-03-10: 4 customers, 100 points = 1.00 CNY",
                    "",
                    "POINTS                                    COUNT     VALUE",
                    "----------------------------------------  -----  --------",
                    "available, net of owed                       50  0.50 CNY",
                    "pending                                      80  0.80 CNY",
                    "owed by customers with negative balances    100  1.00 CNY",
                    "positive balances (available + owed)        150  1.50 CNY",
                ], "\(text)")
        }
    }

    @Test func liabilityAsOfLeavesOutLaterCustomers() async throws {
        try await withFixture { database, _ in
            let result = try await LedgerProcess.run(["liability", "--as-of", "2024-01-20", "--json"], database: database)
            #expect(result.status == 0, "\(result)")
            let liability = try decodeOutput(LiabilityOutput.self, from: result)
            #expect(liability.customers == 3)
            #expect(liability.pending == 150)
            #expect(liability.available == -100)
        }
    }

    // MARK: simulate

    @Test func simulateComparesLaddersAndWritesNothing() async throws {
        try await withFixture { database, folder in
            let program = try LoyaltyFixture.writeFile(LoyaltyFixture.candidateProgram, named: "candidate.json", in: folder)
            let json = try await LedgerProcess.run(["simulate", "--program", program, "--json"], database: database)
            #expect(json.status == 0, "\(json)")
            let report = try decodeOutput(SimulateOutput.self, from: json)
            #expect(report.asOf == "2024-03-10T00:00:00Z")
            #expect(report.current.tiers == [
                .init(name: "ordinary", customers: 3), .init(name: "core", customers: 1), .init(name: "VIP", customers: 0),
            ])
            #expect(report.candidate.tiers == [
                .init(name: "ordinary", customers: 1), .init(name: "core", customers: 2), .init(name: "gold", customers: 1),
            ])
            #expect(report.current.points == 130)
            #expect(report.candidate.points == 250)
            #expect(report.current.value == MoneyOutput(minorUnits: 130, currency: "CNY"))
            #expect(report.candidate.value == MoneyOutput(minorUnits: 250, currency: "CNY"))
            #expect(report.pointsChange == 120)
            #expect(report.changes == [
                .init(customerID: 1, from: "core", to: "gold"), .init(customerID: 2, from: "ordinary", to: "core"),
                .init(customerID: 4, from: "ordinary", to: "core"),
            ])
            #expect(report.tierChanges == 3)
            #expect(report.movesUp == 3)
            #expect(report.movesDown == 0)
            #expect(report.renamedAtSameRank == 0)

            let text = try await LedgerProcess.run(["simulate", "--program", program], database: database)
            #expect(text.status == 0, "\(text)")
            let lines = trimmedLines(text)
            #expect(lines.contains("RANK  CURRENT TIER  CUSTOMERS  SHARE  CANDIDATE TIER  CUSTOMERS  SHARE"), "\(text)")
            #expect(lines.contains("   2  VIP                   0   0.0%  gold                    1  25.0%"), "\(text)")
            #expect(lines.contains("current program       130   1.30 CNY"), "\(text)")
            #expect(lines.contains("candidate program     250   2.50 CNY"), "\(text)")
            #expect(lines.contains("change               +120  +1.20 CNY"), "\(text)")
            #expect(lines.contains("3 customers would change tier: 3 up, 0 down and 0 to a new name at the same rank."), "\(text)")
            #expect(lines.suffix(3) == ["       1  core          gold", "       2  ordinary      core", "       4  ordinary      core"])

            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount)
        }
    }

    @Test func simulateAsOfEarlierInstant() async throws {
        try await withFixture { database, folder in
            let program = try LoyaltyFixture.writeFile(LoyaltyFixture.candidateProgram, named: "candidate.json", in: folder)
            let result = try await LedgerProcess.run(
                ["simulate", "--program", program, "--as-of", "2023-12-31", "--json"], database: database)
            #expect(result.status == 0, "\(result)")
            let report = try decodeOutput(SimulateOutput.self, from: result)
            #expect(report.asOf == "2023-12-31T00:00:00Z")
            // Customers 1 and 3 registered in 2024.
            #expect(report.current.tiers.map(\.customers).reduce(0, +) == 2)
            #expect(report.candidate.tiers.map(\.customers) == [0, 2, 0])
        }
    }
}
