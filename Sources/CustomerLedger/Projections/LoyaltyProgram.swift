/// The rules that turn spend into points and tiers.
///
/// The default program earns 1 point per whole currency unit of each order's net amount and
/// ranks customers on the ordinary, core and VIP ladder over the trailing 365 days.
public struct LoyaltyProgram: Equatable, Sendable {
    /// The spend that is rounded down to whole points: each order, or the customer's lifetime net spend.
    public enum EarningScope: UInt8, Sendable {
        /// Each order earns `floor(amount / unit) * pointsPerUnit` points, and refunds reverse a
        /// proportional share, rounded down.
        case perOrder = 1
        /// The customer's earned minus reversed points are `floor(lifetime net spend / unit) *
        /// pointsPerUnit`, or 0 while net spend is negative, so fractions of different orders add up.
        case cumulative = 2
    }

    /// The currency whose spend earns points and counts toward tiers. Other currencies are
    /// recorded in the customer's spend but earn nothing.
    public var currency: Currency
    /// Points earned per whole unit of `currency` (per yuan, per dollar).
    public var pointsPerUnit: Int64
    public var earningScope: EarningScope
    /// The length of the trailing window that tier requirements are measured over, in days.
    public var tierWindowDays: Int64
    /// The tier ladder from lowest to highest. The first tier has no requirements.
    public var tiers: [TierRule]

    public init(
        currency: Currency, pointsPerUnit: Int64 = 1, earningScope: EarningScope = .perOrder,
        tierWindowDays: Int64 = 365, tiers: [TierRule]? = nil
    ) {
        self.currency = currency
        self.pointsPerUnit = pointsPerUnit
        self.earningScope = earningScope
        self.tierWindowDays = tierWindowDays
        self.tiers = tiers ?? LoyaltyProgram.defaultTiers(currency: currency)
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

    /// Checks that the program is usable and throws a ``LedgerError/invalidProgram(_:)`` naming the problem.
    public func validate() throws(LedgerError) {
        guard pointsPerUnit >= 0, pointsPerUnit <= 1000 else {
            throw .invalidProgram("points per unit must be between 0 and 1000, got \(pointsPerUnit)")
        }
        guard tierWindowDays >= 1, tierWindowDays <= 36_500 else {
            throw .invalidProgram("the tier window must be between 1 and 36500 days, got \(tierWindowDays)")
        }
        guard let base = tiers.first else { throw .invalidProgram("the tier ladder is empty; define at least one tier") }
        guard base.minimumNetSpend == 0, base.minimumPurchases == 0, base.minimumTenureDays == 0 else {
            throw .invalidProgram("the first tier '\(base.name)' must have no requirements")
        }
        var names: Set<String> = []
        for (index, tier) in tiers.enumerated() {
            guard !tier.name.isEmpty, tier.name.utf8.count <= 64, !tier.name.utf8.contains(0) else {
                throw .invalidProgram("tier \(index + 1) needs a name of 1 to 64 bytes without NUL")
            }
            guard names.insert(tier.name).inserted else { throw .invalidProgram("tier name '\(tier.name)' is repeated") }
            guard tier.minimumNetSpend >= 0, tier.minimumPurchases >= 0, tier.minimumTenureDays >= 0 else {
                throw .invalidProgram("tier '\(tier.name)' has a negative requirement")
            }
        }
    }

    /// Returns the rule of the tier at `index` on the ladder.
    public func tier(at index: Int) -> TierRule { tiers[index] }
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

    public init(name: String, minimumNetSpend: Int64 = 0, minimumPurchases: Int64 = 0, minimumTenureDays: Int64 = 0) {
        self.name = name
        self.minimumNetSpend = minimumNetSpend
        self.minimumPurchases = minimumPurchases
        self.minimumTenureDays = minimumTenureDays
    }
}
