/// A version of the loyalty program, in force from `effectiveFrom` until the next version's
/// start: the payload of ``EventType/programDefined`` and ``EventType/programChanged`` events.
///
/// Program events belong to the ledger's own stream, ``CustomerID/ledgerStream``, and are
/// appended with ``Ledger/setProgram(_:effectiveFrom:metadata:occurredAt:)``.
public struct ProgramVersion: Equatable, Sendable {
    public var effectiveFrom: Timestamp
    public var program: LoyaltyProgram

    public init(effectiveFrom: Timestamp, program: LoyaltyProgram) {
        self.effectiveFrom = effectiveFrom
        self.program = program
    }
}

/// A tier set by hand, which acts as a floor: the customer's tier is at least this one until
/// `until`, or for good when `until` is nil. The actor is the event's metadata actor.
public struct TierAssigned: Equatable, Sendable {
    public var tier: String
    public var reason: String
    public var until: Timestamp?

    public init(tier: String, reason: String, until: Timestamp? = nil) {
        self.tier = tier
        self.reason = reason
        self.until = until
    }
}

/// Points of one lot that reached their expiry, written down by ``Ledger/expirePoints(asOf:metadata:)``.
public struct PointsExpired: Equatable, Sendable {
    public var points: Int64
    /// The customer's lot number, from ``PointsLot/number``.
    public var lot: UInt32

    public init(points: Int64, lot: UInt32) {
        self.points = points
        self.lot = lot
    }
}

/// Points paid by a reward rule. The key is unique among a customer's rewards, so a reward
/// delivered twice is rejected the second time.
public struct RewardGranted: Equatable, Sendable {
    public enum Kind: UInt8, Sendable, CustomStringConvertible {
        /// For the referrer, when the referred customer makes a first purchase.
        case referrer = 1
        /// For the referred customer, on the first purchase.
        case referred = 2
        case birthday = 3

        public var description: String {
            switch self {
            case .referrer: "referrer"
            case .referred: "referred"
            case .birthday: "birthday"
            }
        }
    }

    public var kind: Kind
    /// Such as `referral:42` or `birthday:2027`.
    public var key: String
    public var points: Int64

    public init(kind: Kind, key: String, points: Int64) {
        self.kind = kind
        self.key = key
        self.points = points
    }
}

extension CustomerID {
    /// The stream of the ledger's own events, such as loyalty program versions. No customer has this id.
    public static let ledgerStream = CustomerID(unchecked: 0)

    /// True for ``ledgerStream``.
    public var isLedgerStream: Bool { rawValue == 0 }
}
