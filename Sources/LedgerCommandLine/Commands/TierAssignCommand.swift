import CustomerLedger
import Foundation

/// `ledger tier assign ID TIER --reason TEXT`: appends a TierAssigned event, a manual floor
/// under the customer's tier.
enum TierAssignCommand: Subcommand {
    static let name = "assign"
    static let syntax = ArgumentList.Syntax(
        command: "ledger tier assign",
        summary: "Set a floor under a customer's tier from --at until --until, as a TierAssigned event.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write the appended event and the resulting tier as JSON."),
            .value("--reason", placeholder: "TEXT", help: "Required. Why the tier is set by hand, up to 4,096 bytes."),
            .value(
                "--until", placeholder: "TIME",
                help: "The instant the assignment ends, after --at (default: no end): YYYY-MM-DD or ISO 8601."),
            .value(
                "--at", placeholder: "TIME",
                help: "The instant the assignment starts, its occurred-at, not after the current time (default: the latest event's occurred-at)."),
            CommandContext.actorOption,
        ],
        positionals: [
            .required("ID", help: "The customer id, such as 42 or 00042."),
            .required("TIER", help: "A tier name on the ladder of the program in force at --at, such as VIP."),
        ])

    /// The maximum length of a reason, in UTF-8 bytes, as the ledger checks it.
    static let reasonLimit = 4096

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        let tierName = try context.arguments.requiredString("TIER")
        guard let reason = context.arguments.string("--reason") else {
            throw UsageError("missing option '--reason TEXT'; say why the tier is set by hand, as in --reason 'complaint goodwill'")
        }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw UsageError("the value of --reason is empty; say why the tier is set by hand")
        }
        guard reason.utf8.count <= reasonLimit else {
            throw UsageError(
                "the value of --reason is \(Formatting.grouped(reason.utf8.count)) bytes long; the limit is \(Formatting.grouped(reasonLimit)) bytes")
        }
        let requestedStart = try context.instant("--at")
        if let requestedStart { try context.rejectFutureInstant(requestedStart, option: "--at") }
        let until = try context.instant("--until")
        if let requestedStart, let until { try checkOrder(start: requestedStart, until: until, startIsDefault: false) }

        let ledger = try context.openExistingLedger(readOnly: false)
        let state = try context.existingCustomer(id, in: ledger)
        let start = try context.evaluationInstant(ledger, requested: requestedStart)
        // A customer event dated ahead, such as an imported row with a mistyped date, makes the
        // default a future instant.
        if requestedStart == nil {
            try context.rejectFutureInstant(start, option: "the default --at (the latest event's occurred-at)")
        }
        if let until { try checkOrder(start: start, until: until, startIsDefault: requestedStart == nil) }
        guard state.registeredAt <= start else {
            throw CommandFailure(
                "the assignment would start at \(Formatting.instant(start)), before customer \(id) registered at "
                    + "\(Formatting.instant(state.registeredAt)); pass --at \(Formatting.instant(state.registeredAt)) or later",
                code: .dataError)
        }
        let program = try ledger.program(asOf: start)
        guard program.tierIndex(named: tierName) != nil else {
            throw UsageError(unknownTierMessage(tierName, ladder: program.tiers.map(\.name), at: start))
        }

        let assigned = TierAssigned(tier: tierName, reason: reason, until: until)
        let event = NewEvent(
            customerID: id, occurredAt: start, payload: .tierAssigned(assigned),
            metadata: EventMetadata(actor: context.actor, source: "cli"))
        let outcome = try ledger.append(event)
        let tier = try ledger.tier(of: id, asOf: start)

        if context.wantsJSON {
            context.printJSON(.object([
                ("position", JSONValue(outcome.position)),
                ("event_id", .string(event.id.uuidString.lowercased())),
                ("customer_id", JSONValue(id.rawValue)),
                ("version", JSONValue(outcome.version)),
                ("tier", .string(tierName)),
                ("reason", .string(reason)),
                ("at", Formatting.json(start)),
                ("until", Formatting.json(until)),
                ("actor", .string(event.metadata.actor)),
                ("tier_now", tier.map { .string($0.tierName) } ?? .null),
            ]))
            return
        }
        let period = "from \(Formatting.instant(start))" + (until.map { " until \(Formatting.instant($0))" } ?? " with no end")
        Console.out(
            "assigned \(tierName) to customer \(id) \(period) (event at position \(Formatting.grouped(outcome.position)))\n")
        if let tier {
            var line = "customer \(id) holds \(tier.tierName) as of \(Formatting.instant(start))"
            if tier.tierName != tierName {
                line += "; an assignment is a floor, and the customer's own standing is above \(tierName)"
            }
            Console.out(line + "\n")
        }
    }

    /// Throws a ``UsageError`` when the assignment would end at or before it starts.
    static func checkOrder(start: Timestamp, until: Timestamp, startIsDefault: Bool) throws {
        guard until <= start else { return }
        let origin = startIsDefault ? " (the default --at, the latest event's occurred-at)" : ""
        throw UsageError(
            "--until \(Formatting.instant(until)) is not after the start \(Formatting.instant(start))\(origin); pass a later --until")
    }

    /// Returns the message for a tier name that is not on the ladder, suggesting a name that
    /// differs only in letter case.
    static func unknownTierMessage(_ name: String, ladder: [String], at instant: Timestamp) -> String {
        var message = "unknown tier '\(name)'; the program in force at \(Formatting.instant(instant)) has "
            + ladder.map { "'\($0)'" }.joined(separator: ", ")
        if let match = ladder.first(where: { $0.lowercased() == name.lowercased() }) {
            message += "; did you mean '\(match)'?"
        }
        return message
    }
}
