import CustomerLedger
import Foundation

/// `ledger stats`: counts, sizes and versions.
enum StatsCommand: Subcommand {
    static let name = "stats"
    static let syntax = ArgumentList.Syntax(
        command: "ledger stats",
        summary: "Show events by type, customers, last position, file size and the LMDB version.",
        options: [CommandContext.databaseOption, CommandContext.jsonOption])

    static func run(_ context: CommandContext) throws {
        let ledger = try context.openExistingLedger()
        let stats = try ledger.statistics()
        let program = try ledger.program()
        let types = stats.eventsByType.sorted { $0.key < $1.key }

        if context.wantsJSON {
            context.printJSON(.object([
                ("events", JSONValue(stats.eventCount)),
                ("events_by_type", .object(types.map { ($0.key, JSONValue($0.value)) })),
                ("customers", JSONValue(stats.customerCount)),
                ("purchases", JSONValue(stats.eventsByType["PurchaseRecorded"] ?? 0)),
                ("last_position", JSONValue(stats.lastPosition)),
                ("projection_position", JSONValue(stats.projectionPosition)),
                ("earliest_occurred_at", Formatting.json(stats.earliestOccurredAt)),
                ("latest_occurred_at", Formatting.json(stats.latestOccurredAt)),
                ("latest_recorded_at", Formatting.json(stats.latestRecordedAt)),
                ("file_size_bytes", JSONValue(stats.fileSizeBytes)),
                ("map_size_bytes", JSONValue(stats.mapSizeBytes)),
                ("program_currency", .string(program.currency.code)),
                ("lmdb_version", .string(stats.lmdbVersion)),
            ]))
            return
        }
        var table = TextTable(columns: [.init("EVENT TYPE"), .init("EVENTS", alignment: .right)])
        for (type, count) in types { table.addRow([type, Formatting.grouped(count)]) }
        table.addRow(["total", Formatting.grouped(stats.eventCount)])
        Console.out(table.render())
        Console.out("\n")

        let span = [stats.earliestOccurredAt, stats.latestOccurredAt].compactMap { $0.map(Formatting.instant) }
        var lines: [(String, String)] = [
            ("customers", Formatting.grouped(stats.customerCount)),
            ("last position", Formatting.grouped(stats.lastPosition)),
            ("projections at", Formatting.grouped(stats.projectionPosition)),
            ("file size", "\(Formatting.grouped(stats.fileSizeBytes)) bytes"),
            ("program currency", program.currency.code),
            ("LMDB", stats.lmdbVersion),
        ]
        if span.count == 2 { lines.insert(("occurred", "\(span[0]) to \(span[1])"), at: 1) }
        for (label, value) in lines {
            Console.out(label.padding(toLength: 18, withPad: " ", startingAt: 0) + value + "\n")
        }
    }
}
