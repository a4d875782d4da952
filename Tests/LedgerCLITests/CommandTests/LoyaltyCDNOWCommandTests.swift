import Foundation
import Testing

/// The bundled file read independently of the package, parsed once per test process.
private let cdnowReference = Result { try CDNOWReference(contentsOf: LedgerProcess.bundledCDNOWPath) }

/// Runs `ledger arguments` against the suite's imported ledger.
private func ledger(_ arguments: String...) async throws -> CommandResult {
    try await LedgerProcess.run(arguments, database: try ImportedCDNOWLedger.shared().database)
}

/// Returns the points the default program earns for `purchases`: 1 point per whole dollar of
/// each order, rounded down.
private func points(of purchases: [CDNOWReference.Purchase]) -> Int64 {
    purchases.reduce(0) { $0 + $1.cents / 100 }
}

@Suite("Loyalty commands on the imported CDNOW file", .importedCDNOWLedger)
struct LoyaltyCDNOWCommandTests {
    @Test func liabilityMatchesEveryOrder() async throws {
        let result = try await ledger("liability", "--json")
        #expect(result.status == 0, "\(result)")
        let liability = try decodeOutput(LiabilityOutput.self, from: result)
        let expected = points(of: try cdnowReference.get().purchases)
        #expect(liability.asOf == "1998-06-30T00:00:00Z")
        #expect(liability.currency == "USD")
        #expect(liability.customers == 23_570)
        #expect(liability.available == expected)
        #expect(liability.pending == 0)
        #expect(liability.owed == 0)
        // The default program values 100 points at 1.00, so one point is one cent.
        #expect(liability.availableValue == MoneyOutput(minorUnits: expected, currency: "USD"))
    }

    @Test(arguments: [1, 2, 7592] as [UInt64])
    func pointsMatchCustomerOrders(customer: UInt64) async throws {
        let result = try await ledger("points", String(customer), "--json")
        #expect(result.status == 0, "\(result)")
        let statement = try decodeOutput(PointsOutput.self, from: result)
        let expected = points(of: try cdnowReference.get().purchases(of: customer))
        #expect(statement.available == expected)
        #expect(statement.earned == expected)
        #expect(statement.expiring.isEmpty)
        #expect(statement.lots.allSatisfy { $0.expiresAt == nil }, "\(result)")
        #expect(statement.lots.map(\.remaining).reduce(0, +) == expected)
    }

    @Test(arguments: [1, 2, 7592] as [UInt64])
    func tierAgreesWithCustomerCommand(customer: UInt64) async throws {
        let tier = try await ledger("tier", String(customer), "--json")
        #expect(tier.status == 0, "\(tier)")
        let evaluation = try decodeOutput(TierOutput.self, from: tier)
        let customerResult = try await ledger("customer", String(customer), "--json")
        #expect(evaluation.tier == (try decodeOutput(CustomerOutput.self, from: customerResult).tier.name))
        #expect(evaluation.heldBy == nil)
        #expect(evaluation.dropsAt == nil)
    }

    @Test func simulateAgreesWithTiersAndWritesNothing() async throws {
        try await withTemporaryFolder { folder in
            let program = try LoyaltyFixture.writeFile(Self.candidateProgram, named: "candidate.json", in: folder)

            let result = try await ledger("simulate", "--program", program, "--json")
            #expect(result.status == 0, "\(result)")
            let report = try decodeOutput(SimulateOutput.self, from: result)
            let tiers = try decodeOutput(TiersOutput.self, from: try await ledger("tiers", "--json"))
            #expect(report.current.tiers.map(\.customers) == tiers.tiers.map(\.customers))
            #expect(report.candidate.tiers.map(\.name) == ["member", "silver", "gold", "platinum"])
            #expect(report.candidate.tiers.map(\.customers).reduce(0, +) == 23_570)
            #expect(report.current.points == points(of: try cdnowReference.get().purchases))
            // Every tier is renamed, so every customer changes tier by name.
            #expect(report.tierChanges == 23_570)
            #expect(report.changes.count == 23_570)
            #expect(report.movesUp + report.movesDown + report.renamedAtSameRank == 23_570)

            let text = try await ledger("simulate", "--program", program)
            #expect(text.status == 0, "\(text)")
            #expect(text.standardOutput.contains("The first 20, in customer order (--json lists all):"), "\(text)")
            #expect(text.outputLines.last?.hasPrefix("      20  ") == true, "\(text)")

            let stats = try decodeOutput(StatsOutput.self, from: try await ledger("stats", "--json"))
            #expect(stats.events == 93_229)
        }
    }

    /// A candidate with 2 points per dollar, 14 pending days, expiry 365 days after availability,
    /// 30 days of grace and a renamed four-rung ladder. The README quotes the time of simulating it.
    static let candidateProgram = """
        {
          "currency": "USD",
          "earning": {"points_per_unit": 2},
          "pending_days": 14,
          "expiry": {"kind": "after-days", "days": 365},
          "tiers": {
            "downgrade_grace_days": 30,
            "ladder": [
              {"name": "member"},
              {"name": "silver", "min_net_spend": "50.00", "min_purchases": 2},
              {"name": "gold", "min_net_spend": "300.00", "min_purchases": 4},
              {"name": "platinum", "min_net_spend": "1000.00", "min_purchases": 8, "min_tenure_days": 180}
            ]
          }
        }
        """

    @Test func expiryUnderDefaultProgramWritesNothing() async throws {
        let result = try await ledger("points", "expire", "--as-of", "1998-06-30", "--json")
        #expect(result.status == 0, "\(result)")
        #expect(
            try decodeOutput(MaterializedEventsOutput.self, from: result)
                == .init(asOf: "1998-06-30T00:00:00Z", eventType: "PointsExpired", events: 0, customers: 0, points: 0))
    }
}
