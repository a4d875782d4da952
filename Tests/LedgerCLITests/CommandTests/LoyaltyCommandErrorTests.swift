import Foundation
import Testing

/// Runs `arguments` against a new fixture ledger, checks that the command exits with `status`,
/// prints nothing on standard output and writes no event, and returns the result.
private func expectRejected(
    _ arguments: [String], status: Int32, environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> CommandResult {
    try await withTemporaryFolder { folder in
        let database = try LoyaltyFixture.makeLedger(in: folder)
        let result = try await LedgerProcess.run(arguments, database: database, environment: environment)
        #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
        #expect(result.standardOutput.isEmpty, "\(result)", sourceLocation: sourceLocation)
        let events = try await LoyaltyFixture.eventCount(of: database)
        #expect(events == LoyaltyFixture.eventCount, "the rejected command wrote events", sourceLocation: sourceLocation)
        return result
    }
}

@Suite("Loyalty command errors and exit codes")
struct LoyaltyCommandErrorTests {
    static let commands: [[String]] = [
        ["points"], ["points", "expire"], ["tier"], ["tier", "assign"], ["liability"], ["rewards"], ["rewards", "birthday"],
        ["simulate"],
    ]

    @Test(arguments: commands)
    func helpPrintsUsage(command: [String]) async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(command + ["--help"], database: folder + "/ledger.db")
            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines.first?.hasPrefix("usage: ledger \(command.joined(separator: " ")) [options]") == true, "\(result)")
            #expect(result.standardOutput.contains("-h, --help"), "\(result)")
            #expect(result.standardError.isEmpty, "\(result)")

            let viaHelp = try await LedgerProcess.run(["help"] + command, database: folder + "/ledger.db")
            #expect(viaHelp.standardOutput == result.standardOutput, "\(viaHelp)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [])
        }
    }

    @Test func helpOfCommandListsItsActions() async throws {
        try await withTemporaryFolder { folder in
            for (command, action) in [("points", "expire"), ("tier", "assign"), ("rewards", "birthday")] {
                let result = try await LedgerProcess.run([command, "--help"], database: folder + "/ledger.db")
                #expect(result.standardOutput.contains("\n  ledger \(command) \(action)  "), "\(result)")
            }
        }
    }

    @Test func overviewListsLoyaltyCommands() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["--help"], database: folder + "/ledger.db")
            for name in ["points", "points expire", "tier", "tier assign", "liability", "rewards birthday", "simulate"] {
                #expect(result.standardOutput.contains("\n  \(name) "), "overview lacks '\(name)'")
            }
        }
    }

    // MARK: unknown customer and instants

    @Test(arguments: [["points", "999"], ["tier", "999"], ["tier", "assign", "999", "VIP", "--reason", "x"]])
    func unknownCustomerIsNotFound(arguments: [String]) async throws {
        let result = try await expectRejected(arguments, status: 66)
        #expect(result.standardError.contains("customer 999 not found in '"), "\(result)")
    }

    @Test(arguments: [["points", "3"], ["tier", "3"]])
    func customerRegisteredLaterIsNotFound(arguments: [String]) async throws {
        let result = try await expectRejected(arguments + ["--as-of", "2024-03-01"], status: 66)
        #expect(
            result.standardError.contains(
                "customer 3 was not registered as of 2024-03-01; registered 2024-03-10, so pass --as-of 2024-03-10 or later"),
            "\(result)")
    }

    @Test(arguments: [
        (["points", "1"], "--as-of"), (["tier", "1"], "--as-of"), (["liability"], "--as-of"),
        (["points", "expire"], "--as-of"), (["rewards", "birthday"], "--as-of"),
        (["simulate", "--program", "candidate.json"], "--as-of"),
        (["tier", "assign", "1", "VIP", "--reason", "x"], "--at"), (["tier", "assign", "1", "VIP", "--reason", "x"], "--until"),
    ])
    func invalidInstantIsUsageError(arguments: [String], option: String) async throws {
        let result = try await expectRejected(arguments + [option, "2024-02-30"], status: 64)
        #expect(
            result.standardError.contains(
                "invalid time '2024-02-30' for \(option); expected YYYY-MM-DD or an ISO 8601 time such as 2024-03-01T08:00:00Z"),
            "\(result)")
        #expect(result.standardError.contains("usage: ledger "), "\(result)")
    }

    @Test(arguments: [["points", "abc"], ["tier", "abc"], ["tier", "assign", "abc", "VIP", "--reason", "x"]])
    func invalidCustomerIDIsUsageError(arguments: [String]) async throws {
        let result = try await expectRejected(arguments, status: 64)
        #expect(result.standardError.contains("invalid customer id 'abc'"), "\(result)")
    }

    // MARK: tier assign

    @Test func unknownTierIsUsageErrorListingLadder() async throws {
        let result = try await expectRejected(["tier", "assign", "1", "gold", "--reason", "x"], status: 64)
        #expect(
            result.standardError.contains(
                "unknown tier 'gold'; the program in force at 2024-03-10 has 'ordinary', 'core', 'VIP'"),
            "\(result)")
        #expect(!result.standardError.contains("did you mean"), "\(result)")
    }

    @Test func tierNameInOtherCaseIsSuggested() async throws {
        let result = try await expectRejected(["tier", "assign", "1", "vip", "--reason", "x"], status: 64)
        #expect(result.standardError.contains("unknown tier 'vip'"), "\(result)")
        #expect(result.standardError.contains("did you mean 'VIP'?"), "\(result)")
    }

    @Test func missingReasonIsUsageError() async throws {
        let result = try await expectRejected(["tier", "assign", "1", "VIP"], status: 64)
        #expect(result.standardError.contains("missing option '--reason TEXT'"), "\(result)")
        #expect(result.standardError.contains("usage: ledger tier assign [options] ID TIER"), "\(result)")
    }

    @Test func blankReasonIsUsageError() async throws {
        let result = try await expectRejected(["tier", "assign", "1", "VIP", "--reason", "  "], status: 64)
        #expect(result.standardError.contains("the value of --reason is empty"), "\(result)")
    }

    @Test func overlongReasonIsUsageError() async throws {
        let reason = String(repeating: "x", count: 4097)
        let result = try await expectRejected(["tier", "assign", "1", "VIP", "--reason", reason], status: 64)
        #expect(result.standardError.contains("the value of --reason is 4,097 bytes long; the limit is 4,096 bytes"), "\(result)")
    }

    @Test func missingTierIsUsageError() async throws {
        let result = try await expectRejected(["tier", "assign", "1", "--reason", "x"], status: 64)
        #expect(result.standardError.contains("missing argument TIER"), "\(result)")
    }

    @Test func untilBeforeDefaultStartIsUsageError() async throws {
        let result = try await expectRejected(
            ["tier", "assign", "1", "VIP", "--reason", "x", "--until", "2024-03-01"], status: 64)
        #expect(
            result.standardError.contains(
                "--until 2024-03-01 is not after the start 2024-03-10 (the default --at, the latest event's occurred-at); pass a later --until"),
            "\(result)")
    }

    @Test func untilEqualToStartIsUsageError() async throws {
        let result = try await expectRejected(
            ["tier", "assign", "1", "VIP", "--reason", "x", "--at", "2024-02-01", "--until", "2024-02-01"], status: 64)
        #expect(result.standardError.contains("--until 2024-02-01 is not after the start 2024-02-01; pass a later --until"), "\(result)")
    }

    @Test func startBeforeRegistrationIsDataError() async throws {
        let result = try await expectRejected(
            ["tier", "assign", "1", "VIP", "--reason", "x", "--at", "2023-12-01"], status: 65)
        #expect(
            result.standardError.contains(
                "the assignment would start at 2023-12-01, before customer 1 registered at 2024-01-01; pass --at 2024-01-01 or later"),
            "\(result)")
    }

    // MARK: points expire and rewards birthday

    @Test(arguments: [["points", "expire"], ["rewards", "birthday"]])
    func writeWithoutInstantIsUsageError(arguments: [String]) async throws {
        let result = try await expectRejected(arguments, status: 64)
        #expect(result.standardError.contains("missing option '--as-of TIME'; this command writes events"), "\(result)")
    }

    @Test(arguments: [["points", "expire"], ["rewards", "birthday"]])
    func writeInFutureIsUsageError(arguments: [String]) async throws {
        let result = try await expectRejected(arguments + ["--as-of", "9999-01-01"], status: 64)
        #expect(result.standardError.contains("--as-of 9999-01-01T00:00:00Z is in the future"), "\(result)")
        #expect(result.standardError.contains("events written ahead of time cannot be taken back"), "\(result)")
    }

    @Test func unknownRewardsActionIsUsageError() async throws {
        let result = try await expectRejected(["rewards", "referral"], status: 64)
        #expect(result.standardError.contains("unknown rewards action 'referral'; expected 'ledger rewards birthday --as-of TIME'"))
    }

    // MARK: simulate

    @Test func simulateWithoutProgramIsUsageError() async throws {
        let result = try await expectRejected(["simulate"], status: 64)
        #expect(result.standardError.contains("missing option '--program FILE'"), "\(result)")
    }

    @Test func simulateOfMissingFileIsNotFound() async throws {
        let result = try await expectRejected(["simulate", "--program", "missing.json"], status: 66)
        #expect(result.standardError.contains("program file 'missing.json' not found"), "\(result)")
    }

    @Test func simulateOfInvalidProgramIsDataError() async throws {
        try await withTemporaryFolder { folder in
            let database = try LoyaltyFixture.makeLedger(in: folder)
            let cases: [(String, String)] = [
                ("{\"currency\": \"CNY\", \"tiers\": {\"ladder\": []}}", "the tier ladder is empty"),
                ("{\"currency\": \"yuan\"}", "is not a currency code"),
                ("{\"currency\": ", "candidate.json: "),
            ]
            for (contents, message) in cases {
                let program = try LoyaltyFixture.writeFile(contents, named: "candidate.json", in: folder)
                let result = try await LedgerProcess.run(["simulate", "--program", program], database: database)
                #expect(result.status == 65, "\(result)")
                #expect(result.standardError.contains(program), "\(result)")
                #expect(result.standardError.contains(message), "\(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
        }
    }

    // MARK: no ledger

    @Test(arguments: [
        ["points", "1"], ["tier", "1"], ["liability"], ["points", "expire", "--as-of", "2024-01-01"],
        ["rewards", "birthday", "--as-of", "2024-01-01"], ["tier", "assign", "1", "VIP", "--reason", "x"],
    ])
    func commandWithoutLedgerIsNotFound(arguments: [String]) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/missing.db"
            let result = try await LedgerProcess.run(arguments, database: database)
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at '\(database)'"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database), "the command created \(database)")
        }
    }
}
