import CustomerLedger
import Foundation

/// `ledger erase ID --reason TEXT`: erases a customer's personal data by appending a
/// CustomerErased event, which destroys the customer's data key in the same transaction.
enum EraseCommand: Subcommand {
    static let name = "erase"
    static let syntax = ArgumentList.Syntax(
        command: "ledger erase",
        summary: "Erase a customer's personal data for good (admin only), keeping purchases, spend, points and tier.",
        options: [
            CommandContext.databaseOption,
            .flag(
                "--json",
                help: "Write the appended event and the figures that were kept as JSON, with the erasure's occurred-at as erased_at and the time the ledger recorded it as erasure_recorded_at."),
            .value(
                "--reason", placeholder: "TEXT",
                help: "Required (exit 64 without it). Why the data is erased, such as a request reference, up to 1,024 bytes. It is stored in clear, so it must not contain personal data."),
            .value(
                "--at", placeholder: "TIME",
                help: "The erasure's occurred-at: YYYY-MM-DD or ISO 8601, not before the customer's latest event and not after the current time (default: the latest occurred-at in the ledger, so that the erasure comes after every event)."),
            CommandContext.actorOption,
        ],
        positionals: [
            .required(
                "ID",
                help: "The customer id, such as 42. An unknown customer exits with 66, one already erased with 65, and a role other than admin or a missing master key with 77."),
        ])

    /// The maximum length of a reason in UTF-8 bytes, as the ledger checks it.
    static let reasonLimit = 1024

    /// The personal fields that erasure makes unreadable, in the words the output uses.
    static let erasedFields = "name, phone, email, birthday, street address and feedback texts"

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        guard let reason = context.arguments.string("--reason") else {
            throw UsageError("missing option '--reason TEXT'; say why the data is erased, as in --reason 'erasure request 2024-117'")
        }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw UsageError("the value of --reason is empty; say why the data is erased, such as a request reference")
        }
        guard reason.utf8.count <= reasonLimit else {
            throw UsageError(
                "the value of --reason is \(Formatting.grouped(reason.utf8.count)) bytes long; the limit is \(Formatting.grouped(reasonLimit)) bytes")
        }
        let requestedInstant = try context.instant("--at")
        if let requestedInstant { try context.rejectFutureInstant(requestedInstant, option: "--at") }
        let role = try context.role()
        guard role == .admin else { throw PrivacyError.roleNotAllowed(role: role, operation: "erasing customers") }

        let ledger = try context.openExistingLedger(readOnly: false)
        let before = try context.existingCustomer(id, in: ledger)
        if let erasedAt = before.erasedAt {
            let erasure = try erasureEvent(of: before, in: ledger)
            let when = "occurred at \(Formatting.instant(erasedAt))"
                + (erasure.map { ", recorded at \(Formatting.instant($0.recordedAt))" } ?? "")
            throw CommandFailure(
                "customer \(id) was already erased (\(when)), so there is nothing left to erase; nothing was written",
                code: .dataError)
        }
        let instant = try erasureInstant(requested: requestedInstant, customer: before, ledger: ledger)

        let metadata = EventMetadata(actor: context.actor, source: "cli")
        let outcome = try ledger.erase(id, reason: reason, at: instant, metadata: metadata)
        // The occurred-at is a business time that may lie in the past; the recorded-at is when
        // the ledger wrote the erasure and destroyed the key.
        guard let recordedAt = try ledger.event(at: outcome.position)?.recordedAt else {
            throw CommandFailure("the erasure at position \(outcome.position) cannot be read back; run 'ledger verify'", code: .internal)
        }

        let after = try context.existingCustomer(id, in: ledger)
        let statement = after.pointsStatement(asOf: instant)
        let tier = try ledger.tier(of: id, asOf: instant)
        let program = try ledger.program(asOf: instant)

        if context.wantsJSON {
            context.printJSON(.object([
                ("customer_id", JSONValue(id.rawValue)),
                ("position", JSONValue(outcome.position)),
                ("version", JSONValue(outcome.version)),
                ("erased_at", Formatting.json(instant)),
                ("erasure_recorded_at", Formatting.json(recordedAt)),
                ("reason", .string(reason)),
                ("actor", .string(metadata.actor)),
                ("personal_data", .string(after.personalData.description)),
                ("kept", keptJSON(after, statement: statement, tier: tier)),
            ]))
            return
        }
        var lines: [(String, String)] = [
            ("erased", "customer \(id): CustomerErased at position \(Formatting.grouped(outcome.position)), data key destroyed"),
            ("occurred at", Formatting.instant(instant)
                + (requestedInstant == nil ? ", the ledger's latest occurred-at (--at sets another)" : ", from --at")),
            ("recorded at", "\(Formatting.instant(recordedAt)), when the ledger recorded the erasure"),
            ("reason", reason),
            ("unreadable", "the \(erasedFields) of the customer's events"),
            ("kept", "\(Formatting.count(after.purchaseCount, "purchase")), \(Formatting.count(after.refundCount, "refund")), "
                + "net spend \(Formatting.spend(after, keyPath: \.net))"),
            ("points", "\(Formatting.grouped(statement.available)) available, \(Formatting.grouped(statement.pending)) pending, "
                + "\(Formatting.grouped(statement.earned)) earned"),
            ("tier", tier.map { "\($0.tierName) as of \(Formatting.instant(instant)) (\(program.tierWindow))" } ?? "none"),
        ]
        let region = [after.profile.province, after.profile.city].filter { !$0.isEmpty }.joined(separator: " ")
        if !region.isEmpty { lines.append(("region", "\(region) (kept: province and city are not encrypted)")) }
        Console.out(Formatting.labelled(lines))
        Console.out(
            "The destroyed key's bytes stay in the database file's free pages until 'ledger compact' rewrites it, "
                + "and backups made before now still hold the key.\n")
    }

    /// Returns the erasure's occurred-at: `requested`, which must not come before the
    /// customer's latest event, else the later of the ledger's latest occurred-at and the
    /// customer's latest event.
    ///
    /// The default never moves the ledger's latest occurred-at, which other commands take as
    /// their default instant, and orders the erasure after every event of the log.
    @available(*, noasync)
    static func erasureInstant(requested: Timestamp?, customer: CustomerState, ledger: Ledger) throws -> Timestamp {
        if let requested {
            guard requested >= customer.latestEventAt else {
                throw CommandFailure(
                    "--at \(Formatting.instant(requested)) is before customer \(customer.customerID)'s latest event at "
                        + "\(Formatting.instant(customer.latestEventAt)); an erasure must come after all of the customer's events, "
                        + "so pass --at \(Formatting.instant(customer.latestEventAt)) or later, or leave --at out; nothing was written",
                    code: .dataError)
            }
            return requested
        }
        let latest = try ledger.statistics().latestOccurredAt ?? customer.latestEventAt
        return max(latest, customer.latestEventAt)
    }

    /// Returns the customer's CustomerErased event, or nil for a customer who was not erased.
    /// Its `occurredAt` is the business time given to the erasure, and its `recordedAt` is when
    /// the ledger wrote it.
    @available(*, noasync)
    static func erasureEvent(of state: CustomerState, in ledger: Ledger) throws -> RecordedEvent? {
        guard state.erasedAt != nil else { return nil }
        // An erased customer accepts no further events, so the erasure is normally the last one.
        if let last = try ledger.event(at: state.lastPosition), last.customerID == state.customerID,
            case .customerErased = last.payload
        {
            return last
        }
        return try ledger.history(of: state.customerID).last { event in
            if case .customerErased = event.payload { return true }
            return false
        }
    }

    /// Returns the figures that erasure keeps: purchases, refunds, spend, points and tier.
    static func keptJSON(_ state: CustomerState, statement: PointsStatement, tier: TierEvaluation?) -> JSONValue {
        .object([
            ("registered_at", Formatting.json(state.registeredAt)),
            ("province", .string(state.profile.province)),
            ("city", .string(state.profile.city)),
            ("purchase_count", JSONValue(state.purchaseCount)),
            ("refund_count", JSONValue(state.refundCount)),
            ("spend", spendJSON(state)),
            ("points", .object([
                ("as_of", Formatting.json(statement.asOf)),
                ("available", JSONValue(statement.available)),
                ("pending", JSONValue(statement.pending)),
                ("earned", JSONValue(statement.earned)),
                ("redeemed", JSONValue(statement.redeemed)),
                ("expired", JSONValue(statement.expired)),
                ("reversed", JSONValue(statement.reversed)),
                ("adjusted", JSONValue(statement.adjusted)),
            ])),
            ("tier", tier.map { .string($0.tierName) } ?? .null),
        ])
    }

    /// Returns the customer's spend per currency, in minor units.
    static func spendJSON(_ state: CustomerState) -> JSONValue {
        .array(state.spend.map { spend in
            .object([
                ("currency", .string(spend.currency.code)),
                ("gross", Formatting.json(spend.gross, spend.currency)),
                ("refunded", Formatting.json(spend.refunded, spend.currency)),
                ("net", Formatting.json(spend.net, spend.currency)),
            ])
        })
    }
}
