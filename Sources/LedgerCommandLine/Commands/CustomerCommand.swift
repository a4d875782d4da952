import CustomerLedger
import Foundation

/// `ledger customer ID`: one customer's current state, points and tier.
enum CustomerCommand: Subcommand {
    static let name = "customer"
    static let syntax = ArgumentList.Syntax(
        command: "ledger customer",
        summary: "Show a customer's profile, spend, points and tier.",
        options: [
            CommandContext.databaseOption, CommandContext.jsonOption, CommandContext.asOfOption,
            CommandContext.asOfPositionOption,
        ],
        positionals: [.required("ID", help: "The customer id, such as 42 or 00042.")])

    static func run(_ context: CommandContext) throws {
        let id = try context.customerID()
        let requested = try context.requestedInstant()
        let requestedPosition = try context.requestedPosition()
        let ledger = try context.openExistingLedger()
        if let requestedPosition { try context.requireExistingPosition(requestedPosition, in: ledger) }

        guard let current = try ledger.customer(id) else {
            throw CommandFailure("customer \(id) not found in '\(context.databasePath)'", code: .notFound)
        }
        // The state as of the instant or position, folded from the customer's own events. Before
        // the registration there is none, and the current profile is shown without a tier.
        let past: CustomerState?
        let instant: Timestamp
        let tier: TierEvaluation?
        if let requestedPosition {
            past = try ledger.customer(id, asOfPosition: requestedPosition)
            instant = past?.latestEventAt ?? current.registeredAt
            tier = past == nil ? nil : try ledger.tier(of: id, asOfPosition: requestedPosition)
        } else {
            instant = try context.evaluationInstant(ledger, requested: requested)
            past = try ledger.customer(id, asOf: instant)
            tier = past == nil ? nil : try ledger.tier(of: id, asOf: instant)
        }
        let program = try ledger.program(asOf: instant)
        let state = past ?? current
        let statement = past?.pointsStatement(asOf: instant)
        // The scores rank the customer among all customers with purchases, so they come from
        // one scan of the log as of the same instant. That scan reads every event that occurred
        // by the instant, including events after a requested position, so a position shows none.
        let rfmReport = past == nil || requestedPosition != nil ? nil : try ledger.rfm(asOf: instant)
        let rfm = rfmReport?.customer(id)

        if context.wantsJSON {
            guard case .object(var members) = Formatting.json(state) else { return }
            // erased_at is the erasure's occurred-at, a business time; this adds when the ledger recorded it.
            let erasure = try EraseCommand.erasureEvent(of: state, in: ledger)
            if let index = members.firstIndex(where: { $0.key == "erased_at" }) {
                members.insert(("erasure_recorded_at", Formatting.json(erasure?.recordedAt)), at: index + 1)
            }
            // Before the registration, a position has no instant to evaluate at.
            members.append(("as_of", requestedPosition != nil && past == nil ? .null : Formatting.json(instant)))
            members.append(("as_of_position", requestedPosition.map { JSONValue($0) } ?? .null))
            members.append(
                ("points_as_of", statement.map { PointsCommand.json($0, lots: state.lotsWithPoints, customer: id) } ?? .null))
            members.append(("tier", tier.map { Formatting.json($0, program: program) } ?? .null))
            members.append(("rfm", rfm.map { rfmJSON($0, currency: rfmReport!.currency) } ?? .null))
            context.printJSON(.object(members))
            return
        }

        var lines: [(String, String)] = [
            ("customer", "\(state.customerID)"),
            ("name", Formatting.nameCell(state)),
        ]
        if let requestedPosition, past != nil {
            lines.insert(
                ("as of", "position \(Formatting.grouped(requestedPosition)): the customer's events up to it, "
                    + "evaluated at their latest occurred-at, \(Formatting.instant(instant))"), at: 1)
        }
        // Withheld personal fields are empty strings, so only the name line, above, mentions them.
        if !state.profile.phone.isEmpty { lines.append(("phone", state.profile.phone)) }
        if !state.profile.email.isEmpty { lines.append(("email", state.profile.email)) }
        if let birthday = state.profile.birthday { lines.append(("birthday", birthday.description)) }
        if !state.profile.address.isEmpty { lines.append(("address", state.profile.address)) }
        let region = [state.profile.province, state.profile.city].filter { !$0.isEmpty }.joined(separator: " ")
        if !region.isEmpty { lines.append(("region", region)) }
        if let referrer = state.referrer { lines.append(("referred by", "\(referrer)")) }
        lines.append(("registered", Formatting.instant(state.registeredAt)))
        if let erasedAt = current.erasedAt {
            let recorded = try EraseCommand.erasureEvent(of: current, in: ledger).map { ", recorded at \(Formatting.instant($0.recordedAt))" }
            lines.append(
                ("erased", "occurred at \(Formatting.instant(erasedAt))\(recorded ?? ""): personal data destroyed, no further events accepted"))
        }
        // Before the registration the customer had no purchases, so the current spend is left out.
        if past != nil {
            lines += spendLines(state)
        }
        if let statement, let tier {
            lines.append(
                ("points", "\(Formatting.grouped(statement.available)) available, \(Formatting.grouped(statement.pending)) pending "
                    + "(earned \(Formatting.grouped(statement.earned)), reversed \(Formatting.grouped(statement.reversed)), "
                    + "redeemed \(Formatting.grouped(statement.redeemed)), adjusted \(Formatting.grouped(statement.adjusted)), "
                    + "expired \(Formatting.grouped(statement.expired)))"))
            lines += tierLines(tier, program: program, instant: instant)
        } else if let requestedPosition {
            lines.append(
                ("tier", "none as of position \(Formatting.grouped(requestedPosition)): not registered until then; "
                    + (try context.firstPositionText(of: id, in: ledger))))
        } else {
            lines.append(("tier", "none as of \(Formatting.instant(instant)): not registered until then"))
        }
        if let rfm {
            lines.append(
                ("rfm", "R \(rfm.scores.recency), F \(rfm.scores.frequency), M \(rfm.scores.monetary): \(rfm.segment) "
                    + "(last purchase \(Formatting.count(rfm.recencyDays, "day")) before \(Formatting.instant(instant)), \(Formatting.count(rfm.purchases, "purchase")), "
                    + "\(Formatting.money(rfm.netSpend, rfmReport!.currency)) net)"))
        } else if requestedPosition != nil, past != nil {
            lines.append(("rfm", "not shown with --as-of-position, because the scores rank every customer as of an instant; use --as-of"))
        } else if past != nil {
            lines.append(("rfm", "none: no purchase in \(rfmReport!.currency) as of \(Formatting.instant(instant))"))
        }
        if state.feedbackCount > 0 {
            lines.append(("feedback", "\(state.feedbackCount), average rating "
                + String(format: "%.2f", state.averageRating ?? 0) + ", \(Formatting.count(state.complaintCount, "complaint"))"))
        }
        lines.append(("version", "\(state.version) (last position \(Formatting.grouped(state.lastPosition)))"))

        for (label, value) in lines {
            Console.out(label.padding(toLength: 14, withPad: " ", startingAt: 0) + value + "\n")
        }
    }

    /// Returns the RFM figures of one customer as JSON, with the segment's name.
    static func rfmJSON(_ rfm: CustomerRFM, currency: Currency) -> JSONValue {
        .object([
            ("recency", JSONValue(rfm.scores.recency)), ("frequency", JSONValue(rfm.scores.frequency)),
            ("monetary", JSONValue(rfm.scores.monetary)), ("segment", .string(rfm.segment.name)),
            ("last_purchase_at", Formatting.json(rfm.lastPurchaseAt)), ("recency_days", JSONValue(rfm.recencyDays)),
            ("purchases", JSONValue(rfm.purchases)), ("net_spend", Formatting.json(rfm.netSpend, currency)),
        ])
    }

    /// Returns the purchase and spend lines of `state`.
    static func spendLines(_ state: CustomerState) -> [(String, String)] {
        [
            ("purchases", Formatting.grouped(state.purchaseCount)
                + (state.firstPurchaseAt.map { ", first \(Formatting.instant($0))" } ?? "")
                + (state.lastPurchaseAt.map { ", last \(Formatting.instant($0))" } ?? "")),
            ("gross spend", Formatting.spend(state, keyPath: \.gross)),
            ("refunds", "\(Formatting.grouped(state.refundCount)), \(Formatting.spend(state, keyPath: \.refunded))"),
            ("net spend", Formatting.spend(state, keyPath: \.net)),
        ]
    }

    /// Returns the output lines for the tier, the figures behind it, and what the next tier still needs.
    static func tierLines(_ tier: TierEvaluation, program: LoyaltyProgram, instant: Timestamp) -> [(String, String)] {
        let currency = program.currency
        var lines: [(String, String)] = [
            ("tier", "\(tier.tierName) as of \(Formatting.instant(instant))"),
            ("  because", "\(Formatting.money(tier.windowNetSpend, currency)) net spend and "
                + "\(Formatting.count(tier.windowPurchases, "purchase")) in \(program.tierWindow) to then, "
                + "\(Formatting.count(tier.tenureDays, "day")) of tenure"),
        ]
        if let next = tier.nextTier {
            var needs: [String] = []
            if next.netSpendNeeded > 0 { needs.append("\(Formatting.money(next.netSpendNeeded, currency)) more spend") }
            if next.purchasesNeeded > 0 { needs.append("\(Formatting.count(next.purchasesNeeded, "more purchase"))") }
            if next.tenureDaysNeeded > 0 { needs.append("\(Formatting.count(next.tenureDaysNeeded, "more day")) of tenure") }
            lines.append(("  next", "\(next.tierName) needs " + (needs.isEmpty ? "nothing more" : needs.joined(separator: ", "))))
        }
        return lines
    }
}
