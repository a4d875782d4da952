import Foundation
import Testing

/// A small valid CDNOW file: two customers, three purchases.
private let smallCDNOWFile = """
     customer_id  date number_of_cds  dollar_value\r
     00001 19970101  1   11.77\r
     00002 19970112  1   12.00\r
     00002 19970112  5   77.00\r

    """

/// Writes `contents` to `name` in `folder` and returns the file's path.
private func writeFile(_ contents: String, named name: String, in folder: String) throws -> String {
    let path = folder + "/" + name
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Imports `smallCDNOWFile` into a new ledger in `folder` and returns the ledger's path.
private func makeSmallLedger(in folder: String) async throws -> String {
    let database = folder + "/ledger.db"
    let file = try writeFile(smallCDNOWFile, named: "small.txt", in: folder)
    let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)
    guard result.status == 0 else {
        throw LedgerProcessError(description: "importing the small CDNOW file failed: \(result)")
    }
    return database
}

@Suite("ledger errors and exit codes")
struct CommandErrorTests {
    static let commandNames = ["demo", "import", "replay", "customer", "history", "tiers", "top", "stats"]

    @Test func noArgumentsIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run([], database: folder + "/ledger.db")
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("usage: ledger [--db PATH] COMMAND [options]"), "\(result)")
            for name in Self.commandNames {
                #expect(result.standardError.contains("\n  \(name) "), "overview lacks '\(name)'")
            }
            #expect(result.standardOutput.isEmpty, "\(result)")
        }
    }

    @Test func unknownCommandIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["frobnicate"], database: folder + "/ledger.db")
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("unknown command 'frobnicate'"), "\(result)")
        }
    }

    @Test func unknownOptionIsNamed() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["stats", "--frobnicate"], database: folder + "/ledger.db")
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("unknown option '--frobnicate'"), "\(result)")
            #expect(result.standardError.contains("usage: ledger stats [options]"), "\(result)")
        }
    }

    @Test func invalidCustomerIDIsNamed() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let result = try await LedgerProcess.run(["customer", "abc"], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("invalid customer id 'abc'"), "\(result)")
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test(arguments: ["customer", "history"])
    func unknownCustomerIsNotFound(command: String) async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let result = try await LedgerProcess.run([command, "999999"], database: database)
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("customer 999999 not found"), "\(result)")
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test func smallLedgerAnswersQueries() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let result = try await LedgerProcess.run(["customer", "00002", "--json"], database: database)
            #expect(result.status == 0, "\(result)")
            let customer = try decodeOutput(CustomerOutput.self, from: result)
            #expect(customer.purchaseCount == 2)
            #expect(customer.spend.map(\.netMinorUnits) == [8_900])
            #expect(customer.points.earned == 89)
        }
    }

    @Test(arguments: [["stats"], ["customer", "1"], ["history", "1"], ["tiers"], ["top"], ["replay"]])
    func queryWithoutLedgerIsNotFound(arguments: [String]) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/missing.db"
            let result = try await LedgerProcess.run(arguments, database: database)
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at '\(database)'"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database), "the query created \(database)")
        }
    }

    @Test func queryOfEmptyFolderIsNotFound() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(["stats", "--db", folder], database: folder + "/unused.db")
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("no ledger at '\(folder)'"), "\(result)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [])
        }
    }

    @Test func importOfMissingFileIsNotFound() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            let result = try await LedgerProcess.run(["import", "cdnow", "missing.txt"], database: database)
            #expect(result.status == 66, "\(result)")
            #expect(result.standardError.contains("'missing.txt'"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test func importOfImpossibleDateWritesNothing() async throws {
        try await withTemporaryFolder { folder in
            let file = try writeFile(
                """
                 customer_id  date number_of_cds  dollar_value\r
                 00001 19970101  1   11.77\r
                 00002 19970230  1   12.00\r
                 00003 19970301  2   20.76\r

                """, named: "bad-date.txt", in: folder)
            let database = folder + "/ledger.db"
            let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)
            #expect(result.status == 65, "\(result)")
            #expect(result.standardError.contains("line 3, field date"), "\(result)")
            #expect(result.standardError.contains("'19970230'"), "\(result)")
            #expect(result.standardError.contains("nothing was written"), "\(result)")

            // Nothing written: either no database at all, or one without events.
            if FileManager.default.fileExists(atPath: database) {
                let stats = try await LedgerProcess.run(["stats", "--json"], database: database)
                #expect(try decodeOutput(StatsOutput.self, from: stats).events == 0)
            }
        }
    }

    @Test func importRuleViolationNamesLine() async throws {
        try await withTemporaryFolder { folder in
            let file = try writeFile(
                """
                customer_id date number_of_cds dollar_value\r
                 00001 19970101  1   11.77\r
                 00002 19970102  1   10000000000000.01\r

                """, named: "too-large.txt", in: folder)
            let database = folder + "/ledger.db"
            let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)
            #expect(result.status == 65, "\(result)")
            #expect(result.standardError.contains("line 3: purchase amount 10000000000000.01 USD exceeds the limit"), "\(result)")
            #expect(result.standardError.contains("nothing was written"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test func databasePathToFileIsStorageError() async throws {
        try await withTemporaryFolder { folder in
            let file = try writeFile("not a ledger", named: "plain", in: folder)
            let stats = try await LedgerProcess.run(["stats"], database: file)
            #expect(stats.status == 74, "\(stats)")
            #expect(stats.standardError.contains("is a file, not a ledger folder"), "\(stats)")

            let cdnow = try writeFile(
                "customer_id date number_of_cds dollar_value\r\n 00001 19970101  1   11.77\r\n", named: "one.txt", in: folder)
            let imported = try await LedgerProcess.run(["import", "cdnow", cdnow], database: file)
            #expect(imported.status == 74, "\(imported)")
            #expect(imported.standardError.contains("'\(file)' is a file, not a ledger folder"), "\(imported)")
        }
    }

    @Test func emptyOrMissingDatabaseIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let missing = try await LedgerProcess.run(["--db"], database: folder + "/ledger.db")
            #expect(missing.status == 64, "\(missing)")
            #expect(missing.standardError.contains("missing value for option '--db'"), "\(missing)")

            let empty = try await LedgerProcess.run(["stats", "--db", ""], database: folder + "/ledger.db")
            #expect(empty.status == 64, "\(empty)")
            #expect(empty.standardError.contains("option '--db' expects a folder path"), "\(empty)")
        }
    }

    @Test func importOfUnknownFormatIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            let result = try await LedgerProcess.run(["import", "xml", "x"], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("unknown import format 'xml'; supported: cdnow, jsonl, csv"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test(arguments: commandNames)
    func helpOptionPrintsUsage(command: String) async throws {
        try await withTemporaryFolder { folder in
            for help in ["--help", "-h"] {
                let result = try await LedgerProcess.run([command, help], database: folder + "/ledger.db")
                #expect(result.status == 0, "\(result)")
                #expect(result.outputLines.first?.hasPrefix("usage: ledger \(command) [options]") == true, "\(result)")
                #expect(result.standardOutput.contains("-h, --help"), "\(result)")
                #expect(result.standardError.isEmpty, "\(result)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [])
        }
    }

    @Test func helpWithoutCommandPrintsOverview() async throws {
        try await withTemporaryFolder { folder in
            for arguments in [["--help"], ["-h"], ["help"]] {
                let result = try await LedgerProcess.run(arguments, database: folder + "/ledger.db")
                #expect(result.status == 0, "\(result)")
                #expect(result.standardOutput.contains("usage: ledger [--db PATH] COMMAND [options]"), "\(result)")
            }
            let commandHelp = try await LedgerProcess.run(["help", "top"], database: folder + "/ledger.db")
            #expect(commandHelp.status == 0, "\(commandHelp)")
            #expect(commandHelp.outputLines.first == "usage: ledger top [options]")
        }
    }

    @Test func invalidRankingIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let result = try await LedgerProcess.run(["top", "--by", "color"], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("invalid value 'color' for --by"), "\(result)")
        }
    }

    @Test(arguments: [["tiers"], ["top"], ["customer", "1"]])
    func impossibleAsOfDateIsUsageError(arguments: [String]) async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let result = try await LedgerProcess.run(arguments + ["--as-of", "1997-02-30"], database: database)
            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("invalid time '1997-02-30' for --as-of"), "\(result)")

            // The command line is checked before the ledger, so a missing ledger gives the same error.
            let missing = folder + "/missing.db"
            let withoutLedger = try await LedgerProcess.run(arguments + ["--as-of", "1997-02-30"], database: missing)
            #expect(withoutLedger.status == 64, "\(withoutLedger)")
            #expect(!FileManager.default.fileExists(atPath: missing))
        }
    }

    @Test func databaseOptionOverridesEnvironment() async throws {
        try await withTemporaryFolder { folder in
            let database = try await makeSmallLedger(in: folder)
            let result = try await LedgerProcess.run(
                ["stats", "--json", "--db", database], database: folder + "/missing.db")
            #expect(result.status == 0, "\(result)")
            #expect(try decodeOutput(StatsOutput.self, from: result).purchases == 3)
            #expect(!FileManager.default.fileExists(atPath: folder + "/missing.db"))
        }
    }
}
