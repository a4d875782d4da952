import Foundation
import Testing

@testable import CustomerLedger

@Suite struct CDNOWImportTests {
    static let dataPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/LedgerCommandLine/Resources/cdnow/CDNOW_master.txt").path

    @Test func importTotalsMatchFile() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.path + "/db", options: .init(program: LoyaltyProgram(currency: .usd)))
        let rows = try CDNOWParser.parse(contentsOf: Self.dataPath)
        let start = Date()
        let summary = try CDNOWImporter.importRows(rows, into: ledger)
        print("import seconds", Date().timeIntervalSince(start))
        #expect(summary.customersRegistered == 23_570)
        #expect(summary.eventsAppended == 23_570 + 69_659)

        let statistics = try ledger.statistics()
        #expect(statistics.customerCount == 23_570)
        #expect(statistics.eventsByType["PurchaseRecorded"] == 69_659)

        var total: Int64 = 0
        var purchases: Int64 = 0
        try ledger.forEachCustomer { state in
            total += state.spend(in: .usd).net
            purchases += state.purchaseCount
        }
        #expect(total == 250_031_563)
        #expect(purchases == 69_659)

        let again = try CDNOWImporter.importRows(rows, into: ledger)
        #expect(again.eventsAppended == 0)
        #expect(try ledger.lastPosition() == 93_229)
    }
}
