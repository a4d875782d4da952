import CustomerLedger
import Foundation

/// `ledger segments`: the RFM segments of the customers with purchases.
enum SegmentsCommand: Subcommand {
    static let name = "segments"
    static let syntax = ArgumentList.Syntax(
        command: "ledger segments",
        summary: "Show the RFM segments: customers, share and average net spend of each.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.analysisAsOfOption])

    static func run(_ context: CommandContext) throws {
        let requested = try context.requestedInstant()
        let ledger = try context.openExistingLedger()
        let instant = try context.evaluationInstant(ledger, requested: requested)
        let report = try ledger.rfm(asOf: instant)

        if context.wantsJSON {
            context.printJSON(.object([
                ("as_of", Formatting.json(instant)), ("currency", .string(report.currency.code)),
                ("customers", JSONValue(report.customers.count)),
                ("other_currency_events", JSONValue(report.otherCurrencyEvents)),
                ("score_counts", .object([
                    ("recency", scoreCounts(report, \.recency)), ("frequency", scoreCounts(report, \.frequency)),
                    ("monetary", scoreCounts(report, \.monetary)),
                ])),
                ("segments", .array(report.segments.map { summary in
                    .object([
                        ("segment", .string(summary.segment.name)), ("customers", JSONValue(summary.customers)),
                        ("share", Formatting.jsonFraction(summary.share)),
                        ("net_spend", Formatting.json(summary.netSpend, report.currency)),
                        ("average_net_spend", Formatting.json(summary.averageNetSpend, report.currency)),
                    ])
                })),
            ]))
            return
        }
        Console.out(
            "RFM segments as of \(Formatting.instant(instant)): "
                + "\(Formatting.count(report.customers.count, "customer")) with purchases, amounts in \(report.currency)\n\n")
        var table = TextTable(columns: [
            .init("SEGMENT"), .init("CUSTOMERS", alignment: .right), .init("SHARE", alignment: .right),
            .init("NET SPEND", alignment: .right), .init("AVERAGE SPEND", alignment: .right),
        ])
        for summary in report.segments {
            table.addRow([
                summary.segment.name, Formatting.grouped(summary.customers), Formatting.percent(summary.share),
                Formatting.money(summary.netSpend, report.currency),
                Formatting.money(summary.averageNetSpend, report.currency),
            ])
        }
        Console.out(table.render())
        Console.out(Formatting.otherCurrencyNote(report.otherCurrencyEvents, currency: report.currency))
    }

    /// Returns how many customers got each score, 1 to 5, of the dimension `keyPath` selects.
    static func scoreCounts(_ report: RFMReport, _ keyPath: KeyPath<RFMScores, Int>) -> JSONValue {
        var counts = Array(repeating: 0, count: 5)
        for customer in report.customers { counts[customer.scores[keyPath: keyPath] - 1] += 1 }
        return .array(counts.map { JSONValue($0) })
    }
}
