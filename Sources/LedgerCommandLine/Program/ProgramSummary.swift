import CustomerLedger

/// The rules of a loyalty program in words, for `ledger program show`.
enum ProgramSummary {
    /// Returns one labelled line per rule. Lists, such as the tier ladder, continue on lines with
    /// an empty label.
    static func lines(_ program: LoyaltyProgram) -> [(String, String)] {
        earningLines(program) + balanceLines(program) + tierLines(program) + rewardLines(program)
    }

    private static func earningLines(_ program: LoyaltyProgram) -> [(String, String)] {
        let currency = program.currency
        var lines = [
            ("currency", "\(currency.code) (\(currency.minorUnitDigits) decimal\(currency.minorUnitDigits == 1 ? "" : "s"))"),
            ("time zone", program.timeZone),
            ("earning", earning(program)),
            ("minimum order", program.minimumOrderAmount == 0
                ? "none" : "orders below \(Formatting.money(program.minimumOrderAmount, currency)) earn nothing"),
        ]
        lines += list("multipliers", multipliers(program))

        var caps: [String] = []
        if let cap = program.maximumPointsPerOrder { caps.append("at most \(Formatting.count(cap, "point")) per order") }
        if let cap = program.maximumPointsPerDay { caps.append("at most \(Formatting.count(cap, "point")) per local day") }
        lines.append(("caps", caps.isEmpty ? "none" : caps.joined(separator: ", ")))
        return lines
    }

    /// Returns the lines on pending, expiring, refunded and redeemed points.
    private static func balanceLines(_ program: LoyaltyProgram) -> [(String, String)] {
        [
            ("pending", program.pendingDays == 0
                ? "none; points are available at once"
                : "points stay pending for \(Formatting.count(program.pendingDays, "day")) after the purchase"),
            ("expiry", expiry(program.expiry)),
            ("refunds", program.refundShortfall == .clampAtZero
                ? "when the points a refund takes back were spent, the balance stops at zero"
                : "when the points a refund takes back were spent, the balance goes negative and later earnings repay it"),
            ("redemption", redemption(program.redemption)),
            ("point value", "\(Formatting.count(program.pointValue.points, "point")) = "
                + Formatting.money(program.pointValue.minorUnits, program.currency)),
        ]
    }

    private static func tierLines(_ program: LoyaltyProgram) -> [(String, String)] {
        [
            ("tier window", "\(program.tierWindow)"),
            ("downgrade", program.downgradeGraceDays == 0
                ? "at once when a customer no longer qualifies"
                : "a customer keeps a tier for \(Formatting.count(program.downgradeGraceDays, "day")) after last qualifying"),
        ] + list("tiers", program.tiers.map { tier($0, currency: program.currency) })
    }

    private static func rewardLines(_ program: LoyaltyProgram) -> [(String, String)] {
        let referral = program.referral.map { referral in
            "\(Formatting.count(referral.referrerPoints, "point")) to the referrer and "
                + "\(Formatting.count(referral.newCustomerPoints, "point")) to the new customer, on the new customer's first purchase"
        }
        let offers = program.offers.map { offer in
            let tiers = offer.eligibleTiers.isEmpty ? "every tier" : offer.eligibleTiers.joined(separator: ", ")
            return "\(offer.id) \(JSONParser.quoted(offer.name)): \(Formatting.count(offer.points, "point")), for \(tiers)"
        }
        return [("referral", referral ?? "none"), ("birthday", program.birthday.map(birthday) ?? "none")]
            + list("offers", offers)
    }

    private static func list(_ label: String, _ items: [String]) -> [(String, String)] {
        guard let first = items.first else { return [(label, "none")] }
        return [(label, first)] + items.dropFirst().map { ("", $0) }
    }

    private static func earning(_ program: LoyaltyProgram) -> String {
        let rounding =
            switch program.rounding {
            case .floor: "rounded down"
            case .halfUp: "rounded half up"
            case .ceiling: "rounded up"
            }
        let points = Formatting.count(program.pointsPerUnit, "point")
        switch program.earningScope {
        case .perOrder:
            return "\(points) per whole \(program.currency.code) of each order, \(rounding) per order"
        case .cumulative:
            return "\(points) per whole \(program.currency.code) of the customer's lifetime net spend, \(rounding)"
        }
    }

    private static func multipliers(_ program: LoyaltyProgram) -> [String] {
        let skus = program.skuMultipliers.sorted { $0.key < $1.key }.map {
            "SKU \($0.key) ×\(ProgramDocument.multiplierText($0.value))"
        }
        let categories = program.categoryMultipliers.sorted { $0.key < $1.key }.map {
            "category \($0.key) ×\(ProgramDocument.multiplierText($0.value))"
        }
        return skus + categories
    }

    private static func expiry(_ expiry: LoyaltyProgram.Expiry) -> String {
        switch expiry {
        case .never: "never"
        case .afterDays(let days): "\(Formatting.count(days, "day")) after the points become available"
        case .endOfMonth: "at the end of the month in which the points become available"
        case .endOfYear: "at the end of the year in which the points become available"
        }
    }

    private static func redemption(_ rules: RedemptionRules) -> String {
        let minimum = rules.minimumPoints == 0
            ? "any number of points" : "at least \(Formatting.count(rules.minimumPoints, "point"))"
        return "\(minimum) per redemption, at most \(rules.maximumBalancePercent)% of the available balance, "
            + "paying at most \(rules.maximumOrderPercent)% of an order's amount"
    }

    private static func tier(_ tier: TierRule, currency: Currency) -> String {
        var requirements: [String] = []
        if tier.minimumNetSpend > 0 { requirements.append("net spend ≥ \(Formatting.money(tier.minimumNetSpend, currency))") }
        if tier.minimumPurchases > 0 { requirements.append("≥ \(Formatting.count(tier.minimumPurchases, "purchase"))") }
        if tier.minimumTenureDays > 0 { requirements.append("tenure ≥ \(Formatting.count(tier.minimumTenureDays, "day"))") }
        if tier.minimumPointsEarned > 0 {
            requirements.append("≥ \(Formatting.count(tier.minimumPointsEarned, "point")) earned")
        }
        let conditions = requirements.isEmpty ? "no requirements" : requirements.joined(separator: ", ")
        return "\(tier.name): \(conditions); earns ×\(ProgramDocument.multiplierText(tier.multiplier))"
    }

    private static func birthday(_ reward: BirthdayReward) -> String {
        let timing = reward.timing == .onDay ? "on the birthday" : "in the birthday's month"
        let leapDay = reward.leapDayInCommonYears == .february28 ? "28 February" : "1 March"
        return "\(Formatting.count(reward.points, "point")) \(timing), once a year; "
            + "a 29 February birthday falls on \(leapDay) in common years"
    }
}
