/// The counts of rows read, events appended or already present, and customers registered by an import.
public struct ImportSummary: Equatable, Sendable {
    public var rows: Int
    public var eventsAppended: Int
    public var eventsAlreadyPresent: Int
    public var customersRegistered: Int
}

/// One durable transaction of an import that commits every N rows.
public struct ImportCommit: Equatable, Sendable {
    /// The 1-based numbers of the data rows (not file lines) that this transaction committed.
    public var rows: ClosedRange<Int>
    /// The highest log position of an event of these rows. The events of every earlier row are at
    /// or before it too.
    public var throughPosition: UInt64
    /// The events of these rows that this transaction wrote, without those already in the log.
    public var eventsAppended: Int
}

/// Appends the events built from an import file's rows in one durable transaction, or in one
/// per N rows, and names the file line of an event that the ledger rejects.
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
        summary.count(events, outcomes)
        return summary
    }

    /// Checks all of `sourced` in one transaction that is aborted, then appends them in
    /// consecutive durable transactions of the events of `rowsPerCommit` rows each, calls
    /// `committed` after each one and counts what was written.
    ///
    /// The events of one row share its line and are consecutive in `sourced`, so a transaction
    /// never splits a row. Because the check runs first, a row that breaks a rule is rejected
    /// before anything is written. A failure after the check, such as a full disk or another
    /// writer's conflicting append, keeps the transactions already committed.
    @available(*, noasync)
    static func append(
        _ sourced: [(event: NewEvent, line: Int)], rows: Int, rowsPerCommit: Int, into ledger: Ledger,
        reusedID: (UInt64) -> String, committed: (ImportCommit) -> Void
    ) throws -> ImportSummary {
        precondition(rowsPerCommit > 0, "rowsPerCommit must be positive")
        let events = sourced.map(\.event)
        let lines = sourced.map(\.line)
        do {
            try ledger.checkAppend(events)
        } catch let error as LedgerError {
            throw rowError(for: error, batch: events, lines: lines, reusedID: reusedID) ?? error
        }

        var summary = ImportSummary(rows: rows, eventsAppended: 0, eventsAlreadyPresent: 0, customersRegistered: 0)
        var start = 0
        var firstRow = 1
        while start < sourced.count {
            // Extends the transaction to the end of its last row.
            var end = start
            var rowCount = 0
            while end < sourced.count && (rowCount < rowsPerCommit || lines[end] == lines[end - 1]) {
                if end == start || lines[end] != lines[end - 1] { rowCount += 1 }
                end += 1
            }
            let batch = Array(events[start..<end])
            let outcomes: [Ledger.AppendOutcome]
            do {
                outcomes = try ledger.append(batch)
            } catch let error as LedgerError {
                throw rowError(for: error, batch: batch, lines: Array(lines[start..<end]), reusedID: reusedID) ?? error
            }
            let appendedBefore = summary.eventsAppended
            summary.count(batch, outcomes)
            committed(ImportCommit(
                rows: firstRow...(firstRow + rowCount - 1), throughPosition: outcomes.map(\.position).max() ?? 0,
                eventsAppended: summary.eventsAppended - appendedBefore))
            firstRow += rowCount
            start = end
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
            // An importer registers only customers it takes to be new, so the ledger has this one
            // from another file, another importer or the library.
            if batch.indices.contains(index), case .customerRegistered = batch[index].payload,
                reason == ProjectionWorkspace.alreadyRegistered(batch[index].customerID)
            {
                return ImportRowError(
                    line: lines[index],
                    reason: "\(reason) with other events than this file's, so import the file into a new ledger or one that holds only this file's customers")
            }
            return ImportRowError(line: lines[index], reason: reason)
        case .eventIDReused(let id, let position):
            guard let index = batch.firstIndex(where: { $0.id == id }) else { return nil }
            return ImportRowError(line: lines[index], reason: reusedID(position))
        default:
            return nil
        }
    }
}

extension ImportSummary {
    /// Adds each event to the appended or already-present count, and each appended
    /// registration to the customers registered.
    mutating func count(_ events: [NewEvent], _ outcomes: [Ledger.AppendOutcome]) {
        for (event, outcome) in zip(events, outcomes) {
            if outcome.wasAppended {
                eventsAppended += 1
                if case .customerRegistered = event.payload { customersRegistered += 1 }
            } else {
                eventsAlreadyPresent += 1
            }
        }
    }
}
