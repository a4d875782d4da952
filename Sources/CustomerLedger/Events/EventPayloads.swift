/// A new customer: the first event of every customer's stream.
public struct CustomerRegistered: Equatable, Sendable {
    public var profile: CustomerProfile
    /// The customer who referred this one, if any.
    public var referrer: CustomerID?

    public init(profile: CustomerProfile, referrer: CustomerID? = nil) {
        self.profile = profile
        self.referrer = referrer
    }
}

/// A change to a customer's profile: only the fields that changed are set.
public struct ProfileUpdated: Equatable, Sendable {
    public var changes: ProfileChanges

    public init(changes: ProfileChanges) {
        self.changes = changes
    }
}

/// A completed order and the amount the customer paid for it.
public struct PurchaseRecorded: Equatable, Sendable {
    /// The order's identifier, unique among this customer's orders.
    public var orderID: String
    /// The amount paid, after discounts: the figure that counts as spend.
    public var amount: Money
    public var lineItems: [LineItem]
    /// The sales channel, such as `online`, `store` or `app`.
    public var channel: String
    /// The store or shop identifier, or empty when there is none.
    public var store: String

    public init(orderID: String, amount: Money, lineItems: [LineItem] = [], channel: String = "", store: String = "") {
        self.orderID = orderID
        self.amount = amount
        self.lineItems = lineItems
        self.channel = channel
        self.store = store
    }
}

/// One product line of a purchase.
public struct LineItem: Equatable, Sendable {
    public var sku: String
    public var quantity: Int64
    /// The price of one unit in minor units of the purchase's currency.
    public var unitPrice: Int64
    /// The product category, such as `tea`, or empty. Events of schema version 1 have none.
    public var category: String

    public init(sku: String, quantity: Int64, unitPrice: Int64, category: String = "") {
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.category = category
    }
}

/// Money returned for part or all of an earlier purchase of the same customer.
public struct RefundRecorded: Equatable, Sendable {
    public var orderID: String
    public var amount: Money
    public var reason: String

    public init(orderID: String, amount: Money, reason: String = "") {
        self.orderID = orderID
        self.amount = amount
        self.reason = reason
    }
}

/// Points spent on a reward.
public struct PointsRedeemed: Equatable, Sendable {
    public var points: Int64
    /// The reward, or the id of a ``MemberOffer`` of the program.
    public var reward: String
    /// The customer's order that the points pay toward, or empty. Events of schema version 1 have none.
    public var orderID: String

    public init(points: Int64, reward: String, orderID: String = "") {
        self.points = points
        self.reward = reward
        self.orderID = orderID
    }
}

/// A manual correction of a points balance, positive or negative.
public struct PointsAdjusted: Equatable, Sendable {
    public var points: Int64
    public var reason: String

    public init(points: Int64, reason: String) {
        self.points = points
        self.reason = reason
    }
}

/// A customer's rating and comment from a survey, a phone call-back or an online review.
public struct FeedbackRecorded: Equatable, Sendable {
    public enum Channel: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case survey = 1
        case phoneCallback = 2
        case onlineReview = 3

        public var description: String {
            switch self {
            case .survey: "survey"
            case .phoneCallback: "phone-callback"
            case .onlineReview: "online-review"
            }
        }
    }

    public var channel: Channel
    /// The rating from 1 (worst) to 5 (best).
    public var rating: Int
    public var isComplaint: Bool
    /// The customer's own words: personal data.
    public var text: String

    public init(channel: Channel, rating: Int, isComplaint: Bool, text: String = "") {
        self.channel = channel
        self.rating = rating
        self.isComplaint = isComplaint
        self.text = text
    }
}

/// The erasure of a customer's personal data at their request. The event contains no personal
/// data. Appending it destroys the customer's data key, so that the personal parts of all their
/// events can no longer be decrypted. Purchases, points and tiers stay, and no event can follow.
public struct CustomerErased: Equatable, Sendable {
    /// The reason for the erasure, such as a request reference. It must not contain personal data.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

/// An event whose type or schema version this build does not support, kept byte for byte.
public struct UnrecognizedPayload: Equatable, Sendable {
    public var typeCode: UInt16
    public var schemaVersion: UInt8
    public var publicBytes: [UInt8]
    public var personalBytes: [UInt8]

    public init(typeCode: UInt16, schemaVersion: UInt8, publicBytes: [UInt8], personalBytes: [UInt8]) {
        self.typeCode = typeCode
        self.schemaVersion = schemaVersion
        self.publicBytes = publicBytes
        self.personalBytes = personalBytes
    }
}
