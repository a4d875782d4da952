import CustomerLedger
import Foundation

/// `ledger tier ID`: a customer's tier as of an instant, why, what the next tier needs and when
/// the tier drops.
enum TierCommand: Subcommand {
    static let name = "tier"
    static let syntax = ArgumentList.Syntax(
        command: "ledger tier",
        summary: "Explain a customer's tier: figures against thresholds, grace or assignment, next tier, drop date.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.asOfOption,
            CommandContext.asOfPositionOption,
        ],
        positionals: [.required("ID", help: "The customer id, such as 42 or 00042.")])
    static var actions: [any Subcommand.Type] { [TierAssignCommand.self] }

    /// The manual assignment behind a tier, with the actor and instant of its event.
    struct Assignment {
        var assigned: TierAssigned
        var event: RecordedEvent?
    }

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        let requested = try context.requestedInstant()
        let requestedPosition = try context.requestedPosition()
        let ledger = try context.openExistingLedger()

        let evaluated: TierEvaluation?
        if let requestedPosition {
            _ = try context.customerState(id, asOfPosition: requestedPosition, in: ledger)
            evaluated = try ledger.tier(of: id, asOfPosition: requestedPosition, forecast: true)
        } else {
            let instant = try context.evaluationInstant(ledger, requested: requested)
            let state = try context.existingCustomer(id, in: ledger)
            try context.requireRegistered(state, asOf: instant, option: "--as-of")
            evaluated = try ledger.tier(of: id, asOf: instant, forecast: true)
        }
        guard let tier = evaluated else {
            throw CommandFailure("customer \(id) not found in '\(context.databasePath)'", code: .notFound)
        }
        let program = try ledger.program(asOf: tier.asOf)
        var assignment: Assignment?
        if case .assigned(let assigned) = tier.reason {
            let event = try assignmentEvent(ledger, of: id, asOf: tier.asOf, throughPosition: requestedPosition ?? .max)
            assignment = Assignment(assigned: assigned, event: event)
        }

        if context.wantsJSON {
            guard case .object(var members) = json(tier, customer: id, program: program, assignment: assignment) else { return }
            members.insert(("as_of_position", requestedPosition.map { JSONValue($0) } ?? .null), at: 2)
            context.printJSON(.object(members))
            return
        }
        Console.out(render(tier, customer: id, program: program, assignment: assignment, position: requestedPosition))
    }

    /// Returns the latest TierAssigned event of the customer at or before `instant` and at a
    /// position up to `position`, which is the assignment in the customer's state then.
    @available(*, noasync)
    static func assignmentEvent(
        _ ledger: Ledger, of id: CustomerID, asOf instant: Timestamp, throughPosition position: UInt64 = .max
    ) throws -> RecordedEvent? {
        try ledger.history(of: id).last { event in
            guard case .tierAssigned = event.payload else { return false }
            return event.occurredAt <= instant && event.position <= position
        }
    }

    // MARK: - Text

    /// Renders the tier and why. `position` is the `--as-of-position` value, if any.
    static func render(
        _ tier: TierEvaluation, customer: CustomerID, program: LoyaltyProgram, assignment: Assignment?,
        position: UInt64? = nil
    ) -> String {
        // Both blocks of labelled lines share the width of the longest label, `changes`.
        let labelWidth = "changes".count + 2
        let positionText = position.map { " (position \(Formatting.grouped($0)))" } ?? ""
        var text = "customer \(customer) holds \(tier.tierName) as of \(Formatting.instant(tier.asOf))\(positionText)\n\n"
        let lines: [(String, String)] = [
            ("reason", reasonText(tier, program: program, assignment: assignment)),
            ("window", windowText(tier, program: program)),
        ]
        text += Formatting.labelled(lines, labelWidth: labelWidth) + "\n"
        text += figuresTable(tier, program: program) + "\n"
        text += Formatting.labelled(
            [("next", nextTierText(tier, program: program)), ("changes", changeText(tier, program: program))],
            labelWidth: labelWidth)
        return text
    }

    static func reasonText(_ tier: TierEvaluation, program: LoyaltyProgram, assignment: Assignment?) -> String {
        let qualified = program.tiers[tier.qualifiedTierIndex].name
        switch tier.reason {
        case nil:
            return "the window's figures meet the requirements of \(tier.tierName)"
        case .grace(let lastQualifiedAt):
            return "grace period: last qualified for \(tier.tierName) at \(Formatting.instant(lastQualifiedAt)), "
                + "and the program keeps a tier \(Formatting.count(program.downgradeGraceDays, "day")) after that; "
                + "the figures alone reach \(qualified)"
        case .assigned(let assigned):
            var text = "manual assignment of \(assigned.tier)"
            if let event = assignment?.event {
                let actor = event.metadata.actor.isEmpty ? "" : " by \(event.metadata.actor)"
                text += "\(actor) at \(Formatting.instant(event.occurredAt))"
            }
            text += assigned.until.map { ", until \(Formatting.instant($0))" } ?? ", with no end"
            return text + " (\(assigned.reason)); the figures alone reach \(qualified)"
        }
    }

    static func windowText(_ tier: TierEvaluation, program: LoyaltyProgram) -> String {
        let end = Formatting.instant(tier.asOf)
        guard let start = tier.windowStart else { return "\(program.tierWindow), up to \(end)" }
        return "\(program.tierWindow): after \(Formatting.instant(start)), up to \(end)"
    }

    /// Renders the window's figures beside the thresholds of the tier held and of the next one.
    static func figuresTable(_ tier: TierEvaluation, program: LoyaltyProgram) -> String {
        let tierRule = program.tiers[tier.tierIndex]
        let nextRule = tier.tierIndex + 1 < program.tiers.count ? program.tiers[tier.tierIndex + 1] : nil
        var columns: [TextTable.Column] = [
            .init("FIGURE"), .init("CUSTOMER", alignment: .right), .init("\(tierRule.name) (TIER)"),
        ]
        if let nextRule { columns.append(.init("\(nextRule.name) (NEXT)")) }
        var table = TextTable(columns: columns)

        let currency = program.currency
        for row in rows(program: program) {
            let value = row.value(tier)
            var cells = [row.label, row.format(value, currency)]
            cells.append(threshold(row.minimum(tierRule), value: value, format: row.format, currency: currency))
            if let nextRule {
                cells.append(threshold(row.minimum(nextRule), value: value, format: row.format, currency: currency))
            }
            table.addRow(cells)
        }
        return table.render()
    }

    /// One figure of the window: its label, its value and the matching requirement of a tier.
    struct FigureRow {
        var label: String
        var value: (TierEvaluation) -> Int64
        var minimum: (TierRule) -> Int64
        var format: (Int64, Currency) -> String
    }

    /// Returns the figures to compare: net spend, purchases and tenure always, points earned only
    /// when some tier of the ladder requires them.
    static func rows(program: LoyaltyProgram) -> [FigureRow] {
        var rows = [
            FigureRow(
                label: "net spend", value: \.windowNetSpend, minimum: \.minimumNetSpend,
                format: { Formatting.money($0, $1) }),
            FigureRow(
                label: "purchases", value: \.windowPurchases, minimum: \.minimumPurchases,
                format: { value, _ in Formatting.grouped(value) }),
            FigureRow(
                label: "tenure days", value: \.tenureDays, minimum: \.minimumTenureDays,
                format: { value, _ in Formatting.grouped(value) }),
        ]
        if program.tiers.contains(where: { $0.minimumPointsEarned > 0 }) {
            rows.append(
                FigureRow(
                    label: "points earned", value: \.windowPointsEarned,
                    minimum: \.minimumPointsEarned, format: { value, _ in Formatting.grouped(value) }))
        }
        return rows
    }

    static func threshold(
        _ minimum: Int64, value: Int64, format: (Int64, Currency) -> String, currency: Currency
    ) -> String {
        guard minimum > 0 else { return "—" }
        return "≥ \(format(minimum, currency)) (\(value >= minimum ? "met" : "not met"))"
    }

    static func nextTierText(_ tier: TierEvaluation, program: LoyaltyProgram) -> String {
        guard let next = tier.nextTier else { return "none: \(tier.tierName) is the top tier" }
        var needs: [String] = []
        if next.netSpendNeeded > 0 { needs.append("\(Formatting.money(next.netSpendNeeded, program.currency)) more net spend") }
        if next.purchasesNeeded > 0 { needs.append(Formatting.count(next.purchasesNeeded, "more purchase")) }
        if next.tenureDaysNeeded > 0 { needs.append("\(Formatting.count(next.tenureDaysNeeded, "more day")) of tenure") }
        if next.pointsNeeded > 0 { needs.append("\(Formatting.count(next.pointsNeeded, "more point")) earned") }
        return "\(next.tierName) needs " + (needs.isEmpty ? "nothing more" : needs.joined(separator: ", ") + " in the window")
    }

    static func changeText(_ tier: TierEvaluation, program: LoyaltyProgram) -> String {
        guard let change = tier.nextChange else {
            if case .assigned = tier.reason { return "none foreseen: the assignment has no end" }
            return "none foreseen without new events"
        }
        let direction = change.tierIndex > tier.tierIndex ? "rises" : "drops"
        var cause = "as purchases leave the window"
        if let dropsAt = tier.dropsAt, dropsAt == change.at {
            cause = if case .grace = tier.reason { "when the grace period ends" } else { "when the assignment ends" }
        } else if change.tierIndex > tier.tierIndex {
            cause = "with tenure"
        }
        return "\(direction) to \(change.tierName) at \(Formatting.instant(change.at)) \(cause), unless new events change the figures"
    }

    // MARK: - JSON

    static func json(
        _ tier: TierEvaluation, customer: CustomerID, program: LoyaltyProgram, assignment: Assignment?
    ) -> JSONValue {
        let currency = program.currency
        let next = tier.tierIndex + 1 < program.tiers.count ? program.tiers[tier.tierIndex + 1] : nil
        let figureRows = rows(program: program)
        return .object([
            ("customer_id", JSONValue(customer.rawValue)),
            ("as_of", Formatting.json(tier.asOf)),
            ("tier", .string(tier.tierName)),
            ("rank", JSONValue(tier.tierIndex)),
            ("qualified_tier", .string(program.tiers[tier.qualifiedTierIndex].name)),
            ("qualified_rank", JSONValue(tier.qualifiedTierIndex)),
            ("window", .object([
                ("description", .string(program.tierWindow.description)),
                ("start_exclusive", Formatting.json(tier.windowStart)),
                ("end", Formatting.json(tier.asOf)),
            ])),
            ("figures", .object([
                ("net_spend", Formatting.json(tier.windowNetSpend, currency)),
                ("purchases", JSONValue(tier.windowPurchases)),
                ("tenure_days", JSONValue(tier.tenureDays)),
                ("points_earned", JSONValue(tier.windowPointsEarned)),
            ])),
            ("requirements", .object([
                ("tier", requirementsJSON(program.tiers[tier.tierIndex], rows: figureRows, tier: tier, currency: currency)),
                ("next", next.map { requirementsJSON($0, rows: figureRows, tier: tier, currency: currency) } ?? .null),
            ])),
            ("held_by", heldByJSON(tier, program: program, assignment: assignment)),
            ("next_tier", tier.nextTier.map { gap in
                .object([
                    ("name", .string(gap.tierName)),
                    ("net_spend_needed", Formatting.json(gap.netSpendNeeded, currency)),
                    ("purchases_needed", JSONValue(gap.purchasesNeeded)),
                    ("tenure_days_needed", JSONValue(gap.tenureDaysNeeded)),
                    ("points_needed", JSONValue(gap.pointsNeeded)),
                ])
            } ?? .null),
            ("drops_at", Formatting.json(tier.dropsAt)),
            ("next_change", tier.nextChange.map { change in
                .object([
                    ("at", Formatting.json(change.at)), ("tier", .string(change.tierName)),
                    ("rank", JSONValue(change.tierIndex)),
                ])
            } ?? .null),
        ])
    }

    static func requirementsJSON(_ rule: TierRule, rows: [FigureRow], tier: TierEvaluation, currency: Currency) -> JSONValue {
        .object([
            ("name", .string(rule.name)),
            ("minimum_net_spend", Formatting.json(rule.minimumNetSpend, currency)),
            ("minimum_purchases", JSONValue(rule.minimumPurchases)),
            ("minimum_tenure_days", JSONValue(rule.minimumTenureDays)),
            ("minimum_points_earned", JSONValue(rule.minimumPointsEarned)),
            ("met", .bool(rows.allSatisfy { $0.value(tier) >= $0.minimum(rule) })),
        ])
    }

    static func heldByJSON(_ tier: TierEvaluation, program: LoyaltyProgram, assignment: Assignment?) -> JSONValue {
        switch tier.reason {
        case nil:
            return .null
        case .grace(let lastQualifiedAt):
            return .object([
                ("kind", "grace"), ("last_qualified_at", Formatting.json(lastQualifiedAt)),
                ("grace_days", JSONValue(program.downgradeGraceDays)),
            ])
        case .assigned(let assigned):
            return .object([
                ("kind", "assignment"), ("tier", .string(assigned.tier)), ("reason", .string(assigned.reason)),
                ("until", Formatting.json(assigned.until)),
                ("assigned_at", Formatting.json(assignment?.event?.occurredAt)),
                ("actor", assignment?.event.map { .string($0.metadata.actor) } ?? .null),
            ])
        }
    }
}
