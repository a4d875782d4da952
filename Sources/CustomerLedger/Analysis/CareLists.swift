/// A customer whose birthday falls within the days a birthday list covers.
public struct UpcomingBirthday: Equatable, Sendable {
    /// The customer's current state, with personal data as the key and the role allow.
    public var customer: CustomerState
    public var birthday: CivilDate
    /// The date the birthday falls on next, from the list's first day on.
    public var occurrence: CivilDate
    /// Local days from the list's first day to ``occurrence``: 0 for a birthday that day.
    public var daysUntil: Int
    /// The age the customer reaches on ``occurrence``.
    public var age: Int
}

/// A customer without a purchase for a number of days, for a win-back campaign.
public struct DormantCustomer: Equatable, Sendable {
    public var customerID: CustomerID
    public var lastPurchaseAt: Timestamp
    /// Local calendar days from the day of the last purchase to the day of the list's instant.
    public var daysSinceLastPurchase: Int64
    public var purchases: Int64
    /// Purchases minus refunds up to the list's instant, in minor units of the list's currency.
    public var netSpend: Int64
}

/// The dormant customers as of an instant, most valuable first.
public struct DormantList: Equatable, Sendable {
    public var asOf: Timestamp
    /// Customers whose last purchase occurred at or before this instant are dormant.
    public var cutoff: Timestamp
    public var currency: Currency
    /// The number of dormant customers, of which ``customers`` lists the first ones.
    public var total: Int
    /// The dormant customers by net spend, highest first, then by customer id.
    public var customers: [DormantCustomer]
}

/// A customer below the top tier and what they still need for the next one.
public struct NearTierCustomer: Equatable, Sendable {
    public var customerID: CustomerID
    public var tier: TierEvaluation
    public var gap: NextTierGap
    /// The largest share of one requirement of the next tier still missing, in thousandths
    /// rounded up: 250 when the customer has three quarters of the net spend and meets the rest.
    public var remainingPerMille: Int
}

/// A customer with points that expire within the days an expiry list covers.
public struct ExpiringPointsCustomer: Equatable, Sendable {
    public var customerID: CustomerID
    /// The points that expire in the period.
    public var points: Int64
    /// The first instant in the period at which some of them expire.
    public var firstExpiry: Timestamp
    /// The customer's available points at the list's instant.
    public var available: Int64
}

/// The points that expire within a number of days after an instant.
public struct ExpiringPointsList: Equatable, Sendable {
    public var asOf: Timestamp
    /// The end of the period, inclusive: the same local time the given number of days later.
    public var until: Timestamp
    public var totalPoints: Int64
    /// The customers by points expiring, most first, then by first expiry and customer id.
    public var customers: [ExpiringPointsCustomer]
}

extension Ledger {
    /// Lists the customers registered by `instant` whose birthday falls on one of the `days`
    /// local days that start with the day of `instant`, soonest first, then by customer id.
    ///
    /// A 29 February birthday falls on 28 February or 1 March in a common year, as the birthday
    /// reward of the program in force at `instant` sets (``BirthdayReward/leapDayInCommonYears``),
    /// and on 28 February when that program has no birthday reward. Birthdays come from the
    /// customers' current profiles. Erased customers and customers without a birthday are left out.
    /// - throws: ``PrivacyError/masterKeyRequired(_:)`` for an encrypted ledger opened without
    ///   the master key, and ``PrivacyError/roleNotAllowed(role:operation:)`` for the analyst role,
    ///   because birthdays are personal data.
    /// - Complexity: O(C) for C customers, each decrypted.
    @available(*, noasync)
    public func upcomingBirthdays(asOf instant: Timestamp, days: Int) throws -> [UpcomingBirthday] {
        precondition(days >= 1, "a birthday list covers 1 day or more, got \(days)")
        if role == .analyst { throw PrivacyError.roleNotAllowed(role: role, operation: "listing birthdays") }
        if isEncrypted && masterKey == nil { throw PrivacyError.masterKeyRequired("listing birthdays") }
        return try environment.read { txn in
            let program = try schema.timeline(txn).program(at: instant)
            let rule = program.birthday?.leapDayInCommonYears ?? .february28
            let today = program.calendar.localDate(of: instant)
            let reader = personalReader(txn)
            var list: [UpcomingBirthday] = []
            try forEachStoredState(txn) { stored in
                guard stored.registeredAt <= instant, stored.erasedAt == nil else { return }
                let state = try resolved(stored, reader)
                guard let birthday = state.profile.birthday else { return }
                // The next occurrence is this year's, or next year's once this year's has passed.
                for year in [today.year, today.year + 1] {
                    guard let occurrence = ZonedCalendar.birthdayOccurrence(of: birthday, in: year, leapDayInCommonYears: rule),
                        occurrence >= today
                    else { continue }
                    let daysUntil = Int(occurrence.daysSinceEpoch - today.daysSinceEpoch)
                    if daysUntil < days {
                        list.append(
                            UpcomingBirthday(
                                customer: state, birthday: birthday, occurrence: occurrence, daysUntil: daysUntil,
                                age: occurrence.year - birthday.year))
                    }
                    break
                }
            }
            list.sort { $0.daysUntil != $1.daysUntil ? $0.daysUntil < $1.daysUntil : $0.customer.customerID < $1.customer.customerID }
            return list
        }
    }

    /// Lists the customers with a purchase at or before `instant` but none in the `days` days
    /// before it: their last purchase occurred at or before the same local time `days` days
    /// earlier. They are ranked by net spend up to `instant`, highest first, for win-back.
    /// - parameter limit: the number of customers to list, 1 or more; ``DormantList/total``
    ///   counts them all.
    /// - Complexity: O(N + C log C) for N events and C customers: one scan of the log.
    @available(*, noasync)
    public func dormantCustomers(asOf instant: Timestamp, days: Int, limit: Int) throws -> DormantList {
        precondition(days >= 1 && limit >= 1, "days and limit must be 1 or more, got \(days) and \(limit)")
        let snapshot = try environment.read { txn in try activitySnapshot(txn, asOf: instant) }
        let calendar = snapshot.calendar
        let cutoff = calendar.adding(days: -Int64(days), to: instant)
        var dormant: [DormantCustomer] = []
        for (id, activity) in snapshot.customers {
            guard let last = activity.lastPurchaseAt, last <= cutoff else { continue }
            dormant.append(
                DormantCustomer(
                    customerID: id, lastPurchaseAt: last, daysSinceLastPurchase: calendar.daysBetween(last, instant),
                    purchases: activity.purchases, netSpend: activity.netSpend))
        }
        dormant.sort { $0.netSpend != $1.netSpend ? $0.netSpend > $1.netSpend : $0.customerID < $1.customerID }
        return DormantList(
            asOf: instant, cutoff: cutoff, currency: snapshot.currency, total: dormant.count,
            customers: Array(dormant.prefix(limit)))
    }

    /// Lists the customers registered by `instant` below the top tier, closest to their next
    /// tier first, with what they still need for it (``TierEvaluation/nextTier``).
    ///
    /// Closeness is ``NearTierCustomer/remainingPerMille``, the largest share of one requirement
    /// still missing; ties go to the smaller net spend needed, then to the lower customer id.
    /// - parameter limit: the number of customers to list, 1 or more.
    /// - Complexity: O(C log C) for C customers, plus a refold of each customer with events after `instant`.
    @available(*, noasync)
    public func customersNearNextTier(asOf instant: Timestamp, limit: Int) throws -> [NearTierCustomer] {
        precondition(limit >= 1, "the limit must be 1 or more, got \(limit)")
        return try environment.read { txn in
            let timeline = try schema.timeline(txn)
            let program = timeline.program(at: instant)
            var near: [NearTierCustomer] = []
            try forEachStoredState(txn) { stored in
                guard let tier = try evaluateTier(txn, state: stored, timeline: timeline, asOf: instant),
                    let gap = tier.nextTier, tier.tierIndex + 1 < program.tiers.count
                else { return }
                let next = program.tiers[tier.tierIndex + 1]
                let remaining = [
                    Self.perMille(gap.netSpendNeeded, of: next.minimumNetSpend),
                    Self.perMille(gap.purchasesNeeded, of: next.minimumPurchases),
                    Self.perMille(gap.tenureDaysNeeded, of: next.minimumTenureDays),
                    Self.perMille(gap.pointsNeeded, of: next.minimumPointsEarned),
                ].max()!
                near.append(NearTierCustomer(customerID: stored.customerID, tier: tier, gap: gap, remainingPerMille: remaining))
            }
            near.sort { left, right in
                if left.remainingPerMille != right.remainingPerMille { return left.remainingPerMille < right.remainingPerMille }
                if left.gap.netSpendNeeded != right.gap.netSpendNeeded { return left.gap.netSpendNeeded < right.gap.netSpendNeeded }
                return left.customerID < right.customerID
            }
            return Array(near.prefix(limit))
        }
    }

    /// Returns `needed / required` in thousandths, rounded up, or 0 when nothing is required.
    private static func perMille(_ needed: Int64, of required: Int64) -> Int {
        guard required > 0, needed > 0 else { return 0 }
        let share = min(needed, required).multipliedFullWidth(by: 1000)
        let (quotient, remainder) = required.dividingFullWidth(share)
        return Int(quotient) + (remainder > 0 ? 1 : 0)
    }

    /// Lists the customers with points that expire after `instant` and at or before the same
    /// local time `days` days later, with the expiry applied as ``points(of:asOf:)`` applies it.
    /// - Complexity: O(C log C) for C customers, plus a refold of each customer with events after `instant`.
    @available(*, noasync)
    public func expiringPoints(asOf instant: Timestamp, days: Int) throws -> ExpiringPointsList {
        precondition(days >= 1, "an expiry list covers 1 day or more, got \(days)")
        return try environment.read { txn in
            let timeline = try schema.timeline(txn)
            let until = timeline.program(at: instant).calendar.adding(days: Int64(days), to: instant)
            var list = ExpiringPointsList(asOf: instant, until: until, totalPoints: 0, customers: [])
            try forEachStoredState(txn) { stored in
                guard let state = try stateAsOf(txn, state: stored, timeline: timeline, instant: instant) else { return }
                let statement = state.pointsStatement(asOf: instant)
                let due = statement.expiring.filter { $0.expiresAt > instant && $0.expiresAt <= until }
                guard let first = due.first else { return }
                let points = due.reduce(Int64(0)) { $0 + $1.points }
                list.totalPoints = try AnalysisMath.add(list.totalPoints, points, figure: "the points expiring")
                list.customers.append(
                    ExpiringPointsCustomer(
                        customerID: stored.customerID, points: points, firstExpiry: first.expiresAt,
                        available: statement.available))
            }
            list.customers.sort { left, right in
                if left.points != right.points { return left.points > right.points }
                if left.firstExpiry != right.firstExpiry { return left.firstExpiry < right.firstExpiry }
                return left.customerID < right.customerID
            }
            return list
        }
    }
}
