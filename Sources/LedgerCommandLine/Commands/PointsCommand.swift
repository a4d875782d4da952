import CustomerLedger
import Foundation

/// `ledger points ID`: one customer's points statement and lots as of an instant.
enum PointsCommand: Subcommand {
    static let name = "points"
    static let syntax = ArgumentList.Syntax(
        command: "ledger points",
        summary: "Show a customer's available, pending and expiring points, totals and lots.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption,
            .value(
                "--as-of", placeholder: "TIME",
                help: "Show points at this instant: YYYY-MM-DD or ISO 8601 (default: the latest event's occurred-at)."),
            CommandContext.asOfPositionOption,
        ],
        positionals: [.required("ID", help: "The customer id, such as 42 or 00042.")])
    static var actions: [any Subcommand.Type] { [PointsExpireCommand.self] }

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        let requested = try context.requestedInstant()
        let requestedPosition = try context.requestedPosition()
        let ledger = try context.openExistingLedger()

        // One read gives the statement and the lots from the same snapshot, as `points(of:asOf:)` would.
        let state: CustomerState
        let instant: Timestamp
        if let requestedPosition {
            state = try context.customerState(id, asOfPosition: requestedPosition, in: ledger)
            instant = state.latestEventAt
        } else {
            instant = try context.evaluationInstant(ledger, requested: requested)
            let current = try context.existingCustomer(id, in: ledger)
            try context.requireRegistered(current, asOf: instant, option: "--as-of")
            guard let past = try ledger.customer(id, asOf: instant) else {
                throw CommandFailure("customer \(id) not found in '\(context.databasePath)'", code: .notFound)
            }
            state = past
        }
        let statement = state.pointsStatement(asOf: instant)

        if context.wantsJSON {
            guard case .object(var members) = json(statement, lots: state.lotsWithPoints, customer: id) else { return }
            members.insert(("as_of_position", requestedPosition.map { JSONValue($0) } ?? .null), at: 2)
            context.printJSON(.object(members))
            return
        }
        let position = requestedPosition.map { " (position \(Formatting.grouped($0)))" } ?? ""
        Console.out("customer \(id), points as of \(Formatting.instant(instant))\(position)\n\n")
        Console.out(Formatting.labelled(summaryLines(statement)))
        Console.out("\n")
        Console.out(state.lotsWithPoints.isEmpty ? "no lots with points left\n" : render(state.lotsWithPoints, asOf: instant))
    }

    /// Returns the label and value lines of the statement, one line per expiry instant.
    static func summaryLines(_ statement: PointsStatement) -> [(String, String)] {
        var available = Formatting.grouped(statement.available)
        if statement.available < 0 {
            available += " (owes \(Formatting.points(-statement.available)), repaid from later earnings first)"
        }
        var lines: [(String, String)] = [("available", available), ("pending", Formatting.grouped(statement.pending))]
        if statement.expiring.isEmpty {
            lines.append(("expiring", "none"))
        }
        for (index, expiring) in statement.expiring.enumerated() {
            lines.append(
                (index == 0 ? "expiring" : "",
                 "\(Formatting.grouped(expiring.points)) on \(Formatting.instant(expiring.expiresAt))"))
        }
        lines += [
            ("earned", Formatting.grouped(statement.earned)),
            ("redeemed", Formatting.grouped(statement.redeemed)),
            ("expired", Formatting.grouped(statement.expired)),
            ("reversed", Formatting.grouped(statement.reversed)),
            ("adjusted", Formatting.grouped(statement.adjusted)),
        ]
        return lines
    }

    /// Renders the lots as a table with each lot's status at `instant`.
    static func render(_ lots: [PointsLot], asOf instant: Timestamp) -> String {
        var table = TextTable(columns: [
            .init("LOT", alignment: .right), .init("EARNED"), .init("AVAILABLE FROM"), .init("EXPIRES"),
            .init("REMAINING", alignment: .right), .init("STATUS"),
        ])
        for lot in lots {
            table.addRow([
                String(lot.number), Formatting.instant(lot.earnedAt), Formatting.instant(lot.availableAt),
                Formatting.instantOrNever(lot.expiresAt), Formatting.grouped(lot.remaining), status(of: lot, at: instant),
            ])
        }
        return table.render()
    }

    /// Returns `pending`, `available` or `expired` for the lot at `instant`.
    static func status(of lot: PointsLot, at instant: Timestamp) -> String {
        if lot.hasExpired(at: instant) { return "expired" }
        return lot.isPending(at: instant) ? "pending" : "available"
    }

    static func json(_ statement: PointsStatement, lots: [PointsLot], customer: CustomerID) -> JSONValue {
        .object([
            ("customer_id", JSONValue(customer.rawValue)),
            ("as_of", Formatting.json(statement.asOf)),
            ("available", JSONValue(statement.available)),
            ("pending", JSONValue(statement.pending)),
            ("expiring", .array(statement.expiring.map { expiring in
                .object([("expires_at", Formatting.json(expiring.expiresAt)), ("points", JSONValue(expiring.points))])
            })),
            ("earned", JSONValue(statement.earned)),
            ("redeemed", JSONValue(statement.redeemed)),
            ("expired", JSONValue(statement.expired)),
            ("reversed", JSONValue(statement.reversed)),
            ("adjusted", JSONValue(statement.adjusted)),
            ("lots", .array(lots.map { lot in
                .object([
                    ("number", JSONValue(lot.number)), ("earned_at", Formatting.json(lot.earnedAt)),
                    ("available_at", Formatting.json(lot.availableAt)), ("expires_at", Formatting.json(lot.expiresAt)),
                    ("remaining", JSONValue(lot.remaining)), ("status", .string(status(of: lot, at: statement.asOf))),
                ])
            })),
        ])
    }
}

/// `ledger points expire --as-of TIME`: writes off the points of every lot that expired by then.
enum PointsExpireCommand: Subcommand {
    static let name = "expire"
    static let syntax = ArgumentList.Syntax(
        command: "ledger points expire",
        summary: "Write off the points of every lot that expired by --as-of, as PointsExpired events.",
        options: [
            CommandContext.databaseOption,
            .flag("--json", help: "Write the counts as JSON instead of a sentence."),
            .value(
                "--as-of", placeholder: "TIME",
                help: "Required. Expire lots whose expiry is at or before this instant, which must have passed: YYYY-MM-DD or ISO 8601."),
            CommandContext.actorOption,
        ])

    static func run(_ context: CommandContext) throws {
        let instant = try context.requiredInstant("--as-of", example: "ledger points expire --as-of 1998-07-01")
        try context.rejectFutureInstant(instant, option: "--as-of")
        let ledger = try context.openExistingLedger(readOnly: false)
        let result = try ledger.expirePoints(asOf: instant, metadata: EventMetadata(actor: context.actor, source: "cli"))
        MaterializedOutput.report(result, type: .pointsExpired, verb: "expired", asOf: instant, context: context)
    }
}
