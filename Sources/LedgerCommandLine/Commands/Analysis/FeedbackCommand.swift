import CustomerLedger
import Foundation

/// `ledger feedback`: feedback by channel, rating, province and month.
enum FeedbackCommand: Subcommand {
    static let name = "feedback"
    static let syntax = ArgumentList.Syntax(
        command: "ledger feedback",
        summary: "Show feedback counts by channel, the rating distribution and complaint rates by province and month.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.fromOption, CommandContext.toOption])

    static func run(_ context: CommandContext) throws {
        let (from, to) = try context.requestedPeriod()
        let ledger = try context.openExistingLedger()
        let report = try ledger.feedbackSummary(from: from, to: to)

        if context.wantsJSON {
            func rateJSON(_ rate: ComplaintRate, key: String) -> JSONValue {
                .object([
                    (key, .string(rate.key)), ("feedback", JSONValue(rate.feedback)),
                    ("complaints", JSONValue(rate.complaints)), ("complaint_rate", Formatting.jsonFraction(rate.rate)),
                ])
            }
            context.printJSON(.object([
                ("from", Formatting.json(from)), ("to", Formatting.json(to)), ("feedback", JSONValue(report.total)),
                ("complaints", JSONValue(report.complaints)),
                ("complaint_rate", Formatting.jsonFraction(report.complaintRate)),
                ("by_channel", .object(report.byChannel.map { ($0.channel.description, JSONValue($0.count)) })),
                ("ratings", .object(report.ratings.enumerated().map { ("\($0.offset + 1)", JSONValue($0.element)) })),
                ("by_province", .array(report.byProvince.map { rateJSON($0, key: "province") })),
                ("by_month", .array(report.byMonth.map { rateJSON($0, key: "month") })),
            ]))
            return
        }

        Console.out(Formatting.labelled([
            ("period", Formatting.period(from: from, to: to)),
            ("feedback", Formatting.grouped(report.total)),
            ("complaints", "\(Formatting.grouped(report.complaints)) (\(Formatting.percent(report.complaintRate)))"),
            ("by channel", report.byChannel.map { "\($0.channel) \(Formatting.grouped($0.count))" }.joined(separator: ", ")),
        ]))
        Console.out("\nratings\n\n")
        var ratings = TextTable(columns: [
            .init("RATING", alignment: .right), .init("FEEDBACK", alignment: .right), .init("SHARE", alignment: .right),
        ])
        for (index, count) in report.ratings.enumerated() {
            ratings.addRow([
                String(index + 1), Formatting.grouped(count),
                Formatting.percent(report.total == 0 ? 0 : Double(count) / Double(report.total)),
            ])
        }
        Console.out(ratings.render())
        Console.out("\ncomplaint rate by province (the customer's province at the end of the period)\n\n")
        Console.out(rateTable(report.byProvince, header: "PROVINCE", empty: "(none)"))
        Console.out("\ncomplaint rate by month\n\n")
        Console.out(rateTable(report.byMonth, header: "MONTH", empty: ""))
    }

    static func rateTable(_ rates: [ComplaintRate], header: String, empty: String) -> String {
        var table = TextTable(columns: [
            .init(header, maximumWidth: 24), .init("FEEDBACK", alignment: .right), .init("COMPLAINTS", alignment: .right),
            .init("RATE", alignment: .right),
        ])
        for rate in rates {
            table.addRow([
                rate.key.isEmpty ? empty : rate.key, Formatting.grouped(rate.feedback), Formatting.grouped(rate.complaints),
                Formatting.percent(rate.rate),
            ])
        }
        return table.render()
    }
}
