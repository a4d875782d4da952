import Foundation

extension Ledger {
    /// Appends the events of an export with their ids, times, metadata and recorded-at times, in
    /// order, in one durable write transaction: all of them or none.
    ///
    /// The import continues the ledger's log at the positions that the export carries:
    /// - The positions run consecutively from `header.fromPosition` to `header.throughPosition`,
    ///   and the first one is at most one past the ledger's last position.
    /// - An event at a position that the ledger already has must be the stored event, field by
    ///   field and hash for hash. It is skipped, so importing the same export again writes nothing,
    ///   and a longer export of the same log appends only what the ledger lacks.
    /// - `header.previousHash` must be the ledger's chain hash at `fromPosition − 1`.
    /// - An empty ledger takes `header.baseProgram` as its base program. A ledger with events
    ///   must already have the same one.
    /// - Each new event must get the version the export carries, and the record built from it
    ///   must hash to the export's chain hash. An event changed after the export fails this
    ///   check, unless every later hash was recomputed too.
    ///
    /// The business rules apply to every new event as to any append, except that referral
    /// rewards are not derived again: the export contains the ones derived the first time.
    /// An event stored in an older schema version is stored in that version again.
    ///
    /// - parameter progress: called every 1,000 new events and after the last one, with the new
    ///   events handled and their count, while the transaction is open. It must not call back
    ///   into the ledger.
    /// - throws: ``EventTransferError`` naming the event and field at fault, ``LedgerError`` for
    ///   a storage-level problem, and ``LMDBError`` for storage failures. In every case nothing
    ///   is written.
    @available(*, noasync)
    @discardableResult
    public func importEvents(
        _ events: [ExportedEvent], header: ExportHeader, progress: ((Int, Int) -> Void)? = nil
    ) throws -> EventImportSummary {
        try checkWritable("importing events")
        try checkErasuresAllowed(in: events.lazy.map(\.event.payload), operation: "importing erasures")
        let prepared = try ImportPlan(events: events, header: header)
        let summary = try environment.write { txn in
            try prepared.run(txn, schema: schema, clock: clock, keys: keyRing(txn), actor: actor, progress: progress)
        }
        if summary.appended > 0 { commitNotifier.notify() }
        return summary
    }
}

/// The checks of an import that need no transaction, and the appends built from its events.
private struct ImportPlan {
    let events: [ExportedEvent]
    let header: ExportHeader
    /// The event to append for each exported event, in the same order.
    let newEvents: [NewEvent]
    /// For each event stored in an older schema version, the bytes of that version.
    let storedPayloads: [UnrecognizedPayload?]

    init(events: [ExportedEvent], header: ExportHeader) throws {
        self.events = events
        self.header = header
        if let customer = header.customer {
            throw EventTransferError(
                index: nil, field: "customer_id",
                reason: "the export contains only the events of customer \(customer), whose positions have gaps; import a whole export, or one from a position")
        }
        guard header.fromPosition >= 1, header.fromPosition <= header.throughPosition &+ 1 else {
            throw EventTransferError(
                index: nil, field: "from_position",
                reason: "from position \(header.fromPosition) does not fit through position \(header.throughPosition)")
        }
        let expectedCount = header.throughPosition &+ 1 - header.fromPosition
        var seen: [UUID: UInt64] = [:]
        seen.reserveCapacity(events.count)
        var newEvents: [NewEvent] = []
        newEvents.reserveCapacity(events.count)
        var storedPayloads: [UnrecognizedPayload?] = []
        storedPayloads.reserveCapacity(events.count)

        for (index, exported) in events.enumerated() {
            let event = exported.event
            let expected = header.fromPosition + UInt64(index)
            guard event.position == expected else {
                throw EventTransferError(
                    index: index, field: "position",
                    reason: event.position > header.throughPosition
                        ? "\(event.position) is after the export's last position \(header.throughPosition)"
                        : "\(event.position) where \(expected) comes next; positions run consecutively, so events are missing or out of order")
            }
            if let earlier = seen.updateValue(event.position, forKey: event.id) {
                throw EventTransferError(
                    index: index, field: "event_id",
                    reason: "\(event.id.uuidString.lowercased()) is also the id of the event at position \(earlier); every event needs its own id")
            }
            storedPayloads.append(try exported.sealedPayload ?? Self.storedPayload(of: event, index: index))
            // The rules see what the sealed bytes hold, which the withheld fields of the JSON cannot show.
            if let sealed = exported.sealedPayload, sealed.typeCode != event.payload.typeCode {
                throw EventTransferError(
                    index: index, field: "sealed",
                    reason: "the sealed bytes are of type code \(sealed.typeCode) and the event of \(event.typeName); the export was changed")
            }
            let payload = try exported.sealedPayload.map { try Self.payload(ofSealed: $0, index: index) } ?? event.payload
            newEvents.append(
                NewEvent(
                    id: event.id, customerID: event.customerID, occurredAt: event.occurredAt, payload: payload,
                    metadata: event.metadata, recordedAt: event.recordedAt))
        }
        guard UInt64(events.count) == expectedCount else {
            throw EventTransferError(
                index: nil, field: nil,
                reason: "the export covers positions \(header.fromPosition) to \(header.throughPosition) but holds \(events.count) events, so it is truncated")
        }
        try Self.checkDataKeys(events)
        self.newEvents = newEvents
        self.storedPayloads = storedPayloads
    }

    /// Checks that every sealed registration brings its customer's wrapped data key, unless the
    /// export erases the customer later, and that only sealed registrations bring one.
    private static func checkDataKeys(_ events: [ExportedEvent]) throws {
        var erased: Set<CustomerID> = []
        for (index, exported) in events.enumerated().reversed() {
            let event = exported.event
            if case .customerErased = event.payload { erased.insert(event.customerID) }
            let isSealedRegistration = exported.sealedPayload != nil && event.payload.type == .customerRegistered
            if exported.wrappedDataKey != nil && !isSealedRegistration {
                throw EventTransferError(
                    index: index, field: "data_key",
                    reason: "only the sealed registration of a customer brings a data key, so the export was changed")
            }
            if isSealedRegistration && exported.wrappedDataKey == nil && !erased.contains(event.customerID) {
                throw EventTransferError(
                    index: index, field: "data_key",
                    reason: "customer \(event.customerID) has sealed personal data but no data key, and the export does not erase the customer, so the export was changed")
            }
        }
    }

    /// Decodes the public part of sealed stored bytes, with the personal fields withheld.
    private static func payload(ofSealed sealed: UnrecognizedPayload, index: Int) throws -> EventPayload {
        guard let type = EventType(rawValue: sealed.typeCode), type.reads(schemaVersion: sealed.schemaVersion),
            type.currentSchemaVersion == sealed.schemaVersion
        else {
            throw EventTransferError(
                index: index, field: "sealed", reason: "sealed bytes of type \(sealed.typeCode), schema version \(sealed.schemaVersion), which this version does not seal")
        }
        do {
            return try sealed.publicBytes.withUnsafeBytes { publicBytes in
                var reader = ByteReader(publicBytes)
                var none = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0))
                let payload = try PayloadCodec.decode(type, public: &reader, personal: &none, withheld: true)
                guard reader.isAtEnd else { throw DecodingError.malformed("trailing bytes", at: reader.offset) }
                return payload
            }
        } catch {
            throw EventTransferError(index: index, field: "sealed.public_hex", reason: "the bytes do not decode as \(type): \(error)")
        }
    }

    /// Returns the bytes to store for an event of an older schema version, or nil to encode it in
    /// the current one. Throws when the payload and its schema version do not fit together.
    private static func storedPayload(of event: RecordedEvent, index: Int) throws -> UnrecognizedPayload? {
        switch event.payload {
        case .unrecognized(let unknown):
            guard unknown.schemaVersion == event.schemaVersion else {
                throw EventTransferError(
                    index: index, field: "schema_version",
                    reason: "\(event.schemaVersion) differs from the payload's schema version \(unknown.schemaVersion)")
            }
            return nil
        default:
            let type = event.payload.type!
            if event.schemaVersion == type.currentSchemaVersion { return nil }
            guard type.reads(schemaVersion: event.schemaVersion) else {
                throw EventTransferError(
                    index: index, field: "schema_version",
                    reason: "this version of ledger does not read schema version \(event.schemaVersion) of \(type)")
            }
            do {
                return try LegacyPayloadEncoding.encode(event.payload, schemaVersion: event.schemaVersion)
            } catch {
                throw EventTransferError(
                    index: index, field: error.field.map { "payload." + $0 } ?? "schema_version", reason: error.reason)
            }
        }
    }

    /// Checks the import against the ledger and appends its new events, in the caller's write transaction.
    func run(
        _ txn: Transaction, schema: Schema, clock: @escaping @Sendable () -> Timestamp, keys: KeyRing?, actor: String,
        progress: ((Int, Int) -> Void)?
    ) throws -> EventImportSummary {
        let last = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
        let from = header.fromPosition
        guard from <= last + 1 else {
            throw EventTransferError(
                index: nil, field: "from_position",
                reason: "the export starts at position \(from) but the ledger ends at position \(last); import the events from position \(last + 1) on first")
        }
        // The base program comes first: it starts the chain, so an edited one changes h(0) and
        // fails the check of `previous_hash` or of the first line's hash.
        try checkBaseProgram(txn, schema: schema, ledgerIsEmpty: last == 0)
        try checkMasterKey(txn, schema: schema, keys: keys)
        let ledgerHash = try schema.storedHash(txn, at: from - 1)
        guard ledgerHash.hex == header.previousHash else {
            throw EventTransferError(
                index: nil, field: "previous_hash",
                reason: "the ledger's chain hash at position \(from - 1) is \(ledgerHash.hex), not \(header.previousHash), so the export continues another log or its base program was changed")
        }

        // Events at positions the ledger already has must be the stored ones.
        let presentCount = Int(min(UInt64(events.count), last &- from &+ 1))
        for index in 0..<presentCount {
            try compareWithStored(txn, schema: schema, index: index)
        }

        var head = (position: last, hash: try schema.storedHash(txn, at: last))
        let newCount = events.count - presentCount
        if newCount > 0 {
            head = try append(txn, schema: schema, clock: clock, keys: keys, actor: actor, from: presentCount, progress: progress)
        }
        return EventImportSummary(
            events: events.count, appended: newCount, alreadyPresent: presentCount,
            head: LogHead(position: head.position, hash: head.hash.hex))
    }

    /// Appends the events from index `first` on and checks each one's version and chain hash.
    private func append(
        _ txn: Transaction, schema: Schema, clock: @escaping @Sendable () -> Timestamp, keys: KeyRing?, actor: String,
        from first: Int,
        progress: ((Int, Int) -> Void)?
    ) throws -> (position: UInt64, hash: ChainHash) {
        var appender = try BatchAppender(schema: schema, transaction: txn, clock: clock, keys: keys, actor: nil)
        appender.derivesRewards = false
        let batch = Array(newEvents[first...])
        var outcomes: [Ledger.AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for offset in batch.indices {
            let index = first + offset
            let outcome: Ledger.AppendOutcome
            do {
                if let wrapped = events[index].wrappedDataKey, case .customerRegistered = batch[offset].payload,
                    let keys
                {
                    do {
                        try keys.store.put(txn, wrapped: wrapped, for: batch[offset].customerID)
                    } catch is PrivacyError {
                        throw EventTransferError(
                            index: index, field: "data_key",
                            reason: "the wrapped data key does not open for customer \(batch[offset].customerID) under this ledger's master key, so the export was changed")
                    }
                }
                outcome = try appender.append(
                    batch[offset], index: offset, batch: batch, outcomes: outcomes, expectedVersions: [:],
                    storedPayload: storedPayloads[index], personalIsSealed: events[index].sealedPayload != nil)
            } catch LedgerError.ruleViolation(_, _, let reason) {
                throw EventTransferError(index: index, field: nil, reason: "rejected by a business rule: \(reason)")
            } catch LedgerError.eventIDReused(let id, let position) {
                throw EventTransferError(
                    index: index, field: "event_id",
                    reason: "\(id.uuidString.lowercased()) is already the id of the event at position \(position), which has other content")
            }
            let event = events[index].event
            guard outcome.wasAppended else {
                throw EventTransferError(
                    index: index, field: "event_id",
                    reason: "\(event.id.uuidString.lowercased()) is already the id of the event at position \(outcome.position), with the same content")
            }
            guard outcome.version == event.version else {
                throw EventTransferError(
                    index: index, field: "version",
                    reason: "the ledger gives this event version \(outcome.version) of its stream, not \(event.version)")
            }
            let hash = appender.chainHash.hex
            guard hash == events[index].chainHash else {
                throw EventTransferError(
                    index: index, field: "hash",
                    reason: "the event hashes to \(hash), not \(events[index].chainHash), so it was changed after the export (or an earlier one was)")
            }
            outcomes.append(outcome)
            if let progress, (offset + 1) % 1000 == 0 || offset + 1 == batch.count {
                progress(offset + 1, batch.count)
            }
        }
        try appender.finish()
        return (appender.position, appender.chainHash)
    }

    /// Checks that an export with sealed personal data goes into a ledger with the same master key.
    private func checkMasterKey(_ txn: Transaction, schema: Schema, keys: KeyRing?) throws {
        let ledgerKey = try schema.masterKeyCheck(txn).map { Hex.string($0.prefix(8)) }
        guard let exportKey = header.masterKeyFingerprint else {
            if events.contains(where: { $0.sealedPayload != nil || $0.wrappedDataKey != nil }) {
                throw EventTransferError(
                    index: nil, field: "master_key",
                    reason: "the export holds sealed personal data but names no master key; export it again with this version")
            }
            if ledgerKey != nil, let index = events.firstIndex(where: { $0.event.payload.hasPersonalFields }) {
                throw EventTransferError(
                    index: index, field: "master_key",
                    reason: "the export keeps personal data in clear, from a ledger without encryption, and this ledger encrypts it; the hash chain covers the stored bytes, so import it into a ledger created without encryption")
            }
            return
        }
        guard let ledgerKey else {
            throw EventTransferError(
                index: nil, field: "master_key",
                reason: "the export comes from an encrypted ledger and this ledger keeps personal data in clear; import it into a new ledger created with the master key \(exportKey)")
        }
        guard ledgerKey == exportKey else {
            throw EventTransferError(
                index: nil, field: "master_key",
                reason: "the export's personal data is sealed under the master key \(exportKey), and this ledger uses the master key \(ledgerKey); import it into a ledger created with the export's key")
        }
    }

    /// Stores the header's base program in an empty ledger, or checks that a ledger with events has the same one.
    private func checkBaseProgram(_ txn: Transaction, schema: Schema, ledgerIsEmpty: Bool) throws {
        let encoded = header.baseProgram.encode()
        if ledgerIsEmpty {
            do {
                try header.baseProgram.validate()
            } catch {
                throw EventTransferError(index: nil, field: "base_program", reason: "\(error)")
            }
            try schema.putMeta(txn, Schema.MetaKey.program, encoded)
            return
        }
        guard try schema.program(txn).encode() == encoded else {
            throw EventTransferError(
                index: nil, field: "base_program",
                reason: "the ledger was created with another loyalty program, so the export comes from another ledger")
        }
    }

    /// Compares the event at `index` with the one the ledger stores at its position.
    private func compareWithStored(_ txn: Transaction, schema: Schema, index: Int) throws {
        let exported = events[index]
        let position = exported.event.position
        let (stored, sealed) = try Keys.withUInt64(position) { key -> (RecordedEvent, UnrecognizedPayload?) in
            guard let bytes = try txn.get(schema.events, key) else {
                throw LedgerError.corruptEvent(position: position, .truncated(at: 0))
            }
            // Personal parts stored in clear are compared; sealed ones are compared as bytes below.
            let event = try EventCodec.decode(bytes, position: position, personal: PersonalDataReader(role: .admin, keys: nil))
            return (event, try EventCodec.sealedPayload(of: bytes, position: position))
        }
        var expected = exported.event
        expected.payload = newEvents[index].payload
        if let field = Self.firstDifference(stored, expected) ?? (sealed == exported.sealedPayload ? nil : "sealed") {
            throw EventTransferError(
                index: index, field: field,
                reason: "the ledger already has another event at position \(position), which differs in this field")
        }
        let storedHash = try schema.storedHash(txn, at: position)
        guard storedHash.hex == exported.chainHash else {
            throw EventTransferError(
                index: index, field: "hash",
                reason: "the ledger's chain hash at position \(position) is \(storedHash.hex), not \(exported.chainHash)")
        }
    }

    /// Returns the name of the first field in which the events differ, comparing text byte for byte.
    private static func firstDifference(_ stored: RecordedEvent, _ exported: RecordedEvent) -> String? {
        func same(_ left: String, _ right: String) -> Bool { left.utf8.elementsEqual(right.utf8) }
        if stored.id != exported.id { return "event_id" }
        if stored.customerID != exported.customerID { return "customer_id" }
        if stored.version != exported.version { return "version" }
        if stored.payload.typeCode != exported.payload.typeCode { return "type" }
        if stored.schemaVersion != exported.schemaVersion { return "schema_version" }
        if stored.occurredAt != exported.occurredAt { return "occurred_at" }
        if stored.recordedAt != exported.recordedAt { return "recorded_at" }
        if !same(stored.metadata.actor, exported.metadata.actor) { return "actor" }
        if !same(stored.metadata.source, exported.metadata.source) { return "source" }
        if stored.metadata.correlationID != exported.metadata.correlationID { return "correlation_id" }
        if stored.metadata.causationID != exported.metadata.causationID { return "causation_id" }
        if !stored.payload.encodesLike(exported.payload) { return "payload" }
        return nil
    }
}
