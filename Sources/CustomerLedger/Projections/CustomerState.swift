/// The current state of one customer, folded from the customer's events.
public struct CustomerState: Equatable, Sendable {
    public var customerID: CustomerID
    /// The version of the customer's last event.
    public var version: UInt32
    /// The log position of the customer's last event.
    public var lastPosition: UInt64
    public var registeredAt: Timestamp
    /// The province, which stays in clear for regional analysis.
    var province: String
    /// The city, which stays in clear for regional analysis.
    var city: String
    /// The personal parts of the registration and of each profile update that changed a
    /// personal field, in order, as stored in the events.
    var personalRecords: PersonalRecords
    /// The personal fields that a read through ``Ledger`` filled in, or nil for a state that
    /// no read resolved, such as one being folded.
    var resolved: ResolvedPersonalData?
    /// When the customer's personal data was erased, or nil.
    public internal(set) var erasedAt: Timestamp?
    public var referrer: CustomerID?
    public var firstPurchaseAt: Timestamp?
    public var lastPurchaseAt: Timestamp?
    public var purchaseCount: Int64
    public var refundCount: Int64
    /// Spend per currency, sorted by currency code.
    public var spend: [CurrencySpend]
    public var feedbackCount: Int64
    /// The sum of all ratings, for the average.
    public var ratingTotal: Int64
    public var complaintCount: Int64
    public var points: PointsBalance
    /// Purchases and refunds that a tier window ending at or after `latestSpendAt` can still
    /// include, sorted by occurred-at. Amounts in other currencies than the program's count as 0
    /// at evaluation, but such purchases still count as purchases.
    var window: [SpendEntry]
    /// The later of the registration time and the latest occurred-at of any purchase or refund.
    var latestSpendAt: Timestamp
    /// The latest occurred-at of any of the customer's events. Points and tiers at this instant
    /// or later follow from the state alone.
    public internal(set) var latestEventAt: Timestamp
    /// ``OrderKey/fingerprint(_:)`` of every order id, in purchase order.
    var orderFingerprints: [UInt32]
    /// The points each order earned under the per-order scope, in the order of
    /// ``orderFingerprints``, which refunds reverse a share of. It ends at the last per-order
    /// purchase, so it stays empty, without an allocation, under the cumulative scope. -1 marks
    /// an order of a format 1 state, whose points were not kept.
    var orderPoints: [Int64]
    /// The lots in the order they were earned: those with points left, and those whose points
    /// a ``PointsExpired`` event wrote off, which a backdated event can still reach.
    public internal(set) var lots: [PointsLot]
    /// The number of the customer's newest lot.
    var nextLotNumber: UInt32
    /// Points that refunds took back after they were spent, which later earnings repay first.
    public internal(set) var pointsDebt: Int64
    /// 64-bit FNV-1a hashes of the keys of the rewards paid, so that none is paid twice.
    var rewardKeys: [UInt64]
    /// The tier set by hand, which is a floor until it ends.
    public internal(set) var tierAssignment: TierAssigned?
    /// Purchases, refunds and points that a lifetime window still counts after their entries
    /// left ``window``.
    var windowBase: WindowTotals

    /// Creates the state of a new customer, keeping the province and city of `profile`.
    init(
        customerID: CustomerID, registeredAt: Timestamp, profile: CustomerProfile, referrer: CustomerID?,
        personal: PersonalRecord? = nil
    ) {
        self.customerID = customerID
        version = 0
        lastPosition = 0
        self.registeredAt = registeredAt
        province = profile.province
        city = profile.city
        personalRecords = PersonalRecords()
        if let personal { personalRecords.append(personal) }
        resolved = nil
        erasedAt = nil
        self.referrer = referrer
        purchaseCount = 0
        refundCount = 0
        spend = []
        feedbackCount = 0
        ratingTotal = 0
        complaintCount = 0
        points = PointsBalance()
        window = []
        latestSpendAt = registeredAt
        latestEventAt = registeredAt
        orderFingerprints = []
        orderPoints = []
        lots = []
        nextLotNumber = 0
        pointsDebt = 0
        rewardKeys = []
        tierAssignment = nil
        windowBase = WindowTotals()
    }

    /// The customer's profile: province and city, with the personal fields that the read filled
    /// in as the master key and the role allow, which ``personalData`` describes.
    public var profile: CustomerProfile {
        var profile = resolved?.profile ?? CustomerProfile(name: "")
        profile.province = province
        profile.city = city
        return profile
    }

    /// Whether the personal fields of ``profile`` are shown, masked or withheld.
    public var personalData: PersonalDataStatus {
        resolved?.status ?? .withheld(.notRequested)
    }

    /// The average rating, or nil without feedback.
    public var averageRating: Double? {
        feedbackCount == 0 ? nil : Double(ratingTotal) / Double(feedbackCount)
    }

    /// Returns the spend in `currency`, or zero when the customer never used it.
    public func spend(in currency: Currency) -> CurrencySpend {
        spend.first { $0.currency == currency } ?? CurrencySpend(currency: currency)
    }

    mutating func addSpend(_ amount: Int64, refund: Bool, currency: Currency) {
        let index: Int
        if let found = spend.firstIndex(where: { $0.currency == currency }) {
            index = found
        } else {
            index = spend.firstIndex { $0.currency > currency } ?? spend.count
            spend.insert(CurrencySpend(currency: currency), at: index)
        }
        if refund { spend[index].refunded += amount } else { spend[index].gross += amount }
    }
}

/// Purchases and refunds of one customer in one currency, in minor units.
public struct CurrencySpend: Equatable, Sendable {
    public var currency: Currency
    public var gross: Int64 = 0
    public var refunded: Int64 = 0

    public init(currency: Currency, gross: Int64 = 0, refunded: Int64 = 0) {
        self.currency = currency
        self.gross = gross
        self.refunded = refunded
    }

    /// Purchases minus refunds.
    public var net: Int64 { gross - refunded }
}

/// A customer's loyalty points, split by source and use.
public struct PointsBalance: Equatable, Sendable {
    public var earned: Int64 = 0
    public var redeemed: Int64 = 0
    /// The net of manual adjustments, positive or negative.
    public var adjusted: Int64 = 0
    /// Points taken back because of refunds.
    public var reversed: Int64 = 0
    /// Points that ``PointsExpired`` events wrote off.
    public var expired: Int64 = 0
    /// Points that refunds should have taken back but could not, because they were spent and the
    /// program clamps the balance at zero.
    public var forgiven: Int64 = 0

    public init(
        earned: Int64 = 0, redeemed: Int64 = 0, adjusted: Int64 = 0, reversed: Int64 = 0, expired: Int64 = 0,
        forgiven: Int64 = 0
    ) {
        self.earned = earned
        self.redeemed = redeemed
        self.adjusted = adjusted
        self.reversed = reversed
        self.expired = expired
        self.forgiven = forgiven
    }

    /// The points held after the last event, pending ones included and expiry not yet written
    /// down. It is negative while refunds of spent points are being repaid.
    /// ``CustomerState/pointsStatement(asOf:)`` splits it by pending and expiry at an instant.
    public var balance: Int64 { earned - reversed - redeemed + adjusted - expired }
}

/// Net spend, purchases and points earned, added up over tier window entries.
struct WindowTotals: Equatable, Sendable {
    var netSpend: Int64 = 0
    var purchases: Int64 = 0
    var points: Int64 = 0

    /// Adds an entry, whose amount counts only when it is in `currency`.
    mutating func add(_ entry: SpendEntry, currency: Currency) {
        if entry.counts(in: currency) { netSpend += entry.amount }
        if entry.isPurchase { purchases += 1 }
        points += entry.points
    }
}

/// A purchase or refund as the tier window counts it.
struct SpendEntry: Equatable, Sendable {
    // The fields are ordered from widest to narrowest, so that an entry takes 32 bytes.
    var occurredAt: Timestamp
    /// Signed amount in minor units of `currency`: negative for refunds.
    var amount: Int64
    /// Points the event earned (negative for a refund's reversal), for tiers that count points.
    var points: Int64
    /// The packed code of the amount's currency, or 0 for an entry stored by format 1, whose
    /// amount is in the program currency of its time (0 for other currencies).
    var currencyCode: UInt32
    var isPurchase: Bool

    init(occurredAt: Timestamp, amount: Int64, isPurchase: Bool, points: Int64 = 0, currencyCode: UInt32 = 0) {
        self.occurredAt = occurredAt
        self.amount = amount
        self.points = points
        self.currencyCode = currencyCode
        self.isPurchase = isPurchase
    }

    /// True when the amount counts toward a program in `currency`, so that a program that changes
    /// currency does not count earlier spend in the old one.
    func counts(in currency: Currency) -> Bool { currencyCode == 0 || currencyCode == currency.packed }
}
