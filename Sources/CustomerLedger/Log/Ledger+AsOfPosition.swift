extension Ledger {
    /// Returns the customer's state as the log stood at `position`: folded from the customer's
    /// own events at positions up to `position`, under the program versions recorded by then.
    /// Nil for a customer unknown or without an event at or before `position`. A position after
    /// the end of the log gives the current state.
    ///
    /// The state equals ``customer(_:)`` of a ledger that contains only the events up to
    /// `position`, with the same starting program.
    /// - Complexity: O(log C) when the customer has no event after `position`, else
    ///   O(k log N) for a customer with k events, whatever the size of the log.
    @available(*, noasync)
    public func customer(_ id: CustomerID, asOfPosition position: UInt64) throws -> CustomerState? {
        try environment.read { txn in
            try stateAsOf(txn, id, position: position, instant: nil).map { try resolved($0.state, personalReader(txn)) }
        }
    }

    /// Returns the customer's points as the log stood at `position`, with pending points and
    /// expiry applied at `instant`, or nil for a customer without an event at or before `position`.
    ///
    /// - parameter instant: the instant to evaluate at. Nil means the latest occurred-at of the
    ///   customer's events up to `position` (``CustomerState/latestEventAt``), the last instant
    ///   at which those events changed the customer. An explicit instant also leaves out the
    ///   events up to `position` that occurred after it, as ``points(of:asOf:)`` does.
    /// - Complexity: as ``customer(_:asOfPosition:)``.
    @available(*, noasync)
    public func points(of id: CustomerID, asOfPosition position: UInt64, at instant: Timestamp? = nil) throws
        -> PointsStatement?
    {
        try environment.read { txn in
            guard let past = try stateAsOf(txn, id, position: position, instant: instant) else { return nil }
            return past.state.pointsStatement(asOf: past.instant)
        }
    }

    /// Returns the customer's tier as the log stood at `position`, evaluated at `instant` under
    /// the program in force then among the versions recorded by `position`, or nil for a
    /// customer without an event at or before `position`.
    ///
    /// - parameter instant: the instant to evaluate at, with the same default and meaning as in
    ///   ``points(of:asOfPosition:at:)``.
    /// - parameter forecast: true to fill in ``TierEvaluation/nextChange``.
    /// - Complexity: as ``customer(_:asOfPosition:)``.
    @available(*, noasync)
    public func tier(
        of id: CustomerID, asOfPosition position: UInt64, at instant: Timestamp? = nil, forecast: Bool = false
    ) throws -> TierEvaluation? {
        try environment.read { txn in
            guard let past = try stateAsOf(txn, id, position: position, instant: instant) else { return nil }
            return past.timeline.program(at: past.instant).evaluateTier(past.state, asOf: past.instant, forecast: forecast)
        }
    }

    /// Returns the customer's state from the events at positions up to `position` that occurred
    /// at or before `instant` (every one for nil), the instant to evaluate it at, and the program
    /// versions recorded by `position`. Nil when no event of the customer qualifies.
    func stateAsOf(_ txn: Transaction, _ id: CustomerID, position: UInt64, instant: Timestamp?) throws
        -> (state: CustomerState, instant: Timestamp, timeline: ProgramTimeline)?
    {
        guard let stored = try schema.projectionSource(txn).customer(id) else { return nil }
        let timeline = try schema.timeline(txn).recorded(through: position)

        let state: CustomerState?
        if stored.lastPosition <= position {
            state = stored
        } else {
            var workspace = ProjectionWorkspace(timeline: timeline, source: nil)
            try foldChain(txn, of: id, from: stored.lastPosition, into: &workspace) { eventPosition, _ in
                eventPosition <= position
            }
            state = workspace.loadedState(of: id)
        }
        guard let state else { return nil }

        guard let instant else { return (state, state.latestEventAt, timeline) }
        guard let earlier = try stateAsOf(txn, state: state, timeline: timeline, instant: instant) else { return nil }
        return (earlier, instant, timeline)
    }
}

extension ProgramTimeline {
    /// Returns the timeline with only the versions that program events at positions up to
    /// `position` recorded.
    func recorded(through position: UInt64) -> ProgramTimeline {
        guard lastPosition > position else { return self }
        var timeline = ProgramTimeline(base: base)
        for (versionPosition, version) in versions where versionPosition <= position {
            timeline.add(version, position: versionPosition)
            timeline.streamVersion += 1
        }
        return timeline
    }
}
