import Foundation

// Decodable forms of the loyalty commands' `--json` outputs, with the members the tests check.

/// `ledger points ID --json`.
struct PointsOutput: Decodable {
    struct Expiring: Decodable, Equatable {
        let expiresAt: String
        let points: Int64

        enum CodingKeys: String, CodingKey {
            case points
            case expiresAt = "expires_at"
        }
    }

    struct Lot: Decodable, Equatable {
        let number: UInt32
        let earnedAt: String
        let availableAt: String
        let expiresAt: String?
        let remaining: Int64
        let status: String

        enum CodingKeys: String, CodingKey {
            case number, remaining, status
            case earnedAt = "earned_at"
            case availableAt = "available_at"
            case expiresAt = "expires_at"
        }
    }

    let customerID: UInt64
    let asOf: String
    let available: Int64
    let pending: Int64
    let expiring: [Expiring]
    let earned: Int64
    let redeemed: Int64
    let expired: Int64
    let reversed: Int64
    let adjusted: Int64
    let lots: [Lot]

    enum CodingKeys: String, CodingKey {
        case available, pending, expiring, earned, redeemed, expired, reversed, adjusted, lots
        case customerID = "customer_id"
        case asOf = "as_of"
    }
}

/// `ledger tier ID --json`.
struct TierOutput: Decodable {
    struct Figures: Decodable, Equatable {
        let netSpend: MoneyOutput
        let purchases: Int64
        let tenureDays: Int64
        let pointsEarned: Int64

        enum CodingKeys: String, CodingKey {
            case purchases
            case netSpend = "net_spend"
            case tenureDays = "tenure_days"
            case pointsEarned = "points_earned"
        }
    }

    struct Requirements: Decodable {
        struct Rule: Decodable {
            let name: String
            let minimumNetSpend: MoneyOutput
            let minimumPurchases: Int64
            let met: Bool

            enum CodingKeys: String, CodingKey {
                case name, met
                case minimumNetSpend = "minimum_net_spend"
                case minimumPurchases = "minimum_purchases"
            }
        }

        let tier: Rule
        let next: Rule?
    }

    struct HeldBy: Decodable, Equatable {
        let kind: String
        let lastQualifiedAt: String?
        let graceDays: Int64?
        let tier: String?
        let reason: String?
        let until: String?
        let assignedAt: String?
        let actor: String?

        enum CodingKeys: String, CodingKey {
            case kind, tier, reason, until, actor
            case lastQualifiedAt = "last_qualified_at"
            case graceDays = "grace_days"
            case assignedAt = "assigned_at"
        }
    }

    struct NextTier: Decodable, Equatable {
        let name: String
        let netSpendNeeded: MoneyOutput
        let purchasesNeeded: Int64
        let tenureDaysNeeded: Int64

        enum CodingKeys: String, CodingKey {
            case name
            case netSpendNeeded = "net_spend_needed"
            case purchasesNeeded = "purchases_needed"
            case tenureDaysNeeded = "tenure_days_needed"
        }
    }

    let customerID: UInt64
    let asOf: String
    let tier: String
    let rank: Int
    let qualifiedTier: String
    let figures: Figures
    let requirements: Requirements
    let heldBy: HeldBy?
    let nextTier: NextTier?
    let dropsAt: String?

    enum CodingKeys: String, CodingKey {
        case tier, rank, figures, requirements
        case customerID = "customer_id"
        case asOf = "as_of"
        case qualifiedTier = "qualified_tier"
        case heldBy = "held_by"
        case nextTier = "next_tier"
        case dropsAt = "drops_at"
    }
}

/// `ledger tier assign ID TIER --json`.
struct TierAssignOutput: Decodable {
    let position: UInt64
    let customerID: UInt64
    let tier: String
    let reason: String
    let at: String
    let until: String?
    let actor: String
    let tierNow: String?

    enum CodingKeys: String, CodingKey {
        case position, tier, reason, at, until, actor
        case customerID = "customer_id"
        case tierNow = "tier_now"
    }
}

/// `ledger liability --json`.
struct LiabilityOutput: Decodable {
    let asOf: String
    let currency: String
    let customers: Int
    let available: Int64
    let pending: Int64
    let owed: Int64
    let availableValue: MoneyOutput
    let positiveBalances: Int64
    let positiveBalancesValue: MoneyOutput
    let pendingValue: MoneyOutput
    let owedValue: MoneyOutput

    enum CodingKeys: String, CodingKey {
        case currency, customers, available, pending, owed
        case asOf = "as_of"
        case availableValue = "available_value"
        case positiveBalances = "positive_balances"
        case positiveBalancesValue = "positive_balances_value"
        case pendingValue = "pending_value"
        case owedValue = "owed_value"
    }
}

/// `ledger points expire --json` and `ledger rewards birthday --json`.
struct MaterializedEventsOutput: Decodable, Equatable {
    let asOf: String
    let eventType: String
    let events: Int
    let customers: Int
    let points: Int64

    enum CodingKeys: String, CodingKey {
        case events, customers, points
        case asOf = "as_of"
        case eventType = "event_type"
    }
}

/// `ledger simulate --json`.
struct SimulateOutput: Decodable {
    struct Side: Decodable {
        struct Tier: Decodable, Equatable {
            let name: String
            let customers: Int
        }

        let tiers: [Tier]
        let points: Int64
        let value: MoneyOutput
    }

    struct Change: Decodable, Equatable {
        let customerID: UInt64
        let from: String
        let to: String

        enum CodingKeys: String, CodingKey {
            case from, to
            case customerID = "customer_id"
        }
    }

    let asOf: String
    let current: Side
    let candidate: Side
    let pointsChange: Int64
    let tierChanges: Int
    let movesUp: Int
    let movesDown: Int
    let renamedAtSameRank: Int
    let changes: [Change]

    enum CodingKeys: String, CodingKey {
        case current, candidate, changes
        case asOf = "as_of"
        case pointsChange = "points_change"
        case tierChanges = "tier_changes"
        case movesUp = "moves_up"
        case movesDown = "moves_down"
        case renamedAtSameRank = "renamed_at_same_rank"
    }
}
