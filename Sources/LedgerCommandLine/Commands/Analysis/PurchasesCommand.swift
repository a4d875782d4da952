import CustomerLedger
import Foundation

/// `ledger purchases`: purchase behaviour over a period.
enum PurchasesCommand: Subcommand {
    static let name = "purchases"
    static let syntax = ArgumentList.Syntax(
        command: "ledger purchases",
        summary: "Show the top SKUs, repeat purchase rate, average order value and monthly revenue of a period.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.fromOption, CommandContext.toOption,
            .value("-n", "--limit", placeholder: "N", help: "Number of SKUs in each top list, 1 to 10000 (default 10)."),
        ])

    static func run(_ context: CommandContext) throws {
        let (from, to) = try context.requestedPeriod()
        let limit = try context.arguments.integer("-n", in: 1...10_000) ?? 10
        let ledger = try context.openExistingLedger()
        let report = try ledger.purchaseBehaviour(from: from, to: to, topSKUs: limit)
        let currency = report.currency

        if context.wantsJSON {
            func skuJSON(_ sales: SKUSales) -> JSONValue {
                .object([
                    ("sku", .string(sales.sku)), ("revenue", Formatting.json(sales.revenue, currency)),
                    ("units", JSONValue(sales.units)), ("orders", JSONValue(sales.orders)),
                ])
            }
            context.printJSON(.object([
                ("from", Formatting.json(from)), ("to", Formatting.json(to)), ("currency", .string(currency.code)),
                ("orders", JSONValue(report.orders)), ("customers", JSONValue(report.customers)),
                ("repeat_customers", JSONValue(report.repeatCustomers)),
                ("repeat_purchase_rate", Formatting.jsonFraction(report.repeatPurchaseRate)),
                ("gross_revenue", Formatting.json(report.grossRevenue, currency)),
                ("refunds", Formatting.json(report.refunds, currency)),
                ("net_revenue", Formatting.json(report.netRevenue, currency)),
                ("average_order_value", Formatting.json(report.averageOrderValue, currency)),
                ("top_skus_by_revenue", .array(report.topSKUsByRevenue.map(skuJSON))),
                ("top_skus_by_units", .array(report.topSKUsByUnits.map(skuJSON))),
                ("months", .array(report.months.map { month in
                    .object([
                        ("month", .string(month.month.description)), ("orders", JSONValue(month.orders)),
                        ("gross", Formatting.json(month.gross, currency)), ("refunds", Formatting.json(month.refunds, currency)),
                        ("net", Formatting.json(month.net, currency)),
                    ])
                })),
                ("other_currency_events", JSONValue(report.otherCurrencyEvents)),
            ]))
            return
        }

        Console.out(Formatting.labelled([
            ("period", Formatting.period(from: from, to: to)),
            ("orders", "\(Formatting.grouped(report.orders)) by \(Formatting.count(report.customers, "customer"))"),
            ("repeat rate", "\(Formatting.percent(report.repeatPurchaseRate)): "
                + "\(Formatting.grouped(report.repeatCustomers)) of \(Formatting.grouped(report.customers)) customers bought twice or more"),
            ("revenue", "\(Formatting.money(report.grossRevenue, currency)) gross, "
                + "\(Formatting.money(report.refunds, currency)) refunded, \(Formatting.money(report.netRevenue, currency)) net"),
            ("average order", Formatting.money(report.averageOrderValue, currency)),
        ]))
        Console.out("\ntop SKUs by revenue (line items: quantity × unit price, before refunds)\n\n")
        Console.out(skuTable(report.topSKUsByRevenue, currency: currency))
        Console.out("\ntop SKUs by units\n\n")
        Console.out(skuTable(report.topSKUsByUnits, currency: currency))
        Console.out("\nrevenue by month (refunds count in the month they occurred)\n\n")
        var months = TextTable(columns: [
            .init("MONTH"), .init("ORDERS", alignment: .right), .init("GROSS", alignment: .right),
            .init("REFUNDS", alignment: .right), .init("NET", alignment: .right),
        ])
        for month in report.months {
            months.addRow([
                month.month.description, Formatting.grouped(month.orders), Formatting.money(month.gross, currency),
                Formatting.money(month.refunds, currency), Formatting.money(month.net, currency),
            ])
        }
        Console.out(months.render())
        Console.out(Formatting.otherCurrencyNote(report.otherCurrencyEvents, currency: currency))
    }

    static func skuTable(_ sales: [SKUSales], currency: Currency) -> String {
        var table = TextTable(columns: [
            .init("#", alignment: .right), .init("SKU", maximumWidth: 32), .init("REVENUE", alignment: .right),
            .init("UNITS", alignment: .right), .init("ORDERS", alignment: .right),
        ])
        for (index, sku) in sales.enumerated() {
            table.addRow([
                String(index + 1), sku.sku, Formatting.money(sku.revenue, currency), Formatting.grouped(sku.units),
                Formatting.grouped(sku.orders),
            ])
        }
        return table.render()
    }
}
