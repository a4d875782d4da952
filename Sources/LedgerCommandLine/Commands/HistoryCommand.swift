import CustomerLedger
import Foundation

/// `ledger history ID`: one customer's events in version order.
enum HistoryCommand: Subcommand {
    static let name = "history"
    static let syntax = ArgumentList.Syntax(
        command: "ledger history",
        summary: "List a customer's events in version order.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write one JSON object per event per line (JSON Lines)."),
            .value("--type", placeholder: "TYPE", help: "Only events of this type, such as PurchaseRecorded."),
            .value("--limit", placeholder: "N", help: "Show at most the first N events."),
        ],
        positionals: [.required("ID", help: "The customer id, such as 42 or 00042.")])

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        let limit = try context.arguments.integer("--limit", in: 1...) ?? Int.max
        var typeFilter: EventType?
        if let typeName = context.arguments.string("--type") {
            guard let type = EventType(name: typeName) else {
                let known = EventType.allCases.map(\.description).joined(separator: ", ")
                throw UsageError("unknown event type '\(typeName)' for --type; expected one of \(known)")
            }
            typeFilter = type
        }
        let ledger = try context.openExistingLedger()
        let events = try ledger.history(of: id)
        guard !events.isEmpty else {
            throw CommandFailure("customer \(id) not found in '\(context.databasePath)'", code: .notFound)
        }
        let selected = events.filter { typeFilter == nil || $0.payload.type == typeFilter }.prefix(limit)
        if context.wantsJSON {
            let writer = JSONWriter(style: .compact)
            for event in selected { Console.out(writer.string(for: Formatting.json(event)) + "\n") }
            return
        }
        Console.out(render(Array(selected)))
    }

    /// Renders events as a table: position, version, times, type, actor and summary.
    static func render(_ events: [RecordedEvent]) -> String {
        var table = TextTable(columns: [
            .init("POSITION", alignment: .right), .init("VER", alignment: .right), .init("OCCURRED"),
            .init("RECORDED"), .init("TYPE"), .init("ACTOR"), .init("SOURCE"), .init("SUMMARY", maximumWidth: 70),
        ])
        for event in events {
            table.addRow([
                Formatting.grouped(event.position), String(event.version), Formatting.instant(event.occurredAt),
                String(event.recordedAt.description.prefix(19)) + "Z", event.typeName, event.metadata.actor,
                event.metadata.source, Formatting.summary(event),
            ])
        }
        return table.render()
    }
}
