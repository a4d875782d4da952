import CustomerLedger
import Foundation
import Testing

@Suite("ledger import cdnow --commit-every")
struct ImportCDNOWCommitEveryTests {
    /// Five rows of three customers, so that transactions of two rows end at positions 4, 7 and 8.
    static let file = """
         customer_id  date number_of_cds  dollar_value
         00001 19970101  1   11.77
         00002 19970112  1   12.00
         00002 19970112  5   77.00
         00003 19970104  2   40.00
         00003 19970105  1   50.00

        """

    @Test func commitsAndAcknowledgesEachBatch() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/cdnow.txt"
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(["import", "cdnow", file, "--commit-every", "2"], database: folder + "/shop.db")

            #expect(result.status == 0, "\(result)")
            #expect(result.outputLines == [
                "committed rows 1-2 through position 4",
                "committed rows 3-4 through position 7",
                "committed rows 5-5 through position 8",
                "imported 5 rows from \(file): 8 events appended (3 new customers), 0 already present",
            ])
        }
    }

    @Test func rerunAppendsOnlyMissingEvents() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/cdnow.txt"
            let database = folder + "/shop.db"
            let arguments = ["import", "cdnow", file, "--commit-every", "2"]
            // The first four rows leave the ledger as an import killed after its second
            // transaction would.
            let firstRows = Self.file.split(separator: "\n").prefix(5).joined(separator: "\n") + "\n"
            try firstRows.write(toFile: file, atomically: true, encoding: .utf8)

            let partial = try await LedgerProcess.run(arguments, database: database)
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)
            let rerun = try await LedgerProcess.run(arguments, database: database)
            let again = try await LedgerProcess.run(arguments, database: database)

            #expect(partial.status == 0, "\(partial)")
            #expect(rerun.status == 0, "\(rerun)")
            #expect(rerun.outputLines.last == "imported 5 rows from \(file): 1 event appended (0 new customers), 7 already present")
            #expect(again.outputLines.last == "imported 5 rows from \(file): 0 events appended (0 new customers), 8 already present")
            let stats = try await LedgerProcess.run(["stats", "--json"], database: database)
            #expect(try jsonObject(stats)["last_position"] as? Int == 8, "\(stats)")
        }
    }

    /// The fifth line changes an order that the ledger has, which only the append checks find,
    /// so the check of all rows must run before the first transaction.
    @Test func brokenRuleInLaterRowWritesNothing() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/cdnow.txt"
            let database = folder + "/shop.db"
            try " customer_id  date number_of_cds  dollar_value\n 00003 19970104  2   41.00\n"
                .write(toFile: file, atomically: true, encoding: .utf8)
            let earlier = try await LedgerProcess.run(["import", "cdnow", file], database: database)
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(["import", "cdnow", file, "--commit-every", "1"], database: database)

            #expect(earlier.status == 0, "\(earlier)")
            #expect(result.status == 65, "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(
                result.standardError.hasPrefix("ledger import: \(file): line 5: an earlier import recorded this row's order at position 2"),
                "\(result)")
            #expect(result.standardError.hasSuffix("; nothing was written\n"), "\(result)")
            let stats = try await LedgerProcess.run(["stats", "--json"], database: database)
            #expect(try jsonObject(stats)["last_position"] as? Int == 2, "\(stats)")
        }
    }

    @Test(arguments: ["0", "-3", "two"])
    func invalidRowsPerCommitIsUsageError(value: String) async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/cdnow.txt"
            let database = folder + "/shop.db"
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(["import", "cdnow", file, "--commit-every", value], database: database)

            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("--commit-every"), "\(result)")
            #expect(result.standardError.contains("'\(value)'"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }
}
