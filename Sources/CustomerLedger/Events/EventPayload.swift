/// The body of an event: what happened to the customer.
public enum EventPayload: Equatable, Sendable {
    case customerRegistered(CustomerRegistered)
    case profileUpdated(ProfileUpdated)
    case purchaseRecorded(PurchaseRecorded)
    case refundRecorded(RefundRecorded)
    case pointsRedeemed(PointsRedeemed)
    case pointsAdjusted(PointsAdjusted)
    case feedbackRecorded(FeedbackRecorded)
    case programDefined(ProgramVersion)
    case programChanged(ProgramVersion)
    case tierAssigned(TierAssigned)
    case pointsExpired(PointsExpired)
    case rewardGranted(RewardGranted)
    case customerErased(CustomerErased)
    /// An event of a type or schema version that this build does not support. It is kept, and
    /// projections skip it.
    case unrecognized(UnrecognizedPayload)

    /// The type of the payload, or nil for an unrecognized one.
    public var type: EventType? {
        switch self {
        case .customerRegistered: .customerRegistered
        case .profileUpdated: .profileUpdated
        case .purchaseRecorded: .purchaseRecorded
        case .refundRecorded: .refundRecorded
        case .pointsRedeemed: .pointsRedeemed
        case .pointsAdjusted: .pointsAdjusted
        case .feedbackRecorded: .feedbackRecorded
        case .programDefined: .programDefined
        case .programChanged: .programChanged
        case .tierAssigned: .tierAssigned
        case .pointsExpired: .pointsExpired
        case .rewardGranted: .rewardGranted
        case .customerErased: .customerErased
        case .unrecognized: nil
        }
    }

    /// True when the payload has personal fields, which an encrypted ledger seals.
    var hasPersonalFields: Bool {
        switch self {
        case .customerRegistered, .feedbackRecorded: true
        case .profileUpdated(let updated): PayloadCodec.mask(of: updated.changes) & PayloadCodec.personalFieldBits != 0
        default: false
        }
    }

    /// The stored type code.
    public var typeCode: UInt16 {
        if case .unrecognized(let payload) = self { return payload.typeCode }
        return type!.rawValue
    }
}

/// The event types that this build supports, with their stored codes and current schema versions.
public enum EventType: UInt16, CaseIterable, Sendable, CustomStringConvertible {
    case customerRegistered = 1
    case profileUpdated = 2
    case purchaseRecorded = 3
    case refundRecorded = 4
    case pointsRedeemed = 5
    case pointsAdjusted = 6
    case feedbackRecorded = 7
    case programDefined = 8
    case programChanged = 9
    case tierAssigned = 10
    case pointsExpired = 11
    case rewardGranted = 12
    case customerErased = 13

    /// The schema version this build writes for the type.
    public var currentSchemaVersion: UInt8 {
        switch self {
        // Version 2 added line item categories.
        case .purchaseRecorded: 2
        // Version 2 added the order a redemption pays for.
        case .pointsRedeemed: 2
        default: 1
        }
    }

    /// Returns true for the schema versions this build reads: the current one, and each older
    /// one from which registered upcasters lead to the current one. Every read upgrades such a
    /// payload's bytes before decoding them, so payloads are always in the current version.
    public func reads(schemaVersion: UInt8) -> Bool {
        schemaVersion == currentSchemaVersion || EventUpcasters.hasChain(for: self, from: schemaVersion)
    }

    /// True for the types of the ledger's own stream, ``CustomerID/ledgerStream``.
    public var isLedgerEvent: Bool { self == .programDefined || self == .programChanged }

    /// The name shown in history and statistics, such as `PurchaseRecorded`.
    public var description: String {
        switch self {
        case .customerRegistered: "CustomerRegistered"
        case .profileUpdated: "ProfileUpdated"
        case .purchaseRecorded: "PurchaseRecorded"
        case .refundRecorded: "RefundRecorded"
        case .pointsRedeemed: "PointsRedeemed"
        case .pointsAdjusted: "PointsAdjusted"
        case .feedbackRecorded: "FeedbackRecorded"
        case .programDefined: "ProgramDefined"
        case .programChanged: "ProgramChanged"
        case .tierAssigned: "TierAssigned"
        case .pointsExpired: "PointsExpired"
        case .rewardGranted: "RewardGranted"
        case .customerErased: "CustomerErased"
        }
    }

    /// Finds a type by its name, such as `PurchaseRecorded`.
    public init?(name: String) {
        guard let match = EventType.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}

extension EventPayload {
    /// Returns true when both payloads encode to the same bytes. Unlike `==`, which compares
    /// strings by canonical equivalence, this distinguishes a precomposed "é" from "e" plus an accent,
    /// as the stored log and order ids do.
    func encodesLike(_ other: EventPayload) -> Bool {
        guard typeCode == other.typeCode else { return false }
        var publicBytes = ByteWriter(capacity: 128)
        var personalBytes = ByteWriter(capacity: 64)
        var otherPublic = ByteWriter(capacity: 128)
        var otherPersonal = ByteWriter(capacity: 64)
        PayloadCodec.encode(self, public: &publicBytes, personal: &personalBytes)
        PayloadCodec.encode(other, public: &otherPublic, personal: &otherPersonal)
        return publicBytes.bytes == otherPublic.bytes && personalBytes.bytes == otherPersonal.bytes
    }
}
