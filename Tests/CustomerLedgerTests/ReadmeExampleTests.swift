import Foundation
import Testing

import CustomerLedger

/// Runs the library example of the README, so that it keeps compiling and its comments stay true.
@Suite struct ReadmeExampleTests {
    @Test func readmeSnippetFigures() throws {
        let directory = try TemporaryDirectory()
        // The README reads a key file that `ledger keygen shop.key` created; this test writes one.
        try testMasterKey.write(toFile: directory.path + "/shop.key")
        let masterKey = try MasterKey(contentsOfFile: directory.path + "/shop.key")
        let ledger = try Ledger(path: directory.path + "/shop.ledger", options: .init(program: LoyaltyProgram(currency: .cny), masterKey: masterKey))
        let customer = CustomerID(42)!

        try ledger.append([
            NewEvent(customerID: customer, occurredAt: Timestamp(parsing: "2024-03-01T10:00:00+08:00")!,
                     payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(
                         name: "张伟", phone: "+86 138 0013 8000", province: "上海市", city: "上海市")))),
            NewEvent(customerID: customer, occurredAt: Timestamp(parsing: "2024-03-02T15:30:00+08:00")!,
                     payload: .purchaseRecorded(PurchaseRecorded(
                         orderID: "SO-1001", amount: Money(minorUnits: 128_800, currency: .cny),
                         lineItems: [LineItem(sku: "TEA-01", quantity: 2, unitPrice: 64_400)]))),
        ], expectedVersions: [customer: 0])

        let state = try #require(try ledger.customer(customer))
        #expect(state.spend(in: .cny).net == 128_800)
        #expect(state.points.balance == 1_288)

        let tier = try #require(try ledger.tier(of: customer, asOf: Timestamp(parsing: "2024-12-31")!))
        #expect(tier.tierName == "ordinary")
        #expect(tier.nextTier?.tierName == "core")
        #expect(tier.nextTier?.purchasesNeeded == 1)
        #expect(tier.nextTier?.netSpendNeeded == 0)

        let history = try ledger.history(of: customer)
        #expect(history.map(\.version) == [1, 2])
        #expect(history[0].occurredAt == Timestamp(parsing: "2024-03-01T02:00:00Z"))

        let phone = try #require(try ledger.withRole(.support).customer(customer)).profile.phone
        #expect(phone == "+86 138****8000")
    }
}
