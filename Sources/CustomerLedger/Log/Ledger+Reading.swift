import CLMDB
import Foundation

extension Ledger {
    /// Returns the position of the last event, or 0 for an empty log.
    @available(*, noasync)
    public func lastPosition() throws -> UInt64 {
        try environment.read { txn in try schema.metaUInt64(txn, Schema.MetaKey.logPosition) }
    }

    /// Returns the event at `position`, or nil when there is none.
    /// - Complexity: O(log N).
    @available(*, noasync)
    public func event(at position: UInt64) throws -> RecordedEvent? {
        try environment.read { txn in try readEvent(txn, at: position) }
    }

    /// Calls `body` with every event from `position` on, in position order, reading `chunkSize`
    /// events per read transaction so that memory stays constant however long the log is.
    ///
    /// Return false from `body` to stop early. Events committed before the next chunk is read are
    /// delivered too, so the call returns only after a read finds no further event.
    /// - Complexity: O(n) for n events delivered.
    @available(*, noasync)
    public func forEachEvent(
        from position: UInt64 = 1, chunkSize: Int = 4096, _ body: (RecordedEvent) throws -> Bool
    ) throws {
        var next = max(position, 1)
        while true {
            let chunk = try events(from: next, limit: chunkSize)
            for event in chunk {
                guard try body(event) else { return }
            }
            guard let last = chunk.last else { return }
            next = last.position + 1
        }
    }

    /// Returns up to `limit` events from `position` on, in position order, from one read transaction.
    @available(*, noasync)
    public func events(from position: UInt64, limit: Int) throws -> [RecordedEvent] {
        try environment.read { txn in
            try txn.withCursor(schema.events) { cursor in
                var result: [RecordedEvent] = []
                result.reserveCapacity(min(limit, 4096))
                let personal = personalReader(txn)
                var entry = try Keys.withUInt64(max(position, 1)) { try cursor.seek(atLeast: $0) }
                while let (key, value) = entry, result.count < limit {
                    let eventPosition = Keys.readUInt64(key)
                    result.append(try EventCodec.decode(value, position: eventPosition, personal: personal))
                    entry = try cursor.next()
                }
                return result
            }
        }
    }

    /// Returns the events of one customer in version order, found through the per-customer index.
    /// - Complexity: O(k log N) for a customer with k events in a log of N.
    @available(*, noasync)
    public func history(of customerID: CustomerID) throws -> [RecordedEvent] {
        try environment.read { txn in try readHistory(txn, of: customerID) }
    }

    /// Returns the current state of a customer, or nil for an unknown customer.
    /// - Complexity: O(log C) for C customers.
    @available(*, noasync)
    public func customer(_ id: CustomerID) throws -> CustomerState? {
        try environment.read { txn in
            try schema.projectionSource(txn).customer(id).map { try resolved($0, personalReader(txn)) }
        }
    }

    /// Returns `state` with the personal fields of its profile filled in as the key and the role allow.
    func resolved(_ state: CustomerState, _ reader: PersonalDataReader) throws -> CustomerState {
        var state = state
        try reader.resolve(&state)
        return state
    }

    /// Returns the customer's tier as of `instant`, or nil for a customer unknown or not yet
    /// registered at `instant`.
    ///
    /// Uses the stored projection when no event of the customer occurred after `instant`.
    /// Otherwise it refolds the customer's own events up to `instant`.
    /// - parameter forecast: true to fill in ``TierEvaluation/nextChange``, which costs a few
    ///   more evaluations of the customer's window.
    /// - Complexity: O(log C), or O(k log N) for a customer with k events and an earlier instant.
    @available(*, noasync)
    public func tier(of id: CustomerID, asOf instant: Timestamp, forecast: Bool = false) throws -> TierEvaluation? {
        try environment.read { txn in
            let timeline = try schema.timeline(txn)
            guard let state = try schema.projectionSource(txn).customer(id) else { return nil }
            return try evaluateTier(txn, state: state, timeline: timeline, asOf: instant, forecast: forecast)
        }
    }

    /// Evaluates the customer's tier as of `instant` under the program in force then, from the
    /// state as of that instant, or returns nil when the customer was not registered yet.
    func evaluateTier(
        _ txn: Transaction, state: CustomerState, timeline: ProgramTimeline, asOf instant: Timestamp,
        forecast: Bool = false
    ) throws -> TierEvaluation? {
        guard let earlier = try stateAsOf(txn, state: state, timeline: timeline, instant: instant) else { return nil }
        return timeline.program(at: instant).evaluateTier(earlier, asOf: instant, forecast: forecast)
    }

    /// Calls `body` with every customer's state in customer order, in one consistent snapshot.
    ///
    /// - parameter personalData: false leaves the personal fields of each profile empty, with
    ///   ``CustomerState/personalData`` withheld, which saves decrypting every profile in
    ///   queries that only add up spend, points or tiers.
    @available(*, noasync)
    public func forEachCustomer(personalData: Bool = true, _ body: (CustomerState) throws -> Void) throws {
        try environment.read { txn in
            let reader = personalData ? personalReader(txn) : PersonalDataReader.skipping
            try forEachStoredState(txn) { state in try body(try resolved(state, reader)) }
        }
    }

    /// Returns every customer's tier as of `instant`, in customer order, from one consistent snapshot.
    ///
    /// - parameter personalData: false leaves the personal fields of each profile empty, as in
    ///   ``forEachCustomer(personalData:_:)``.
    @available(*, noasync)
    public func tiers(asOf instant: Timestamp, personalData: Bool = true) throws
        -> [(state: CustomerState, tier: TierEvaluation)]
    {
        try environment.read { txn in
            let timeline = try schema.timeline(txn)
            let reader = personalData ? personalReader(txn) : PersonalDataReader.skipping
            var result: [(CustomerState, TierEvaluation)] = []
            try forEachStoredState(txn) { state in
                if let tier = try evaluateTier(txn, state: state, timeline: timeline, asOf: instant) {
                    result.append((try resolved(state, reader), tier))
                }
            }
            return result
        }
    }

    /// Returns the counts and sizes of the whole ledger.
    @available(*, noasync)
    public func statistics() throws -> LedgerStatistics {
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int) ?? 0
        return try environment.read { txn in
            let stats = try schema.statistics(txn)
            var counts: [String: UInt64] = [:]
            for (code, count) in stats.countsByType {
                let name = EventType(rawValue: code)?.description ?? "unknown type \(code)"
                counts[name] = count
            }
            let position = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
            return LedgerStatistics(
                eventCount: position,
                eventsByType: counts,
                customerCount: stats.customers,
                lastPosition: position,
                projectionPosition: try schema.metaUInt64(txn, Schema.MetaKey.projectionPosition),
                earliestOccurredAt: stats.earliestOccurredAt,
                latestOccurredAt: stats.latestOccurredAt,
                latestRecordedAt: stats.latestRecordedAt,
                fileSizeBytes: Int64(fileSize),
                mapSizeBytes: Int64(environment.info.me_mapsize),
                lmdbVersion: String(cString: mdb_version(nil, nil, nil)))
        }
    }

    // MARK: - Inside a transaction

    func readEvent(_ txn: Transaction, at position: UInt64) throws -> RecordedEvent? {
        try Keys.withUInt64(position) { key in
            guard let bytes = try txn.get(schema.events, key) else { return nil }
            return try EventCodec.decode(bytes, position: position, personal: personalReader(txn))
        }
    }

    /// Reads the customer's events by following their chain from the newest back to version 1.
    /// Throws ``LedgerError/corruptEvent(position:_:)`` where the chain is broken.
    func readHistory(_ txn: Transaction, of customerID: CustomerID) throws -> [RecordedEvent] {
        let tables = try schema.activeProjections(txn)
        let head: UInt64? = try Keys.withCustomer(customerID) { key in
            guard let bytes = try txn.get(tables.customers, key) else { return nil }
            do {
                return try CustomerState.lastPosition(in: bytes)
            } catch {
                throw LedgerError.corruptProjection("customer \(customerID): \(error)")
            }
        }
        guard let head else { return [] }
        return try readChain(txn, of: customerID, from: head)
    }

    /// Folds into `workspace` the customer's events, from the one at `head` back to version 1,
    /// for which `include` returns true, in version order. The events are read from their stored
    /// bytes as replay reads them, so personal parts stay as stored.
    func foldChain(
        _ txn: Transaction, of customerID: CustomerID, from head: UInt64, into workspace: inout ProjectionWorkspace,
        where include: (_ position: UInt64, _ occurredAt: Timestamp) -> Bool
    ) throws {
        var position = head
        // Events that `include` leaves out are kept without a fold input, for the version check.
        var chain: [(position: UInt64, header: EventCodec.Header, event: FoldEvent?)] = []
        while position > 0 {
            let found = try Keys.withUInt64(position) { key -> (EventCodec.Header, FoldEvent?) in
                guard let bytes = try txn.get(schema.events, key) else {
                    throw LedgerError.corruptEvent(position: position, .truncated(at: 0))
                }
                do {
                    var reader = ByteReader(bytes)
                    let header = try EventCodec.decodeHeader(&reader, metadata: false)
                    guard include(position, header.occurredAt) else { return (header, nil) }
                    let event = try FoldEvent.decode(&reader, header: header, lineItems: workspace.timeline.needsLineItems)
                    return (header, event)
                } catch let error as DecodingError {
                    throw LedgerError.corruptEvent(position: position, error)
                }
            }
            let header = found.0
            let previous = header.previousPosition(of: position)
            let expectedVersion = chain.last.map { $0.header.version - 1 } ?? header.version
            guard header.customerID == customerID, header.version == expectedVersion,
                (previous == 0) == (header.version == 1)
            else {
                throw LedgerError.corruptEvent(
                    position: position, .malformed("the chain of customer \(customerID) is broken here", at: 0))
            }
            chain.append((position, header, found.1))
            position = previous
        }
        for (eventPosition, header, event) in chain.reversed() {
            guard let event else { continue }
            try workspace.apply(
                event, customerID: customerID, version: header.version, position: eventPosition,
                occurredAt: header.occurredAt)
        }
    }

    /// Reads the customer's events from the one at `head` back to version 1, in version order.
    /// Throws ``LedgerError/corruptEvent(position:_:)`` where the chain is broken.
    func readChain(_ txn: Transaction, of customerID: CustomerID, from head: UInt64) throws -> [RecordedEvent] {
        var position = head
        var events: [RecordedEvent] = []
        let personal = personalReader(txn)
        while position > 0 {
            let (event, previous) = try Keys.withUInt64(position) { key -> (RecordedEvent, UInt64) in
                guard let bytes = try txn.get(schema.events, key) else {
                    throw LedgerError.corruptEvent(position: position, .truncated(at: 0))
                }
                return try EventCodec.decodeLinked(bytes, position: position, personal: personal)
            }
            let expectedVersion = events.last.map { $0.version - 1 } ?? event.version
            guard event.customerID == customerID, event.version == expectedVersion,
                (previous == 0) == (event.version == 1)
            else {
                throw LedgerError.corruptEvent(
                    position: position, .malformed("the chain of customer \(customerID) is broken here", at: 0))
            }
            events.append(event)
            position = previous
        }

        events.reverse()
        return events
    }
}

/// Counts and sizes of a ledger, as `ledger stats` shows them.
public struct LedgerStatistics: Equatable, Sendable {
    public var eventCount: UInt64
    /// Events per type name, such as `PurchaseRecorded`.
    public var eventsByType: [String: UInt64]
    public var customerCount: UInt64
    public var lastPosition: UInt64
    /// The last position the projections include. It equals `lastPosition` after every commit.
    public var projectionPosition: UInt64
    public var earliestOccurredAt: Timestamp?
    public var latestOccurredAt: Timestamp?
    public var latestRecordedAt: Timestamp?
    public var fileSizeBytes: Int64
    public var mapSizeBytes: Int64
    public var lmdbVersion: String
}
