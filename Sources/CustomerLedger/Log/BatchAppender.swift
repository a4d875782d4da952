import Foundation

/// Appends the events of one batch inside one write transaction and writes back what they changed.
struct BatchAppender {
    let schema: Schema
    let transaction: Transaction
    let clock: @Sendable () -> Timestamp
    let tables: ProjectionTables
    var workspace: ProjectionWorkspace
    var position: UInt64
    /// h(position), the hash chain's link for the last event written.
    var chainHash: ChainHash
    var statistics: LogStatistics
    var checkedCustomers: Set<CustomerID> = []
    var batchPositions: [UUID: Int] = [:]
    var record = ByteWriter(capacity: 512)
    var scratch = ByteWriter(capacity: 256)
    /// The number of program events before this batch, so that ``finish()`` stores the
    /// versions only when the batch added one.
    let initialStreamVersion: UInt32
    /// False while an import restores events from an export, which already contains the
    /// referral rewards that the rules derived when the events were first appended.
    var derivesRewards = true
    /// The data keys that seal personal parts, or nil for a ledger that keeps them in clear.
    let keys: KeyRing?
    /// The actor recorded on events that name none, or nil to store events as they are, as an
    /// import does.
    let actor: String?

    init(
        schema: Schema, transaction: Transaction, clock: @escaping @Sendable () -> Timestamp, keys: KeyRing?,
        actor: String?
    ) throws {
        self.schema = schema
        self.transaction = transaction
        self.clock = clock
        self.keys = keys
        self.actor = actor
        tables = try schema.activeProjections(transaction)
        workspace = ProjectionWorkspace(
            timeline: try schema.timeline(transaction), source: try schema.projectionSource(transaction))
        initialStreamVersion = workspace.timeline.streamVersion
        position = try schema.metaUInt64(transaction, Schema.MetaKey.logPosition)
        let head = try schema.chainHead(transaction)
        guard head.position == position else {
            throw LedgerError.brokenHashChain(
                "its head is at position \(head.position) but the log ends at \(position), so the next event cannot be chained")
        }
        chainHash = head.hash
        statistics = try schema.statistics(transaction)
    }

    /// - parameter storedPayload: the bytes to store instead of the encoding of `event.payload`:
    ///   an older schema version of the same payload, which an import keeps byte for byte. The
    ///   rules and projections still see `event.payload`.
    /// - parameter personalIsSealed: true when `storedPayload` contains a sealed personal part, as an
    ///   import of an encrypted export stores it.
    mutating func append(
        _ event: NewEvent, index: Int, batch: [NewEvent], outcomes: [Ledger.AppendOutcome],
        expectedVersions: [CustomerID: UInt32], storedPayload: UnrecognizedPayload? = nil,
        personalIsSealed: Bool = false
    ) throws -> Ledger.AppendOutcome {
        if let earlier = batchPositions[event.id] {
            guard batch[earlier].hasSameContent(as: event) else {
                throw LedgerError.ruleViolation(
                    index: index, eventID: event.id,
                    reason: "its event id is also event \(earlier + 1) of the batch, with other content; use a new event id")
            }
            var repeated = outcomes[earlier]
            repeated.wasAppended = false
            return repeated
        }
        if let existing = try storedOutcome(of: event) { return existing }

        let customerID = event.customerID
        let current = customerID.isLedgerStream ? nil : try workspace.customer(customerID)
        let currentVersion = customerID.isLedgerStream ? workspace.timeline.streamVersion : current?.version ?? 0
        if let expected = expectedVersions[customerID], checkedCustomers.insert(customerID).inserted {
            let actual = currentVersion
            guard expected == actual else {
                throw LedgerError.versionConflict(customer: customerID, expected: expected, actual: actual)
            }
        }
        try checkSupported(event.occurredAt, name: "occurred-at", of: event, index: index)
        if let recordedAt = event.recordedAt {
            try checkSupported(recordedAt, name: "recorded-at", of: event, index: index)
        }
        do {
            try workspace.validate(event.payload, customerID: customerID, occurredAt: event.occurredAt)
            try checkProgramEvent(event)
            if case .customerErased = event.payload, keys == nil {
                throw RuleViolation(
                    "this ledger keeps personal data in clear, because it was created before encryption, and the hash chain covers those bytes, so erasure cannot make them unreadable")
            }
        } catch let violation as RuleViolation {
            throw LedgerError.ruleViolation(index: index, eventID: event.id, reason: violation.reason)
        }

        let version = currentVersion + 1
        position += 1
        let previousPosition = customerID.isLedgerStream ? workspace.timeline.lastPosition : current?.lastPosition ?? 0
        let previousDistance = previousPosition == 0 ? 0 : position - previousPosition
        let recordedAt = event.recordedAt ?? clock()
        record.reset()
        var stored = event
        if let storedPayload { stored.payload = .unrecognized(storedPayload) }
        if let actor, stored.metadata.actor.isEmpty { stored.metadata.actor = actor }
        var dataKey: [UInt8]?
        if let keys, !personalIsSealed, storedPayload == nil, !customerID.isLedgerStream {
            if case .customerRegistered = event.payload {
                dataKey = try keys.create(for: customerID)
            } else if event.payload.hasPersonalFields {
                // An encrypted ledger never stores personal data in clear, so a customer without
                // a key, which only a damaged import can leave, takes no personal data.
                guard let key = try keys.key(for: customerID) else {
                    throw LedgerError.ruleViolation(
                        index: index, eventID: event.id,
                        reason: "customer \(customerID) has no data key, so the personal data of this event cannot be encrypted; restore the ledger from a backup")
                }
                dataKey = key
            }
        }
        let personalPart = EventCodec.encode(
            stored, version: version, previousDistance: previousDistance, recordedAt: recordedAt, into: &record,
            scratch: &scratch, sealingWith: dataKey, personalIsSealed: personalIsSealed)
        try write(eventID: event.id)
        try workspace.apply(
            FoldEvent(event.payload, personal: personalRecord(of: event, part: personalPart)), customerID: customerID,
            version: version, position: position, occurredAt: event.occurredAt)
        if case .customerErased = event.payload { try keys?.destroy(for: customerID) }
        var isRegistration = false
        if case .customerRegistered = event.payload { isRegistration = true }
        statistics.record(
            customerEvent: !customerID.isLedgerStream,
            typeCode: event.payload.typeCode, isRegistration: isRegistration, occurredAt: event.occurredAt,
            recordedAt: recordedAt)
        batchPositions[event.id] = index
        let outcome = Ledger.AppendOutcome(position: position, version: version, wasAppended: true)
        try payReferralRewards(after: event, index: index)
        return outcome
    }

    /// Returns the personal record that the customer's state keeps of a registration or of a
    /// profile update that changes a personal field, as the record stores it.
    private func personalRecord(of event: NewEvent, part: EventCodec.PersonalPart) -> PersonalRecord? {
        guard part.count > 0 else { return nil }
        var mask: UInt64 = 0
        switch event.payload {
        case .customerRegistered:
            break
        case .profileUpdated:
            // The stored mask, which a payload with withheld fields cannot give.
            mask = record.bytes.withUnsafeBytes { bytes in
                var reader = ByteReader(bytes, offset: part.publicOffset)
                return (try? reader.readVarint()) ?? 0
            }
        default:
            return nil
        }
        return PersonalRecord(
            eventID: event.id, typeCode: event.payload.typeCode, mask: mask, isSealed: part.isSealed,
            bytes: Array(record.bytes[part.offset..<part.offset + part.count]))
    }

    /// Checks the rules of program events, which need the log's latest time: the first is a
    /// ``EventType/programDefined``, later ones ``EventType/programChanged``, each valid and in
    /// force only after every event already in the log.
    private func checkProgramEvent(_ event: NewEvent) throws {
        let version: ProgramVersion
        switch event.payload {
        case .programDefined(let defined):
            guard workspace.timeline.streamVersion == 0 else {
                throw RuleViolation("the program is already defined; record a ProgramChanged event to change it")
            }
            version = defined
        case .programChanged(let changed):
            guard workspace.timeline.streamVersion > 0 else {
                throw RuleViolation("no program is defined yet; record a ProgramDefined event first")
            }
            version = changed
        default:
            return
        }
        do {
            try version.program.validate()
        } catch {
            throw RuleViolation("\(error)")
        }
        guard event.occurredAt == version.effectiveFrom else {
            throw RuleViolation(
                "a program event occurs at its effective instant \(version.effectiveFrom), not at \(event.occurredAt)")
        }
        if let latest = statistics.latestOccurredAt, version.effectiveFrom <= latest {
            throw RuleViolation(
                "the program cannot take effect at \(version.effectiveFrom), because the log already has events up to \(latest); choose a later instant, or try the program with simulate")
        }

    }

    /// Appends the referral rewards that a referred customer's first qualifying purchase earns:
    /// one of a positive amount in the program currency, at or above the minimum order amount.
    /// Each reward is paid once: the event ids derive from the customers, and each reward key can
    /// be paid only once.
    private mutating func payReferralRewards(after event: NewEvent, index: Int) throws {
        guard derivesRewards, case .purchaseRecorded(let purchase) = event.payload,
            let referrer = workspace.referrer(of: event.customerID)
        else { return }
        let program = workspace.program(at: event.occurredAt)
        guard let referral = program.referral, purchase.amount.currency == program.currency,
            purchase.amount.minorUnits > 0, purchase.amount.minorUnits >= program.minimumOrderAmount
        else { return }
        let rewards: [(CustomerID, RewardGranted)] = [
            (referrer, RewardGranted(kind: .referrer, key: "referral:\(event.customerID)", points: referral.referrerPoints)),
            (event.customerID, RewardGranted(kind: .referred, key: "referred", points: referral.newCustomerPoints)),
        ]
        for (customer, reward) in rewards {
            // An erased referrer takes no further events, so the reward lapses.
            guard reward.points > 0, let target = try workspace.customer(customer), target.erasedAt == nil,
                !target.rewardKeys.contains(ProjectionWorkspace.rewardKeyHash(reward.key))
            else { continue }
            var metadata = EventMetadata()
            metadata.actor = "ledger"
            metadata.source = "referral rule"
            metadata.causationID = event.id
            metadata.correlationID = event.metadata.correlationID
            let derived = NewEvent(
                id: EventID.stable("reward/\(customer)/\(reward.key)", prefix: UInt64(bitPattern: event.occurredAt.microseconds / 1000)),
                customerID: customer, occurredAt: event.occurredAt, payload: .rewardGranted(reward), metadata: metadata,
                recordedAt: event.recordedAt)
            // A rejected reward is reported as the purchase that triggered it.
            _ = try append(derived, index: index, batch: [], outcomes: [], expectedVersions: [:])
        }
    }

    /// Rejects an instant outside ``Timestamp/supportedRange``, whose arithmetic could overflow.
    private func checkSupported(_ instant: Timestamp, name: String, of event: NewEvent, index: Int) throws {
        guard !Timestamp.supportedRange.contains(instant) else { return }
        throw LedgerError.ruleViolation(
            index: index, eventID: event.id,
            reason: "\(name) \(instant.microseconds) µs since 1970 is outside the years 1 to 9999")
    }

    /// Returns the outcome of an earlier append of the same event, or nil for a new event id.
    /// Throws ``LedgerError/eventIDReused(id:position:)`` when the stored event has other content.
    /// A nil recorded-at on the new event matches any stored one, as in ``NewEvent/hasSameContent(as:)``.
    private func storedOutcome(of event: NewEvent) throws -> Ledger.AppendOutcome? {
        let found = try withUnsafeBytes(of: event.id.uuid) { key in
            try transaction.get(schema.eventIDs, key).map { Keys.readUInt64($0) }
        }
        guard let existingPosition = found else { return nil }
        let stored = try Keys.withUInt64(existingPosition) { key -> RecordedEvent in
            guard let bytes = try transaction.get(schema.events, key) else {
                throw LedgerError.corruptEvent(position: existingPosition, .truncated(at: 0))
            }
            return try EventCodec.decode(
                bytes, position: existingPosition, personal: PersonalDataReader(role: .admin, keys: keys))
        }
        let sameContent = event.hasContent(
            customerID: stored.customerID, occurredAt: stored.occurredAt, payload: stored.payload,
            recordedAt: stored.recordedAt)
        guard sameContent else { throw LedgerError.eventIDReused(id: event.id, position: existingPosition) }
        return Ledger.AppendOutcome(position: existingPosition, version: stored.version, wasAppended: false)
    }

    /// Puts the encoded record in `events`, its chain hash in `hashes` and its position in the
    /// event-id index.
    private mutating func write(eventID: UUID) throws {
        let position = self.position
        chainHash = record.bytes.withUnsafeBytes { HashChain.link(after: chainHash, position: position, record: $0) }
        try Keys.withUInt64(position) { positionKey in
            try record.bytes.withUnsafeBytes { value in
                try transaction.put(schema.events, positionKey, value, append: true)
            }
            try schema.appendHash(transaction, position: position, hash: chainHash)
            try withUnsafeBytes(of: eventID.uuid) { idKey in
                try transaction.put(schema.eventIDs, idKey, positionKey, noOverwrite: true)
            }
        }
    }

    /// Writes the changed projections, the new positions and the statistics.
    mutating func finish() throws {
        try ProjectionWriter.write(workspace, to: tables, in: transaction, everyCustomer: false)
        if workspace.timeline.streamVersion != initialStreamVersion {
            try schema.putMeta(transaction, Schema.MetaKey.programVersions, workspace.timeline.encodeVersions())
        }
        try schema.putMeta(transaction, Schema.MetaKey.logPosition, position)
        try schema.putChainHead(transaction, position: position, hash: chainHash)
        try schema.putMeta(transaction, Schema.MetaKey.projectionPosition, position)
        try schema.putMeta(transaction, Schema.MetaKey.statistics, statistics.encode())
    }
}

/// Writes the customers a workspace changed into projection tables.
enum ProjectionWriter {
    /// - parameter everyCustomer: writes every customer in key order with `MDB_APPEND`, for the
    ///   empty tables of a replay, instead of the changed customers.
    static func write(
        _ workspace: ProjectionWorkspace, to tables: ProjectionTables, in txn: Transaction, everyCustomer: Bool
    ) throws {
        var writer = ByteWriter(capacity: 1024)
        func put(_ state: CustomerState) throws {
            writer.reset()
            state.encode(into: &writer)
            try Keys.withCustomer(state.customerID) { key in
                try writer.bytes.withUnsafeBytes { try txn.put(tables.customers, key, $0, append: everyCustomer) }
            }
        }
        if everyCustomer {
            let states = workspace.states
            for index in states.indices.sorted(by: { states[$0].customerID < states[$1].customerID }) {
                try put(states[index])
            }
        } else {
            for id in workspace.changedCustomers {
                if let state = workspace.loadedState(of: id) { try put(state) }
            }
        }
    }
}
