import Foundation
import Testing

@testable import CustomerLedger

/// A recorded-at clock that moves 1.234567 s per call, so that records carry odd microseconds.
private final class SteppingClock: @unchecked Sendable {
    private let lock = NSLock()
    private var next = Timestamp(parsing: "2025-01-01T00:00:00Z")!.microseconds

    func now() -> Timestamp {
        lock.lock()
        defer { lock.unlock() }
        next += 1_234_567
        return Timestamp(microseconds: next)
    }
}

/// Returns the program of ``makeFullLedger(at:)``: referrals, birthdays and expiry 30 days after availability.
private func fullProgram() -> LoyaltyProgram {
    var program = LoyaltyProgram(currency: .cny)
    program.timeZone = "Asia/Shanghai"
    program.referral = ReferralReward(referrerPoints: 200, newCustomerPoints: 100)
    program.birthday = BirthdayReward(points: 300)
    program.expiry = .afterDays(30)
    return program
}

/// Appends `event` with `stored` as its stored payload bytes, as an older version of the
/// ledger wrote events of an older schema version.
private func appendLegacy(_ ledger: Ledger, _ event: NewEvent, stored: UnrecognizedPayload) throws {
    try ledger.environment.write { txn in
        var appender = try BatchAppender(schema: ledger.schema, transaction: txn, clock: { fixedRecordedAt }, keys: ledger.keyRing(txn), actor: "test")
        _ = try appender.append(
            event, index: 0, batch: [event], outcomes: [], expectedVersions: [:], storedPayload: stored)
        try appender.finish()
    }
}

/// Writes a ledger with every event type: both program event types, derived referral rewards,
/// a birthday reward, expired points, events of schema version 1 and payloads this version
/// cannot decode, with metadata of every kind and recorded-at times with microseconds.
private func makeFullLedger(at path: String) throws -> Ledger {
    let clock = SteppingClock()
    let ledger = try Ledger(path: path, options: .init(program: fullProgram(), clock: { clock.now() }, masterKey: testMasterKey))
    var first = registration(customer: 1, at: time("2024-01-01T08:00:00.123456Z"), name: "张伟")
    first.payload = .customerRegistered(
        CustomerRegistered(
            profile: CustomerProfile(
                name: "张伟", phone: "+86 138 0013 8000", email: "zw@example.com",
                birthday: CivilDate(year: 1990, month: 3, day: 15), province: "上海市", city: "上海市",
                address: "南京路 1 号\n2 楼")))
    var referred = registration(customer: 2, at: time("2024-01-02"), name: "Li Na")
    referred.payload = .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "Li Na"), referrer: customer(1)))
    var tea = purchase(customer: 2, order: "A-1", amount: cny("128.50"), at: time("2024-01-03T10:00:00.000001Z"))
    tea.payload = .purchaseRecorded(
        PurchaseRecorded(
            orderID: "A-1", amount: cny("128.50"),
            lineItems: [LineItem(sku: "TEA-01", quantity: 2, unitPrice: 6_425, category: "tea")], channel: "app",
            store: "S1"))
    var adjusted = adjustment(customer: 1, points: 15, at: time("2024-01-05"))
    adjusted.metadata = EventMetadata(actor: "alice@support", source: "support \"desk\"", correlationID: UUID(), causationID: UUID())
    adjusted.recordedAt = time("2024-01-05T09:30:00.000007Z")
    var redeemed = redemption(customer: 2, points: 20, at: time("2024-01-06"))
    redeemed.payload = .pointsRedeemed(PointsRedeemed(points: 20, reward: "voucher", orderID: "A-1"))
    try ledger.append([first, referred, tea])
    try ledger.append([
        profileUpdate(customer: 1, changes: ProfileChanges(name: "张伟伟", city: "杭州"), at: time("2024-01-04")),
        refund(customer: 2, order: "A-1", amount: cny("10.00"), at: time("2024-01-04")),
        adjusted, redeemed,
        feedback(customer: 2, rating: 4, complaint: true, at: time("2024-01-07")),
        NewEvent(
            customerID: customer(1), occurredAt: time("2024-01-08"),
            payload: .tierAssigned(TierAssigned(tier: "VIP", reason: "partner", until: time("2024-12-31T15:59:59.999999Z")))),
        unrecognizedEvent(customer: 1, typeCode: 999, schemaVersion: 1, at: time("2024-01-09")),
        unrecognizedEvent(customer: 2, typeCode: 3, schemaVersion: 9, at: time("2024-01-10")),
    ])

    // Events of schema version 1, with the bytes that version wrote.
    var legacyPurchase = ByteWriter()
    legacyPurchase.write("L-1")
    PayloadCodec.write(cny("30.00"), to: &legacyPurchase)
    legacyPurchase.write(varint: 1)
    legacyPurchase.write("CD")
    legacyPurchase.write(signed: 3)
    legacyPurchase.write(signed: 1_000)
    legacyPurchase.write("store")
    legacyPurchase.write("")
    try appendLegacy(
        ledger,
        NewEvent(
            customerID: customer(1), occurredAt: time("2024-01-11"),
            payload: .purchaseRecorded(
                PurchaseRecorded(
                    orderID: "L-1", amount: cny("30.00"), lineItems: [LineItem(sku: "CD", quantity: 3, unitPrice: 1_000)],
                    channel: "store"))),
        stored: UnrecognizedPayload(typeCode: 3, schemaVersion: 1, publicBytes: legacyPurchase.bytes, personalBytes: []))
    var legacyRedemption = ByteWriter()
    legacyRedemption.write(signed: 5)
    legacyRedemption.write("电影票")
    try appendLegacy(
        ledger,
        NewEvent(
            customerID: customer(1), occurredAt: time("2024-01-12"),
            payload: .pointsRedeemed(PointsRedeemed(points: 5, reward: "电影票"))),
        stored: UnrecognizedPayload(typeCode: 5, schemaVersion: 1, publicBytes: legacyRedemption.bytes, personalBytes: []))

    try ledger.grantBirthdayRewards(asOf: time("2024-03-15T12:00:00+08:00"))
    let expired = try ledger.expirePoints(asOf: time("2024-06-01"))
    #expect(expired.events > 0)
    var changed = fullProgram()
    changed.pointsPerUnit = 2
    try ledger.setProgram(changed, effectiveFrom: time("2024-07-01"), metadata: EventMetadata(actor: "bob", source: "cli"))
    changed.pointsPerUnit = 3
    try ledger.setProgram(changed, effectiveFrom: time("2024-08-01"))
    try ledger.append(purchase(customer: 1, order: "A-9", amount: cny("99.99"), at: time("2024-08-02")))
    try ledger.append(registration(customer: 3, at: time("2024-08-03"), name: "王芳"))
    try ledger.erase(customer(3), reason: "request R-1", at: time("2024-08-04"))
    return ledger
}

/// Exports the whole ledger, or from `position`, and returns the header and the events.
private func export(_ ledger: Ledger, from position: UInt64 = 1, customer: CustomerID? = nil) throws
    -> (header: ExportHeader, events: [ExportedEvent])
{
    var header: ExportHeader?
    var events: [ExportedEvent] = []
    try ledger.exportEvents(from: position, customer: customer, chunkSize: 3, header: { header = $0 }) { events.append($0) }
    return (header!, events)
}

/// Returns every raw entry of the log's tables and of `meta`, apart from the name of the live projection set.
private func rawLog(_ ledger: Ledger) throws -> [String: [TableEntry]] {
    try ledger.environment.read { txn in
        let meta = try dumpTable(txn, ledger.schema.meta).filter { $0.key != Array(Schema.MetaKey.activeSet.utf8) }
        return [
            "events": try dumpTable(txn, ledger.schema.events),
            "hashes": try dumpTable(txn, ledger.schema.hashes),
            "event-ids": try dumpTable(txn, ledger.schema.eventIDs),
            "meta": meta,
        ]
    }
}

/// Expects `body` to throw ``EventTransferError`` with `index` and `field`, and the ledger to be unchanged.
private func expectRejected(
    _ ledger: Ledger, index: Int?, field: String?, reasonContains fragment: String = "",
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) throws {
    let before = try rawLog(ledger)
    let error = #expect(throws: EventTransferError.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.index == index, sourceLocation: sourceLocation)
    #expect(error?.field == field, sourceLocation: sourceLocation)
    #expect(fragment.isEmpty || error?.reason.contains(fragment) == true, "\(error?.reason ?? "")", sourceLocation: sourceLocation)
    #expect(try rawLog(ledger) == before, sourceLocation: sourceLocation)
}

@Suite struct EventTransferTests {
    @Test func roundTripIsByteIdentical() throws {
        let folder = try TemporaryDirectory()
        let source = try makeFullLedger(at: folder.path + "/source")
        let (header, events) = try export(source)
        let typeCodes = Set(events.map { $0.event.payload.typeCode })
        #expect(typeCodes.isSuperset(of: Set(EventType.allCases.map(\.rawValue))))
        #expect(events.contains { $0.event.schemaVersion == 1 && $0.event.payload.type == .purchaseRecorded })
        #expect(events.contains { $0.event.schemaVersion == 1 && $0.event.payload.type == .pointsRedeemed })

        // A target created with another program takes the export's base program.
        let target = try openLedger(at: folder.path + "/target", program: LoyaltyProgram(currency: .usd))
        let summary = try target.importEvents(events, header: header)

        #expect(summary.appended == events.count)
        #expect(summary.head == (try source.head()))
        #expect(try target.head() == (try source.head()))
        #expect(try rawLog(target) == (try rawLog(source)))
        #expect(try dumpProjections(target) == (try dumpProjections(source)))
        #expect(try target.projectionFingerprint() == (try source.projectionFingerprint()))
        #expect(try target.verify().findings.isEmpty)
        #expect(try target.programVersions() == (try source.programVersions()))
    }

    @Test func reimportWritesNothing() throws {
        let folder = try TemporaryDirectory()
        let source = try makeFullLedger(at: folder.path + "/source")
        let (header, events) = try export(source)
        let target = try openLedger(at: folder.path + "/target")
        try target.importEvents(events, header: header)
        let before = try rawLog(target)

        let again = try target.importEvents(events, header: header)

        #expect(again.appended == 0)
        #expect(again.alreadyPresent == events.count)
        #expect(try rawLog(target) == before)
    }

    @Test func longerExportAppendsOnlyNewEvents() throws {
        let folder = try TemporaryDirectory()
        let source = try makeFullLedger(at: folder.path + "/source")
        let target = try openLedger(at: folder.path + "/target")
        let early = try export(source)
        try target.importEvents(early.events, header: early.header)
        try source.append(purchase(customer: 2, order: "A-10", amount: cny("5.00"), at: time("2024-08-03")))
        try source.append(feedback(customer: 1, rating: 5, at: time("2024-08-04")))

        let whole = try export(source)
        let summary = try target.importEvents(whole.events, header: whole.header)

        #expect(summary.appended == 2)
        #expect(summary.alreadyPresent == early.events.count)
        #expect(try rawLog(target) == (try rawLog(source)))
    }

    @Test func exportFromPositionContinuesCopy() throws {
        let folder = try TemporaryDirectory()
        let source = try makeFullLedger(at: folder.path + "/source")
        let target = try openLedger(at: folder.path + "/target")
        let whole = try export(source)
        let split = 7
        var firstPart = whole.header
        firstPart.throughPosition = UInt64(split)
        try target.importEvents(Array(whole.events.prefix(split)), header: firstPart)

        let rest = try export(source, from: UInt64(split + 1))
        #expect(rest.header.previousHash == whole.events[split - 1].chainHash)
        let summary = try target.importEvents(rest.events, header: rest.header)

        #expect(summary.appended == whole.events.count - split)
        #expect(try rawLog(target) == (try rawLog(source)))
        #expect(try target.projectionFingerprint() == (try source.projectionFingerprint()))
    }

    @Test func customerExportHoldsOnlyCustomer() throws {
        let folder = try TemporaryDirectory()
        let source = try makeFullLedger(at: folder.path + "/source")
        let whole = try export(source)

        let (header, events) = try export(source, from: 3, customer: customer(2))

        #expect(header.customer == customer(2))
        let expected = whole.events.filter { $0.event.customerID == customer(2) && $0.event.position >= 3 }
        #expect(events == expected)
        let target = try openLedger(at: folder.path + "/target")
        try expectRejected(target, index: nil, field: "customer_id", reasonContains: "customer 2") {
            try target.importEvents(events, header: header)
        }
    }

    @Test func exportRejectsPositionAfterEnd() throws {
        let folder = try TemporaryDirectory()
        let source = try openLedger(at: folder.path + "/source")
        try source.append(registration(customer: 1, at: time("2024-01-01")))

        #expect(try export(source, from: 2).events.isEmpty)
        #expect(throws: EventTransferError(
            index: nil, field: "from", reason: "position 3 is after the end of the log, which ends at position 1")
        ) { try export(source, from: 3) }
    }

    @Test func exportFailsOnChangedRecord() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/source"
        do {
            let source = try openLedger(at: path)
            try source.append([
                registration(customer: 1, at: time("2024-01-01")),
                purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-01-02")),
            ])
        }
        try withRawLMDB(path) { txn in
            var record = try txn.get("events", positionKey(2))!
            record[record.count - 3] ^= 0x01
            try txn.put("events", positionKey(2), record)
        }
        let source = try openLedger(at: path)

        #expect(throws: LedgerError.self) { try export(source) }
    }

    // MARK: Rejected imports

    @Test func gapInPositionsRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var missing = events
        missing.remove(at: 4)

        try expectRejected(target, index: 4, field: "position", reasonContains: "6 where 5 comes next") {
            try target.importEvents(missing, header: header)
        }
    }

    @Test func reorderedEventsRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var swapped = events
        swapped.swapAt(2, 3)

        try expectRejected(target, index: 2, field: "position", reasonContains: "out of order") {
            try target.importEvents(swapped, header: header)
        }
    }

    @Test func truncatedExportRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")

        try expectRejected(target, index: nil, field: nil, reasonContains: "truncated") {
            try target.importEvents(Array(events.dropLast()), header: header)
        }
    }

    @Test func editedAmountFailsHashCheck() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var edited = events
        let index = try #require(edited.firstIndex { $0.event.payload.type == .purchaseRecorded })
        guard case .purchaseRecorded(var purchase) = edited[index].event.payload else { return }
        purchase.amount = cny("1.00")
        edited[index].event.payload = .purchaseRecorded(purchase)

        try expectRejected(target, index: index, field: "hash", reasonContains: "changed after the export") {
            try target.importEvents(edited, header: header)
        }
    }

    @Test func editedRecordedAtFailsHashCheck() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var edited = events
        edited[0].event.recordedAt = Timestamp(microseconds: edited[0].event.recordedAt.microseconds + 1)

        try expectRejected(target, index: 0, field: "hash") { try target.importEvents(edited, header: header) }
    }

    @Test func editedEventAlreadyPresentNamesField() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        try target.importEvents(events, header: header)
        var edited = events
        edited[5].event.metadata.actor = "mallory"

        try expectRejected(target, index: 5, field: "actor", reasonContains: "another event at position 6") {
            try target.importEvents(edited, header: header)
        }
    }

    @Test func duplicateEventIDRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var duplicated = events
        duplicated[6].event.id = duplicated[3].event.id

        try expectRejected(target, index: 6, field: "event_id", reasonContains: "event at position 4") {
            try target.importEvents(duplicated, header: header)
        }
    }

    @Test func eventIDInLedgerWithOtherContentRejected() throws {
        let folder = try TemporaryDirectory()
        let source = try openLedger(at: folder.path + "/source")
        try source.append([
            registration(customer: 1, at: time("2024-01-01")),
            purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-01-02")),
        ])
        let (header, events) = try export(source)
        let target = try openLedger(at: folder.path + "/target")
        var first = events[0]
        first.event.customerID = customer(7)
        try target.append(NewEvent(
            id: events[1].event.id, customerID: customer(7), occurredAt: time("2024-01-01"),
            payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "x")))))
        var continued = header
        continued.fromPosition = 2
        continued.previousHash = try target.head().hash

        try expectRejected(target, index: 0, field: "event_id", reasonContains: "other content") {
            try target.importEvents([events[1]].map { event in
                var moved = event
                moved.event.position = 2
                return moved
            }, header: continued)
        }
    }

    @Test func exportOfAnotherLedgerRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target", program: fullProgram())
        try target.append(registration(customer: 1, at: time("2024-01-01")))
        var rest = header
        rest.fromPosition = 2
        rest.previousHash = events[0].chainHash

        try expectRejected(target, index: nil, field: "previous_hash", reasonContains: "another log") {
            try target.importEvents(Array(events.dropFirst()), header: rest)
        }
    }

    @Test func otherBaseProgramRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        try target.importEvents(Array(events.prefix(3)), header: {
            var part = header
            part.throughPosition = 3
            return part
        }())
        var other = header
        other.baseProgram.pointsPerUnit = 5

        try expectRejected(target, index: nil, field: "base_program") { try target.importEvents(events, header: other) }
    }

    @Test func exportStartingAfterLedgerEndRejected() throws {
        let folder = try TemporaryDirectory()
        let source = try makeFullLedger(at: folder.path + "/source")
        let rest = try export(source, from: 5)
        let target = try openLedger(at: folder.path + "/target")

        try expectRejected(target, index: nil, field: "from_position", reasonContains: "from position 1 on first") {
            try target.importEvents(rest.events, header: rest.header)
        }
    }

    @Test func wrongVersionRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var edited = events
        edited[1].event.version = 3

        try expectRejected(target, index: 1, field: "version", reasonContains: "version 1 of its stream, not 3") {
            try target.importEvents(edited, header: header)
        }
    }

    @Test func brokenBusinessRuleRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var edited = events
        edited[0].event.customerID = customer(2)
        edited[0].event.payload = .purchaseRecorded(PurchaseRecorded(orderID: "Z", amount: cny("1.00")))
        edited[0].sealedPayload = nil
        edited[0].wrappedDataKey = nil

        try expectRejected(target, index: 0, field: nil, reasonContains: "business rule: customer 2 is not registered") {
            try target.importEvents(edited, header: header)
        }
    }

    @Test func editedSealedEventRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var retyped = events
        retyped[0].event.payload = .purchaseRecorded(PurchaseRecorded(orderID: "Z", amount: cny("1.00")))
        var movedKey = events
        movedKey[0].event.customerID = customer(2)

        try expectRejected(target, index: 0, field: "sealed", reasonContains: "the export was changed") {
            try target.importEvents(retyped, header: header)
        }
        try expectRejected(target, index: 0, field: "data_key", reasonContains: "does not open for customer 2") {
            try target.importEvents(movedKey, header: header)
        }
        #expect(try target.lastPosition() == 0)
    }

    @Test func categoryInSchemaOneRejected() throws {
        let folder = try TemporaryDirectory()
        let (header, events) = try export(try makeFullLedger(at: folder.path + "/source"))
        let target = try openLedger(at: folder.path + "/target")
        var edited = events
        let index = try #require(edited.firstIndex { $0.event.schemaVersion == 1 && $0.event.payload.type == .purchaseRecorded })
        guard case .purchaseRecorded(var purchase) = edited[index].event.payload else { return }
        purchase.lineItems[0].category = "music"
        edited[index].event.payload = .purchaseRecorded(purchase)

        try expectRejected(target, index: index, field: "payload.line_items[0].category", reasonContains: "schema version 1") {
            try target.importEvents(edited, header: header)
        }
    }

    @Test func emptyExportSetsBaseProgram() throws {
        let folder = try TemporaryDirectory()
        let source = try openLedger(at: folder.path + "/source", program: fullProgram())
        let (header, events) = try export(source)
        #expect(events.isEmpty)
        #expect(header.previousHash == HashChain.genesis(program: fullProgram().encode()).hex)
        let target = try openLedger(at: folder.path + "/target")

        let summary = try target.importEvents(events, header: header)

        #expect(summary.events == 0)
        #expect(try target.program() == fullProgram())
        #expect(try target.head() == source.head())
    }

    @Test func editedBaseProgramIsRejected() throws {
        let folder = try TemporaryDirectory()
        let source = try openLedger(at: folder.path + "/source", program: fullProgram())
        try source.append(registration(customer: 1, at: time("2024-01-01")))
        var (header, events) = try export(source)
        header.baseProgram.pointsPerUnit += 1
        let target = try openLedger(at: folder.path + "/target")
        let headBefore = try target.head()

        #expect(throws: EventTransferError.self) { try target.importEvents(events, header: header) }

        #expect(try target.head() == headBefore)
        #expect(try target.lastPosition() == 0)
    }
}
