import Foundation

extension Ledger {
    /// The number of findings a ``VerificationReport`` lists. It counts the rest in
    /// ``VerificationReport/omittedFindings``.
    public static let maximumVerificationFindings = 100

    /// The number of events ``verify(progress:)`` reads in one read transaction, so that a long
    /// check does not pin one old snapshot of the file.
    static let verificationChunkSize = 65_536

    /// Checks the whole log and everything derived from it, and reports every inconsistency.
    ///
    /// The check walks the events in position order, in read transactions of at most
    /// 65,536 events, and checks at each position that:
    /// - the position follows the previous one without a gap;
    /// - the record decodes;
    /// - the record hashes to its stored chain hash, h(p) = BLAKE2b-256(h(p − 1) ‖ p ‖ record),
    ///   and the chain links through it (see ``VerificationFinding/Kind``);
    /// - the customer's versions run 1, 2, 3, … and the back-pointer distance leads to the
    ///   customer's previous event;
    /// - the event-id index maps the event's id to this position.
    ///
    /// At the end it compares the chain head and last position in `meta` with the log. When the
    /// index has more entries than the log has events, or an id did not map back, it also checks
    /// that every index entry maps to an event with that id. Last, it compares the projections rebuilt
    /// in memory, as ``replay(program:progress:)`` folds them, byte for byte with the stored
    /// customer table, statistics and program versions.
    ///
    /// Events appended during the check are checked too: it ends at the first read transaction
    /// that reaches the end of the log. That transaction also reads the whole customer table,
    /// and the whole event-id index when the index needs the reverse check.
    ///
    /// - parameter progress: called after each read transaction with the events checked so far
    ///   and the last position when the check started.
    /// - throws: ``LMDBError`` when LMDB fails. Damaged data is reported as findings, not thrown,
    ///   except a damaged base program in `meta`, which the fold starts from.
    /// - Complexity: O(N log N) for N events, with memory proportional to the customers.
    @available(*, noasync)
    public func verify(progress: ((UInt64, UInt64) -> Void)? = nil) throws -> VerificationReport {
        try verify(chunkSize: Self.verificationChunkSize, progress: progress)
    }

    /// Runs ``verify(progress:)`` with `chunkSize` events per read transaction.
    @available(*, noasync)
    func verify(chunkSize: Int, progress: ((UInt64, UInt64) -> Void)?) throws -> VerificationReport {
        precondition(chunkSize > 0, "a verification chunk needs at least one event")
        let damaged = try environment.checkPages(.all)
        guard damaged.isEmpty else { return Self.damagedFileReport(damaged) }
        var verifier = try environment.read { txn in try LogVerifier(schema: schema, transaction: txn) { txn in
                PersonalDataReader(role: .admin, keys: self.keyRing(txn))
            } }
        while true {
            let report = try environment.read { txn in try verifier.checkChunk(txn, limit: chunkSize) }
            progress?(verifier.eventsChecked, verifier.startPosition)
            if let report { return report }
        }
    }
}

extension Ledger {
    /// The report for a file with damaged pages, whose log and head are not read.
    static func damagedFileReport(_ damaged: [DamagedPage]) -> VerificationReport {
        let findings = damaged.map { page in
            VerificationFinding(kind: .damagedPage, page: page.page, detail: "table '\(page.table)': \(page.detail)")
        }
        let listed = Array(findings.prefix(maximumVerificationFindings))
        return VerificationReport(
            eventsChecked: 0, head: LogHead(position: 0, hash: String(repeating: "?", count: 2 * ChainHash.byteCount)),
            recomputedHash: nil, findings: listed, omittedFindings: findings.count - listed.count,
            projectionsCompared: false)
    }
}

/// The state of one ``Ledger/verify(progress:)`` run between its read transactions.
struct LogVerifier {
    /// The last event read, with the hashes that the next position links from.
    struct Link {
        var position: UInt64
        /// The hash stored in `hashes` for this position, or nil when it is missing.
        var stored: ChainHash?
        /// The hash of this record from the predecessor's stored hash, or nil when the
        /// predecessor's hash is unknown.
        var computed: ChainHash?

        /// The hash that the next position should link from.
        var chainHash: ChainHash? { stored ?? computed }
    }

    /// A position whose record does not hash to its stored hash, waiting for the next link to
    /// show whether the record or the hash changed.
    struct Mismatch {
        var position: UInt64
        var stored: ChainHash
        var computed: ChainHash
    }

    /// The newest position and version of one customer's stream.
    struct StreamEnd {
        var position: UInt64
        var version: UInt32
    }

    let schema: Schema
    /// The last position in `meta` when the check started.
    let startPosition: UInt64
    private(set) var eventsChecked: UInt64 = 0
    var fold: ReplayFold
    /// False once an event could not be folded, which leaves nothing to compare the projections with.
    var isFolding = true
    var previous: Link?
    var mismatch: Mismatch?
    /// h(0), the hash of the stored base program.
    let genesis: ChainHash
    /// The hash of every stored record chained in position order from h(0), nil after a gap.
    var recomputed: ChainHash?
    private var streams: [CustomerID: StreamEnd] = [:]
    var indexNeedsReverseCheck = false
    var positionFindings = FindingList()

    /// Opens sealed personal parts in each chunk's transaction.
    let personalReader: (Transaction) -> PersonalDataReader
    private var personal = PersonalDataReader(role: .analyst, keys: nil)

    init(schema: Schema, transaction txn: Transaction, personalReader: @escaping (Transaction) -> PersonalDataReader) throws {
        self.schema = schema
        self.personalReader = personalReader
        startPosition = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
        genesis = try schema.genesis(txn)
        recomputed = genesis
        fold = ReplayFold(timeline: ProgramTimeline(base: try schema.program(txn)))
        // The stored count is only a capacity hint, so a damaged one must not stop the check.
        let expectedCustomers = Int(clamping: min((try? schema.statistics(txn).customers) ?? 0, startPosition))
        fold.workspace.reserveCapacity(expectedCustomers)
        streams.reserveCapacity(expectedCustomers)
    }

    /// Checks up to `limit` events after the last one checked. Returns the report when this
    /// transaction reached the end of the log, after the final checks, or nil when events remain.
    mutating func checkChunk(_ txn: Transaction, limit: Int) throws -> VerificationReport? {
        // Refunds rebuild their orders from the events of this transaction.
        fold.workspace.source = ProjectionSource(transaction: txn, customers: nil, events: schema.events)
        personal = personalReader(txn)
        defer {
            fold.workspace.source = nil
            personal = PersonalDataReader(role: .analyst, keys: nil)
        }

        let start = (previous?.position ?? 0) + 1
        let reachedEnd = try txn.withCursor(schema.events) { events in
            try txn.withCursor(schema.hashes) { hashes in
                var hashEntry = try Keys.withUInt64(start) { try hashes.seek(atLeast: $0) }
                var entry = try Keys.withUInt64(start) { try events.seek(atLeast: $0) }
                var count = 0
                while let (key, record) = entry {
                    if count == limit { return false }
                    let position = Keys.readUInt64(key)
                    // The hash cursor stays at the first entry at or after `position`. The entry
                    // before it is needed only after a gap, so it is looked up then.
                    while let (hashKey, _) = hashEntry, Keys.readUInt64(hashKey) < position {
                        hashEntry = try hashes.next()
                    }
                    var stored: ChainHash?
                    var storedEntryIsInvalid = false
                    if let (hashKey, value) = hashEntry, Keys.readUInt64(hashKey) == position {
                        stored = ChainHash(value)
                        storedEntryIsInvalid = stored == nil
                    }
                    try check(txn, position: position, record: record, stored: stored, invalidHashEntry: storedEntryIsInvalid)
                    count += 1
                    entry = try events.next()
                }
                return true
            }
        }
        guard reachedEnd else { return nil }
        return try finish(txn)
    }

    // MARK: - One position

    private mutating func check(
        _ txn: Transaction, position: UInt64, record: UnsafeRawBufferPointer, stored: ChainHash?, invalidHashEntry: Bool
    ) throws {
        let expected = (previous?.position ?? 0) + 1
        if position < expected {
            // Keys ascend in a sound B-tree, so only a damaged key gets here.
            positionFindings.add(
                .init(kind: .undecodableRecord, position: expected,
                      detail: "the event key after position \(expected - 1) reads as position \(position): the key is damaged"))
            isFolding = false
            return
        }
        if position != expected {
            let missing = expected == position - 1 ? "position \(expected) is" : "positions \(expected) to \(position - 1) are"
            positionFindings.add(
                .init(kind: .positionGap, position: expected,
                      detail: "\(missing) missing before the event at \(position): events were deleted"))
            recomputed = nil
        }
        try checkChain(txn, position: position, record: record, stored: stored, invalidHashEntry: invalidHashEntry)
        eventsChecked += 1

        let header: EventCodec.Header
        do {
            header = try Self.decodeRecord(record, position: position, personal: personal)
        } catch PrivacyError.tamperedCiphertext {
            // The clear part decoded, so the stream, the index and the projections are still checked.
            positionFindings.add(
                .init(kind: .sealedDataChanged, position: position,
                      detail: "the sealed personal data fails its authentication check under the master key: its ciphertext was changed or belongs to another event"))
            var reader = ByteReader(record)
            header = try EventCodec.decodeHeader(&reader, metadata: false)
        } catch LedgerError.corruptEvent(_, let decoding) {
            positionFindings.add(
                .init(kind: .undecodableRecord, position: position, detail: "the record does not decode: \(decoding)"))
            isFolding = false
            return
        } catch {
            positionFindings.add(
                .init(kind: .undecodableRecord, position: position, detail: "the record does not decode: \(error)"))
            isFolding = false
            return
        }
        checkStream(header, position: position)
        try checkIndexEntry(txn, id: header.id, position: position)

        guard isFolding else { return }
        do {
            try fold.fold(record, at: position)
        } catch {
            isFolding = false
            positionFindings.add(
                .init(kind: .projection, position: position, customerID: header.customerID,
                      detail: "the projections cannot be rebuilt, because folding this event failed: \(error)"))
        }
    }

    /// Checks the link of `position` and settles the mismatch left at the position before it.
    private mutating func checkChain(
        _ txn: Transaction, position: UInt64, record: UnsafeRawBufferPointer, stored: ChainHash?, invalidHashEntry: Bool
    ) throws {
        let predecessor: ChainHash?
        if position == 1 {
            predecessor = genesis
        } else if let previous, previous.position == position - 1 {
            predecessor = previous.chainHash
        } else {
            // After a gap, the hash of the deleted event may still be stored.
            predecessor = try Keys.withUInt64(position - 1) { key in
                try txn.get(schema.hashes, key).flatMap { ChainHash($0) }
            }
        }
        var computed = predecessor.map { HashChain.link(after: $0, position: position, record: record) }
        if let recomputedSoFar = recomputed {
            recomputed =
                recomputedSoFar == predecessor ? computed
                : HashChain.link(after: recomputedSoFar, position: position, record: record)
        }

        if let waiting = mismatch {
            mismatch = nil
            if waiting.position != position - 1 {
                positionFindings.add(
                    .init(kind: .chainBroken, position: waiting.position,
                          detail: "the record does not hash to its stored chain hash, and the next position is missing, so whether the record or the hash changed is unknown"))
            } else if let stored, computed == stored {
                addRecordChanged(waiting)
            } else if let stored, HashChain.link(after: waiting.computed, position: position, record: record) == stored {
                addHashChanged(waiting, next: "the event at \(position)")
                // This position links from the real hash of the record before it, so it is intact.
                computed = stored
            } else {
                positionFindings.add(
                    .init(kind: .chainBroken, position: waiting.position,
                          detail: "the record does not hash to its stored chain hash, and the event at \(position) links from neither of them"))
            }
        }

        if stored == nil {
            let problem = invalidHashEntry ? "is not 32 bytes long" : "is missing"
            positionFindings.add(
                .init(kind: .chainBroken, position: position, detail: "the chain hash of this position \(problem)"))
        } else if let stored, let computed, computed != stored {
            mismatch = Mismatch(position: position, stored: stored, computed: computed)
        }
        previous = Link(position: position, stored: stored, computed: computed)
    }

    mutating func addRecordChanged(_ mismatch: Mismatch) {
        positionFindings.add(
            .init(kind: .recordChanged, position: mismatch.position,
                  detail: "the record's bytes do not hash to its stored chain hash \(mismatch.stored.hex), which the next link continues from: the record changed after it was written"))
    }

    mutating func addHashChanged(_ mismatch: Mismatch, next: String) {
        positionFindings.add(
            .init(kind: .hashChanged, position: mismatch.position,
                  detail: "the stored chain hash \(mismatch.stored.hex) is not the record's hash \(mismatch.computed.hex), which \(next) continues from: the hash entry was changed"))
    }

    /// Checks the version and back-pointer of the event against its customer's previous event.
    private mutating func checkStream(_ header: EventCodec.Header, position: UInt64) {
        let customer = header.customerID
        // Swapping through the subscript looks the customer up once: `end` receives the stored
        // end, or version 0 at position 0 for a new customer, and the stored end becomes this event.
        var end = StreamEnd(position: position, version: header.version)
        swap(&end, &streams[customer, default: StreamEnd(position: 0, version: 0)])
        let expectedVersion = end.version + 1
        let expectedPrevious = end.position
        let pointsTo = header.previousDistance == 0 || header.previousDistance > position ? nil : position - header.previousDistance
        if header.version != expectedVersion {
            positionFindings.add(
                .init(kind: .versionSequence, position: position, customerID: customer,
                      detail: "customer \(customer) has version \(header.version) here, but its previous event is version \(expectedVersion - 1), so this one should be \(expectedVersion)"))
        } else if expectedPrevious == 0 && header.previousDistance != 0 {
            positionFindings.add(
                .init(kind: .versionSequence, position: position, customerID: customer,
                      detail: "this is the first event of customer \(customer), but its back-pointer distance is \(header.previousDistance) instead of 0"))
        } else if expectedPrevious != 0 && pointsTo != expectedPrevious {
            let target = pointsTo.map { "position \($0)" } ?? "no event"
            positionFindings.add(
                .init(kind: .versionSequence, position: position, customerID: customer,
                      detail: "the back-pointer of customer \(customer) leads to \(target), but the customer's previous event is at \(expectedPrevious)"))
        }
    }

    /// Checks that the event-id index maps `id` to `position`.
    private mutating func checkIndexEntry(_ txn: Transaction, id: UUID, position: UInt64) throws {
        let indexed = try withUnsafeBytes(of: id.uuid) { key in
            try txn.get(schema.eventIDs, key).map { $0.count == 8 ? Keys.readUInt64($0) : nil }
        }
        // The id's text is built only for a finding, because `uuidString` is slow enough to show
        // in the time of a million events.
        var idText: String { id.uuidString.lowercased() }
        switch indexed {
        case .none:
            indexNeedsReverseCheck = true
            positionFindings.add(
                .init(kind: .eventIDIndex, position: position,
                      detail: "the event-id index has no entry for this event's id \(idText)"))
        case .some(.none):
            indexNeedsReverseCheck = true
            positionFindings.add(
                .init(kind: .eventIDIndex, position: position,
                      detail: "the event-id index entry of id \(idText) is not an 8-byte position"))
        case .some(.some(let found)) where found != position:
            indexNeedsReverseCheck = true
            positionFindings.add(
                .init(kind: .eventIDIndex, position: position,
                      detail: "the event-id index maps this event's id \(idText) to position \(found)"))
        default:
            break
        }
    }

    /// Decodes a whole record, as ``EventCodec/decode(_:position:)`` does, and returns its header.
    /// With the master key, sealed personal parts are opened too, so that ciphertext that fails
    /// authentication is found even when its chain hash was recomputed.
    private static func decodeRecord(_ record: UnsafeRawBufferPointer, position: UInt64, personal: PersonalDataReader)
        throws -> EventCodec.Header
    {
        var reader = ByteReader(record)
        let header = try EventCodec.decodeHeader(&reader, metadata: true)
        _ = try EventCodec.decodePayload(&reader, header: header, personal: personal, position: position)
        guard reader.isAtEnd else {
            throw DecodingError.malformed("\(reader.remaining) bytes after the payload", at: reader.offset)
        }
        return header
    }
}
