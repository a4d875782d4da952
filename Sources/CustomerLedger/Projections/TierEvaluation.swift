/// A customer's tier as of an instant, with the figures that decided it.
public struct TierEvaluation: Equatable, Sendable {
    /// The index of the tier on the program's ladder.
    public var tierIndex: Int
    public var tierName: String
    public var asOf: Timestamp
    /// Net spend in the window, in minor units of the program currency.
    public var windowNetSpend: Int64
    public var windowPurchases: Int64
    public var tenureDays: Int64
    /// The figures still missing for the next tier up, or nil at the top of the ladder.
    public var nextTier: NextTierGap?
}

/// The figures a customer still lacks for the next tier.
public struct NextTierGap: Equatable, Sendable {
    public var tierName: String
    public var netSpendNeeded: Int64
    public var purchasesNeeded: Int64
    public var tenureDaysNeeded: Int64
}

extension LoyaltyProgram {
    /// Ranks `state` on the ladder as of `instant`, from the spend entries inside the window
    /// `(instant - tierWindowDays, instant]`.
    ///
    /// The result is exact when `instant` is at or after the customer's latest purchase or refund.
    /// For earlier instants, ``Ledger/tier(of:asOf:)`` refolds the customer's events instead.
    func evaluateTier(_ state: CustomerState, asOf instant: Timestamp) -> TierEvaluation {
        let windowStart = instant.adding(days: -tierWindowDays)
        var net: Int64 = 0
        var purchases: Int64 = 0
        for entry in state.window where entry.occurredAt > windowStart && entry.occurredAt <= instant {
            net += entry.amount
            if entry.isPurchase { purchases += 1 }
        }

        let (elapsed, overflow) = instant.microseconds.subtractingReportingOverflow(state.registeredAt.microseconds)
        let tenure = overflow ? (instant > state.registeredAt ? Int64.max / Timestamp.microsecondsPerDay : 0)
            : max(0, elapsed / Timestamp.microsecondsPerDay)
        var index = 0
        for (candidate, rule) in tiers.enumerated().dropFirst()
        where net >= rule.minimumNetSpend && purchases >= rule.minimumPurchases && tenure >= rule.minimumTenureDays {
            index = candidate
        }

        var gap: NextTierGap?
        if index + 1 < tiers.count {
            let next = tiers[index + 1]
            gap = NextTierGap(
                tierName: next.name, netSpendNeeded: max(0, next.minimumNetSpend - net),
                purchasesNeeded: max(0, next.minimumPurchases - purchases),
                tenureDaysNeeded: max(0, next.minimumTenureDays - tenure))
        }
        return TierEvaluation(
            tierIndex: index, tierName: tiers[index].name, asOf: instant, windowNetSpend: net,
            windowPurchases: purchases, tenureDays: tenure, nextTier: gap)
    }
}
