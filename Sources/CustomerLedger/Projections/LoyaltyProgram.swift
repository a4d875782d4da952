/// The rules that turn spend into points, tiers and rewards.
///
/// The default program earns 1 point per whole currency unit of each order's amount, rounded
/// down, with points available at once and never expiring, and ranks customers on the ordinary,
/// core and VIP ladder over the trailing 365 days. Multipliers are in thousandths: 1500 is 1.5×.
public struct LoyaltyProgram: Equatable, Sendable {
    /// The spend that is rounded to whole points: each order, or the customer's lifetime net spend.
    public enum EarningScope: UInt8, Sendable {
        /// Each order earns `round(amount / unit * pointsPerUnit * multipliers)` points, and
        /// refunds reverse a proportional share, rounded down.
        case perOrder = 1
        /// The customer's earned minus reversed points are `round(lifetime net spend / unit *
        /// pointsPerUnit)`, or 0 while net spend is negative, so fractions of different orders add up.
        case cumulative = 2
    }

    /// The rounding of fractional points to whole points.
    public enum Rounding: UInt8, Sendable, CaseIterable {
        case floor = 1
        /// Halves round up: 2.5 becomes 3.
        case halfUp = 2
        case ceiling = 3
    }

    /// When points that became available expire.
    public enum Expiry: Equatable, Sendable {
        case never
        /// At the same local time the given number of days after the points became available.
        case afterDays(Int64)
        /// At the first instant of the month after the one in which the points became available.
        case endOfMonth
        /// At the first instant of the year after the one in which the points became available.
        case endOfYear
    }

    /// The policy for a refund whose points were already spent.
    public enum RefundShortfall: UInt8, Sendable {
        /// The balance stops at zero and the rest is forgiven.
        case clampAtZero = 1
        /// The balance goes negative, and later earnings repay it first.
        case allowNegative = 2
    }

    /// The period whose spend, purchases and points count toward a tier.
    public enum TierWindow: Equatable, Sendable, CustomStringConvertible {
        /// `(instant - days, instant]`.
        case rollingDays(Int64)
        /// `(instant - months, instant]`, with months counted in the program's time zone.
        case rollingMonths(Int64)
        /// The calendar year of the instant in the program's time zone, up to the instant.
        case calendarYear
        /// Everything up to the instant.
        case lifetime

        /// The window in words, such as `the trailing 365 days`.
        public var description: String {
            switch self {
            case .rollingDays(let days): "the trailing \(days) day\(days == 1 ? "" : "s")"
            case .rollingMonths(let months): "the trailing \(months) month\(months == 1 ? "" : "s")"
            case .calendarYear: "the calendar year"
            case .lifetime: "the customer's lifetime"
            }
        }

        /// The length of a rolling window in days, or nil for other windows.
        public var days: Int64? {
            if case .rollingDays(let days) = self { return days }
            return nil
        }
    }

    /// The currency whose spend earns points and counts toward tiers. Other currencies are
    /// recorded in the customer's spend but earn nothing.
    public var currency: Currency
    /// The IANA time zone of day, month and year boundaries, such as `Asia/Shanghai`.
    public var timeZone: String {
        didSet { cachedCalendar = Self.calendar(named: timeZone) }
    }
    /// The calendar of ``timeZone``, made once, since looking a zone up is slow.
    private var cachedCalendar: ZonedCalendar
    /// Points earned per whole unit of `currency` (per yuan, per dollar).
    public var pointsPerUnit: Int64
    public var earningScope: EarningScope
    public var rounding: Rounding
    /// Orders below this amount, in minor units, earn no points.
    public var minimumOrderAmount: Int64
    /// Earning multipliers by SKU, in thousandths. A SKU's multiplier wins over its category's.
    public var skuMultipliers: [String: Int64]
    /// Earning multipliers by line item category, in thousandths.
    public var categoryMultipliers: [String: Int64]
    /// The maximum points one order earns, or nil for no cap.
    public var maximumPointsPerOrder: Int64?
    /// The maximum points a customer's orders earn in one local day, or nil for no cap.
    public var maximumPointsPerDay: Int64?
    /// Days in which a purchase's points are pending, the return window. 0 makes them available at once.
    public var pendingDays: Int64
    public var expiry: Expiry
    public var refundShortfall: RefundShortfall
    public var redemption: RedemptionRules
    /// The money value of points, for liability reports and the order-share limit of redemptions.
    public var pointValue: PointValue
    public var tierWindow: TierWindow
    /// Days a customer keeps a tier after last qualifying for it. Redemptions never lower a tier.
    public var downgradeGraceDays: Int64
    /// The tier ladder from lowest to highest. The first tier has no requirements.
    public var tiers: [TierRule]
    public var referral: ReferralReward?
    public var birthday: BirthdayReward?
    public var offers: [MemberOffer]

    public init(
        currency: Currency, pointsPerUnit: Int64 = 1, earningScope: EarningScope = .perOrder,
        tierWindowDays: Int64 = 365, tiers: [TierRule]? = nil
    ) {
        self.currency = currency
        timeZone = "UTC"
        cachedCalendar = Self.utc
        self.pointsPerUnit = pointsPerUnit
        self.earningScope = earningScope
        rounding = .floor
        minimumOrderAmount = 0
        skuMultipliers = [:]
        categoryMultipliers = [:]
        maximumPointsPerOrder = nil
        maximumPointsPerDay = nil
        pendingDays = 0
        expiry = .never
        refundShortfall = .allowNegative
        redemption = RedemptionRules()
        pointValue = PointValue(points: 100, minorUnits: 100)
        tierWindow = .rollingDays(tierWindowDays)
        downgradeGraceDays = 0
        self.tiers = tiers ?? LoyaltyProgram.defaultTiers(currency: currency)
        referral = nil
        birthday = nil
        offers = []
    }

    /// Returns the default ladder:
    /// - `ordinary`, with no requirements;
    /// - `core`, from 2 purchases and 100 units of net spend in the window;
    /// - `VIP`, from 4 purchases and 500 units of net spend in the window, and 180 days since registration.
    public static func defaultTiers(currency: Currency) -> [TierRule] {
        let unit = currency.minorUnitsPerUnit
        return [
            TierRule(name: "ordinary"),
            TierRule(name: "core", minimumNetSpend: 100 * unit, minimumPurchases: 2),
            TierRule(name: "VIP", minimumNetSpend: 500 * unit, minimumPurchases: 4, minimumTenureDays: 180),
        ]
    }

    /// The largest multiplier, in thousandths: 100×.
    public static let maximumMultiplier: Int64 = 100_000

    /// Checks that the program is usable and throws a ``LedgerError/invalidProgram(_:)`` naming the problem.
    public func validate() throws(LedgerError) {
        guard currency.isISO4217 else {
            throw .invalidProgram(
                "currency \(currency) is not an ISO 4217 code; use one such as CNY, USD, EUR or JPY")
        }
        do {
            _ = try ZonedCalendar(timeZone: timeZone)
        } catch {
            throw .invalidProgram("\(error)")
        }
        guard pointsPerUnit >= 0, pointsPerUnit <= 1000 else {
            throw .invalidProgram("points per unit must be between 0 and 1000, got \(pointsPerUnit)")
        }
        guard minimumOrderAmount >= 0, minimumOrderAmount <= ProjectionWorkspace.maximumAmount else {
            throw .invalidProgram("the minimum order amount must be between 0 and 10^15 minor units, got \(minimumOrderAmount)")
        }
        for (kind, table) in [("SKU", skuMultipliers), ("category", categoryMultipliers)] {
            for (key, multiplier) in table.sorted(by: { $0.key < $1.key }) {
                guard !key.isEmpty, key.utf8.count <= 256 else {
                    throw .invalidProgram("a \(kind) multiplier needs a \(kind) of 1 to 256 bytes")
                }
                guard (0...Self.maximumMultiplier).contains(multiplier) else {
                    throw .invalidProgram(
                        "the multiplier of \(kind) '\(key)' must be between 0 and \(Self.maximumMultiplier) thousandths, got \(multiplier)")
                }
            }
        }
        for (name, cap) in [("order", maximumPointsPerOrder), ("day", maximumPointsPerDay)] {
            if let cap, cap < 0 { throw .invalidProgram("the points cap per \(name) must not be negative, got \(cap)") }
        }
        if earningScope == .cumulative {
            let perOrderRules = !skuMultipliers.isEmpty || !categoryMultipliers.isEmpty || maximumPointsPerOrder != nil
                || maximumPointsPerDay != nil || minimumOrderAmount != 0 || tiers.contains { $0.multiplier != 1000 }
            guard !perOrderRules else {
                throw .invalidProgram(
                    "multipliers, caps and a minimum order amount need the per-order earning scope; the cumulative scope earns on lifetime net spend only")
            }
        }
        guard (0...3650).contains(pendingDays) else {
            throw .invalidProgram("pending days must be between 0 and 3650, got \(pendingDays)")
        }
        if case .afterDays(let days) = expiry, !(1...36_500).contains(days) {
            throw .invalidProgram("points must expire between 1 and 36500 days after they become available, got \(days)")
        }
        try redemption.validate()
        guard pointValue.points > 0, pointValue.minorUnits >= 0, pointValue.minorUnits <= 1_000_000_000 else {
            throw .invalidProgram("the point value needs a positive number of points and 0 to 10^9 minor units")
        }
        switch tierWindow {
        case .rollingDays(let days) where !(1...36_500).contains(days):
            throw .invalidProgram("the tier window must be between 1 and 36500 days, got \(days)")
        case .rollingMonths(let months) where !(1...1200).contains(months):
            throw .invalidProgram("the tier window must be between 1 and 1200 months, got \(months)")
        default: break
        }
        guard (0...3650).contains(downgradeGraceDays) else {
            throw .invalidProgram("the downgrade grace period must be between 0 and 3650 days, got \(downgradeGraceDays)")
        }
        try validateTiers()
        let rewardRange: ClosedRange<Int64> = 0...1_000_000_000_000
        if let referral, !rewardRange.contains(referral.referrerPoints) || !rewardRange.contains(referral.newCustomerPoints) {
            throw .invalidProgram(
                "referral rewards must be between 0 and 1000000000000 points, got \(referral.referrerPoints) and \(referral.newCustomerPoints)")
        }
        if let birthday, !rewardRange.contains(birthday.points) {
            throw .invalidProgram("the birthday reward must be between 0 and 1000000000000 points, got \(birthday.points)")
        }
        var offerIDs: Set<String> = []
        for offer in offers {
            guard !offer.id.isEmpty, offer.id.utf8.count <= 64 else { throw .invalidProgram("an offer needs an id of 1 to 64 bytes") }
            guard offerIDs.insert(offer.id).inserted else { throw .invalidProgram("offer id '\(offer.id)' is repeated") }
            guard rewardRange.contains(offer.points) else {
                throw .invalidProgram("offer '\(offer.id)' must cost between 0 and 1000000000000 points, got \(offer.points)")
            }
            for tier in offer.eligibleTiers where !tiers.contains(where: { $0.name == tier }) {
                throw .invalidProgram("offer '\(offer.id)' names tier '\(tier)', which is not on the ladder")
            }
        }
    }

    private func validateTiers() throws(LedgerError) {
        guard let base = tiers.first else { throw .invalidProgram("the tier ladder is empty; define at least one tier") }
        guard base.minimumNetSpend == 0, base.minimumPurchases == 0, base.minimumTenureDays == 0,
            base.minimumPointsEarned == 0
        else {
            throw .invalidProgram("the first tier '\(base.name)' must have no requirements")
        }
        var names: Set<String> = []
        for (index, tier) in tiers.enumerated() {
            let printable = tier.name.unicodeScalars.allSatisfy { scalar in
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: false
                default: true
                }
            }
            guard !tier.name.isEmpty, tier.name.utf8.count <= 64, printable,
                !tier.name.allSatisfy(\.isWhitespace)
            else {
                throw .invalidProgram(
                    "tier \(index + 1) needs a name of 1 to 64 bytes with a visible character and no control or format characters")
            }
            guard names.insert(tier.name.lowercased()).inserted else {
                throw .invalidProgram("tier name '\(tier.name)' is repeated (names differ in more than letter case)")
            }
            if index > 0 {
                let lower = tiers[index - 1]
                guard tier.minimumNetSpend >= lower.minimumNetSpend, tier.minimumPurchases >= lower.minimumPurchases,
                    tier.minimumTenureDays >= lower.minimumTenureDays, tier.minimumPointsEarned >= lower.minimumPointsEarned
                else {
                    throw .invalidProgram(
                        "tier '\(tier.name)' requires less than the tier below it, '\(lower.name)'; order the ladder from lowest to highest")
                }
                guard tier.minimumNetSpend > lower.minimumNetSpend || tier.minimumPurchases > lower.minimumPurchases
                    || tier.minimumTenureDays > lower.minimumTenureDays || tier.minimumPointsEarned > lower.minimumPointsEarned
                else {
                    throw .invalidProgram(
                        "tier '\(tier.name)' has the same requirements as '\(lower.name)', so no customer could hold the lower one; raise a requirement")
                }
            }
            guard tier.minimumNetSpend >= 0, tier.minimumPurchases >= 0, tier.minimumTenureDays >= 0,
                tier.minimumPointsEarned >= 0
            else {
                throw .invalidProgram("tier '\(tier.name)' has a negative requirement")
            }
            guard (0...Self.maximumMultiplier).contains(tier.multiplier) else {
                throw .invalidProgram(
                    "the multiplier of tier '\(tier.name)' must be between 0 and \(Self.maximumMultiplier) thousandths, got \(tier.multiplier)")
            }
        }
    }

    /// Returns the rule of the tier at `index` on the ladder.
    public func tier(at index: Int) -> TierRule { tiers[index] }

    /// Returns the index of the tier named `name`, or nil when the ladder has no such tier.
    public func tierIndex(named name: String) -> Int? { tiers.firstIndex { $0.name == name } }

    /// The calendar of the program's time zone. ``validate()`` rejects an unknown zone, and one
    /// in a stored program, which only another build could have written, falls back to UTC.
    var calendar: ZonedCalendar { cachedCalendar }

    private static let utc = try! ZonedCalendar(timeZone: "UTC")

    private static func calendar(named name: String) -> ZonedCalendar {
        (try? ZonedCalendar(timeZone: name)) ?? utc
    }
}

/// One rung of the tier ladder: a customer qualifies when every requirement is met.
public struct TierRule: Equatable, Sendable {
    public var name: String
    /// Net spend (purchases minus refunds) in the window, in minor units of the program currency.
    public var minimumNetSpend: Int64
    /// Purchases in the window.
    public var minimumPurchases: Int64
    /// Whole days from registration to the evaluation instant.
    public var minimumTenureDays: Int64
    /// Points earned in the window, before any redemption.
    public var minimumPointsEarned: Int64
    /// The earning multiplier of customers in this tier, in thousandths.
    public var multiplier: Int64

    public init(
        name: String, minimumNetSpend: Int64 = 0, minimumPurchases: Int64 = 0, minimumTenureDays: Int64 = 0,
        minimumPointsEarned: Int64 = 0, multiplier: Int64 = 1000
    ) {
        self.name = name
        self.minimumNetSpend = minimumNetSpend
        self.minimumPurchases = minimumPurchases
        self.minimumTenureDays = minimumTenureDays
        self.minimumPointsEarned = minimumPointsEarned
        self.multiplier = multiplier
    }
}

/// Limits on spending points.
public struct RedemptionRules: Equatable, Sendable {
    /// The minimum points one redemption may spend. Free offers of 0 points are always allowed.
    public var minimumPoints: Int64
    /// The largest share of the available balance one redemption may spend, in percent.
    public var maximumBalancePercent: Int64
    /// The largest share of an order's amount that a redemption against it may pay, in percent,
    /// valued with ``LoyaltyProgram/pointValue``.
    public var maximumOrderPercent: Int64

    public init(minimumPoints: Int64 = 0, maximumBalancePercent: Int64 = 100, maximumOrderPercent: Int64 = 100) {
        self.minimumPoints = minimumPoints
        self.maximumBalancePercent = maximumBalancePercent
        self.maximumOrderPercent = maximumOrderPercent
    }

    func validate() throws(LedgerError) {
        guard minimumPoints >= 0 else { throw .invalidProgram("the redemption minimum must not be negative, got \(minimumPoints)") }
        guard (1...100).contains(maximumBalancePercent) else {
            throw .invalidProgram("the largest share of the balance must be 1 to 100 percent, got \(maximumBalancePercent)")
        }
        guard (1...100).contains(maximumOrderPercent) else {
            throw .invalidProgram("the largest share of an order must be 1 to 100 percent, got \(maximumOrderPercent)")
        }
    }
}

/// The money value of points: `minorUnits` of the program currency per `points`.
public struct PointValue: Equatable, Sendable {
    public var points: Int64
    public var minorUnits: Int64

    public init(points: Int64, minorUnits: Int64) {
        self.points = points
        self.minorUnits = minorUnits
    }

    /// Returns the value of `count` points in minor units, rounded down, or `Int64.max` when it
    /// does not fit in `Int64`.
    public func value(of count: Int64) -> Int64 {
        ProjectionWorkspace.proportion(count, numerator: minorUnits, denominator: points)
    }

    /// Returns the value of `count` points in minor units, negative for a negative count, rounded
    /// toward zero. It saturates at `Int64.max` and at `-Int64.max`, the negation of
    /// ``value(of:)``'s bound.
    public func signedValue(of count: Int64) -> Int64 {
        guard count < 0 else { return value(of: count) }
        return -value(of: count == .min ? .max : -count)
    }
}

/// Points for both sides of a referral, paid once on the new customer's first purchase.
public struct ReferralReward: Equatable, Sendable {
    public var referrerPoints: Int64
    public var newCustomerPoints: Int64

    public init(referrerPoints: Int64, newCustomerPoints: Int64) {
        self.referrerPoints = referrerPoints
        self.newCustomerPoints = newCustomerPoints
    }
}

/// Points paid once a year for the customer's birthday.
public struct BirthdayReward: Equatable, Sendable {
    /// When in the year the reward is due.
    public enum Timing: UInt8, Sendable {
        /// From the start of the birthday, local time, to the end of that day.
        case onDay = 1
        /// From the start of the birthday's month to its end.
        case inMonth = 2
    }

    public var points: Int64
    public var timing: Timing
    /// The day that stands for 29 February in common years.
    public var leapDayInCommonYears: ZonedCalendar.LeapDayRule

    public init(points: Int64, timing: Timing = .onDay, leapDayInCommonYears: ZonedCalendar.LeapDayRule = .february28) {
        self.points = points
        self.timing = timing
        self.leapDayInCommonYears = leapDayInCommonYears
    }
}

/// A reward that members redeem with points, open to some tiers only.
public struct MemberOffer: Equatable, Sendable {
    /// The id that a ``PointsRedeemed`` event names as its reward.
    public var id: String
    public var name: String
    /// The points the offer costs. A redemption of the offer must spend exactly this many.
    public var points: Int64
    /// The tiers that may redeem it, or empty for every tier.
    public var eligibleTiers: [String]

    public init(id: String, name: String, points: Int64, eligibleTiers: [String] = []) {
        self.id = id
        self.name = name
        self.points = points
        self.eligibleTiers = eligibleTiers
    }
}
