import CustomerLedger
import Foundation

/// `ledger liability`: the points all customers hold as of an instant and their money value.
enum LiabilityCommand: Subcommand {
    static let name = "liability"
    static let syntax = ArgumentList.Syntax(
        command: "ledger liability",
        summary: "Show the points all customers hold, have pending and owe, and their money value.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption,
            .value(
                "--as-of", placeholder: "TIME",
                help: "Count points at this instant: YYYY-MM-DD or ISO 8601 (default: the latest event's occurred-at)."),
        ])

    static func run(_ context: CommandContext) throws {
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let liability = try ledger.liability(asOf: instant)
        // The library values points with the program in force at the instant, and so does this.
        let pointValue = try ledger.program(asOf: instant).pointValue
        let owedValue = liability.owedValue
        let availableValue = pointValue.signedValue(of: liability.available)
        let currency = liability.currency
        // The library saturates totals beyond Int64, which would print as if exact.
        let (positiveBalances, overflow) = liability.available.addingReportingOverflow(liability.owed)
        try CommandContext.requireExactValue(
            availableValue, of: liability.available, label: "the points available", currency: currency)
        try CommandContext.requireExactValue(
            liability.pendingValue, of: liability.pending, label: "the points pending", currency: currency)
        try CommandContext.requireExactValue(liability.owedValue, of: liability.owed, label: "the points owed", currency: currency)
        try CommandContext.requireExactValue(
            liability.heldValue, of: overflow ? .max : positiveBalances, label: "the positive balances", currency: currency)

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)),
                ("currency", .string(currency.code)),
                ("point_value", .object([
                    ("points", JSONValue(pointValue.points)), ("value", Formatting.json(pointValue.minorUnits, currency)),
                ])),
                ("customers", JSONValue(liability.customers)),
                ("available", JSONValue(liability.available)),
                ("pending", JSONValue(liability.pending)),
                ("owed", JSONValue(liability.owed)),
                ("available_value", Formatting.json(availableValue, currency)),
                ("positive_balances", JSONValue(positiveBalances)),
                ("positive_balances_value", Formatting.json(liability.heldValue, currency)),
                ("pending_value", Formatting.json(liability.pendingValue, currency)),
                ("owed_value", Formatting.json(owedValue, currency)),
            ]))
            return
        }

        Console.out(
            "points liability as of \(Formatting.instant(instant)): \(Formatting.count(liability.customers, "customer")), "
                + "\(Formatting.points(pointValue.points)) = \(Formatting.money(pointValue.minorUnits, currency))\n\n")
        var table = TextTable(columns: [
            .init("POINTS"), .init("COUNT", alignment: .right), .init("VALUE", alignment: .right),
        ])
        table.addRow(["available, net of owed", Formatting.grouped(liability.available), Formatting.money(availableValue, currency)])
        table.addRow(["pending", Formatting.grouped(liability.pending), Formatting.money(liability.pendingValue, currency)])
        table.addRow(["owed by customers with negative balances", Formatting.grouped(liability.owed), Formatting.money(owedValue, currency)])
        table.addRow([
            "positive balances (available + owed)", Formatting.grouped(positiveBalances),
            Formatting.money(liability.heldValue, currency),
        ])
        Console.out(table.render())
    }
}
