import CustomerLedger
import Foundation
import Testing

/// Returns the date `days` days after today in UTC as `YYYY-MM-DD`.
private func dateFromToday(days: Int) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
}

/// Appends the registration of customer `id` at `date` to the ledger at `database`. The
/// `Ledger` is released on return, before the CLI opens the folder.
private func registerCustomer(_ id: UInt64, at date: String, in database: String) throws {
    let ledger = try Ledger(path: database, options: .init(masterKey: TestKey.key))
    try ledger.append(
        NewEvent(
            customerID: try #require(CustomerID(id)), occurredAt: try #require(Timestamp(parsing: date)),
            payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "Future")))))
}

@Suite("Instants after the current time in commands that write")
struct FutureInstantCommandTests {
    // MARK: tier assign --at

    @Test func assignmentAtFutureInstantIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let result = try await LedgerProcess.run(
                ["tier", "assign", "1", "VIP", "--reason", "typo", "--at", "2999-01-01"], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("--at 2999-01-01T00:00:00Z is in the future"), "\(result)")
            #expect(result.standardError.contains("events written ahead of time cannot be taken back"), "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount)
        }
    }

    @Test func assignmentAtPastInstantIsWritten() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let result = try await LedgerProcess.run(
                ["tier", "assign", "1", "VIP", "--reason", "goodwill", "--at", "2024-03-05"], database: database)
            #expect(result.status == 0, "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount + 1)
        }
    }

    /// A customer event dated ahead makes the default `--at`, the latest occurred-at, a future instant.
    @Test func futureDefaultStartIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let effective = dateFromToday(days: 30)
            try registerCustomer(5, at: effective, in: database)

            let result = try await LedgerProcess.run(["tier", "assign", "1", "VIP", "--reason", "goodwill"], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(
                result.standardError.contains(
                    "the default --at (the latest event's occurred-at) \(effective)T00:00:00Z is in the future"),
                "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount + 1)
        }
    }

    // MARK: program set --effective

    @Test func effectiveNextMonthIsWritten() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let file = try LoyaltyFixture.writeFile(#"{"currency": "CNY"}"#, named: "next.json", in: folder)
            let result = try await LedgerProcess.run(
                ["program", "set", file, "--effective", dateFromToday(days: 31)], database: database)
            #expect(result.status == 0, "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount + 1)
        }
    }

    @Test(arguments: ["2205-01-01", dateFromToday(days: 368)])
    func effectiveBeyondLimitIsUsageError(effective: String) async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let file = try LoyaltyFixture.writeFile(#"{"currency": "CNY"}"#, named: "typo.json", in: folder)
            let result = try await LedgerProcess.run(["program", "set", file, "--effective", effective], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(
                result.standardError.contains("--effective \(effective)T00:00:00Z is more than 366 days after the current time"),
                "\(result)")
            #expect(result.standardError.contains("or pass --allow-far-future"), "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount)
        }
    }

    @Test func allowFarFutureWritesDistantVersion() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let file = try LoyaltyFixture.writeFile(#"{"currency": "CNY"}"#, named: "far.json", in: folder)
            let result = try await LedgerProcess.run(
                ["program", "set", file, "--effective", "2205-01-01", "--allow-far-future"], database: database)
            #expect(result.status == 0, "\(result)")
            #expect(try await LoyaltyFixture.eventCount(of: database) == LoyaltyFixture.eventCount + 1)
        }
    }

    @Test func helpNamesTheLimits() async throws {
        try await withTemporaryFolder { folder in
            let program = try await LedgerProcess.run(["program", "set", "--help"], database: folder + "/ledger.db")
            #expect(program.standardOutput.contains("--allow-far-future"), "\(program)")
            #expect(program.standardOutput.contains("at most 366 days after the current time"), "\(program)")
            let tier = try await LedgerProcess.run(["tier", "assign", "--help"], database: folder + "/ledger.db")
            #expect(tier.standardOutput.contains("not after the current time"), "\(tier)")
        }
    }

    /// A version that has not taken effect can be replaced by one with an earlier instant, so a
    /// mistaken future program can be corrected.
    @Test func earlierVersionSupersedesPendingOne() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let mistaken = try LoyaltyFixture.writeFile(
                #"{"currency": "CNY", "earning": {"points_per_unit": 100}}"#, named: "mistaken.json", in: folder)
            let fixed = try LoyaltyFixture.writeFile(#"{"currency": "CNY"}"#, named: "fixed.json", in: folder)
            let first = try await LedgerProcess.run(
                ["program", "set", mistaken, "--effective", dateFromToday(days: 60)], database: database)
            #expect(first.status == 0, "\(first)")

            let second = try await LedgerProcess.run(
                ["program", "set", fixed, "--effective", dateFromToday(days: 30)], database: database)
            #expect(second.status == 0, "\(second)")
            for arguments in [["program", "show"], ["program", "show", "--as-of", dateFromToday(days: 90)]] {
                let shownProgram = try await LedgerProcess.run(arguments, database: database)
                #expect(shownProgram.status == 0, "\(shownProgram)")
                #expect(
                    shownProgram.standardOutput.contains("earning        1 point per whole CNY of each order"), "\(shownProgram)")
            }
        }
    }
}
