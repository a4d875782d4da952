extension LoyaltyProgram {
    /// Returns `numerator / denominator` rounded to a whole number by `rounding`. The
    /// denominator is positive.
    static func rounded(_ numerator: Int128, dividedBy denominator: Int128, _ rounding: Rounding) -> Int64 {
        var quotient = numerator / denominator
        let remainder = numerator % denominator
        if remainder != 0 {
            switch rounding {
            case .floor:
                if remainder < 0 { quotient -= 1 }
            case .ceiling:
                if remainder > 0 { quotient += 1 }
            case .halfUp:
                if remainder > 0 && remainder * 2 >= denominator { quotient += 1 }
                if remainder < 0 && -remainder * 2 > denominator { quotient -= 1 }
            }
        }
        return Int64(clamping: quotient)
    }

    /// Returns the points a purchase earns under the per-order scope, given the customer's state
    /// before it.
    ///
    /// The amount is weighted by the line items' SKU or category multipliers, in proportion to
    /// each line's share of the lines' total, and by the multiplier of the customer's tier before
    /// the purchase. Then it is rounded, and capped per order and per local day.
    func pointsForOrder(_ amount: Money, lineItems: [FoldLineItem], state: CustomerState, at instant: Timestamp)
        -> Int64
    {
        guard amount.currency == currency, amount.minorUnits >= minimumOrderAmount, amount.minorUnits > 0 else { return 0 }
        // In millionths: the line items' average multiplier, rounded down to a millionth.
        let orderMultiplier = Int128(weightedMultiplier(of: lineItems))
        var tierMultiplier: Int128 = 1000
        if tiers.contains(where: { $0.multiplier != 1000 }) {
            tierMultiplier = Int128(tiers[evaluateTier(state, asOf: instant).tierIndex].multiplier)
        }
        // At most 10^15 × 1000 × 10^8 × 10^5 = 10^31, far inside Int128.
        var points = Self.rounded(
            Int128(amount.minorUnits) * Int128(pointsPerUnit) * orderMultiplier * tierMultiplier,
            dividedBy: Int128(currency.minorUnitsPerUnit) * 1_000_000_000, rounding)
        if let cap = maximumPointsPerOrder { points = min(points, cap) }
        if let cap = maximumPointsPerDay {
            // The day's earlier purchases come from the tier window entries, so a purchase
            // recorded late counts against its own day.
            // NOTE: a purchase dated further back than the entries kept (the tier window plus
            // the grace period) is capped against the purchases still kept for its day.
            let day = calendar.localDate(of: instant)
            var earnedThatDay: Int64 = 0
            for entry in state.window where entry.isPurchase && calendar.localDate(of: entry.occurredAt) == day {
                earnedThatDay += entry.points
            }
            points = max(0, min(points, cap - earnedThatDay))
        }
        return points
    }

    /// Returns the average multiplier of the line items, in millionths, weighted by each line's
    /// amount and rounded down. Without multipliers or line amounts it is 1,000,000.
    func weightedMultiplier(of lineItems: [FoldLineItem]) -> Int64 {
        guard !skuMultipliers.isEmpty || !categoryMultipliers.isEmpty else { return 1_000_000 }
        var total: Int128 = 0
        var weighted: Int128 = 0
        for item in lineItems where item.amount > 0 {
            let multiplier = skuMultipliers[item.sku] ?? categoryMultipliers[item.category] ?? 1000
            total += Int128(item.amount)
            weighted += Int128(item.amount) * Int128(multiplier)
        }
        guard total > 0 else { return 1_000_000 }
        return Int64(clamping: weighted * 1000 / total)
    }

    /// Returns the instant at which points earned at `instant` stop being pending.
    func availability(ofPointsEarnedAt instant: Timestamp) -> Timestamp {
        pendingDays == 0 ? instant : calendar.adding(days: pendingDays, to: instant)
    }

    /// Returns the instant at which points that became available at `instant` expire, or nil.
    func expiry(ofPointsAvailableAt instant: Timestamp) -> Timestamp? {
        switch expiry {
        case .never: nil
        case .afterDays(let days): calendar.adding(days: days, to: instant)
        case .endOfMonth: calendar.startOfNextMonth(after: instant)
        case .endOfYear: calendar.startOfNextYear(after: instant)
        }
    }

    /// Days of spend entries that tier evaluations at or after the latest spend can still need:
    /// the window's longest span plus the downgrade grace period.
    var windowRetentionDays: Int64 {
        let span: Int64 =
            switch tierWindow {
            case .rollingDays(let days): days
            case .rollingMonths(let months): months * 31
            case .calendarYear: 366
            case .lifetime: 0
            }
        return span + downgradeGraceDays
    }
}

/// A purchase's line, as earning rules weigh it.
struct FoldLineItem: Equatable, Sendable {
    var sku: String
    var category: String
    /// Quantity times unit price, in minor units.
    var amount: Int64
}
