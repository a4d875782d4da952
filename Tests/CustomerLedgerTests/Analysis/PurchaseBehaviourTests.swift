import Foundation
import Testing

@testable import CustomerLedger

/// Purchases under a program in Asia/Shanghai, where 2024-01-31T20:00Z is 1 February.
func purchaseFixture(_ directory: TemporaryDirectory) throws -> Ledger {
    let events = [
        registration(customer: 1, at: time("2024-01-01")),
        registration(customer: 2, at: time("2024-01-01")),
        registration(customer: 3, at: time("2024-01-01")),
        itemizedPurchase(
            customer: 1, order: "A", amount: cny("100.00"),
            lineItems: [LineItem(sku: "TEA-01", quantity: 2, unitPrice: 3_000), LineItem(sku: "CUP", quantity: 1, unitPrice: 4_000)],
            at: time("2024-01-10T02:00:00Z")),
        itemizedPurchase(
            customer: 1, order: "B", amount: cny("50.00"),
            lineItems: [LineItem(sku: "TEA-01", quantity: 1, unitPrice: 3_000), LineItem(sku: "TEA-01", quantity: 1, unitPrice: 2_000)],
            at: time("2024-01-31T20:00:00Z")),
        itemizedPurchase(
            customer: 2, order: "C", amount: cny("200.00"), lineItems: [LineItem(sku: "POT", quantity: 1, unitPrice: 20_000)],
            at: time("2024-02-15")),
        itemizedPurchase(
            customer: 3, order: "D", amount: usd("10.00"), lineItems: [LineItem(sku: "MUG", quantity: 1, unitPrice: 1_000)],
            at: time("2024-02-20")),
        refund(customer: 1, order: "A", amount: cny("40.00"), at: time("2024-03-02")),
        itemizedPurchase(
            customer: 2, order: "E", amount: cny("70.00"), lineItems: [LineItem(sku: "CUP", quantity: 2, unitPrice: 3_500)],
            at: time("2024-04-10")),
    ]
    return try analysisLedger(directory, events: events) { $0.timeZone = "Asia/Shanghai" }
}

@Suite struct PurchaseBehaviourTests {
    @Test func firstQuarterFigures() throws {
        let directory = try TemporaryDirectory()
        let ledger = try purchaseFixture(directory)

        let report = try ledger.purchaseBehaviour(
            from: time("2024-01-01T00:00:00+08:00"), to: time("2024-04-01T00:00:00+08:00"))

        #expect(report.currency == .cny)
        #expect(report.orders == 3)
        #expect(report.customers == 2)
        #expect(report.repeatCustomers == 1)
        #expect(report.repeatPurchaseRate == 0.5)
        #expect(report.grossRevenue == 35_000)
        #expect(report.refunds == 4_000)
        #expect(report.netRevenue == 31_000)
        #expect(report.averageOrderValue == 11_666)
        #expect(report.otherCurrencyEvents == 1)
        #expect(report.topSKUsByRevenue == [
            SKUSales(sku: "POT", revenue: 20_000, units: 1, orders: 1),
            SKUSales(sku: "TEA-01", revenue: 11_000, units: 4, orders: 2),
            SKUSales(sku: "CUP", revenue: 4_000, units: 1, orders: 1),
        ])
        #expect(report.topSKUsByUnits.map(\.sku) == ["TEA-01", "CUP", "POT"])
        #expect(report.months == [
            MonthlyRevenue(month: YearMonth(year: 2024, month: 1), orders: 1, gross: 10_000, refunds: 0, net: 10_000),
            MonthlyRevenue(month: YearMonth(year: 2024, month: 2), orders: 2, gross: 25_000, refunds: 0, net: 25_000),
            MonthlyRevenue(month: YearMonth(year: 2024, month: 3), orders: 0, gross: 0, refunds: 4_000, net: -4_000),
        ])
    }

    @Test func refundCountsInItsOwnMonth() throws {
        let directory = try TemporaryDirectory()
        let report = try purchaseFixture(directory).purchaseBehaviour(from: time("2024-03-01T00:00:00+08:00"), to: nil)

        // The refund of order A, placed in January, lowers March.
        #expect(report.orders == 1)
        #expect(report.refunds == 4_000)
        #expect(report.netRevenue == 3_000)
        #expect(report.months.map(\.month.description) == ["2024-03", "2024-04"])
        #expect(report.months.map(\.net) == [-4_000, 7_000])
        #expect(report.repeatPurchaseRate == 0)
    }

    @Test func limitShortensTopLists() throws {
        let directory = try TemporaryDirectory()
        let report = try purchaseFixture(directory).purchaseBehaviour(from: nil, to: nil, topSKUs: 1)

        #expect(report.topSKUsByRevenue.map(\.sku) == ["POT"])
        // CUP sold 1 unit in A and 2 in E, TEA-01 4 units: TEA-01 leads.
        #expect(report.topSKUsByUnits == [SKUSales(sku: "TEA-01", revenue: 11_000, units: 4, orders: 2)])
        #expect(report.orders == 4)
        #expect(report.averageOrderValue == 10_500)
    }

    @Test func emptyPeriodHasNoMonths() throws {
        let directory = try TemporaryDirectory()
        let report = try purchaseFixture(directory).purchaseBehaviour(from: time("2030-01-01"), to: nil)
        #expect(report.orders == 0)
        #expect(report.averageOrderValue == 0)
        #expect(report.months.isEmpty)
        #expect(report.topSKUsByRevenue.isEmpty)
    }
}
