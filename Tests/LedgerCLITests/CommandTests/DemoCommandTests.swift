import Foundation
import Testing

@Suite("ledger demo")
struct DemoCommandTests {
    @Test func demoImportsReplaysAndCleansUp() async throws {
        try await withTemporaryFolder { folder in
            // The demo builds its ledger under TMPDIR when --db is absent. Point TMPDIR at an
            // empty folder to see that the demo removes that ledger again.
            let temporary = folder + "/tmp"
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
            let result = try await LedgerProcess.run(
                ["demo"], database: folder + "/unused.db", environment: ["TMPDIR": temporary])

            #expect(result.status == 0, "\(result)")
            let output = result.standardOutput
            #expect(output.hasPrefix("Customer Ledger demo: the CDNOW purchase history"))
            #expect(output.contains("\n69,659 rows became 93,229 events in "))
            #expect(output.contains("\n23,570 customers, 69,659 purchases, 2,500,315.63 USD in total\n"))
            for heading in [
                "== Imported", "== Tiers as of 1998-06-30, the end of the data", "== Top customers by net spend",
                "== History of customer 7592 (first 8 of 202 events)", "== Replay and re-import", "== Next",
            ] {
                #expect(result.outputLines.contains(heading), "missing heading '\(heading)'")
            }
            #expect(output.contains(": identical to the incremental ones\n"))
            #expect(output.contains("\nimporting the same file again appended 0 events\n"))

            // The second part: the synthetic data set of 3,000 customers with seed 1 in a second ledger.
            for heading in [
                "== Synthetic data set: 3,000 Chinese customers of a tea brand, 2023-01-01 to 2025-01-01 (exclusive)",
                "== Regions: the 8 of 20 provinces with the highest net spend",
                "== Feedback: the highest complaint rates by province",
            ] {
                #expect(result.outputLines.contains(heading), "missing heading '\(heading)'")
            }
            #expect(output.contains("\ngenerated 19,502 events from seed 1 in "))
            #expect(output.contains("; with the referral rewards the ledger derived, it has 20,142 events\n"))
            #expect(result.outputLines.contains("VIP             503  16.8%  net spend ≥ 500.00 CNY, ≥ 4 purchases, tenure ≥ 180 days"))
            #expect(result.outputLines.contains("广东省          456     419  1,055,909.00 CNY  2,315.58 CNY"))
            #expect(result.outputLines.contains("河南省               150          68  45.3%"))
            #expect(output.contains("\n110 birthdays in the next 14 days; the first 5:\n"))
            #expect(output.contains("\n1,025 customers bought nothing in the last 180 days; the 5 who spent most:\n"))
            #expect(result.outputLines.contains { $0.hasPrefix("== History of synthetic customer ") })
            #expect(output.contains("ProfileUpdated"))
            #expect(output.contains("province \""))

            #expect(try FileManager.default.contentsOfDirectory(atPath: temporary) == [])
            #expect(!FileManager.default.fileExists(atPath: folder + "/unused.db"))
        }
    }

    /// A demo with --db keeps both ledgers and names the synthetic one, whose folder it never reuses.
    @Test func demoKeepsBothLedgers() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/demo.db"
            let file = folder + "/small.txt"
            try "customer_id date number_of_cds dollar_value\n00001 19970101 1 11.77\n00002 19970112 2 24.00\n"
                .write(toFile: file, atomically: true, encoding: .utf8)
            let small = try await LedgerProcess.run(
                ["demo", "--db", database, "--file", file, "--customers", "200"], database: folder + "/unused.db")
            #expect(small.status == 0, "\(small)")
            #expect(small.standardOutput.contains("== Synthetic data set: 200 Chinese customers"))
            #expect(small.standardOutput.contains("ledger regions --db \(database)-synthetic\n"))
            #expect(FileManager.default.fileExists(atPath: database + "-synthetic/data.mdb"))
            let regions = try await LedgerProcess.run(["regions"], database: database + "-synthetic")
            #expect(regions.status == 0, "\(regions)")

            // The synthetic folder of an earlier demo is never reused.
            try FileManager.default.removeItem(atPath: database)
            let again = try await LedgerProcess.run(["demo", "--db", database], database: folder + "/unused.db")
            #expect(again.status == 1, "\(again)")
            #expect(again.standardError.contains("-synthetic' already exists"), "\(again)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    /// The demo shows every role itself, so a --role would be silently ignored.
    @Test func demoRejectsRole() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/demo.db"
            for arguments in [["demo", "--role", "analyst"], ["demo", "--db", database, "--role=support"]] {
                let result = try await LedgerProcess.run(arguments, database: folder + "/unused.db")

                #expect(result.status == 64, "\(result)")
                #expect(
                    result.standardError.hasPrefix("ledger demo: the demo does not take --role (got '"), "\(result)")
                #expect(result.standardError.contains("it shows what each role sees by itself"), "\(result)")
                #expect(result.standardOutput.isEmpty, "\(result)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        }
    }
}
