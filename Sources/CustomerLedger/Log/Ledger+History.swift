extension Ledger {
    /// Returns the customer's events in version order, each with the profile values that it
    /// replaced, keeping only events of `types` that occurred in `from ..< to`.
    ///
    /// The old values of a ``EventType/profileUpdated`` event come from folding the profile
    /// through every earlier event of the customer, including the events that the filters leave
    /// out. An unknown customer has an empty history.
    /// - parameter types: the event types to keep, or nil for every event, including events of a
    ///   type or schema version that this build does not decode.
    /// - parameter from: the earliest occurred-at to keep, inclusive, or nil for no lower bound.
    /// - parameter to: the occurred-at to stop before, exclusive, or nil for no upper bound.
    /// - Complexity: O(k log N) for a customer with k events in a log of N, whatever the filters.
    @available(*, noasync)
    public func history(
        of customerID: CustomerID, types: Set<EventType>? = nil, from: Timestamp? = nil, to: Timestamp? = nil
    ) throws -> [HistoryEntry] {
        let events = try environment.read { txn in try readHistory(txn, of: customerID) }

        var profile = CustomerProfile(name: "")
        var entries: [HistoryEntry] = []
        for event in events {
            var changes: [ProfileFieldChange] = []
            switch event.payload {
            case .customerRegistered(let registered):
                profile = registered.profile
            case .profileUpdated(let updated):
                changes = updated.changes.fieldChanges(from: profile)
                profile.apply(updated.changes)
            default:
                break
            }

            if let types, !(event.payload.type.map(types.contains) ?? false) { continue }
            if let from, event.occurredAt < from { continue }
            if let to, event.occurredAt >= to { continue }
            entries.append(HistoryEntry(event: event, changes: changes))
        }
        return entries
    }
}
