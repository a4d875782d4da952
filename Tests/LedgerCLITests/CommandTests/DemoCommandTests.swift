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

            #expect(try FileManager.default.contentsOfDirectory(atPath: temporary) == [])
            #expect(!FileManager.default.fileExists(atPath: folder + "/unused.db"))
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
