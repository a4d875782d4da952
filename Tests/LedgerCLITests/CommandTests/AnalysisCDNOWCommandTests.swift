import Foundation
import Testing

/// The figures that `scripts/oracle/cdnow_analysis.py` computed from the bundled CDNOW file with
/// pandas, independently of the package.
private let oracleFixturePath = LedgerProcess.packageRoot
    .appendingPathComponent("Tests/LedgerCLITests/Fixtures/cdnow-analysis-expected.json").path

private func oracle() throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: oracleFixturePath))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(oracleFixturePath) is not a JSON object")
}

// The tests join the suite of the imported CDNOW ledger, so that they share its import.
extension ImportedLedgerCommandTests {
    private func analysis(_ arguments: String...) async throws -> [String: Any] {
        let result = try await LedgerProcess.run(arguments, database: try ImportedCDNOWLedger.shared().database)
        #expect(result.status == 0, "\(result)")
        return try jsonObject(result)
    }

    @Test func analysisSegmentsMatchOracle() async throws {
        let expected = try oracle()
        let expectedRFM = try #require(expected["rfm"] as? [String: Any])
        let actual = try await analysis("segments", "--json")

        #expect(actual["as_of"] as? String == expected["as_of"] as? String)
        #expect(actual["customers"] as? Int == expectedRFM["customers"] as? Int)
        let expectedSegments = try #require(expectedRFM["segments"] as? [[String: Any]])
        let actualSegments = try #require(actual["segments"] as? [[String: Any]])
        #expect(actualSegments.map { $0["segment"] as? String } == expectedSegments.map { $0["segment"] as? String })
        for (got, want) in zip(actualSegments, expectedSegments) {
            let name = want["segment"] as? String ?? "?"
            #expect(got["customers"] as? Int == want["customers"] as? Int, "segment \(name)")
            #expect(
                (got["net_spend"] as? [String: Any])?["minor_units"] as? Int == want["net_spend_minor_units"] as? Int,
                "segment \(name)")
        }
        let expectedCounts = try #require(expectedRFM["score_counts"] as? [String: [Int]])
        let actualCounts = try #require(actual["score_counts"] as? [String: [Int]])
        #expect(actualCounts == expectedCounts)
    }

    @Test func analysisCohortsMatchOracle() async throws {
        let expected = try #require(try oracle()["cohorts"] as? [[String: Any]])
        let actual = try #require(try await analysis("cohorts", "--json")["cohorts"] as? [[String: Any]])

        #expect(actual.map { $0["month"] as? String } == expected.map { $0["month"] as? String })
        #expect(actual.map { $0["customers"] as? Int } == expected.map { $0["customers"] as? Int })
        #expect(actual.map { $0["active"] as? [Int] } == expected.map { $0["active"] as? [Int] })
    }
}
