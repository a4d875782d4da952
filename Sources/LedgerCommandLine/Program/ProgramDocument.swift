import CustomerLedger

/// The JSON form of a loyalty program, as `ledger program set` reads it and `program show --json`
/// writes it.
///
/// Keys are snake_case, and every key is optional except `currency`. An omitted key takes the
/// value of `LoyaltyProgram(currency:)`. Money amounts are decimal strings in the program
/// currency, such as `"5000.00"`, read exactly into minor units. Multipliers are decimal strings
/// or integers with at most three decimals, such as `"1.5"` or `2`, stored in thousandths.
/// ``json(_:)`` writes every key, so `parse(text of json(program)) == program`.
enum ProgramDocument {
    static let topLevelKeys = [
        "currency", "time_zone", "earning", "pending_days", "expiry", "refunds", "redemption", "point_value", "tiers",
        "rewards",
    ]
    static let earningKeys = [
        "points_per_unit", "scope", "rounding", "minimum_order_amount", "multipliers", "max_points_per_order",
        "max_points_per_day",
    ]
    static let tierRuleKeys = [
        "name", "min_net_spend", "min_purchases", "min_tenure_days", "min_points_earned", "multiplier",
    ]

    // The ranges that `LoyaltyProgram.validate()` accepts, repeated here so that the parser
    // rejects a value outside them with its JSON path and the range. ProgramDocumentTests
    // checks each one against `validate()`.
    static let pointsPerUnitRange: ClosedRange<Int64> = 0...1000
    /// Pending days and downgrade grace days.
    static let periodDaysRange: ClosedRange<Int64> = 0...3650
    /// Days of `after-days` expiry and of a `rolling-days` tier window.
    static let longPeriodDaysRange: ClosedRange<Int64> = 1...36_500
    static let windowMonthsRange: ClosedRange<Int64> = 1...1200
    static let percentRange: ClosedRange<Int64> = 1...100
    static let positiveRange: ClosedRange<Int64> = 1...Int64.max
    static let nonNegativeRange: ClosedRange<Int64> = 0...Int64.max
    /// The largest minimum order amount in minor units, the largest amount of one purchase.
    static let maximumMinimumOrderAmount: Int64 = 1_000_000_000_000_000
    /// The largest money value of `point_value.points` points, in minor units.
    static let maximumPointValueAmount: Int64 = 1_000_000_000

    static let scopes: [(String, LoyaltyProgram.EarningScope)] = [("per-order", .perOrder), ("cumulative", .cumulative)]
    static let roundings: [(String, LoyaltyProgram.Rounding)] = [
        ("floor", .floor), ("half-up", .halfUp), ("ceiling", .ceiling),
    ]
    static let refundShortfalls: [(String, LoyaltyProgram.RefundShortfall)] = [
        ("clamp-at-zero", .clampAtZero), ("allow-negative", .allowNegative),
    ]
    static let birthdayTimings: [(String, BirthdayReward.Timing)] = [("on-day", .onDay), ("in-month", .inMonth)]
    static let leapDayRules: [(String, ZonedCalendar.LeapDayRule)] = [
        ("february-28", .february28), ("march-1", .march1),
    ]

    // MARK: Writing

    /// Returns the complete document of `program`, with every key in a fixed order.
    static func json(_ program: LoyaltyProgram) -> JSONValue {
        let currency = program.currency
        return .object([
            ("currency", .string(currency.code)),
            ("time_zone", .string(program.timeZone)),
            ("earning", .object([
                ("points_per_unit", JSONValue(program.pointsPerUnit)),
                ("scope", .string(name(of: program.earningScope, in: scopes))),
                ("rounding", .string(name(of: program.rounding, in: roundings))),
                ("minimum_order_amount", amount(program.minimumOrderAmount, currency)),
                ("multipliers", .object([
                    ("sku", multiplierTable(program.skuMultipliers)),
                    ("category", multiplierTable(program.categoryMultipliers)),
                ])),
                ("max_points_per_order", program.maximumPointsPerOrder.map { JSONValue($0) } ?? .null),
                ("max_points_per_day", program.maximumPointsPerDay.map { JSONValue($0) } ?? .null),
            ])),
            ("pending_days", JSONValue(program.pendingDays)),
            ("expiry", json(program.expiry)),
            ("refunds", .object([("when_points_spent", .string(name(of: program.refundShortfall, in: refundShortfalls)))])),
            ("redemption", .object([
                ("minimum_points", JSONValue(program.redemption.minimumPoints)),
                ("max_balance_percent", JSONValue(program.redemption.maximumBalancePercent)),
                ("max_order_percent", JSONValue(program.redemption.maximumOrderPercent)),
            ])),
            ("point_value", .object([
                ("points", JSONValue(program.pointValue.points)),
                ("amount", amount(program.pointValue.minorUnits, currency)),
            ])),
            ("tiers", .object([
                ("window", json(program.tierWindow)),
                ("downgrade_grace_days", JSONValue(program.downgradeGraceDays)),
                ("ladder", .array(program.tiers.map { json($0, currency: currency) })),
            ])),
            ("rewards", .object([
                ("referral", program.referral.map { referral in
                    .object([
                        ("referrer_points", JSONValue(referral.referrerPoints)),
                        ("new_customer_points", JSONValue(referral.newCustomerPoints)),
                    ])
                } ?? .null),
                ("birthday", program.birthday.map { birthday in
                    .object([
                        ("points", JSONValue(birthday.points)),
                        ("timing", .string(name(of: birthday.timing, in: birthdayTimings))),
                        ("leap_day_in_common_years", .string(name(of: birthday.leapDayInCommonYears, in: leapDayRules))),
                    ])
                } ?? .null),
                ("offers", .array(program.offers.map { offer in
                    .object([
                        ("id", .string(offer.id)), ("name", .string(offer.name)), ("points", JSONValue(offer.points)),
                        ("eligible_tiers", .array(offer.eligibleTiers.map { .string($0) })),
                    ])
                })),
            ])),
        ])
    }

    static func json(_ expiry: LoyaltyProgram.Expiry) -> JSONValue {
        switch expiry {
        case .never: "never"
        case .endOfMonth: "end-of-month"
        case .endOfYear: "end-of-year"
        case .afterDays(let days): ["kind": "after-days", "days": JSONValue(days)]
        }
    }

    static func json(_ window: LoyaltyProgram.TierWindow) -> JSONValue {
        switch window {
        case .calendarYear: "calendar-year"
        case .lifetime: "lifetime"
        case .rollingDays(let days): ["kind": "rolling-days", "days": JSONValue(days)]
        case .rollingMonths(let months): ["kind": "rolling-months", "months": JSONValue(months)]
        }
    }

    static func json(_ tier: TierRule, currency: Currency) -> JSONValue {
        .object([
            ("name", .string(tier.name)),
            ("min_net_spend", amount(tier.minimumNetSpend, currency)),
            ("min_purchases", JSONValue(tier.minimumPurchases)),
            ("min_tenure_days", JSONValue(tier.minimumTenureDays)),
            ("min_points_earned", JSONValue(tier.minimumPointsEarned)),
            ("multiplier", .string(multiplierText(tier.multiplier))),
        ])
    }

    static func amount(_ minorUnits: Int64, _ currency: Currency) -> JSONValue {
        .string(Money(minorUnits: minorUnits, currency: currency).decimalText)
    }

    /// Formats thousandths as a decimal without trailing zeros: 1500 as `1.5`, 2000 as `2`, 5 as `0.005`.
    static func multiplierText(_ thousandths: Int64) -> String {
        let magnitude = thousandths.magnitude
        var text = (thousandths < 0 ? "-" : "") + String(magnitude / 1000)
        var fraction = String(magnitude % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if !fraction.isEmpty { text += "." + fraction }
        return text
    }

    private static func multiplierTable(_ table: [String: Int64]) -> JSONValue {
        .object(table.sorted { $0.key < $1.key }.map { ($0.key, .string(multiplierText($0.value))) })
    }

    static func name<Value: Equatable>(of value: Value, in names: [(String, Value)]) -> String {
        names.first { $0.1 == value }!.0
    }
}
