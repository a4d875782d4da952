import CustomerLedger
import Foundation

/// `ledger cohorts`: retention by month of first purchase.
enum CohortsCommand: Subcommand {
    static let name = "cohorts"
    static let syntax = ArgumentList.Syntax(
        command: "ledger cohorts",
        summary: "Show cohort retention: the share of each month's new buyers who bought in each later month.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.analysisAsOfOption])

    static func run(_ context: CommandContext) throws {
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let report = try ledger.cohortRetention(asOf: instant)

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)),
                ("cohorts", .array(report.cohorts.map { cohort in
                    .object([
                        ("month", .string(cohort.month.description)), ("customers", JSONValue(cohort.customers)),
                        ("active", .array(cohort.active.map { JSONValue($0) })),
                        ("retention", .array(cohort.active.indices.map { Formatting.jsonFraction(cohort.retention($0)) })),
                    ])
                })),
            ]))
            return
        }

        Console.out(
            "cohort retention as of \(Formatting.instant(instant)): the share of each cohort, by month of first purchase, "
                + "that bought in month 0, 1, 2, … after it\n\n")
        let width = report.cohorts.map(\.active.count).max() ?? 0
        var table = TextTable(
            columns: [.init("COHORT"), .init("CUSTOMERS", alignment: .right)]
                + (0..<width).map { TextTable.Column("M\($0)", alignment: .right) })
        for cohort in report.cohorts {
            let cells = (0..<width).map { cohort.active.indices.contains($0) ? Formatting.percent(cohort.retention($0)) : "" }
            table.addRow([cohort.month.description, Formatting.grouped(cohort.customers)] + cells)
        }
        Console.out(table.render())
    }
}
