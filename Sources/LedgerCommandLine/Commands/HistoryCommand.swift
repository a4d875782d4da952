import CustomerLedger
import Foundation

/// `ledger history ID`: one customer's events in version order, for audit.
enum HistoryCommand: Subcommand {
    static let name = "history"
    static let syntax = ArgumentList.Syntax(
        command: "ledger history",
        summary: "List a customer's events in version order, with what each changed.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write one JSON object per event per line (JSON Lines)."),
            .value(
                "--type", placeholder: "NAME[,NAME]",
                help: "Only events of these types, such as PurchaseRecorded,RefundRecorded."),
            .value(
                "--from", placeholder: "TIME",
                help: "Only events that occurred at or after this instant: YYYY-MM-DD or ISO 8601."),
            .value(
                "--to", placeholder: "TIME",
                help: "Only events that occurred before this instant (exclusive): YYYY-MM-DD or ISO 8601."),
            .value("--limit", placeholder: "N", help: "Show at most the first N events that match."),
        ],
        positionals: [.required("ID", help: "The customer id, such as 42 or 00042.")])

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        let limit = try context.arguments.integer("--limit", in: 1...) ?? Int.max
        let types = try eventTypes(context.arguments.strings("--type"))
        let from = try context.instant("--from")
        let to = try context.instant("--to")
        if let from, let to, to <= from {
            throw UsageError(
                "--to \(Formatting.instant(to)) is not later than --from \(Formatting.instant(from)); "
                    + "the range includes --from and excludes --to, so pass a later --to")
        }

        let ledger = try context.openExistingLedger()
        guard try ledger.customer(id) != nil else {
            throw CommandFailure("customer \(id) not found in '\(context.databasePath)'", code: .notFound)
        }
        let entries = try ledger.history(of: id, types: types, from: from, to: to).prefix(limit)

        if context.wantsJSON {
            let writer = JSONWriter(style: .compact)
            for entry in entries { Console.out(writer.string(for: Formatting.json(entry)) + "\n") }
            return
        }
        if entries.isEmpty {
            Console.out("customer \(id) has no events that match the filters\n")
            return
        }
        Console.out(render(Array(entries)))
    }

    /// Parses the `--type` values, each a comma-separated list of event type names, or returns
    /// nil without the option. Throws a ``UsageError`` listing the valid names for an unknown one.
    static func eventTypes(_ values: [String]) throws -> Set<EventType>? {
        guard !values.isEmpty else { return nil }
        var types: Set<EventType> = []
        for name in values.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let type = EventType(name: trimmed) else {
                let known = EventType.allCases.map(\.description).joined(separator: ", ")
                throw UsageError("unknown event type '\(trimmed)' for --type; expected names from: \(known)")
            }
            types.insert(type)
        }
        return types
    }

    /// Renders entries as a table: position, version, times, type, metadata and summary.
    static func render(_ entries: [HistoryEntry]) -> String {
        var table = TextTable(columns: [
            .init("POSITION", alignment: .right), .init("VER", alignment: .right), .init("OCCURRED"),
            .init("RECORDED"), .init("TYPE"), .init("ACTOR"), .init("SOURCE"), .init("CORRELATION"),
            .init("CAUSATION"), .init("SUMMARY", maximumWidth: 120),
        ])
        for entry in entries {
            let event = entry.event
            table.addRow([
                Formatting.grouped(event.position), String(event.version), Formatting.instant(event.occurredAt),
                String(event.recordedAt.description.prefix(19)) + "Z", event.typeName, event.metadata.actor,
                event.metadata.source, Formatting.uuid(event.metadata.correlationID),
                Formatting.uuid(event.metadata.causationID), Formatting.summary(entry),
            ])
        }
        return table.render()
    }
}
