extension Ledger {
    /// Returns the recorded program events, ``EventType/programDefined`` then
    /// ``EventType/programChanged``, in log order, with their positions and metadata. The base
    /// program the ledger was created with has no event, but ``programVersions()`` includes it.
    /// - Complexity: O(k log N) for k program events in a log of N.
    @available(*, noasync)
    public func programEvents() throws -> [RecordedEvent] {
        try environment.read { txn in
            try schema.timeline(txn).versions.map { entry in
                guard let event = try readEvent(txn, at: entry.position) else {
                    throw LedgerError.corruptEvent(position: entry.position, .truncated(at: 0))
                }
                return event
            }
        }
    }
}
