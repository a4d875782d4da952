import Foundation

// Decodable forms of the `--json` outputs, with the members that the tests check. Unlisted
// members are ignored, so adding a member to an output does not break these tests.

/// Decodes the standard output of `result` as one JSON value of type `Output`.
func decodeOutput<Output: Decodable>(_ type: Output.Type, from result: CommandResult) throws -> Output {
    do {
        return try JSONDecoder().decode(Output.self, from: Data(result.standardOutput.utf8))
    } catch {
        throw LedgerProcessError(description: "invalid \(Output.self) JSON: \(error)\n\(result)")
    }
}

/// An amount as `{"minor_units": 1177, "currency": "USD"}`.
struct MoneyOutput: Decodable, Equatable {
    let minorUnits: Int64
    let currency: String

    enum CodingKeys: String, CodingKey {
        case minorUnits = "minor_units"
        case currency
    }
}

/// `ledger stats --json`, without the file and map sizes, which a no-op write can change.
struct StatsOutput: Decodable, Equatable {
    let events: Int
    let eventsByType: [String: Int]
    let customers: Int
    let purchases: Int
    let lastPosition: UInt64
    let projectionPosition: UInt64
    let earliestOccurredAt: String?
    let latestOccurredAt: String?
    let latestRecordedAt: String?
    let programCurrency: String

    enum CodingKeys: String, CodingKey {
        case events, customers, purchases
        case eventsByType = "events_by_type"
        case lastPosition = "last_position"
        case projectionPosition = "projection_position"
        case earliestOccurredAt = "earliest_occurred_at"
        case latestOccurredAt = "latest_occurred_at"
        case latestRecordedAt = "latest_recorded_at"
        case programCurrency = "program_currency"
    }
}

/// `ledger customer ID --json`.
struct CustomerOutput: Decodable {
    struct Spend: Decodable, Equatable {
        let currency: String
        let grossMinorUnits: Int64
        let refundedMinorUnits: Int64
        let netMinorUnits: Int64

        enum CodingKeys: String, CodingKey {
            case currency
            case grossMinorUnits = "gross_minor_units"
            case refundedMinorUnits = "refunded_minor_units"
            case netMinorUnits = "net_minor_units"
        }
    }

    struct Points: Decodable, Equatable {
        let balance: Int64
        let earned: Int64
        let redeemed: Int64
        let adjusted: Int64
        let reversed: Int64
    }

    struct Tier: Decodable {
        let name: String
        let asOf: String

        enum CodingKeys: String, CodingKey {
            case name
            case asOf = "as_of"
        }
    }

    let customerID: UInt64
    let version: Int
    let registeredAt: String
    let firstPurchaseAt: String?
    let lastPurchaseAt: String?
    let purchaseCount: Int
    let refundCount: Int
    let spend: [Spend]
    let points: Points
    let tier: Tier

    enum CodingKeys: String, CodingKey {
        case version, spend, points, tier
        case customerID = "customer_id"
        case registeredAt = "registered_at"
        case firstPurchaseAt = "first_purchase_at"
        case lastPurchaseAt = "last_purchase_at"
        case purchaseCount = "purchase_count"
        case refundCount = "refund_count"
    }
}

/// One line of `ledger history ID --json`.
struct HistoryEventOutput: Decodable {
    /// The members of a payload that the tests read. Only a PurchaseRecorded payload has them.
    struct Payload: Decodable {
        struct LineItem: Decodable {
            let sku: String
            let quantity: Int64
        }

        let orderID: String?
        let amount: MoneyOutput?
        let lineItems: [LineItem]?

        enum CodingKeys: String, CodingKey {
            case amount
            case orderID = "order_id"
            case lineItems = "line_items"
        }
    }

    let position: UInt64
    let customerID: UInt64
    let version: Int
    let type: String
    let occurredAt: String
    let actor: String
    let source: String
    let payload: Payload

    enum CodingKeys: String, CodingKey {
        case position, version, type, actor, source, payload
        case customerID = "customer_id"
        case occurredAt = "occurred_at"
    }
}

/// `ledger replay --json`.
struct ReplayOutput: Decodable {
    let events: Int
    let customers: Int
    let orders: Int
    let position: UInt64
    let projectionsUnchanged: Bool
    let fingerprint: String

    enum CodingKeys: String, CodingKey {
        case events, customers, orders, position, fingerprint
        case projectionsUnchanged = "projections_unchanged"
    }
}

/// `ledger tiers --json`.
struct TiersOutput: Decodable {
    struct Tier: Decodable, Equatable {
        let name: String
        let customers: Int
        let minimumPointsEarned: Int64
        let multiplier: String

        enum CodingKeys: String, CodingKey {
            case name, customers, multiplier
            case minimumPointsEarned = "minimum_points_earned"
        }
    }

    let asOf: String
    let windowDays: Int
    let customers: Int
    let tiers: [Tier]

    enum CodingKeys: String, CodingKey {
        case customers, tiers
        case asOf = "as_of"
        case windowDays = "window_days"
    }
}

/// `ledger top --json`.
struct TopOutput: Decodable {
    struct Entry: Decodable {
        let rank: Int
        let customerID: UInt64
        let name: String
        let netSpend: MoneyOutput
        let purchases: Int
        let points: Int64
        let tier: String

        enum CodingKeys: String, CodingKey {
            case rank, name, purchases, points, tier
            case customerID = "customer_id"
            case netSpend = "net_spend"
        }
    }

    let by: String
    let asOf: String
    let customers: [Entry]

    enum CodingKeys: String, CodingKey {
        case by, customers
        case asOf = "as_of"
    }
}
