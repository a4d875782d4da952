/// The counts of rows read, events appended or already present, and customers registered by an import.
public struct ImportSummary: Equatable, Sendable {
    public var rows: Int
    public var eventsAppended: Int
    public var eventsAlreadyPresent: Int
    public var customersRegistered: Int
}

/// Appends the events built from an import file's rows in one durable transaction, and names
/// the file line of an event that the ledger rejects.
enum ImportBatch {
    /// Appends `sourced`, built from `rows` rows, and counts what was written.
    ///
    /// - parameter reusedID: the reason given for a row whose event id an earlier import stored
    ///   with other content, from the position of that event.
    @available(*, noasync)
    static func append(
        _ sourced: [(event: NewEvent, line: Int)], rows: Int, into ledger: Ledger, progress: ((Int, Int) -> Void)?,
        reusedID: (UInt64) -> String
    ) throws -> ImportSummary {
        let events = sourced.map(\.event)
        let outcomes: [Ledger.AppendOutcome]
        do {
            outcomes = try ledger.append(events, progress: progress)
        } catch let error as LedgerError {
            throw rowError(for: error, batch: events, lines: sourced.map(\.line), reusedID: reusedID) ?? error
        }
        var summary = ImportSummary(rows: rows, eventsAppended: 0, eventsAlreadyPresent: 0, customersRegistered: 0)
        for (event, outcome) in zip(events, outcomes) {
            if outcome.wasAppended {
                summary.eventsAppended += 1
                if case .customerRegistered = event.payload { summary.customersRegistered += 1 }
            } else {
                summary.eventsAlreadyPresent += 1
            }
        }
        return summary
    }

    /// Names the file line behind an event that the ledger rejected, or returns nil when the
    /// error concerns no single event.
    static func rowError(
        for error: LedgerError, batch: [NewEvent], lines: [Int], reusedID: (UInt64) -> String
    ) -> ImportRowError? {
        switch error {
        case .ruleViolation(let index, _, let reason):
            guard lines.indices.contains(index) else { return nil }
            return ImportRowError(line: lines[index], reason: reason)
        case .eventIDReused(let id, let position):
            guard let index = batch.firstIndex(where: { $0.id == id }) else { return nil }
            return ImportRowError(line: lines[index], reason: reusedID(position))
        default:
            return nil
        }
    }
}
