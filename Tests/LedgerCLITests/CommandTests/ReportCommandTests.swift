import Foundation
import Testing

@Suite("ledger report")
struct ReportCommandTests {
    @Test func reportShowsTheTiersThatTheCLIPrints() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/s.db"
            let generated = try await LedgerProcess.run(["generate", "--customers", "400"], database: database)
            #expect(generated.status == 0, "\(generated)")
            let page = folder + "/report.html"
            // Without the key the report still has every figure, because it contains no personal data.
            let result = try await LedgerProcess.run(
                ["report", "--html", page], database: database, environment: ["LEDGER_KEY_FILE": ""])
            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput.hasPrefix("wrote \(page) ("), "\(result)")

            let html = try String(contentsOfFile: page, encoding: .utf8)
            let tiers = try jsonObject(try await LedgerProcess.run(["tiers", "--json"], database: database))
            for tier in try #require(tiers["tiers"] as? [[String: Any]]) {
                let name = try #require(tier["name"] as? String)
                let customers = try #require(tier["customers"] as? Int)
                #expect(html.contains("<tr data-row=\"\(name)\"><th scope=\"row\">\(name)</th><td class=\"num\">\(customers)</td>"))
            }
            #expect(html.contains("<dt>customers</dt><dd>400</dd>"))
            #expect(html.contains("广东省"))
            #expect(html.components(separatedBy: "<svg ").count - 1 == 6)
            #expect(!html.contains("http://"))
            #expect(!html.contains("https://"))
        }
    }

    @Test func asOfLimitsTheReport() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/s.db"
            _ = try await LedgerProcess.run(["generate", "--customers", "200"], database: database)
            let page = folder + "/early.html"
            let result = try await LedgerProcess.run(["report", "--html", page, "--as-of", "2023-06-30"], database: database)
            #expect(result.status == 0, "\(result)")
            let html = try String(contentsOfFile: page, encoding: .utf8)
            #expect(html.contains("as of 2023-06-30"))
            #expect(html.contains("<tr data-row=\"2023-06\">"))
            #expect(!html.contains("<tr data-row=\"2023-07\">"))
        }
    }

    @Test func reportErrorsNameTheFix() async throws {
        try await withTemporaryFolder { folder in
            let missingOption = try await LedgerProcess.run(["report"], database: folder + "/none.db")
            #expect(missingOption.status == 64, "\(missingOption)")
            #expect(missingOption.standardError.contains("missing option '--html FILE'"))

            let noLedger = try await LedgerProcess.run(["report", "--html", folder + "/r.html"], database: folder + "/none.db")
            #expect(noLedger.status == 66, "\(noLedger)")

            let database = folder + "/s.db"
            _ = try await LedgerProcess.run(["generate", "--customers", "10"], database: database)
            let badFolder = try await LedgerProcess.run(["report", "--html", folder + "/missing/r.html"], database: database)
            #expect(badFolder.status == 74, "\(badFolder)")
            #expect(badFolder.standardError.contains("cannot write '\(folder)/missing/r.html'"), "\(badFolder)")
        }
    }
}
