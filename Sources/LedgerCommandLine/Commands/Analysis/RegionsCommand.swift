import CustomerLedger
import Foundation

/// `ledger regions`: customers and spend by province or city.
enum RegionsCommand: Subcommand {
    static let name = "regions"
    static let syntax = ArgumentList.Syntax(
        command: "ledger regions",
        summary: "Show customers, net spend and average spend by province or city; needs no master key.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.analysisAsOfOption,
            .value("--by", placeholder: "LEVEL", help: "Group by province or city (default province)."),
        ])

    static func run(_ context: CommandContext) throws {
        let levelText = context.arguments.string("--by") ?? "province"
        guard let level = RegionLevel(rawValue: levelText) else {
            throw UsageError("invalid value '\(levelText)' for --by; expected province or city")
        }
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let report = try ledger.regions(by: level, asOf: instant)
        let currency = report.currency

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)), ("by", .string(level.rawValue)), ("currency", .string(currency.code)),
                ("regions", .array(report.regions.map { region in
                    var members: [(key: String, value: JSONValue)] = [("province", .string(region.province))]
                    if level == .city { members.append(("city", .string(region.city))) }
                    members += [
                        ("customers", JSONValue(region.customers)),
                        ("purchasing_customers", JSONValue(region.purchasingCustomers)),
                        ("net_spend", Formatting.json(region.netSpend, currency)),
                        ("average_net_spend", Formatting.json(region.averageNetSpend, currency)),
                    ]
                    return .object(members)
                })),
                ("other_currency_events", JSONValue(report.otherCurrencyEvents)),
            ]))
            return
        }

        Console.out(
            "customers by \(level.rawValue) as of \(Formatting.instant(instant)), amounts in \(currency); "
                + "average spend is per registered customer\n\n")
        var columns: [TextTable.Column] = [.init("PROVINCE", maximumWidth: 24)]
        if level == .city { columns.append(.init("CITY", maximumWidth: 24)) }
        columns += [
            .init("CUSTOMERS", alignment: .right), .init("BUYERS", alignment: .right), .init("NET SPEND", alignment: .right),
            .init("AVERAGE SPEND", alignment: .right),
        ]
        var table = TextTable(columns: columns)
        for region in report.regions {
            var cells = [region.province.isEmpty ? "(none)" : region.province]
            if level == .city { cells.append(region.city.isEmpty ? "(none)" : region.city) }
            cells += [
                Formatting.grouped(region.customers), Formatting.grouped(region.purchasingCustomers),
                Formatting.money(region.netSpend, currency), Formatting.money(region.averageNetSpend, currency),
            ]
            table.addRow(cells)
        }
        Console.out(table.render())
        Console.out(Formatting.otherCurrencyNote(report.otherCurrencyEvents, currency: currency))
    }
}
