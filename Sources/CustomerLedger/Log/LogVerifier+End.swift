import Foundation

/// The checks of ``Ledger/verify(progress:)`` that need the whole log.
extension LogVerifier {
    /// Runs the checks that need the whole log, in the transaction that reached its end.
    mutating func finish(_ txn: Transaction) throws -> VerificationReport {
        let lastEvent = previous?.position ?? 0
        let logPosition = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
        let storedHead: (position: UInt64, hash: ChainHash)?
        do {
            storedHead = try schema.chainHead(txn)
        } catch let error as LedgerError {
            storedHead = nil
            positionFindings.add(.init(kind: .headMismatch, position: logPosition, detail: "\(error)"))
        }
        checkHead(storedHead, lastEvent: lastEvent, logPosition: logPosition)

        var indexFindings = FindingList()
        if try indexNeedsReverseCheck || txn.count(schema.eventIDs) != txn.count(schema.events) {
            try checkIndexEntries(txn, into: &indexFindings)
        }
        var projectionFindings = FindingList()
        if isFolding { try compareProjections(txn, into: &projectionFindings) }

        var findings = positionFindings.sortedByPosition()
        findings += indexFindings.findings
        findings += projectionFindings.findings
        let total = positionFindings.total + indexFindings.total + projectionFindings.total
        let listed = Array(findings.prefix(Ledger.maximumVerificationFindings))
        let headHash = storedHead?.hash.hex ?? String(repeating: "?", count: 2 * ChainHash.byteCount)
        return VerificationReport(
            eventsChecked: eventsChecked, head: LogHead(position: storedHead?.position ?? 0, hash: headHash),
            recomputedHash: recomputed?.hex, findings: listed, omittedFindings: total - listed.count,
            projectionsCompared: isFolding)
    }

    /// Compares the last event and its chain hash with the last position and head in `meta`,
    /// and settles a mismatch at the last event from the head.
    private mutating func checkHead(
        _ storedHead: (position: UInt64, hash: ChainHash)?, lastEvent: UInt64, logPosition: UInt64
    ) {
        if logPosition > lastEvent {
            let missing = lastEvent + 1 == logPosition ? "position \(logPosition) is" : "positions \(lastEvent + 1) to \(logPosition) are"
            positionFindings.add(
                .init(kind: .positionGap, position: lastEvent + 1,
                      detail: "\(missing) missing at the end of the log, whose last position in meta is \(logPosition): events were deleted"))
        } else if logPosition < lastEvent {
            positionFindings.add(
                .init(kind: .headMismatch, position: logPosition,
                      detail: "meta records the last position as \(logPosition), but events are stored up to position \(lastEvent)"))
        }
        guard let storedHead else { return }
        if storedHead.position != logPosition {
            positionFindings.add(
                .init(kind: .headMismatch, position: storedHead.position,
                      detail: "the chain head in meta is at position \(storedHead.position), but the last position in meta is \(logPosition)"))
        }

        if let waiting = mismatch {
            mismatch = nil
            if waiting.position == storedHead.position && storedHead.hash == waiting.stored {
                addRecordChanged(waiting)
            } else if waiting.position == storedHead.position && storedHead.hash == waiting.computed {
                addHashChanged(waiting, next: "the chain head in meta")
            } else {
                positionFindings.add(
                    .init(kind: .chainBroken, position: waiting.position,
                          detail: "the last record does not hash to its stored chain hash, and the chain head in meta matches neither"))
            }
            return
        }
        if let previous, storedHead.position == previous.position, let stored = previous.stored, stored != storedHead.hash {
            positionFindings.add(
                .init(kind: .headMismatch, position: storedHead.position,
                      detail: "the chain head hash in meta \(storedHead.hash.hex) differs from the stored hash of the last event \(stored.hex)"))
        }
    }

    /// Checks that every event-id index entry maps to an event that has that id.
    private func checkIndexEntries(_ txn: Transaction, into findings: inout FindingList) throws {
        try txn.withCursor(schema.eventIDs) { cursor in
            var entry = try cursor.first()
            while let (key, value) = entry {
                let idText = key.count == 16 ? UUID(bytes: key).uuidString.lowercased() : "of \(key.count) bytes"
                guard value.count == 8 else {
                    findings.add(.init(kind: .eventIDIndex, detail: "the event-id index entry of id \(idText) is not an 8-byte position"))
                    entry = try cursor.next()
                    continue
                }
                let position = Keys.readUInt64(value)
                let storedID: UUID?? = try Keys.withUInt64(position) { positionKey in
                    guard let record = try txn.get(schema.events, positionKey) else { return nil }
                    var reader = ByteReader(record)
                    return .some(try? EventCodec.decodeHeader(&reader, metadata: false).id)
                }
                switch storedID {
                case .none:
                    findings.add(
                        .init(kind: .eventIDIndex, position: position,
                              detail: "the event-id index maps id \(idText) to position \(position), where no event is stored"))
                case .some(.some(let id)) where key.count != 16 || id != UUID(bytes: key):
                    findings.add(
                        .init(kind: .eventIDIndex, position: position,
                              detail: "the event-id index maps id \(idText) to position \(position), whose event has id \(id.uuidString.lowercased())"))
                default:
                    // A record that does not decode is already a finding of the walk.
                    break
                }
                entry = try cursor.next()
            }
        }
    }

    /// Compares the rebuilt projections with the stored customer table, statistics, program
    /// versions and projection position.
    private func compareProjections(_ txn: Transaction, into findings: inout FindingList) throws {
        try compareCustomers(txn, into: &findings)

        var statisticsBytes = LogStatistics().encode()
        if let stored = try schema.metaBytes(txn, Schema.MetaKey.statistics) { statisticsBytes = stored }
        if statisticsBytes != fold.statistics.encode() {
            findings.add(
                .init(kind: .projectionMeta,
                      detail: "the stored statistics differ from the ones rebuilt from the log"))
        }
        let storedVersions = try schema.metaBytes(txn, Schema.MetaKey.programVersions)
        let rebuiltTimeline = fold.workspace.timeline
        let versionsMatch =
            storedVersions.map { $0 == rebuiltTimeline.encodeVersions() }
            ?? (rebuiltTimeline.streamVersion == 0 && rebuiltTimeline.versions.isEmpty)
        if !versionsMatch {
            findings.add(
                .init(kind: .projectionMeta,
                      detail: "the stored program versions differ from the ones rebuilt from the program events in the log"))
        }
        let projectionPosition = try schema.metaUInt64(txn, Schema.MetaKey.projectionPosition)
        let logPosition = try schema.metaUInt64(txn, Schema.MetaKey.logPosition)
        if projectionPosition != logPosition {
            findings.add(
                .init(kind: .projectionMeta,
                      detail: "the projections are recorded as including position \(projectionPosition), but the log ends at \(logPosition)"))
        }
    }

    /// Walks the live customer table and the rebuilt states together in customer order, and
    /// reports the first customer that differs, with the number of customers that differ.
    private func compareCustomers(_ txn: Transaction, into findings: inout FindingList) throws {
        let states = fold.workspace.states
        let order = states.indices.sorted { states[$0].customerID < states[$1].customerID }
        var first: VerificationFinding?
        var differing = 0
        func note(_ finding: VerificationFinding) {
            differing += 1
            if first == nil { first = finding }
        }

        var writer = ByteWriter(capacity: 1024)
        var next = 0
        let tables = try schema.activeProjections(txn)
        try txn.withCursor(tables.customers) { cursor in
            var entry = try cursor.first()
            while let (key, value) = entry {
                let storedID = Keys.readUInt64(key)
                while next < order.count, states[order[next]].customerID.rawValue < storedID {
                    let missing = states[order[next]].customerID
                    note(.init(kind: .projection, customerID: missing,
                               detail: "customer \(missing) is in the log but not in the stored customer table"))
                    next += 1
                }
                if next < order.count, states[order[next]].customerID.rawValue == storedID {
                    let state = states[order[next]]
                    writer.reset()
                    state.encode(into: &writer)
                    if !writer.bytes.elementsEqual(value) {
                        var offset = 0
                        while offset < min(writer.bytes.count, value.count), writer.bytes[offset] == value[offset] { offset += 1 }
                        note(.init(kind: .projection, customerID: state.customerID,
                                   detail: "the stored projection of customer \(state.customerID) (\(value.count) bytes) differs from the one rebuilt from the log (\(writer.bytes.count) bytes) from byte \(offset) on"))
                    }
                    next += 1
                } else {
                    let extra = key.count == 8 ? "customer \(storedID)" : "a key of \(key.count) bytes"
                    note(.init(kind: .projection, customerID: CustomerID(storedID),
                               detail: "the stored customer table has \(extra), which has no registration in the log"))
                }
                entry = try cursor.next()
            }
        }
        while next < order.count {
            let missing = states[order[next]].customerID
            note(.init(kind: .projection, customerID: missing,
                       detail: "customer \(missing) is in the log but not in the stored customer table"))
            next += 1
        }
        if var first {
            if differing > 1 { first.detail += "; \(differing) customers differ in all" }
            findings.add(first)
        }
    }
}

/// Findings of one phase of a check, of which at most ``Ledger/maximumVerificationFindings`` are kept.
struct FindingList {
    private(set) var findings: [VerificationFinding] = []
    private(set) var total = 0

    mutating func add(_ finding: VerificationFinding) {
        total += 1
        if findings.count < Ledger.maximumVerificationFindings { findings.append(finding) }
    }

    /// Returns the findings by position, and by kind within one position, keeping the order of
    /// equal ones. A mismatch is settled at the next position, so the walk adds some out of order.
    func sortedByPosition() -> [VerificationFinding] {
        let rank = Dictionary(uniqueKeysWithValues: VerificationFinding.Kind.allCases.enumerated().map { ($1, $0) })
        return findings.enumerated().sorted { left, right in
            let leftKey = (left.element.position ?? .max, rank[left.element.kind]!, left.offset)
            let rightKey = (right.element.position ?? .max, rank[right.element.kind]!, right.offset)
            return leftKey < rightKey
        }.map(\.element)
    }
}
