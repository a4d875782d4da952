extension Ledger {
    /// The counts of events, customers and orders that a replay folded.
    public struct ReplaySummary: Equatable, Sendable {
        public var events: UInt64
        public var customers: Int
        public var orders: Int
        /// The last log position the rebuilt projections include.
        public var position: UInt64
    }

    /// Rebuilds every projection from position 1 into the spare tables and swaps them in atomically.
    ///
    /// Readers keep being served from the live tables during the fold, and appends wait only
    /// for the final write transaction, which also folds any events appended meanwhile.
    ///
    /// - parameters:
    ///   - program: a new starting program, allowed only while the log is empty, because it starts
    ///     the hash chain. Nil keeps the current one.
    ///   - progress: called every 65,536 events and after the last one, with the number of events
    ///     folded so far and the last log position when the replay started.
    /// - Complexity: O(N) in the length of the log, plus for each refund the customer's events
    ///   back to the refunded purchase, with memory proportional to the customers.
    @available(*, noasync)
    @discardableResult
    public func replay(
        program newProgram: LoyaltyProgram? = nil, progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws -> ReplaySummary {
        try checkWritable("replaying the log")
        if let newProgram {
            try newProgram.validate()
            // The base program starts the hash chain, so changing it under stored events would
            // break every link.
            let current = try environment.read { txn in
                (events: try schema.metaUInt64(txn, Schema.MetaKey.logPosition), program: try schema.program(txn))
            }
            guard current.events == 0 || newProgram == current.program else {
                throw LedgerError.invalidProgram(
                    "the starting program is covered by the hash chain once the log has events; record a change with setProgram(_:effectiveFrom:), or compare programs with simulate(program:asOf:)")
            }
        }
        var fold = try environment.read { txn in
            let program = try newProgram ?? schema.program(txn)
            var fold = ReplayFold(timeline: ProgramTimeline(base: program))
            let end = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
            // The stored count is only a capacity hint. Replay rebuilds the statistics, so a corrupt
            // record must not stop it, and no log has more customers than events.
            let expectedCustomers = Int(clamping: min((try? schema.statistics(txn).customers) ?? 0, end))
            fold.workspace.reserveCapacity(expectedCustomers)
            try fold.run(txn, schema: schema, after: 0, through: end, progress: progress)
            return fold
        }
        return try environment.write { txn in
            // Appends that committed after the read snapshot are folded here, under the writer lock.
            var caughtUp = fold
            let end = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
            try caughtUp.run(txn, schema: schema, after: caughtUp.position, through: end, progress: nil)

            let live = try schema.metaBytes(txn, Schema.MetaKey.activeSet)?.first ?? 0
            let spare = schema.projectionSets[Int((live & 1) ^ 1)]
            try txn.empty(spare.customers)
            try ProjectionWriter.write(caughtUp.workspace, to: spare, in: txn, everyCustomer: true)
            try schema.putMeta(txn, Schema.MetaKey.activeSet, [(live & 1) ^ 1])
            // The replaced table is emptied now, so that its pages are reused instead of the file growing.
            try txn.empty(schema.projectionSets[Int(live & 1)].customers)
            try schema.putMeta(txn, Schema.MetaKey.projectionPosition, end)
            try schema.putMeta(txn, Schema.MetaKey.statistics, caughtUp.statistics.encode())
            try schema.putMeta(txn, Schema.MetaKey.programVersions, caughtUp.workspace.timeline.encodeVersions())
            if let newProgram { try schema.putMeta(txn, Schema.MetaKey.program, newProgram.encode()) }
            fold = caughtUp
            return ReplaySummary(
                events: caughtUp.events, customers: caughtUp.workspace.states.count,
                orders: Int(caughtUp.purchases), position: end)
        }
    }
}

/// Folds a range of the log into fresh projections in memory.
struct ReplayFold {
    var workspace: ProjectionWorkspace
    var statistics = LogStatistics()
    var position: UInt64 = 0
    var events: UInt64 = 0
    var purchases: UInt64 = 0
    /// True to fold program events as skipped ones, so that the base program stays in force, as
    /// a simulation of another program needs.
    var ignoresProgramEvents = false

    /// - parameter timeline: the base program, without versions: the fold adds each program
    ///   event's version when it reaches it.
    init(timeline: ProgramTimeline) {
        workspace = ProjectionWorkspace(timeline: timeline, source: nil)
        workspace.cachesOrders = false
        workspace.tracksChanges = false
    }

    /// Folds the events in `(after, through]`.
    mutating func run(
        _ txn: Transaction, schema: Schema, after start: UInt64, through end: UInt64,
        progress: ((UInt64, UInt64) -> Void)?
    ) throws {
        guard end > start else { return }
        // Refunds rebuild their orders from the events of this transaction, and nothing else is read.
        workspace.source = ProjectionSource(transaction: txn, customers: nil, events: schema.events)
        defer { workspace.source = nil }
        try txn.withCursor(schema.events) { cursor in
            var entry = try Keys.withUInt64(start + 1) { try cursor.seek(atLeast: $0) }
            while let (key, value) = entry {
                let eventPosition = Keys.readUInt64(key)
                if eventPosition > end { break }
                try fold(value, at: eventPosition)
                if let progress, events & 0xFFFF == 0 { progress(events, end) }
                entry = try cursor.next()
            }
        }
        progress?(events, end)
    }

    /// Folds the stored record `bytes` at `eventPosition`. ``Ledger/verify(progress:)`` calls it
    /// for each event that it checks.
    mutating func fold(_ bytes: UnsafeRawBufferPointer, at eventPosition: UInt64) throws {
        do {
            var reader = ByteReader(bytes)
            let header = try EventCodec.decodeHeader(&reader, metadata: false)
            if ignoresProgramEvents && header.customerID.isLedgerStream {
                position = eventPosition
                events += 1
                return
            }
            let event = try FoldEvent.decode(&reader, header: header, lineItems: workspace.timeline.needsLineItems)
            guard reader.isAtEnd else {
                throw DecodingError.malformed("\(reader.remaining) bytes after the payload", at: reader.offset)
            }
            try workspace.apply(
                event, customerID: header.customerID, version: header.version, position: eventPosition,
                occurredAt: header.occurredAt)
            var isRegistration = false
            switch event {
            case .registered: isRegistration = true
            case .purchase: purchases += 1
            default: break
            }
            statistics.record(
                customerEvent: !header.customerID.isLedgerStream, typeCode: header.typeCode, isRegistration: isRegistration, occurredAt: header.occurredAt,
                recordedAt: header.recordedAt)
        } catch let error as DecodingError {
            throw LedgerError.corruptEvent(position: eventPosition, error)
        }
        position = eventPosition
        events += 1
    }
}

extension Ledger {
    /// Returns a 64-bit FNV-1a hash, in hex, of every key and value of the live projection table,
    /// each preceded by its length, so that two rebuilds can be compared byte for byte.
    @available(*, noasync)
    public func projectionFingerprint() throws -> String {
        try environment.read { txn in
            let tables = try schema.activeProjections(txn)
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            try txn.withCursor(tables.customers) { cursor in
                var entry = try cursor.first()
                while let (key, value) = entry {
                    for part in [key, value] {
                        for byte in withUnsafeBytes(of: UInt32(part.count).littleEndian, { Array($0) }) + Array(part) {
                            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                        }
                    }
                    entry = try cursor.next()
                }
            }
            let hex = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }
    }
}
