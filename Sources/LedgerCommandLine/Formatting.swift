import CustomerLedger
import Foundation

/// Text and JSON forms of ledger values shared by the commands.
enum Formatting {
    /// Formats a count with grouped digits and its noun, plural unless the count is 1: `1 row`,
    /// `2,048 rows`.
    static func count(_ value: some BinaryInteger, _ noun: String) -> String {
        grouped(value) + " " + noun + (value == 1 ? "" : "s")
    }

    /// Formats an integer with its digits grouped in threes, such as `1,234,567`.
    static func grouped(_ value: some BinaryInteger) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// Formats an amount with grouped digits and its currency code, such as `2,500,315.63 USD`.
    static func money(_ minorUnits: Int64, _ currency: Currency) -> String {
        let text = Money(minorUnits: minorUnits, currency: currency).decimalText
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", maxSplits: 1)
        var result = grouped(Int64(parts[0])!)
        if parts.count == 2 { result += "." + parts[1] }
        return (negative ? "-" : "") + result + " " + currency.code
    }

    /// Formats the spend figure that `keyPath` selects (gross, refunded or net) in every currency
    /// of the customer, such as `1,203.40 USD`, or returns `0` when the customer has no spend.
    static func spend(_ state: CustomerState, keyPath: KeyPath<CurrencySpend, Int64>) -> String {
        let parts = state.spend.map { money($0[keyPath: keyPath], $0.currency) }
        return parts.isEmpty ? "0" : parts.joined(separator: ", ")
    }

    /// Formats an instant, leaving out the time of day when it is midnight UTC, such as `1997-01-01`.
    static func instant(_ timestamp: Timestamp) -> String {
        timestamp.microseconds % Timestamp.microsecondsPerDay == 0 ? timestamp.civilDate.description : timestamp.description
    }

    /// Returns a short name for a customer: the profile name, or `customer N` when the name is empty.
    static func displayName(_ state: CustomerState) -> String {
        state.profile.name.isEmpty ? "customer \(state.customerID)" : state.profile.name
    }

    /// Returns the name for a customer's name column or line: the profile name, `—` for an
    /// empty one, or `withheld (REASON)` when the reader may not or cannot see personal data,
    /// such as `withheld (no master key)`.
    static func nameCell(_ state: CustomerState) -> String {
        if case .withheld(let reason) = state.personalData { return "withheld (\(reason))" }
        return state.profile.name.isEmpty ? "—" : state.profile.name
    }

    /// Formats an optional UUID in lower case, or returns an empty string for nil.
    static func uuid(_ id: UUID?) -> String {
        id?.uuidString.lowercased() ?? ""
    }

    /// Returns a one-line description of what a history entry changed. For a ProfileUpdated
    /// event it gives each field with its old and new value, such as
    /// `city "上海市" → "杭州市", birthday none → 1990-03-01`.
    ///
    /// When the event's personal data is withheld, its personal fields are listed without values,
    /// such as `phone withheld (analyst role), city "上海市" → "杭州市"`, because the library
    /// returns them as empty strings.
    static func summary(_ entry: HistoryEntry) -> String {
        guard !entry.changes.isEmpty else { return summary(entry.event) }
        var parts: [String] = []
        if case .withheld(let reason) = entry.event.personalData {
            let withheld = entry.changes.map(\.field).filter { !clearProfileFields.contains($0) }
            if !withheld.isEmpty {
                parts.append(withheld.map(\.description).joined(separator: ", ") + " withheld (\(reason))")
            }
        }
        for change in entry.changes where !entry.event.personalData.isWithheld || clearProfileFields.contains(change.field) {
            parts.append(
                "\(change.field) \(profileValue(change.oldValue, of: change.field)) → \(profileValue(change.newValue, of: change.field))")
        }
        return parts.joined(separator: ", ")
    }

    /// The profile fields that an encrypted ledger keeps in clear, for regional analysis.
    static let clearProfileFields: Set<ProfileField> = [.province, .city]

    /// Formats a profile value for a summary: a birthday as `YYYY-MM-DD` or `none`, any other
    /// field quoted, with backslashes, quotes and line breaks escaped so that it stays on one line.
    static func profileValue(_ value: String, of field: ProfileField) -> String {
        if field == .birthday { return value.isEmpty ? "none" : value }
        return quoted(value)
    }

    /// Returns `value` in double quotes, with backslashes, quotes and line breaks escaped so
    /// that it stays on one line.
    static func quoted(_ value: String) -> String {
        // Scalars, not characters, because "\r\n" is one character.
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "\"" + escaped + "\""
    }

    /// Returns a one-line description of what an event changed.
    static func summary(_ event: RecordedEvent) -> String {
        switch event.payload {
        case .customerRegistered(let registered):
            var parts: [String] = []
            if case .withheld(let reason) = event.personalData {
                parts.append("personal data withheld (\(reason))")
            } else if !registered.profile.name.isEmpty {
                parts.append("name \(registered.profile.name)")
            }
            let region = [registered.profile.province, registered.profile.city].filter { !$0.isEmpty }.joined(separator: " ")
            if !region.isEmpty { parts.append("region \(region)") }
            if let referrer = registered.referrer { parts.append("referred by \(referrer)") }
            return parts.isEmpty ? "registered" : "registered: " + parts.joined(separator: ", ")
        case .profileUpdated(let updated):
            let fields = updated.changes.changedFields
            guard case .withheld(let reason) = event.personalData else { return "changed " + fields.joined(separator: ", ") }
            let listed = fields.isEmpty ? "personal fields" : fields.joined(separator: ", ")
            return "changed \(listed) (personal values withheld: \(reason))"
        case .purchaseRecorded(let purchase):
            let units = purchase.lineItems.reduce(Int64(0)) { $0 + $1.quantity }
            return "order \(purchase.orderID): \(money(purchase.amount.minorUnits, purchase.amount.currency)), \(units) unit\(units == 1 ? "" : "s")"
        case .refundRecorded(let refund):
            let reason = refund.reason.isEmpty ? "" : " (\(refund.reason))"
            return "refund on order \(refund.orderID): \(money(refund.amount.minorUnits, refund.amount.currency))\(reason)"
        case .pointsRedeemed(let redeemed):
            return "redeemed \(count(redeemed.points, "point")) for \(redeemed.reward)"
        case .pointsAdjusted(let adjusted):
            return "points adjusted by \(adjusted.points > 0 ? "+" : "")\(grouped(adjusted.points)): \(adjusted.reason)"
        case .feedbackRecorded(let feedback):
            var text = "\(feedback.channel) rating \(feedback.rating)/5\(feedback.isComplaint ? ", complaint" : "")"
            if case .withheld(let reason) = event.personalData {
                text += ", text withheld (\(reason))"
            } else if !feedback.text.isEmpty {
                text += ": " + quoted(shortened(feedback.text, to: feedbackSummaryLength))
            }
            return text
        case .programDefined(let version):
            return "program defined, in force from \(instant(version.effectiveFrom))"
        case .programChanged(let version):
            return "program changed, in force from \(instant(version.effectiveFrom))"
        case .tierAssigned(let assigned):
            let until = assigned.until.map { " until \(instant($0))" } ?? ""
            return "tier set to \(assigned.tier)\(until): \(assigned.reason)"
        case .pointsExpired(let expired):
            return "\(count(expired.points, "point")) of lot \(expired.lot) expired"
        case .rewardGranted(let reward):
            return "\(reward.kind) reward of \(count(reward.points, "point")) (\(reward.key))"
        case .customerErased(let erased):
            return "personal data erased: \(erased.reason)"
        case .unrecognized(let unknown):
            return "kept unread: \(unknown.publicBytes.count + unknown.personalBytes.count) bytes this version cannot decode"
        }
    }

    /// The characters of feedback text that a one-line summary shows; JSON payloads carry all of it.
    static let feedbackSummaryLength = 80

    /// Returns `text` cut to `length` characters, with "…" in place of the rest.
    static func shortened(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    // MARK: - JSON

    static func json(_ money: Money) -> JSONValue {
        ["minor_units": JSONValue(money.minorUnits), "currency": .string(money.currency.code)]
    }

    static func json(_ timestamp: Timestamp?) -> JSONValue {
        timestamp.map { .string($0.description) } ?? .null
    }

    static func json(_ event: RecordedEvent) -> JSONValue {
        .object([
            ("position", JSONValue(event.position)),
            ("event_id", .string(event.id.uuidString.lowercased())),
            ("customer_id", JSONValue(event.customerID.rawValue)),
            ("version", JSONValue(event.version)),
            ("type", .string(event.typeName)),
            ("schema_version", JSONValue(event.schemaVersion)),
            ("occurred_at", json(event.occurredAt)),
            ("recorded_at", json(event.recordedAt)),
            ("actor", .string(event.metadata.actor)),
            ("source", .string(event.metadata.source)),
            ("correlation_id", event.metadata.correlationID.map { .string($0.uuidString.lowercased()) } ?? .null),
            ("causation_id", event.metadata.causationID.map { .string($0.uuidString.lowercased()) } ?? .null),
            ("summary", .string(summary(event))),
            ("personal_data", .string(event.personalData.description)),
            ("payload", json(event.payload)),
        ])
    }

    /// Returns the JSON object of a history entry: the object of its event, with the summary of
    /// the entry and, for a ProfileUpdated event, `changes`, each field with its old and new value.
    static func json(_ entry: HistoryEntry) -> JSONValue {
        guard case .object(var members) = json(entry.event) else { return json(entry.event) }
        guard !entry.changes.isEmpty else { return .object(members) }
        if let index = members.firstIndex(where: { $0.key == "summary" }) {
            members[index].value = .string(summary(entry))
        }
        members.append(("changes", .array(entry.changes.map { change in
            .object([("field", .string(change.field.rawValue)), ("old", .string(change.oldValue)), ("new", .string(change.newValue))])
        })))
        return .object(members)
    }

    static func json(_ payload: EventPayload) -> JSONValue {
        switch payload {
        case .customerRegistered(let registered):
            return .object(profileMembers(registered.profile) + [
                ("referrer", registered.referrer.map { JSONValue($0.rawValue) } ?? .null)
            ])
        case .profileUpdated(let updated):
            let changes = updated.changes
            var members: [(key: String, value: JSONValue)] = []
            if let name = changes.name { members.append(("name", .string(name))) }
            if let phone = changes.phone { members.append(("phone", .string(phone))) }
            if let email = changes.email { members.append(("email", .string(email))) }
            if let birthday = changes.birthday { members.append(("birthday", .string(birthday.description))) }
            if let province = changes.province { members.append(("province", .string(province))) }
            if let city = changes.city { members.append(("city", .string(city))) }
            if let address = changes.address { members.append(("address", .string(address))) }
            return .object(members)
        case .purchaseRecorded(let purchase):
            return .object([
                ("order_id", .string(purchase.orderID)),
                ("amount", json(purchase.amount)),
                ("line_items", .array(purchase.lineItems.map { item in
                    .object([("sku", .string(item.sku)), ("quantity", JSONValue(item.quantity)),
                             ("unit_price", JSONValue(item.unitPrice)), ("category", .string(item.category))])
                })),
                ("channel", .string(purchase.channel)),
                ("store", .string(purchase.store)),
            ])
        case .refundRecorded(let refund):
            return .object([
                ("order_id", .string(refund.orderID)), ("amount", json(refund.amount)), ("reason", .string(refund.reason)),
            ])
        case .pointsRedeemed(let redeemed):
            return .object([
                ("points", JSONValue(redeemed.points)), ("reward", .string(redeemed.reward)),
                ("order_id", .string(redeemed.orderID)),
            ])
        case .programDefined(let version), .programChanged(let version):
            return .object([
                ("effective_from", json(version.effectiveFrom)), ("program", ProgramDocument.json(version.program)),
            ])
        case .tierAssigned(let assigned):
            return .object([
                ("tier", .string(assigned.tier)), ("reason", .string(assigned.reason)), ("until", json(assigned.until)),
            ])
        case .pointsExpired(let expired):
            return .object([("points", JSONValue(expired.points)), ("lot", JSONValue(expired.lot))])
        case .rewardGranted(let reward):
            return .object([
                ("kind", .string(reward.kind.description)), ("key", .string(reward.key)), ("points", JSONValue(reward.points)),
            ])
        case .pointsAdjusted(let adjusted):
            return .object([("points", JSONValue(adjusted.points)), ("reason", .string(adjusted.reason))])
        case .customerErased(let erased):
            return .object([("reason", .string(erased.reason))])
        case .feedbackRecorded(let feedback):
            return .object([
                ("channel", .string(feedback.channel.description)), ("rating", JSONValue(feedback.rating)),
                ("complaint", .bool(feedback.isComplaint)), ("text", .string(feedback.text)),
            ])
        case .unrecognized(let unknown):
            return .object([
                ("type_code", JSONValue(unknown.typeCode)), ("schema_version", JSONValue(unknown.schemaVersion)),
                ("public_bytes", JSONValue(unknown.publicBytes.count)),
                ("personal_bytes", JSONValue(unknown.personalBytes.count)),
            ])
        }
    }

    static func profileMembers(_ profile: CustomerProfile) -> [(key: String, value: JSONValue)] {
        [
            ("name", .string(profile.name)), ("phone", .string(profile.phone)), ("email", .string(profile.email)),
            ("birthday", profile.birthday.map { .string($0.description) } ?? .null),
            ("province", .string(profile.province)), ("city", .string(profile.city)),
            ("address", .string(profile.address)),
        ]
    }

    static func json(_ tier: TierEvaluation, program: LoyaltyProgram) -> JSONValue {
        .object([
            ("name", .string(tier.tierName)),
            ("rank", JSONValue(tier.tierIndex)),
            ("as_of", json(tier.asOf)),
            ("window", .string(program.tierWindow.description)),
            ("window_days", program.tierWindow.days.map { JSONValue($0) } ?? .null),
            ("window_net_spend", json(Money(minorUnits: tier.windowNetSpend, currency: program.currency))),
            ("window_purchases", JSONValue(tier.windowPurchases)),
            ("tenure_days", JSONValue(tier.tenureDays)),
            ("next_tier", tier.nextTier.map { gap in
                .object([
                    ("name", .string(gap.tierName)),
                    ("net_spend_needed", json(Money(minorUnits: gap.netSpendNeeded, currency: program.currency))),
                    ("purchases_needed", JSONValue(gap.purchasesNeeded)),
                    ("tenure_days_needed", JSONValue(gap.tenureDaysNeeded)),
                ])
            } ?? .null),
        ])
    }

    static func json(_ state: CustomerState) -> JSONValue {
        .object([
            ("customer_id", JSONValue(state.customerID.rawValue)),
            ("version", JSONValue(state.version)),
            ("last_position", JSONValue(state.lastPosition)),
            ("registered_at", json(state.registeredAt)),
            ("profile", .object(profileMembers(state.profile))),
            ("personal_data", .string(state.personalData.description)),
            ("erased_at", json(state.erasedAt)),
            ("referrer", state.referrer.map { JSONValue($0.rawValue) } ?? .null),
            ("first_purchase_at", json(state.firstPurchaseAt)),
            ("last_purchase_at", json(state.lastPurchaseAt)),
            ("purchase_count", JSONValue(state.purchaseCount)),
            ("refund_count", JSONValue(state.refundCount)),
            ("spend", .array(state.spend.map { spend in
                .object([
                    ("currency", .string(spend.currency.code)), ("gross_minor_units", JSONValue(spend.gross)),
                    ("refunded_minor_units", JSONValue(spend.refunded)), ("net_minor_units", JSONValue(spend.net)),
                ])
            })),
            ("feedback_count", JSONValue(state.feedbackCount)),
            ("average_rating", state.averageRating.map { .double(($0 * 100).rounded() / 100) } ?? .null),
            ("complaint_count", JSONValue(state.complaintCount)),
            ("points", .object([
                ("balance", JSONValue(state.points.balance)), ("earned", JSONValue(state.points.earned)),
                ("redeemed", JSONValue(state.points.redeemed)), ("adjusted", JSONValue(state.points.adjusted)),
                ("reversed", JSONValue(state.points.reversed)),
            ])),
        ])
    }
}
