import Foundation

extension Ledger {
    /// Delivers the header, then every event from `position` to the last position at the start,
    /// each with its chain hash, for a lossless copy of the log.
    ///
    /// The header and the first events come from one read transaction, and later events from
    /// read transactions of at most `chunkSize` events, so memory stays constant. Events appended
    /// after the start are left out, which makes the export a prefix of the log as it was then.
    /// Each event's record is hashed again from the link before it and compared with the stored
    /// hash, so a damaged log fails the export instead of producing a file that looks sound.
    ///
    /// - parameters:
    ///   - position: the first position, 1 for the whole log. It may be one past the last
    ///     position, which exports no events.
    ///   - customer: exports only this customer's events from `position` on. Such an export
    ///     cannot be imported, because its positions have gaps.
    ///   - header: called once, before the first event.
    ///   - body: called with each event in position order, inside a read transaction, so it
    ///     must not call back into the ledger.
    /// - returns: the number of events delivered.
    /// - throws: ``EventTransferError`` for a `position` after the end of the log,
    ///   ``LedgerError/brokenHashChain(_:)`` or ``LedgerError/corruptEvent(position:_:)`` for a
    ///   damaged log, and whatever `header` or `body` throws.
    @available(*, noasync)
    @discardableResult
    public func exportEvents(
        from position: UInt64 = 1, customer: CustomerID? = nil, chunkSize: Int = 4096,
        header: (ExportHeader) throws -> Void, _ body: (ExportedEvent) throws -> Void
    ) throws -> Int {
        // An export carries personal data as stored, so one in clear is for the admin role only.
        if !isEncrypted && role != .admin {
            throw PrivacyError.roleNotAllowed(role: role, operation: "exporting a ledger that keeps personal data in clear")
        }
        let first = max(position, 1)
        var reader = ExportReader(schema: schema, next: first)
        try environment.read { txn in
            let last = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
            guard first <= last + 1 else {
                throw EventTransferError(
                    index: nil, field: "from",
                    reason: "position \(first) is after the end of the log, which ends at position \(last)")
            }
            reader.end = last
            reader.previous = try reader.storedHash(txn, at: first - 1)
            try header(
                ExportHeader(
                    baseProgram: try schema.program(txn), fromPosition: first, throughPosition: last,
                    previousHash: reader.previous.hex, customer: customer,
                    masterKeyFingerprint: try schema.masterKeyCheck(txn).map { Hex.string($0.prefix(8)) }))
            if let customer {
                try reader.deliverHistory(txn, of: customer, ledger: self, body)
            } else {
                try reader.deliverChunk(txn, limit: chunkSize, ledger: self, body)
            }
        }
        guard customer == nil else { return reader.count }
        while reader.next <= reader.end {
            try environment.read { txn in try reader.deliverChunk(txn, limit: chunkSize, ledger: self, body) }
        }
        return reader.count
    }
}

/// The position, chain link and count of an export between its read transactions.
private struct ExportReader {
    let schema: Schema
    var next: UInt64
    /// The last position to export.
    var end: UInt64 = 0
    /// h(next − 1).
    var previous = ChainHash.zero
    var count = 0

    init(schema: Schema, next: UInt64) {
        self.schema = schema
        self.next = next
    }

    func storedHash(_ txn: Transaction, at position: UInt64) throws -> ChainHash {
        try schema.storedHash(txn, at: position)
    }

    /// Delivers up to `limit` events from `next` on, checking each against its stored hash.
    mutating func deliverChunk(
        _ txn: Transaction, limit: Int, ledger: Ledger, _ body: (ExportedEvent) throws -> Void
    ) throws {
        let stop = min(end, next &+ UInt64(max(limit, 1)) &- 1)
        guard next <= stop else { return }
        try txn.withCursor(schema.events) { cursor in
            var entry = try Keys.withUInt64(next) { try cursor.seek(atLeast: $0) }
            while next <= stop {
                guard let (key, record) = entry, Keys.readUInt64(key) == next else {
                    throw LedgerError.corruptEvent(position: next, .truncated(at: 0))
                }
                let hash = HashChain.link(after: previous, position: next, record: record)
                try checkStoredHash(txn, hash, at: next)
                try body(try exported(record, at: next, hash: hash, txn))
                previous = hash
                next += 1
                count += 1
                entry = try cursor.next()
            }
        }
    }

    /// Delivers the customer's events from `next` to `end`, each hashed from the stored link
    /// before it.
    mutating func deliverHistory(
        _ txn: Transaction, of customer: CustomerID, ledger: Ledger, _ body: (ExportedEvent) throws -> Void
    ) throws {
        for event in try ledger.readHistory(txn, of: customer) where event.position >= next && event.position <= end {
            let position = event.position
            let exported = try Keys.withUInt64(position) { key -> ExportedEvent in
                guard let record = try txn.get(schema.events, key) else {
                    throw LedgerError.corruptEvent(position: position, .truncated(at: 0))
                }
                let hash = HashChain.link(after: try storedHash(txn, at: position - 1), position: position, record: record)
                try checkStoredHash(txn, hash, at: position)
                return try self.exported(record, at: position, hash: hash, txn)
            }
            try body(exported)
            count += 1
        }
    }

    /// Decodes a record for an export. Personal parts stored in clear, in a ledger without
    /// encryption, are decoded; sealed ones are carried as stored with the data key wrapped.
    private func exported(_ record: UnsafeRawBufferPointer, at position: UInt64, hash: ChainHash, _ txn: Transaction)
        throws -> ExportedEvent
    {
        let event = try EventCodec.decode(record, position: position, personal: PersonalDataReader(role: .admin, keys: nil))
        var exported = ExportedEvent(event: event, chainHash: hash.hex)
        exported.sealedPayload = try EventCodec.sealedPayload(of: record, position: position)
        if case .customerRegistered = event.payload {
            exported.wrappedDataKey = try Keys.withCustomer(event.customerID) { key in
                try txn.get(schema.dataKeys, key).map { Array($0) }
            }
        }
        return exported
    }

    private func checkStoredHash(_ txn: Transaction, _ computed: ChainHash, at position: UInt64) throws {
        guard try storedHash(txn, at: position) == computed else {
            throw LedgerError.brokenHashChain(
                "the record at position \(position) does not hash to the hash stored for it, so the log was changed")
        }
    }
}

extension Schema {
    /// Returns h(position) as stored in `hashes`, or h(0) for position 0.
    /// Throws ``LedgerError/brokenHashChain(_:)`` when the hash is missing or not 32 bytes long.
    func storedHash(_ txn: Transaction, at position: UInt64) throws -> ChainHash {
        if position == 0 { return try genesis(txn) }
        let stored = try Keys.withUInt64(position) { key in try txn.get(hashes, key).flatMap(ChainHash.init) }
        guard let stored else {
            throw LedgerError.brokenHashChain("position \(position) has no stored hash of 32 bytes")
        }
        return stored
    }
}
