import CustomerLedger
import Foundation
import Testing
@testable import LedgerCommandLine

/// A program document that sets every rule to something other than its default.
private let richProgramDocument = #"""
    {"currency": "CNY", "time_zone": "Asia/Shanghai",
     "earning": {"points_per_unit": 2, "scope": "per-order", "rounding": "half-up", "minimum_order_amount": "10.00",
                 "multipliers": {"sku": {"TEA-1": "1.5"}, "category": {"tea": 2}},
                 "max_points_per_order": 1000, "max_points_per_day": 500},
     "pending_days": 14, "expiry": {"kind": "end-of-month"}, "refunds": {"when_points_spent": "clamp-at-zero"},
     "redemption": {"minimum_points": 100, "max_balance_percent": 80, "max_order_percent": 50},
     "point_value": {"points": 100, "amount": "1.50"},
     "tiers": {"window": {"kind": "rolling-months", "months": 12}, "downgrade_grace_days": 30,
               "ladder": [{"name": "ordinary"},
                          {"name": "VIP", "min_net_spend": "5000.00", "min_purchases": 4, "min_tenure_days": 180,
                           "min_points_earned": 100, "multiplier": "1.5"}]},
     "rewards": {"referral": {"referrer_points": 200, "new_customer_points": 100},
                 "birthday": {"points": 300, "timing": "in-month", "leap_day_in_common_years": "march-1"},
                 "offers": [{"id": "TEA-SET", "name": "Tea set", "points": 800, "eligible_tiers": ["VIP"]}]}}
    """#

/// Writes `contents` to `name` in `folder` and returns the file's path.
private func writeFile(_ contents: String, named name: String, in folder: String) throws -> String {
    let path = folder + "/" + name
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Writes a CNY ledger with the default program and two events, the latest on 2024-02-01, and
/// returns its path. The `Ledger` is released before the CLI opens the folder.
private func makeLedger(in folder: String) throws -> String {
    let database = folder + "/ledger.db"
    let ledger = try Ledger(path: database, options: .init(program: LoyaltyProgram(currency: .cny), masterKey: TestKey.key))
    let customer = try #require(CustomerID(1))
    try ledger.append([
        NewEvent(
            customerID: customer, occurredAt: try #require(Timestamp(parsing: "2024-01-01")),
            payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "张伟")))),
        NewEvent(
            customerID: customer, occurredAt: try #require(Timestamp(parsing: "2024-02-01")),
            payload: .purchaseRecorded(
                PurchaseRecorded(orderID: "SO-1", amount: Money(minorUnits: 12_800, currency: .cny)))),
    ])
    return database
}

/// Returns the number of events in the ledger at `database`, read through `ledger stats`.
private func eventCount(_ database: String) async throws -> Int {
    let stats = try await LedgerProcess.run(["stats", "--json"], database: database)
    return try decodeOutput(StatsOutput.self, from: stats).events
}

/// One entry of `ledger program history --json`.
private struct ProgramVersionOutput: Decodable {
    let version: Int
    let effectiveFrom: String?
    let eventType: String?
    let position: UInt64?
    let actor: String?
    let source: String?

    enum CodingKeys: String, CodingKey {
        case version, position, actor, source
        case effectiveFrom = "effective_from"
        case eventType = "event_type"
    }
}

@Suite("ledger program")
struct ProgramCommandTests {
    @Test func setRecordsDefinedThenChanged() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let file = try writeFile(richProgramDocument, named: "rich.json", in: folder)

            let defined = try await LedgerProcess.run(
                ["program", "set", file, "--effective", "2024-03-01", "--actor", "alice"], database: database)
            #expect(defined.status == 0, "\(defined)")
            #expect(
                defined.standardOutput
                    == "recorded ProgramDefined at position 3 (program version 1): the program in \(file) is in force from 2024-03-01T00:00:00Z\n")
            #expect(defined.standardError.isEmpty, "\(defined)")

            let changed = try await LedgerProcess.run(
                ["program", "set", file, "--effective", "2024-04-01T08:00:00+08:00"], database: database)
            #expect(changed.status == 0, "\(changed)")
            #expect(changed.standardOutput.hasPrefix("recorded ProgramChanged at position 4 (program version 2): "), "\(changed)")
            #expect(changed.standardOutput.hasSuffix("in force from 2024-04-01T00:00:00Z\n"), "\(changed)")
            #expect(try await eventCount(database) == 4)
        }
    }

    @Test func showPrintsEveryRule() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let file = try writeFile(richProgramDocument, named: "rich.json", in: folder)
            let set = try await LedgerProcess.run(
                ["program", "set", file, "--effective", "2024-03-01", "--actor", "alice"], database: database)
            #expect(set.status == 0, "\(set)")

            let result = try await LedgerProcess.run(["program", "show"], database: database)
            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines == [
                "version        1, recorded by ProgramDefined at position 3 by alice",
                "in force       from 2024-03-01",
                "currency       CNY (2 decimals)",
                "time zone      Asia/Shanghai",
                "earning        2 points per whole CNY of each order, rounded half up per order",
                "minimum order  orders below 10.00 CNY earn nothing",
                "multipliers    SKU TEA-1 ×1.5",
                "               category tea ×2",
                "caps           at most 1,000 points per order, at most 500 points per local day",
                "pending        points stay pending for 14 days after the purchase",
                "expiry         at the end of the month in which the points become available",
                "refunds        when the points a refund takes back were spent, the balance stops at zero",
                "redemption     at least 100 points per redemption, at most 80% of the available balance, paying at most 50% of an order's amount",
                "point value    100 points = 1.50 CNY",
                "tier window    the trailing 12 months",
                "downgrade      a customer keeps a tier for 30 days after last qualifying",
                "tiers          ordinary: no requirements; earns ×1",
                "               VIP: net spend ≥ 5,000.00 CNY, ≥ 4 purchases, tenure ≥ 180 days, ≥ 100 points earned; earns ×1.5",
                "referral       200 points to the referrer and 100 points to the new customer, on the new customer's first purchase",
                "birthday       300 points in the birthday's month, once a year; a 29 February birthday falls on 1 March in common years",
                "offers         TEA-SET \"Tea set\": 800 points, for VIP",
            ])
        }
    }

    @Test func showAsOfPicksVersionInForce() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let file = try writeFile(richProgramDocument, named: "rich.json", in: folder)
            let set = try await LedgerProcess.run(["program", "set", file, "--effective", "2024-03-01"], database: database)
            #expect(set.status == 0, "\(set)")

            let before = try await LedgerProcess.run(["program", "show", "--as-of", "2024-02-29T23:59:59Z"], database: database)
            #expect(before.status == 0, "\(before)")
            #expect(Array(before.outputLines.prefix(3)) == [
                "version        0, the program the ledger was created with (the newest version is 1)",
                "in force       from the start of the log until 2024-03-01",
                "currency       CNY (2 decimals)",
            ])
            let baseDocument = try await LedgerProcess.run(
                ["program", "show", "--as-of", "2024-02-29T23:59:59Z", "--json"], database: database)
            #expect(try ProgramDocument.parse(Array(baseDocument.standardOutput.utf8)) == LoyaltyProgram(currency: .cny))

            let at = try await LedgerProcess.run(["program", "show", "--as-of", "2024-03-01", "--json"], database: database)
            #expect(at.status == 0, "\(at)")
            let expected = try ProgramDocument.parse(Array(richProgramDocument.utf8))
            #expect(try ProgramDocument.parse(Array(at.standardOutput.utf8)) == expected)
        }
    }

    @Test func showJSONRoundTripsThroughSet() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let file = try writeFile(richProgramDocument, named: "rich.json", in: folder)
            let set = try await LedgerProcess.run(["program", "set", file, "--effective", "2024-03-01"], database: database)
            #expect(set.status == 0, "\(set)")

            let firstDocument = try await LedgerProcess.run(["program", "show", "--json"], database: database)
            #expect(firstDocument.status == 0, "\(firstDocument)")
            let copy = try writeFile(firstDocument.standardOutput, named: "copy.json", in: folder)
            let setAgain = try await LedgerProcess.run(["program", "set", copy, "--effective", "2024-04-01"], database: database)
            #expect(setAgain.status == 0, "\(setAgain)")

            let secondDocument = try await LedgerProcess.run(["program", "show", "--json"], database: database)
            #expect(secondDocument.standardOutput == firstDocument.standardOutput)
            #expect(
                try ProgramDocument.parse(Array(firstDocument.standardOutput.utf8))
                    == ProgramDocument.parse(Array(richProgramDocument.utf8)))
        }
    }

    @Test func historyListsVersions() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let file = try writeFile(richProgramDocument, named: "rich.json", in: folder)
            for (effective, actor) in [("2024-03-01", "alice"), ("2024-04-01", "bob")] {
                let set = try await LedgerProcess.run(
                    ["program", "set", file, "--effective", effective, "--actor", actor], database: database)
                #expect(set.status == 0, "\(set)")
            }

            let text = try await LedgerProcess.run(["program", "history"], database: database)
            #expect(text.status == 0, "\(text)")
            #expect(text.outputLines.count == 5, "\(text)")
            #expect(text.outputLines.first?.hasPrefix("VERSION  IN FORCE FROM     EVENT           POSITION  RECORDED") == true)
            #expect(text.outputLines[2].hasPrefix("      0  start of the log  ledger created         —  —"), "\(text)")
            #expect(text.outputLines[3].hasPrefix("      1  2024-03-01        ProgramDefined         3  "), "\(text)")
            #expect(text.outputLines[3].hasSuffix("  alice  CNY       ordinary, VIP"), "\(text)")
            #expect(text.outputLines[4].hasPrefix("      2  2024-04-01        ProgramChanged         4  "), "\(text)")

            let json = try await LedgerProcess.run(["program", "history", "--json"], database: database)
            #expect(json.status == 0, "\(json)")
            let versions = try decodeOutput([ProgramVersionOutput].self, from: json)
            #expect(versions.map(\.version) == [0, 1, 2])
            #expect(versions.map(\.effectiveFrom) == [nil, "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"])
            #expect(versions.map(\.eventType) == [nil, "ProgramDefined", "ProgramChanged"])
            #expect(versions.map(\.position) == [nil, 3, 4])
            #expect(versions.map(\.actor) == [nil, "alice", "bob"])
            #expect(versions.map(\.source) == [nil, "ledger program set", "ledger program set"])
        }
    }

    @Test func leadingDatabaseOptionReachesAction() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            for arguments in [["--db", database, "program", "show"], ["--db=\(database)", "program", "show"]] {
                let result = try await LedgerProcess.run(arguments, database: folder + "/missing.db")
                #expect(result.status == 0, "\(result)")
                #expect(result.outputLines.first == "version        0, the program the ledger was created with", "\(result)")
            }
        }
    }

    // MARK: Errors

    /// Runs `program set` on a file with `contents` and checks the exit status, the message and
    /// that the ledger still has its two events.
    private func expectRejectedSet(
        _ contents: String, status: Int32, message: String, effective: String = "2024-03-01"
    ) async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let file = try writeFile(contents, named: "program.json", in: folder)
            let result = try await LedgerProcess.run(["program", "set", file, "--effective", effective], database: database)
            #expect(result.status == status, "\(result)")
            #expect(result.standardError.contains(message), "\(result)")
            #expect(result.standardError.hasSuffix("; nothing was written\n"), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(try await eventCount(database) == 2)
        }
    }

    @Test func invalidJSONIsDataError() async throws {
        try await expectRejectedSet(
            "{\"currency\": \"CNY\",\n \"pending_days\": 14,\n}", status: 65,
            message: "program.json: invalid JSON at line 3, column 1: expected a key in double quotes, got '}'")
    }

    @Test func invalidFieldIsDataError() async throws {
        try await expectRejectedSet(
            #"{"currency":"CNY","tiers":{"ladder":[{"name":"a"},{"name":"b"},{"name":"c","min_net_spend":"12.345"}]}}"#,
            status: 65, message: #"program.json: tiers.ladder[2].min_net_spend: "12.345" has more decimals than CNY allows (2)"#)
        try await expectRejectedSet(
            #"{"currency":"CNY","earning":{"points":1}}"#, status: 65,
            message: "program.json: earning.points: unknown key; expected one of points_per_unit")
    }

    @Test func invalidProgramIsDataError() async throws {
        try await expectRejectedSet(
            #"{"currency":"CNY","tiers":{"ladder":[{"name":"gold","min_purchases":1}]}}"#, status: 65,
            message: "program.json: invalid loyalty program: the first tier 'gold' must have no requirements")
    }

    @Test func effectiveNotAfterLastEventIsDataError() async throws {
        try await expectRejectedSet(
            #"{"currency":"CNY"}"#, status: 65,
            message: "was rejected: the program cannot take effect at 2024-02-01T00:00:00Z, because the log already has events up to 2024-02-01T00:00:00Z",
            effective: "2024-02-01")
        try await expectRejectedSet(
            #"{"currency":"CNY"}"#, status: 65,
            message: "the program cannot take effect at 2024-01-15T00:00:00Z, because the log already has events up to 2024-02-01T00:00:00Z",
            effective: "2024-01-15")
    }

    @Test func missingFileIsNotFound() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let result = try await LedgerProcess.run(
                ["program", "set", folder + "/missing.json", "--effective", "2024-03-01"], database: database)
            #expect(result.status == 66, "\(result)")
            #expect(
                result.standardError
                    == "ledger program set: program file '\(folder)/missing.json' not found; check the path; nothing was written\n")
            #expect(try await eventCount(database) == 2)
        }
    }

    @Test func unreadableFileIsFileError() async throws {
        try await withTemporaryFolder { folder in
            let database = try makeLedger(in: folder)
            let folderResult = try await LedgerProcess.run(["program", "set", folder, "--effective", "2024-03-01"], database: database)
            #expect(folderResult.status == 74, "\(folderResult)")
            #expect(folderResult.standardError.contains("'\(folder)' is a folder; pass the path of a program file"), "\(folderResult)")

            // The superuser reads files whatever their mode, so the permission case needs another user.
            if geteuid() != 0 {
                let file = try writeFile(#"{"currency":"CNY"}"#, named: "locked.json", in: folder)
                try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: file)
                let locked = try await LedgerProcess.run(["program", "set", file, "--effective", "2024-03-01"], database: database)
                #expect(locked.status == 74, "\(locked)")
                #expect(locked.standardError.contains("permission denied reading program file '\(file)'"), "\(locked)")
            }
            #expect(try await eventCount(database) == 2)
        }
    }

    @Test func setWithoutLedgerIsNotFound() async throws {
        try await withTemporaryFolder { folder in
            let file = try writeFile(#"{"currency":"CNY"}"#, named: "program.json", in: folder)
            let database = folder + "/missing.db"
            let result = try await LedgerProcess.run(["program", "set", file, "--effective", "2024-03-01"], database: database)
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at '\(database)'"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test(arguments: [
        (["program", "set", "program.json"], "missing option '--effective TIME'"),
        (["program", "set", "program.json", "--effective", "2024-02-30"], "invalid time '2024-02-30' for --effective"),
        (["program", "set", "--effective", "2024-03-01"], "missing argument FILE"),
        (["program", "show", "--as-of", "yesterday"], "invalid time 'yesterday' for --as-of"),
        (["program", "show", "--effective", "2024-03-01"], "unknown option '--effective' for 'ledger program show'"),
        (["program", "history", "--as-of", "2024-03-01"], "unknown option '--as-of' for 'ledger program history'"),
        (["program"], "missing argument ACTION"),
        (["program", "list"], "unknown action 'list' for 'ledger program'; expected set, show, history"),
    ])
    func invalidCommandLineIsUsageError(arguments: [String], message: String) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/missing.db"
            let result = try await LedgerProcess.run(arguments, database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains(message), "\(result)")
            #expect(result.standardError.contains("usage: ledger program"), "\(result)")
            // The command line is checked before the ledger, so none was created.
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test(arguments: [["show"], ["history"]])
    func queryWithoutLedgerIsNotFound(action: [String]) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/missing.db"
            let result = try await LedgerProcess.run(["program"] + action, database: database)
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at '\(database)'"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test(arguments: ["set", "show", "history"])
    func actionHelpPrintsItsOptions(action: String) async throws {
        try await withTemporaryFolder { folder in
            for arguments in [["program", action, "--help"], ["help", "program", action]] {
                let result = try await LedgerProcess.run(arguments, database: folder + "/ledger.db")
                #expect(result.status == 0, "\(result)")
                #expect(result.outputLines.first?.hasPrefix("usage: ledger program \(action) [options]") == true, "\(result)")
                #expect(result.standardOutput.contains("--db PATH"), "\(result)")
                #expect(result.standardError.isEmpty, "\(result)")
            }
        }
    }

    @Test func programHelpListsActions() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["program", "--help"], database: folder + "/ledger.db")
            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines.first == "usage: ledger program [options] ACTION")
            for action in ["set", "show", "history"] {
                #expect(result.standardOutput.contains("\n  ledger program \(action) "), "\(result)")
            }
            let overview = try await LedgerProcess.run(["--help"], database: folder + "/ledger.db")
            #expect(overview.standardOutput.contains("\n  program "), "\(overview)")
        }
    }
}
