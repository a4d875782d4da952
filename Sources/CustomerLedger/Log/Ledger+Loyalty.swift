import Foundation

extension Ledger {
    /// Returns the program versions in effective order: the base program the ledger was created
    /// with, in force from the start of the supported range, then each recorded version.
    @available(*, noasync)
    public func programVersions() throws -> [ProgramVersion] {
        try environment.read { txn in
            let timeline = try schema.timeline(txn)
            return [ProgramVersion(effectiveFrom: Timestamp.supportedRange.lowerBound, program: timeline.base)]
                + timeline.versions.map(\.version)
        }
    }

    /// Returns the program in force at `instant`.
    @available(*, noasync)
    public func program(asOf instant: Timestamp) throws -> LoyaltyProgram {
        try environment.read { txn in try schema.timeline(txn).program(at: instant) }
    }

    /// Records `program` as the loyalty program from `effectiveFrom` on: a ``EventType/programDefined``
    /// event the first time and a ``EventType/programChanged`` event afterwards, in the ledger's
    /// own stream. Events that occur at or after `effectiveFrom` follow it, in appends and in replay.
    ///
    /// - throws: ``LedgerError/ruleViolation(index:eventID:reason:)`` for an invalid program or
    ///   an instant not after every event already in the log, since a change cannot rewrite
    ///   points already earned. Use ``simulate(program:asOf:)`` to see what a change would do.
    @available(*, noasync)
    @discardableResult
    public func setProgram(
        _ program: LoyaltyProgram, effectiveFrom: Timestamp, metadata: EventMetadata = EventMetadata(),
        id: UUID = EventID.timeOrdered()
    ) throws -> AppendOutcome {
        let defined = try environment.read { txn in try schema.timeline(txn).streamVersion > 0 }
        let version = ProgramVersion(effectiveFrom: effectiveFrom, program: program)
        let event = NewEvent(
            id: id, customerID: .ledgerStream, occurredAt: effectiveFrom,
            payload: defined ? .programChanged(version) : .programDefined(version), metadata: metadata)
        return try append(event)
    }

    /// Returns the customer's state as of `instant`: the stored state when no event of the
    /// customer occurred after it, else a fold of the customer's own events up to it. Nil for a
    /// customer unknown or not yet registered at `instant`.
    /// - Complexity: O(log C), or O(k log N) for a customer with k events and an earlier instant.
    @available(*, noasync)
    public func customer(_ id: CustomerID, asOf instant: Timestamp) throws -> CustomerState? {
        try environment.read { txn in
            guard let state = try schema.projectionSource(txn).customer(id),
                let earlier = try stateAsOf(txn, state: state, timeline: schema.timeline(txn), instant: instant)
            else { return nil }
            return try resolved(earlier, personalReader(txn))
        }
    }

    /// Returns the customer's points as of `instant`, with pending points and expiry applied,
    /// or nil for a customer unknown or not yet registered at `instant`.
    @available(*, noasync)
    public func points(of id: CustomerID, asOf instant: Timestamp) throws -> PointsStatement? {
        try customer(id, asOf: instant)?.pointsStatement(asOf: instant)
    }

    /// Returns the points all customers hold as of `instant` and their money value under the
    /// program in force then.
    @available(*, noasync)
    public func liability(asOf instant: Timestamp) throws -> PointsLiability {
        try environment.read { txn in
            let timeline = try schema.timeline(txn)
            let program = timeline.program(at: instant)
            var liability = PointsLiability(asOf: instant, currency: program.currency)
            try forEachStoredState(txn) { stored in
                guard let state = try stateAsOf(txn, state: stored, timeline: timeline, instant: instant) else { return }
                let statement = state.pointsStatement(asOf: instant)
                liability.customers += 1
                liability.available = liability.available.addingSaturated(statement.available)
                liability.pending = liability.pending.addingSaturated(statement.pending)
                if statement.available < 0 { liability.owed = liability.owed.subtractingSaturated(statement.available) }
            }
            liability.heldValue = program.pointValue.value(of: max(0, liability.available.addingSaturated(liability.owed)))
            liability.pendingValue = program.pointValue.value(of: liability.pending)
            liability.owedValue = program.pointValue.value(of: liability.owed)
            return liability
        }
    }

    /// Appends a ``EventType/pointsExpired`` event for every lot that expired at or before
    /// `instant` and still has points, at the lot's expiry instant. Running it again appends
    /// nothing for the same lots, because their points are then written off and the event ids
    /// derive from customer and lot. Erased customers are left out: they take no further events.
    @available(*, noasync)
    @discardableResult
    public func expirePoints(asOf instant: Timestamp, metadata: EventMetadata = EventMetadata()) throws -> MaterializedEvents {
        let due: [NewEvent] = try environment.read { txn in
            var events: [NewEvent] = []
            try forEachStoredState(txn) { state in
                // An erased customer takes no further events, so their points stay as they were.
                guard state.erasedAt == nil else { return }
                for lot in state.lots where lot.remaining > 0 && lot.hasExpired(at: instant) {
                    let expiresAt = lot.expiresAt!
                    events.append(
                        NewEvent(
                            id: EventID.stable(
                                "expiry/\(state.customerID)/\(lot.number)",
                                prefix: UInt64(bitPattern: expiresAt.microseconds / 1000)),
                            customerID: state.customerID, occurredAt: expiresAt,
                            payload: .pointsExpired(PointsExpired(points: lot.remaining, lot: lot.number)), metadata: metadata))
                }
            }
            return events
        }
        return try appendMaterialized(due)
    }

    /// Appends a ``EventType/rewardGranted`` event, at `instant`, for every customer whose
    /// birthday reward under the program in force is due then and not yet paid this year. A
    /// rerun in the same year pays nothing again.
    @available(*, noasync)
    @discardableResult
    public func grantBirthdayRewards(asOf instant: Timestamp, metadata: EventMetadata = EventMetadata()) throws
        -> MaterializedEvents
    {
        try checkAppendAllowed()
        let due: [NewEvent] = try environment.read { txn in
            let reader = personalReader(txn)
            let program = try schema.timeline(txn).program(at: instant)
            guard let rule = program.birthday, rule.points > 0 else { return [] }
            let calendar = program.calendar
            let today = calendar.localDate(of: instant)
            var events: [NewEvent] = []
            try forEachStoredState(txn) { stored in
                guard stored.registeredAt <= instant, stored.erasedAt == nil else { return }
                let state = try resolved(stored, reader)
                guard let birthday = state.profile.birthday,
                    let occurrence = ZonedCalendar.birthdayOccurrence(
                        of: birthday, in: today.year, leapDayInCommonYears: rule.leapDayInCommonYears)
                else { return }
                let due = rule.timing == .onDay ? occurrence == today : occurrence.month == today.month
                let key = "birthday:\(today.year)"
                guard due, !state.rewardKeys.contains(ProjectionWorkspace.rewardKeyHash(key)) else { return }
                events.append(
                    NewEvent(
                        id: EventID.stable(
                            "reward/\(state.customerID)/\(key)", prefix: UInt64(bitPattern: instant.microseconds / 1000)),
                        customerID: state.customerID, occurredAt: instant,
                        payload: .rewardGranted(RewardGranted(kind: .birthday, key: key, points: rule.points)),
                        metadata: metadata))
            }
            return events
        }
        return try appendMaterialized(due)
    }

    /// Replays the whole log in memory under `program`, as if it had always been in force, and
    /// compares tiers and points as of `instant` with the ledger's own. Nothing is written.
    @available(*, noasync)
    public func simulate(program candidate: LoyaltyProgram, asOf instant: Timestamp) throws -> SimulationReport {
        try candidate.validate()
        return try environment.read { txn in
            let timeline = try schema.timeline(txn)
            let end = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
            var fold = ReplayFold(timeline: ProgramTimeline(base: candidate))
            fold.ignoresProgramEvents = true
            try fold.run(txn, schema: schema, after: 0, through: end, progress: nil)

            var report = SimulationReport(
                asOf: instant, currentTiers: Array(repeating: 0, count: timeline.program(at: instant).tiers.count),
                candidateTiers: Array(repeating: 0, count: candidate.tiers.count))
            report.currentTierNames = timeline.program(at: instant).tiers.map(\.name)
            report.candidateTierNames = candidate.tiers.map(\.name)
            var simulated: [CustomerID: CustomerState] = [:]
            for state in fold.workspace.states { simulated[state.customerID] = state }
            try forEachStoredState(txn) { stored in
                guard let current = try stateAsOf(txn, state: stored, timeline: timeline, instant: instant),
                    let replayed = simulated[stored.customerID]
                else { return }
                let candidateState =
                    replayed.latestEventAt <= instant
                    ? replayed
                    : try refold(txn, state: replayed, timeline: ProgramTimeline(base: candidate), instant: instant)
                guard let candidateState else { return }
                let before = timeline.program(at: instant).evaluateTier(current, asOf: instant)
                let after = candidate.evaluateTier(candidateState, asOf: instant)
                report.currentTiers[before.tierIndex] += 1
                report.candidateTiers[after.tierIndex] += 1
                let currentPoints = current.pointsStatement(asOf: instant)
                let candidatePoints = candidateState.pointsStatement(asOf: instant)
                report.currentPoints = report.currentPoints.addingSaturated(
                    currentPoints.available.addingSaturated(currentPoints.pending))
                report.candidatePoints = report.candidatePoints.addingSaturated(
                    candidatePoints.available.addingSaturated(candidatePoints.pending))
                if before.tierName != after.tierName {
                    report.changes.append(
                        SimulationReport.TierChange(
                            customerID: stored.customerID, from: before.tierName, to: after.tierName,
                            fromRank: before.tierIndex, toRank: after.tierIndex))
                }
            }
            report.currentValue = timeline.program(at: instant).pointValue.signedValue(of: report.currentPoints)
            report.candidateValue = candidate.pointValue.signedValue(of: report.candidatePoints)
            return report
        }
    }

    /// Appends materialized events in batches of 1,000, each a durable transaction.
    private func appendMaterialized(_ events: [NewEvent]) throws -> MaterializedEvents {
        var result = MaterializedEvents()
        var start = 0
        while start < events.count {
            let batch = Array(events[start..<min(start + 1000, events.count)])
            let outcomes = try append(batch)
            for (event, outcome) in zip(batch, outcomes) where outcome.wasAppended {
                result.events += 1
                result.customers.insert(event.customerID)
                switch event.payload {
                case .pointsExpired(let expired): result.points += expired.points
                case .rewardGranted(let reward): result.points += reward.points
                default: break
                }
            }
            start += 1000
        }
        return result
    }

    /// Calls `body` with every stored customer state in customer order.
    func forEachStoredState(_ txn: Transaction, _ body: (CustomerState) throws -> Void) throws {
        let tables = try schema.activeProjections(txn)
        try txn.withCursor(tables.customers) { cursor in
            var entry = try cursor.first()
            while let (key, value) = entry {
                let state: CustomerState
                do {
                    state = try CustomerState.decode(value)
                } catch {
                    throw LedgerError.corruptProjection("customer \(Keys.readUInt64(key)): \(error)")
                }
                try body(state)
                entry = try cursor.next()
            }
        }
    }

    /// Returns `state` as of `instant`, refolding the customer's events when some occurred after
    /// it, or nil when the customer was not registered yet.
    func stateAsOf(_ txn: Transaction, state: CustomerState, timeline: ProgramTimeline, instant: Timestamp) throws
        -> CustomerState?
    {
        guard state.registeredAt <= instant else { return nil }
        if state.latestEventAt <= instant { return state }
        return try refold(txn, state: state, timeline: timeline, instant: instant)
    }

    /// Folds the customer's events that occurred at or before `instant` into a fresh state.
    /// Program events are not in a customer's chain, so `timeline` alone decides the rules.
    func refold(_ txn: Transaction, state: CustomerState, timeline: ProgramTimeline, instant: Timestamp) throws
        -> CustomerState?
    {
        var workspace = ProjectionWorkspace(timeline: timeline, source: nil)
        try foldChain(txn, of: state.customerID, from: state.lastPosition, into: &workspace) { _, occurredAt in
            occurredAt <= instant
        }
        return workspace.loadedState(of: state.customerID)
    }
}

/// The points customers hold at an instant and what they are worth.
///
/// The point totals saturate at `Int64.min` and `Int64.max`, and so do the values, which only
/// balances near 2⁶³ points or a high point value reach.
public struct PointsLiability: Equatable, Sendable {
    public var asOf: Timestamp
    public var currency: Currency
    public var customers: Int = 0
    /// Spendable points, net of what customers with negative balances owe.
    public var available: Int64 = 0
    public var pending: Int64 = 0
    /// Points that customers with negative balances owe.
    public var owed: Int64 = 0
    /// The value of the points in positive balances, `available + owed`, in minor units of
    /// `currency`, rounded down.
    public var heldValue: Int64 = 0
    /// The value of the pending points, in minor units of `currency`, rounded down.
    public var pendingValue: Int64 = 0
    /// The value of the owed points, in minor units of `currency`, rounded down.
    public var owedValue: Int64 = 0

    public init(asOf: Timestamp, currency: Currency) {
        self.asOf = asOf
        self.currency = currency
    }
}

/// The events that ``Ledger/expirePoints(asOf:metadata:)`` or ``Ledger/grantBirthdayRewards(asOf:metadata:)`` appended.
public struct MaterializedEvents: Equatable, Sendable {
    public var events = 0
    public var customers: Set<CustomerID> = []
    public var points: Int64 = 0
}

/// Tiers and points under the ledger's program and under a candidate, as of one instant.
public struct SimulationReport: Equatable, Sendable {
    /// A customer whose tier differs under the candidate.
    public struct TierChange: Equatable, Sendable {
        public var customerID: CustomerID
        public var from: String
        public var to: String
        /// The tiers' places on their ladders, from 0 for the lowest.
        public var fromRank: Int
        public var toRank: Int
    }

    public var asOf: Timestamp
    public var currentTierNames: [String] = []
    public var candidateTierNames: [String] = []
    /// Customers per tier, in ladder order.
    public var currentTiers: [Int]
    public var candidateTiers: [Int]
    /// Points held, available and pending, by all customers. The totals and values saturate at
    /// the bounds of `Int64`.
    public var currentPoints: Int64 = 0
    public var candidatePoints: Int64 = 0
    /// The money value of the points held, in minor units of each program's currency, negative
    /// when customers owe more points than they hold. A value beyond `Int64` saturates.
    public var currentValue: Int64 = 0
    public var candidateValue: Int64 = 0
    /// Customers whose tier changes, in customer order.
    public var changes: [TierChange] = []
}
