import Foundation
import Testing

/// The bundled CDNOW file imported into a temporary ledger, shared by the tests of one suite.
struct ImportedCDNOWLedger: Sendable {
    /// The ledger folder, for `--db`.
    let database: String
    /// The run of `ledger import cdnow` that built the ledger.
    let importResult: CommandResult

    /// The ledger of the running suite, set by `ImportedCDNOWLedgerTrait`.
    @TaskLocal static var current: ImportedCDNOWLedger?

    /// Returns the ledger of the running suite, failing the test when the suite lacks the trait.
    static func shared() throws -> ImportedCDNOWLedger {
        try #require(current, "the suite needs the .importedCDNOWLedger trait")
    }
}

/// Suite trait that imports the bundled CDNOW file once, before the suite's first test, and
/// removes the ledger after the last one. One import takes about 2.5 s in a debug build
/// (measured on a 2-core Linux VM).
struct ImportedCDNOWLedgerTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            let result = try await LedgerProcess.run(
                ["import", "cdnow", LedgerProcess.bundledCDNOWPath, "--actor", "cli-tests"], database: database)
            guard result.status == 0 else {
                throw LedgerProcessError(description: "importing the bundled CDNOW file failed: \(result)")
            }
            let ledger = ImportedCDNOWLedger(database: database, importResult: result)
            try await ImportedCDNOWLedger.$current.withValue(ledger) {
                try await function()
            }
        }
    }
}

extension Trait where Self == ImportedCDNOWLedgerTrait {
    /// Imports the bundled CDNOW file once for the whole suite; see `ImportedCDNOWLedger.shared()`.
    static var importedCDNOWLedger: Self { Self() }
}

/// The bundled file read independently of the package, parsed once per test process.
private let bundledReference = Result { try CDNOWReference(contentsOf: LedgerProcess.bundledCDNOWPath) }

/// Runs `ledger arguments` against the suite's imported ledger.
private func ledger(_ arguments: String...) async throws -> CommandResult {
    try await LedgerProcess.run(arguments, database: try ImportedCDNOWLedger.shared().database)
}

/// Groups the digits of a count in threes, as the CLI prints counts: `20,842`.
private func groupedDigits(_ value: Int) -> String {
    var text = String(value)
    var index = text.endIndex
    while text.distance(from: text.startIndex, to: index) > 3 {
        index = text.index(index, offsetBy: -3)
        text.insert(",", at: index)
    }
    return text
}

/// Splits a table header line into its cells, which the CLI separates by at least two spaces.
private func headerCells(_ line: String) -> [String] {
    line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

@Suite("Commands on the imported CDNOW file", .importedCDNOWLedger)
struct ImportedLedgerCommandTests {
    static let customersToCheck: [UInt64] = [1, 2, 7592]

    @Test func importReportsEveryRow() throws {
        let result = try ImportedCDNOWLedger.shared().importResult
        #expect(result.status == 0, "\(result)")
        #expect(
            result.standardOutput
                == "imported 69,659 rows from \(LedgerProcess.bundledCDNOWPath): 93,229 events appended "
                + "(23,570 new customers), 0 already present\n")
    }

    @Test func statsJSONCountsEveryEvent() async throws {
        let result = try await ledger("stats", "--json")
        #expect(result.status == 0, "\(result)")
        let stats = try decodeOutput(StatsOutput.self, from: result)
        #expect(stats.events == 93_229)
        #expect(stats.purchases == 69_659)
        #expect(stats.customers == 23_570)
        #expect(stats.eventsByType == ["CustomerRegistered": 23_570, "PurchaseRecorded": 69_659])
        #expect(stats.lastPosition == 93_229)
        #expect(stats.projectionPosition == 93_229)
        #expect(stats.earliestOccurredAt == "1997-01-01T00:00:00Z")
        #expect(stats.latestOccurredAt == "1998-06-30T00:00:00Z")
        #expect(stats.programCurrency == "USD")

        let reference = try bundledReference.get()
        #expect(stats.purchases == reference.purchases.count)
        #expect(stats.customers == reference.purchaseCounts.count)
    }

    @Test func databaseOptionBeforeCommand() async throws {
        let path = try ImportedCDNOWLedger.shared().database
        let result = try await LedgerProcess.run(
            ["--db", path, "stats", "--json"], database: path + "-absent")
        #expect(result.status == 0, "\(result)")
        let stats = try decodeOutput(StatsOutput.self, from: result)
        #expect(stats.events == 93_229)
    }

    @Test func customerBeforeRegistrationHasNoTier() async throws {
        let result = try await ledger("customer", "1", "--as-of", "1996-12-31")
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains("none as of 1996-12-31: not registered until then"), "\(result)")
        // The customer's purchase of 1997-01-01 is later, so no spend is shown.
        #expect(!result.standardOutput.contains("net spend"), "\(result)")
        #expect(!result.standardOutput.contains("11.77"), "\(result)")
    }

    /// The CDNOW ledger's points never expire, so the list is empty and its heading gives the reason.
    @Test func expiringListNamesNeverExpiringProgram() async throws {
        let result = try await ledger("care", "expiring", "--days", "30")

        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == [
            "0 points of 0 customers expire after 1998-06-30, up to 1998-07-30; points never expire under the program in force then"
        ])
    }

    @Test func statsTextShowsTableAndSummary() async throws {
        let result = try await ledger("stats")
        #expect(result.status == 0, "\(result)")
        let lines = result.outputLines
        #expect(lines.first == "EVENT TYPE          EVENTS")
        for expected in [
            "CustomerRegistered  23,570",
            "PurchaseRecorded    69,659",
            "total               93,229",
            "customers         23,570",
            "occurred          1997-01-01 to 1998-06-30",
            "last position     93,229",
            "projections at    93,229",
            "program currency  USD",
        ] {
            #expect(lines.contains(expected), "missing line '\(expected)' in\n\(result.standardOutput)")
        }
    }

    @Test(arguments: customersToCheck)
    func customerJSONMatchesFileRows(customerID: UInt64) async throws {
        let rows = try bundledReference.get().purchases(of: customerID)
        let first = try #require(rows.first, "customer \(customerID) has no rows in the bundled file")
        let last = try #require(rows.last)
        let cents = rows.reduce(Int64(0)) { $0 + $1.cents }
        let points = rows.reduce(Int64(0)) { $0 + $1.cents / 100 }

        let result = try await ledger("customer", String(customerID), "--json")
        #expect(result.status == 0, "\(result)")
        let customer = try decodeOutput(CustomerOutput.self, from: result)
        #expect(customer.customerID == customerID)
        #expect(customer.version == rows.count + 1)
        #expect(customer.purchaseCount == rows.count)
        #expect(customer.refundCount == 0)
        #expect(customer.registeredAt == first.instant)
        #expect(customer.firstPurchaseAt == first.instant)
        #expect(customer.lastPurchaseAt == last.instant)
        #expect(
            customer.spend
                == [.init(currency: "USD", grossMinorUnits: cents, refundedMinorUnits: 0, netMinorUnits: cents)])
        #expect(customer.points == .init(balance: points, earned: points, redeemed: 0, adjusted: 0, reversed: 0))
        #expect(customer.tier.asOf == "1998-06-30T00:00:00Z")
    }

    @Test func customerTextShowsLabels() async throws {
        let result = try await ledger("customer", "1")
        #expect(result.status == 0, "\(result)")
        let lines = result.outputLines
        #expect(lines.first == "customer      1")
        for expected in [
            "name          —",
            "registered    1997-01-01",
            "purchases     1, first 1997-01-01, last 1997-01-01",
            "gross spend   11.77 USD",
            "refunds       0, 0.00 USD",
            "net spend     11.77 USD",
            "points        11 available, 0 pending (earned 11, reversed 0, redeemed 0, adjusted 0, expired 0)",
            "tier          ordinary as of 1998-06-30",
            "version       2 (last position 2)",
        ] {
            #expect(lines.contains(expected), "missing line '\(expected)' in\n\(result.standardOutput)")
        }
    }

    @Test(arguments: customersToCheck)
    func historyJSONListsEventsInVersionOrder(customerID: UInt64) async throws {
        let rows = try bundledReference.get().purchases(of: customerID)
        let result = try await ledger("history", String(customerID), "--json")
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.hasSuffix("\n"))

        let lines = result.outputLines
        #expect(lines.count == rows.count + 1)
        let events = try lines.map { line in
            do {
                return try JSONDecoder().decode(HistoryEventOutput.self, from: Data(line.utf8))
            } catch {
                throw LedgerProcessError(description: "history line is not one JSON event: \(error)\n\(line)")
            }
        }
        #expect(events.map(\.version) == Array(1...(rows.count + 1)))
        #expect(events.map(\.position) == events.map(\.position).sorted())
        #expect(events.allSatisfy { $0.customerID == customerID })
        #expect(events.allSatisfy { $0.actor == "cli-tests" })
        #expect(events.allSatisfy { $0.source == "cdnow" })

        let registration = try #require(events.first)
        #expect(registration.type == "CustomerRegistered")
        #expect(registration.occurredAt == rows.first?.instant)

        let purchases = Array(events.dropFirst())
        #expect(purchases.allSatisfy { $0.type == "PurchaseRecorded" })
        #expect(purchases.map(\.occurredAt) == rows.map(\.instant))
        #expect(purchases.map(\.payload.amount) == rows.map { MoneyOutput(minorUnits: $0.cents, currency: "USD") })
        #expect(purchases.map { $0.payload.lineItems?.map(\.quantity) } == rows.map { [$0.quantity] })
    }

    @Test func historyTextShowsTable() async throws {
        let result = try await ledger("history", "1")
        #expect(result.status == 0, "\(result)")
        let lines = result.outputLines
        #expect(lines.count == 4)
        #expect(
            headerCells(lines.first ?? "")
                == [
                    "POSITION", "VER", "OCCURRED", "RECORDED", "TYPE", "ACTOR", "SOURCE", "CORRELATION", "CAUSATION",
                    "SUMMARY",
                ])
        #expect(lines.dropFirst(2).first?.contains("CustomerRegistered") == true)
        #expect(lines.last?.contains("PurchaseRecorded") == true)
        #expect(lines.last?.hasSuffix("11.77 USD, 1 unit") == true)
    }

    @Test func tiersJSONCountsEveryCustomer() async throws {
        let latest = try await ledger("tiers", "--json")
        #expect(latest.status == 0, "\(latest)")
        let tiers = try decodeOutput(TiersOutput.self, from: latest)
        #expect(tiers.asOf == "1998-06-30T00:00:00Z")
        #expect(tiers.windowDays == 365)
        #expect(tiers.customers == 23_570)
        #expect(tiers.tiers.map(\.name) == ["ordinary", "core", "VIP"])
        #expect(tiers.tiers.map(\.customers).reduce(0, +) == 23_570)

        let early = try await ledger("tiers", "--as-of", "1997-03-01", "--json")
        #expect(early.status == 0, "\(early)")
        let earlyTiers = try decodeOutput(TiersOutput.self, from: early)
        #expect(earlyTiers.asOf == "1997-03-01T00:00:00Z")
        #expect(earlyTiers.tiers.map(\.customers) != tiers.tiers.map(\.customers))

        // The import registers each customer at their first purchase, and only customers
        // registered by the instant hold a tier then.
        let registeredByMarch = try bundledReference.get().firstPurchaseDates.values.filter { $0 <= "19970301" }.count
        #expect(registeredByMarch == 16_622)
        #expect(earlyTiers.customers == registeredByMarch)
        #expect(earlyTiers.tiers.map(\.customers).reduce(0, +) == registeredByMarch)
    }

    @Test func tiersTextShowsHeadingAndCounts() async throws {
        let json = try decodeOutput(TiersOutput.self, from: try await ledger("tiers", "--json"))
        let result = try await ledger("tiers")
        #expect(result.status == 0, "\(result)")
        let lines = result.outputLines
        #expect(lines.first == "tiers as of 1998-06-30, over the trailing 365 days")
        #expect(lines.dropFirst(2).first == "TIER      CUSTOMERS  SHARE  REQUIRES IN WINDOW")
        // Rows follow the header and its underline, one per tier, with the counts of the JSON output.
        let rows = lines.dropFirst(4).map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.map { $0.first.map(String.init) } == json.tiers.map(\.name))
        #expect(
            rows.map { $0.dropFirst().first.map(String.init) }
                == json.tiers.map { groupedDigits($0.customers) })

        let early = try await ledger("tiers", "--as-of", "1997-03-01")
        #expect(early.status == 0, "\(early)")
        #expect(early.outputLines.first == "tiers as of 1997-03-01, over the trailing 365 days")
        #expect(early.standardOutput != result.standardOutput)
    }

    @Test func topByPurchasesListsDescendingCounts() async throws {
        let counts = try bundledReference.get().purchaseCounts
        let expected = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)

        let result = try await ledger("top", "--by", "purchases", "-n", "3", "--json")
        #expect(result.status == 0, "\(result)")
        let top = try decodeOutput(TopOutput.self, from: result)
        #expect(top.by == "purchases")
        #expect(top.asOf == "1998-06-30T00:00:00Z")
        #expect(top.customers.count == 3)
        #expect(top.customers.map(\.rank) == [1, 2, 3])
        #expect(top.customers.map(\.customerID) == expected.map(\.key))
        #expect(top.customers.map(\.purchases) == expected.map(\.value))
        #expect(zip(top.customers, top.customers.dropFirst()).allSatisfy { $0.purchases > $1.purchases })
    }

    @Test func topTextShowsHeaderAndRanks() async throws {
        let result = try await ledger("top", "--by", "purchases", "-n", "3")
        #expect(result.status == 0, "\(result)")
        let lines = result.outputLines
        #expect(lines.count == 5)
        #expect(lines.first == "#  CUSTOMER  NAME      NET SPEND  PURCHASES  POINTS  TIER")
        let ranksAndIDs = lines.dropFirst(2).map { $0.split(separator: " ").prefix(2).map(String.init) }
        #expect(ranksAndIDs == [["1", "14048"], ["2", "7592"], ["3", "7983"]])
    }

    /// Commands that write to the shared ledger. They run one at a time, and every one of them
    /// must leave the state that the other tests read unchanged.
    @Suite(.serialized)
    struct Rewrites {
        @Test func secondImportAppendsNothing() async throws {
            let before = try decodeOutput(StatsOutput.self, from: try await ledger("stats", "--json"))

            let result = try await ledger("import", "cdnow", LedgerProcess.bundledCDNOWPath, "--actor", "cli-tests")
            #expect(result.status == 0, "\(result)")
            #expect(
                result.standardOutput
                    == "imported 69,659 rows from \(LedgerProcess.bundledCDNOWPath): 0 events appended "
                    + "(0 new customers), 93,229 already present\n")

            let after = try decodeOutput(StatsOutput.self, from: try await ledger("stats", "--json"))
            #expect(after == before)
        }

        @Test func replayKeepsProjectionsIdentical() async throws {
            let statsBefore = try decodeOutput(StatsOutput.self, from: try await ledger("stats", "--json"))
            let customerBefore = try await ledger("customer", "1", "--json")
            #expect(customerBefore.status == 0, "\(customerBefore)")

            let text = try await ledger("replay")
            #expect(text.status == 0, "\(text)")
            let lines = text.outputLines
            #expect(lines.count == 2, "\(text)")
            #expect(lines.first?.hasPrefix("replayed 93,229 events of 23,570 customers in ") == true)
            #expect(lines.last?.hasPrefix("projections identical to the incrementally kept ones (fingerprint ") == true)

            let json = try await ledger("replay", "--json")
            #expect(json.status == 0, "\(json)")
            let replay = try decodeOutput(ReplayOutput.self, from: json)
            #expect(replay.events == 93_229)
            #expect(replay.customers == 23_570)
            #expect(replay.orders == 69_659)
            #expect(replay.position == 93_229)
            #expect(replay.projectionsUnchanged)
            #expect(lines.last?.hasSuffix("(fingerprint \(replay.fingerprint))") == true)

            let statsAfter = try decodeOutput(StatsOutput.self, from: try await ledger("stats", "--json"))
            #expect(statsAfter == statsBefore)
            let customerAfter = try await ledger("customer", "1", "--json")
            #expect(customerAfter.standardOutput == customerBefore.standardOutput)
        }
    }
}
