/// The body of an event: what happened to the customer.
public enum EventPayload: Equatable, Sendable {
    case customerRegistered(CustomerRegistered)
    case profileUpdated(ProfileUpdated)
    case purchaseRecorded(PurchaseRecorded)
    case refundRecorded(RefundRecorded)
    case pointsRedeemed(PointsRedeemed)
    case pointsAdjusted(PointsAdjusted)
    case feedbackRecorded(FeedbackRecorded)
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
        case .unrecognized: nil
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

    /// The schema version this build writes and reads for the type.
    public var currentSchemaVersion: UInt8 { 1 }

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
        }
    }

    /// Finds a type by its name, such as `PurchaseRecorded`.
    public init?(name: String) {
        guard let match = EventType.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}
