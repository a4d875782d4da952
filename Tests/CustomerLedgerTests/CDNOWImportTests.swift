import Foundation
import Testing

@testable import CustomerLedger

@Suite struct CDNOWImportTests {
    static let dataPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/LedgerCommandLine/Resources/cdnow/CDNOW_master.txt").path

    @Test func importTotalsMatchFile() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.path + "/db", options: .init(program: LoyaltyProgram(currency: .usd), masterKey: testMasterKey))
        let rows = try CDNOWParser.parse(contentsOf: Self.dataPath)
        let summary = try CDNOWImporter.importRows(rows, into: ledger)
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

@Suite struct CDNOWImportOrderTests {
    @Test func registrationAtEarliestRowDate() throws {
        let rows = try CDNOWParser.parse(Array("""
            customer_id date number_of_cds dollar_value
            00001 19970105 1 11.77
            00001 19970101 2 20.00

            """.utf8))
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.path + "/db", options: .init(program: LoyaltyProgram(currency: .usd), masterKey: testMasterKey))

        _ = try CDNOWImporter.importRows(rows, into: ledger)

        let state = try #require(try ledger.customer(CustomerID(1)!))
        #expect(state.registeredAt == Timestamp(parsing: "1997-01-01")!)
        #expect(state.firstPurchaseAt == Timestamp(parsing: "1997-01-01")!)
    }

    @Test func rejectedRowNamesLineAndWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let ledger = try Ledger(path: directory.path + "/db", options: .init(program: LoyaltyProgram(currency: .usd), masterKey: testMasterKey))
        try ledger.append(NewEvent(
            customerID: CustomerID(2)!, occurredAt: Timestamp(parsing: "1997-01-01")!,
            payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "王芳")))))
        let rows = try CDNOWParser.parse(Array("""
            customer_id date number_of_cds dollar_value
            00001 19970101 1 11.77
            00002 19970102 1 12.00

            """.utf8))

        let error = #expect(throws: ImportRowError.self) { try CDNOWImporter.importRows(rows, into: ledger) }

        #expect(
            error == ImportRowError(
                line: 3,
                reason: "customer 2 is already registered with other events than this file's, so import the file into a new ledger or one that holds only this file's customers"))
        #expect(try ledger.lastPosition() == 1)
        #expect(try ledger.customer(CustomerID(1)!) == nil)
    }
}
