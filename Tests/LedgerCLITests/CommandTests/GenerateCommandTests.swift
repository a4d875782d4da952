import Foundation
import Testing

@Suite("ledger generate")
struct GenerateCommandTests {
    @Test func generateIsDeterministicAndIdempotent() async throws {
        try await withTemporaryFolder { folder in
            let first = try await LedgerProcess.run(["generate", "--customers", "300", "--json"], database: folder + "/a.db")
            #expect(first.status == 0, "\(first)")
            let firstJSON = try jsonObject(first)
            let events = try #require(firstJSON["events"] as? Int)
            #expect(firstJSON["appended"] as? Int == events)
            #expect(firstJSON["seed"] as? String == "1")
            #expect(firstJSON["end"] as? String == "2025-01-01")
            let counts = try #require(firstJSON["events_by_type"] as? [String: Int])
            #expect(counts["CustomerRegistered"] == 300)
            #expect(counts.values.reduce(0, +) == events)

            let again = try await LedgerProcess.run(["generate", "--customers", "300", "--json"], database: folder + "/a.db")
            #expect(again.status == 0, "\(again)")
            #expect(try jsonObject(again)["appended"] as? Int == 0)
            #expect(try jsonObject(again)["digest"] as? String == firstJSON["digest"] as? String)

            let other = try await LedgerProcess.run(["generate", "--customers", "300", "--json"], database: folder + "/b.db")
            #expect(try jsonObject(other)["digest"] as? String == firstJSON["digest"] as? String)
            let seeded = try await LedgerProcess.run(
                ["generate", "--customers", "300", "--seed", "2", "--json"], database: folder + "/c.db")
            #expect(try jsonObject(seeded)["digest"] as? String != firstJSON["digest"] as? String)

            let verify = try await LedgerProcess.run(["verify"], database: folder + "/a.db")
            #expect(verify.status == 0, "\(verify)")
            let stats = try await LedgerProcess.run(["stats", "--json"], database: folder + "/a.db")
            #expect(try jsonObject(stats)["customers"] as? Int == 300)
        }
    }

    @Test func textOutputNamesPeriodAndTypes() async throws {
        try await withTemporaryFolder { folder in
            let result = try await LedgerProcess.run(
                ["generate", "--customers", "50", "--seed", "9", "--start", "2024-02-29", "--months", "3"], database: folder + "/g.db")
            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput.hasPrefix("generated 50 customers from seed 9, 2024-02-29 to 2024-05-29 (exclusive): "))
            #expect(result.outputLines.contains("CustomerRegistered         50"))
            let customer = try await LedgerProcess.run(["customer", "1", "--json"], database: folder + "/g.db")
            #expect(customer.status == 0, "\(customer)")
            #expect(customer.standardOutput.contains("\"province\": \""))
        }
    }

    /// Another seed's customer 1 is already registered, so the whole data set is rejected.
    @Test func otherDataSetInLedgerIsRejected() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/a.db"
            _ = try await LedgerProcess.run(["generate", "--customers", "20"], database: database)
            let before = try await LedgerProcess.run(["head"], database: database)
            let result = try await LedgerProcess.run(["generate", "--customers", "20", "--seed", "5"], database: database)
            #expect(result.status == 65, "\(result)")
            #expect(
                result.standardError == "ledger generate: customer 1 is already registered, and the generated customers are numbered 1 to 20; nothing was written. "
                    + "Generate into a new ledger with --db PATH, or repeat an earlier generate's --customers, --seed, --start and --months to append nothing\n",
                "\(result)")
            #expect(try await LedgerProcess.run(["head"], database: database).standardOutput == before.standardOutput)
        }
    }

    /// The same seed with more customers reuses the event ids of the first set with other content.
    @Test func otherSizeInLedgerIsRejected() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/a.db"
            _ = try await LedgerProcess.run(["generate", "--customers", "20"], database: database)
            let before = try await LedgerProcess.run(["head"], database: database)

            let result = try await LedgerProcess.run(["generate", "--customers", "30"], database: database)

            #expect(result.status == 65, "\(result)")
            #expect(result.standardError.hasPrefix("ledger generate: the ledger has a data set generated with other options: its event at position "), "\(result)")
            #expect(result.standardError.hasSuffix("; nothing was written. Generate into a new ledger with --db PATH, or repeat an earlier generate's --customers, --seed, --start and --months to append nothing\n"), "\(result)")
            #expect(try await LedgerProcess.run(["head"], database: database).standardOutput == before.standardOutput)
        }
    }

    @Test func invalidOptionsAreRejected() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/a.db"
            for (arguments, message) in [
                (["generate"], "missing option '--customers N'"),
                (["generate", "--customers", "0"], "--customers"),
                (["generate", "--customers", "10", "--seed", "-1"], "invalid seed '-1' for --seed"),
                (["generate", "--customers", "10", "--start", "2023-02-30"], "invalid date '2023-02-30' for --start"),
                (["generate", "--customers", "10", "--months", "121"], "--months"),
            ] {
                let result = try await LedgerProcess.run(arguments, database: database)
                #expect(result.status == 64, "\(result)")
                #expect(result.standardError.contains(message), "\(result)")
            }
            let noKey = try await LedgerProcess.run(["generate", "--customers", "10"], database: database, environment: ["LEDGER_KEY_FILE": ""])
            #expect(noKey.status == 77, "\(noKey)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        }
    }
}
