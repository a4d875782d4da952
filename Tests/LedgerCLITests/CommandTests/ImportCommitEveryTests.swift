import CustomerLedger
import Foundation
import Testing

@Suite("ledger import csv --commit-every")
struct ImportCommitEveryTests {
    static let map = "member=customer,order_no=order,total=amount,paid_at=occurred_at"

    /// Five rows of three customers, so that transactions of two rows end at positions 4, 7 and 8.
    static let file = """
        member,order_no,total,paid_at
        1,A-1,10.00,2024-01-01
        2,A-2,20.00,2024-01-02
        1,A-3,30.00,2024-01-03
        3,A-4,40.00,2024-01-04
        2,A-5,50.00,2024-01-05

        """

    @Test func commitsAndAcknowledgesEachBatch() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/sales.csv"
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)
            let database = folder + "/shop.db"

            let result = try await LedgerProcess.run(
                ["import", "csv", file, "--map", Self.map, "--commit-every", "2"], database: database)

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
            let file = folder + "/sales.csv"
            let firstRows = Self.file.split(separator: "\n").prefix(4).joined(separator: "\n") + "\n"
            try firstRows.write(toFile: file, atomically: true, encoding: .utf8)
            let database = folder + "/shop.db"
            let arguments = ["import", "csv", file, "--map", Self.map, "--commit-every", "2"]

            // A file of the first three rows leaves the ledger as an import killed after its
            // second transaction would.
            let partial = try await LedgerProcess.run(arguments, database: database)
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)
            let rerun = try await LedgerProcess.run(arguments, database: database)
            let again = try await LedgerProcess.run(arguments, database: database)

            #expect(partial.status == 0, "\(partial)")
            #expect(rerun.status == 0, "\(rerun)")
            #expect(rerun.outputLines.last == "imported 5 rows from \(file): 3 events appended (1 new customer), 3 already present")
            #expect(again.outputLines.last == "imported 5 rows from \(file): 0 events appended (0 new customers), 5 already present")
            let stats = try await LedgerProcess.run(["stats", "--json"], database: database)
            #expect(try jsonObject(stats)["last_position"] as? Int == 8, "\(stats)")
        }
    }

    @Test func invalidRowWritesNothing() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/sales.csv"
            try Self.file.replacingOccurrences(of: "50.00", with: "5O.00").write(toFile: file, atomically: true, encoding: .utf8)
            let database = folder + "/shop.db"

            let result = try await LedgerProcess.run(
                ["import", "csv", file, "--map", Self.map, "--commit-every", "1"], database: database)

            #expect(result.status == 65, "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(result.standardError.contains("line 6, column total"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    /// The fourth row changes an order that the ledger has, which only the append checks find, so
    /// the check of all rows must run before the first transaction.
    @Test func brokenRuleInLaterRowWritesNothing() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/sales.csv"
            let database = folder + "/shop.db"
            try "member,order_no,total,paid_at\n3,A-4,41.00,2024-01-04\n".write(toFile: file, atomically: true, encoding: .utf8)
            let earlier = try await LedgerProcess.run(["import", "csv", file, "--map", Self.map], database: database)
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(
                ["import", "csv", file, "--map", Self.map, "--commit-every", "1"], database: database)

            #expect(earlier.status == 0, "\(earlier)")
            #expect(result.status == 65, "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(result.standardError.contains("line 5: an earlier import recorded this customer's order at position 2"), "\(result)")
            #expect(result.standardError.hasSuffix("; nothing was written\n"), "\(result)")
            let stats = try await LedgerProcess.run(["stats", "--json"], database: database)
            #expect(try jsonObject(stats)["last_position"] as? Int == 2, "\(stats)")
        }
    }

    @Test func zeroRowsPerCommitIsUsageError() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/sales.csv"
            try Self.file.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(
                ["import", "csv", file, "--map", Self.map, "--commit-every", "0"], database: folder + "/shop.db")

            #expect(result.status == 64, "\(result)")
            #expect(result.standardError.contains("--commit-every"), "\(result)")
        }
    }
}
