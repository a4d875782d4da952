import CustomerLedger
import Foundation
import Testing

/// Point values beyond 64-bit minor units, which the library saturates, are rejected by the
/// commands that print them, rather than shown as if exact.
@Suite("point values beyond 64 bits")
struct PointValueRangeCommandTests {
    /// Writes a ledger whose one customer has 39,999,999,999,999 points worth 10,000,000.00 CNY
    /// per 100 points, about 4 × 10²⁰ fen.
    static func costlyLedger(at database: String) throws {
        var program = LoyaltyProgram(currency: .cny, pointsPerUnit: 4)
        program.pointValue = PointValue(points: 100, minorUnits: 1_000_000_000)
        let ledger = try Ledger(path: database, options: .init(program: program, masterKey: TestKey.key))
        let customer = CustomerID(1)!
        try ledger.append([
            NewEvent(
                customerID: customer, occurredAt: Timestamp(parsing: "2025-01-01")!,
                payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "李娜")))),
            NewEvent(
                customerID: customer, occurredAt: Timestamp(parsing: "2025-01-02")!,
                payload: .purchaseRecorded(PurchaseRecorded(
                    orderID: "SO-1", amount: Money(minorUnits: 999_999_999_999_999, currency: .cny)))),
        ])
    }

    @Test func liabilityBeyondRangeIsDataError() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shop.db"
            try Self.costlyLedger(at: database)

            let result = try await LedgerProcess.run(["liability"], database: database)

            #expect(result.status == 65, "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(result.standardError.hasPrefix("ledger liability: the value of the points available is beyond "), "\(result)")
            #expect(
                result.standardError.hasSuffix(
                    "CNY, the range of 64-bit minor units, so it cannot be shown exactly; lower the program's point value or the points it awards\n"),
                "\(result)")
        }
    }

    @Test func simulationBeyondRangeIsDataError() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shop.db"
            try Self.costlyLedger(at: database)
            let candidate = folder + "/candidate.json"
            try #"{"currency": "CNY", "point_value": {"points": 100, "amount": "10000000.00"}}"#
                .write(toFile: candidate, atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(["simulate", "--program", candidate], database: database)

            #expect(result.status == 65, "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(
                result.standardError.hasPrefix("ledger simulate: the value of the points held under the current program is beyond "),
                "\(result)")
        }
    }
}
