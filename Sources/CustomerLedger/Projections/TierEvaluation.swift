/// A customer's tier as of an instant, with the figures that decided it.
public struct TierEvaluation: Equatable, Sendable {
    /// The index of the tier on the program's ladder.
    public var tierIndex: Int
    public var tierName: String
    public var asOf: Timestamp
    /// Net spend in the window, in minor units of the program currency.
    public var windowNetSpend: Int64
    public var windowPurchases: Int64
    /// Points earned in the window, before redemptions.
    public var windowPointsEarned: Int64
    public var tenureDays: Int64
    /// The start of the window, or nil for a lifetime window.
    public var windowStart: Timestamp?
    /// The highest tier the window's figures reach on their own.
    public var qualifiedTierIndex: Int
    /// The reason the tier is above ``qualifiedTierIndex``, or nil when it is not.
    public var reason: TierHoldReason?
    /// The figures still missing for the next tier up, or nil at the top of the ladder.
    public var nextTier: NextTierGap?
    /// The instant the tier drops if nothing else happens: the end of a grace period or of a
    /// manual assignment. Nil when no drop is foreseen.
    public var dropsAt: Timestamp?
    /// The next change of tier if no further event occurs, from purchases leaving the window,
    /// tenure, a grace period or an assignment ending. Nil when none is foreseen or when the
    /// evaluation was made without a forecast.
    public var nextChange: TierChangeForecast?
}

/// A tier change that follows from the passing of time alone.
public struct TierChangeForecast: Equatable, Sendable {
    public var at: Timestamp
    public var tierIndex: Int
    public var tierName: String
}

/// The reason a customer keeps a tier that the current figures do not reach.
public enum TierHoldReason: Equatable, Sendable {
    /// The customer qualified at `lastQualifiedAt` and is inside the downgrade grace period.
    case grace(lastQualifiedAt: Timestamp)
    /// A manual assignment sets a floor.
    case assigned(TierAssigned)
}

/// The figures a customer still lacks for the next tier.
public struct NextTierGap: Equatable, Sendable {
    public var tierName: String
    public var netSpendNeeded: Int64
    public var purchasesNeeded: Int64
    public var tenureDaysNeeded: Int64
    public var pointsNeeded: Int64
}

extension LoyaltyProgram {
    /// Ranks `state` on the ladder as of `instant`.
    ///
    /// Upgrades count at once. A customer keeps a tier for ``downgradeGraceDays`` after last
    /// qualifying for it, and a manual assignment is a floor until it ends. Tier requirements
    /// count spend and points earned, never the balance, so redemptions do not lower a tier.
    ///
    /// The result is exact when `instant` is at or after the customer's latest event. For
    /// earlier instants, ``Ledger/tier(of:asOf:)`` refolds the customer's events instead.
    func evaluateTier(_ state: CustomerState, asOf instant: Timestamp, forecast: Bool = false) -> TierEvaluation {
        var evaluation = evaluateTierNow(state, asOf: instant)
        if forecast { evaluation.nextChange = nextChange(of: state, after: evaluation) }
        return evaluation
    }

    /// Returns the first instant after `current.asOf` at which the tier differs. It tries every
    /// instant at which a figure or a hold can change: entries leaving the window (with and
    /// without the grace period), tenure thresholds, the end of a hold, and the next year.
    private func nextChange(of state: CustomerState, after current: TierEvaluation) -> TierChangeForecast? {
        let instant = current.asOf
        var candidates: [Timestamp] = []
        for entry in state.window {
            guard let exit = windowExit(of: entry.occurredAt) else { continue }
            candidates.append(exit)
            candidates.append(calendar.adding(days: downgradeGraceDays, to: exit))
        }
        for tier in tiers where tier.minimumTenureDays > 0 {
            candidates.append(calendar.adding(days: tier.minimumTenureDays, to: state.registeredAt))
        }
        if let dropsAt = current.dropsAt { candidates.append(dropsAt) }
        if let until = state.tierAssignment?.until { candidates.append(until) }
        if tierWindow == .calendarYear { candidates.append(calendar.startOfNextYear(after: instant)) }
        for candidate in Set(candidates).sorted() where candidate > instant {
            let later = evaluateTierNow(state, asOf: candidate)
            if later.tierIndex != current.tierIndex {
                return TierChangeForecast(at: candidate, tierIndex: later.tierIndex, tierName: later.tierName)
            }
        }
        return nil
    }

    private func evaluateTierNow(_ state: CustomerState, asOf instant: Timestamp) -> TierEvaluation {
        let now = qualification(of: state, at: instant)
        var index = now.index
        var reason: TierHoldReason?
        var dropsAt: Timestamp?

        if downgradeGraceDays > 0 {
            let graceStart = calendar.adding(days: -downgradeGraceDays, to: instant)
            // Qualification rises only at spend entries and tenure boundaries, so its highest
            // level in the grace period is at its start or at one of those instants.
            var candidates = state.window.map(\.occurredAt).filter { $0 > graceStart && $0 < instant }
            candidates.append(max(graceStart, state.registeredAt))
            for tier in tiers where tier.minimumTenureDays > 0 {
                let reached = calendar.adding(days: tier.minimumTenureDays, to: state.registeredAt)
                if reached > graceStart && reached < instant { candidates.append(reached) }
            }
            for candidate in candidates.sorted() {
                let level = qualification(of: state, at: candidate).index
                if level > index {
                    index = level
                }
            }
            if index > now.index {
                let lastQualified = lastInstantQualifying(state, for: index, after: graceStart, before: instant)
                reason = .grace(lastQualifiedAt: lastQualified)
                // Held while the grace period reaches back to the last qualifying instant, so
                // the tier drops one microsecond after that instant plus the grace period.
                dropsAt = Timestamp(microseconds: calendar.adding(days: downgradeGraceDays, to: lastQualified).microseconds + 1)
            }
        }
        if let assignment = state.tierAssignment, assignment.until.map({ instant < $0 }) ?? true,
            let floor = tierIndex(named: assignment.tier), floor > index
        {
            index = floor
            reason = .assigned(assignment)
            dropsAt = assignment.until
        }

        var gap: NextTierGap?
        if index + 1 < tiers.count {
            let next = tiers[index + 1]
            gap = NextTierGap(
                tierName: next.name, netSpendNeeded: Self.shortfall(next.minimumNetSpend, now.totals.netSpend),
                purchasesNeeded: Self.shortfall(next.minimumPurchases, now.totals.purchases),
                tenureDaysNeeded: Self.shortfall(next.minimumTenureDays, now.tenure),
                pointsNeeded: Self.shortfall(next.minimumPointsEarned, now.totals.points))
        }
        return TierEvaluation(
            tierIndex: index, tierName: tiers[index].name, asOf: instant, windowNetSpend: now.totals.netSpend,
            windowPurchases: now.totals.purchases, windowPointsEarned: now.totals.points, tenureDays: now.tenure,
            windowStart: now.windowStart, qualifiedTierIndex: now.index, reason: reason, nextTier: gap, dropsAt: dropsAt,
            nextChange: nil)
    }

    /// Returns the whole local days from `start` to `instant`: the largest n for which the same
    /// local time n days after `start` is not after `instant`, or 0 before `start`.
    func tenureDays(from start: Timestamp, to instant: Timestamp) -> Int64 {
        guard instant > start else { return 0 }
        let (elapsed, overflow) = instant.microseconds.subtractingReportingOverflow(start.microseconds)
        if overflow { return Int64.max / Timestamp.microsecondsPerDay }
        var days = elapsed / Timestamp.microsecondsPerDay
        // Daylight-saving changes make local days 23 or 25 hours long, so the estimate in 24-hour
        // days can be one off either way.
        while days > 0 && calendar.adding(days: days, to: start) > instant { days -= 1 }
        while calendar.adding(days: days + 1, to: start) <= instant { days += 1 }
        return days
    }

    /// Returns how much `actual` lacks of `required`, 0 when it is reached, saturating instead of
    /// overflowing for extreme requirements and negative figures.
    static func shortfall(_ required: Int64, _ actual: Int64) -> Int64 {
        let (difference, overflow) = required.subtractingReportingOverflow(actual)
        guard overflow else { return max(0, difference) }
        // Only a negative figure far below a large requirement, or the reverse, overflows.
        return actual < 0 ? Int64.max : 0
    }

    /// Returns the window's figures at `instant` and the highest tier they reach.
    private func qualification(of state: CustomerState, at instant: Timestamp)
        -> (index: Int, totals: WindowTotals, tenure: Int64, windowStart: Timestamp?)
    {
        let start = windowStart(for: instant)
        var totals = tierWindow == .lifetime ? state.windowBase : WindowTotals()
        for entry in state.window where entry.occurredAt <= instant {
            if let start, entry.occurredAt <= start { continue }
            totals.add(entry, currency: currency)
        }
        let tenure = tenureDays(from: state.registeredAt, to: instant)
        var index = 0
        for (candidate, rule) in tiers.enumerated().dropFirst()
        where totals.netSpend >= rule.minimumNetSpend && totals.purchases >= rule.minimumPurchases
            && tenure >= rule.minimumTenureDays && totals.points >= rule.minimumPointsEarned
        {
            index = candidate
        }
        return (index, totals, tenure, start)
    }

    /// Returns the instant before which spend entries do not count at `instant`: entries at or
    /// before it are outside the window. Nil for a lifetime window.
    func windowStart(for instant: Timestamp) -> Timestamp? {
        switch tierWindow {
        case .rollingDays(let days): calendar.adding(days: -days, to: instant)
        case .rollingMonths(let months): calendar.adding(months: -Int(months), to: instant)
        case .calendarYear: Timestamp(microseconds: calendar.startOfYear(containing: instant).microseconds - 1)
        case .lifetime: nil
        }
    }

    /// Returns the last instant in `(after, before)` at which the customer qualified for tier
    /// `index`. Qualification falls only when a refund arrives or an entry leaves the window, so
    /// the candidates are the entries' instants and the instants just before entries arrive or leave.
    private func lastInstantQualifying(_ state: CustomerState, for index: Int, after: Timestamp, before: Timestamp)
        -> Timestamp
    {
        var last = after
        var probes = state.window.map(\.occurredAt).filter { $0 > after && $0 < before }
        for entry in state.window where entry.occurredAt > after && entry.occurredAt <= before {
            probes.append(Timestamp(microseconds: entry.occurredAt.microseconds - 1))
        }
        for entry in state.window {
            if let exit = windowExit(of: entry.occurredAt), exit > after, exit <= before {
                probes.append(Timestamp(microseconds: exit.microseconds - 1))
            }
        }
        for probe in probes.sorted() where qualification(of: state, at: probe).index >= index {
            last = max(last, probe)
        }
        return last
    }

    /// Returns the first instant at which an entry at `instant` no longer counts, or nil for a
    /// lifetime window.
    private func windowExit(of instant: Timestamp) -> Timestamp? {
        switch tierWindow {
        case .rollingDays(let days): calendar.adding(days: days, to: instant)
        case .rollingMonths(let months): calendar.adding(months: Int(months), to: instant)
        case .calendarYear: calendar.startOfNextYear(after: instant)
        case .lifetime: nil
        }
    }
}
