import Foundation
import Testing

@testable import CustomerLedger

/// Encodes `event` as a stored record.
private func encodeRecord(_ event: NewEvent, version: UInt32 = 3, recordedAt: Timestamp = fixedRecordedAt) -> [UInt8] {
    var writer = ByteWriter()
    var scratch = ByteWriter()
    EventCodec.encode(
        event, version: version, previousDistance: 5, recordedAt: recordedAt, into: &writer, scratch: &scratch)
    return writer.bytes
}

private func decodeRecord(_ bytes: [UInt8], position: UInt64 = 42) throws -> RecordedEvent {
    try bytes.withUnsafeBytes { buffer in
        try EventCodec.decode(buffer, position: position, personal: clearReader)
    }
}

private let instant = time("2024-03-01T08:30:00.123456Z")

private func event(_ payload: EventPayload, customer number: UInt64 = 1) -> NewEvent {
    NewEvent(customerID: customer(number), occurredAt: instant, payload: payload)
}

/// Every payload type, with Chinese and empty text, optional fields nil and set, and extreme numbers.
private let samplePayloads: [EventPayload] = [
    .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: ""))),
    .customerRegistered(
        CustomerRegistered(
            profile: CustomerProfile(
                name: "张伟", phone: "+86 138 0000 0000", email: "zhang.wei@example.cn",
                birthday: CivilDate(year: 1990, month: 2, day: 28), province: "广东省", city: "深圳市",
                address: "南山区科技园 1 号 🏢"),
            referrer: CustomerID(UInt64.max))),
    .customerRegistered(
        CustomerRegistered(
            profile: CustomerProfile(name: "a", birthday: CivilDate(year: 9999, month: 12, day: 31)), referrer: nil)),
    .profileUpdated(ProfileUpdated(changes: ProfileChanges(name: "李娜"))),
    .profileUpdated(ProfileUpdated(changes: ProfileChanges())),
    .profileUpdated(
        ProfileUpdated(
            changes: ProfileChanges(
                name: "", phone: "", email: "", birthday: CivilDate(year: 1, month: 1, day: 1), province: "",
                city: "", address: ""))),
    .profileUpdated(ProfileUpdated(changes: ProfileChanges(birthday: CivilDate(year: 2000, month: 2, day: 29), city: "北京"))),
    .purchaseRecorded(PurchaseRecorded(orderID: "A-1", amount: Money(minorUnits: 12_850, currency: .cny))),
    .purchaseRecorded(PurchaseRecorded(orderID: "", amount: Money(minorUnits: 0, currency: .usd))),
    .purchaseRecorded(
        PurchaseRecorded(
            orderID: "订单-2024-0001", amount: Money(minorUnits: Int64.max, currency: Currency("JPY")!),
            lineItems: [
                LineItem(sku: "唱片-1", quantity: Int64.max, unitPrice: Int64.min),
                LineItem(sku: "", quantity: 0, unitPrice: 0),
                LineItem(sku: "CD", quantity: -1, unitPrice: 1),
            ],
            channel: "app", store: "上海 南京路店")),
    // A public part longer than 127 bytes needs a two-byte length prefix.
    .purchaseRecorded(
        PurchaseRecorded(
            orderID: "B", amount: Money(minorUnits: Int64.min, currency: .cny), channel: "online",
            store: String(repeating: "店", count: 100))),
    .refundRecorded(RefundRecorded(orderID: "A-1", amount: Money(minorUnits: 1, currency: .cny))),
    .refundRecorded(RefundRecorded(orderID: "A-1", amount: Money(minorUnits: Int64.min, currency: .usd), reason: "商品破损")),
    .pointsRedeemed(PointsRedeemed(points: 0, reward: "")),
    .pointsRedeemed(PointsRedeemed(points: Int64.max, reward: "电影票")),
    .pointsAdjusted(PointsAdjusted(points: Int64.min, reason: "")),
    .pointsAdjusted(PointsAdjusted(points: -1, reason: "客服补偿")),
    .feedbackRecorded(FeedbackRecorded(channel: .survey, rating: 1, isComplaint: false, text: "")),
    .feedbackRecorded(FeedbackRecorded(channel: .phoneCallback, rating: 5, isComplaint: true, text: "送货太慢了")),
    .feedbackRecorded(FeedbackRecorded(channel: .onlineReview, rating: 3, isComplaint: false, text: "ok")),
    .purchaseRecorded(
        PurchaseRecorded(
            orderID: "T-1", amount: Money(minorUnits: 6_800, currency: .cny),
            lineItems: [LineItem(sku: "龙井-250g", quantity: 2, unitPrice: 3_400, category: "茶叶")])),
    .pointsRedeemed(PointsRedeemed(points: 500, reward: "TEA-SET", orderID: "T-1")),
    .tierAssigned(TierAssigned(tier: "VIP", reason: "投诉补偿", until: time("2025-01-01"))),
    .tierAssigned(TierAssigned(tier: "core", reason: "x", until: nil)),
    .pointsExpired(PointsExpired(points: 120, lot: UInt32.max)),
    .rewardGranted(RewardGranted(kind: .birthday, key: "birthday:2028", points: 300)),
    .rewardGranted(RewardGranted(kind: .referrer, key: "referral:7", points: 0)),
    .unrecognized(UnrecognizedPayload(typeCode: 999, schemaVersion: 1, publicBytes: [0, 0xFF, 0x80], personalBytes: [])),
    .unrecognized(UnrecognizedPayload(typeCode: UInt16.max, schemaVersion: 255, publicBytes: [], personalBytes: [0xE4])),
    .unrecognized(UnrecognizedPayload(typeCode: 3, schemaVersion: 9, publicBytes: Array(repeating: 7, count: 200), personalBytes: [1])),
]

@Suite struct EventCodecTests {
    @Test func everyPayloadRoundTrips() throws {
        for (index, payload) in samplePayloads.enumerated() {
            let original = event(payload, customer: UInt64(index + 1))

            let decoded = try decodeRecord(encodeRecord(original))

            let schemaVersion: UInt8
            if case .unrecognized(let unknown) = payload {
                schemaVersion = unknown.schemaVersion
            } else {
                schemaVersion = payload.type!.currentSchemaVersion
            }
            #expect(decoded == RecordedEvent(
                position: 42, id: original.id, customerID: original.customerID, version: 3,
                schemaVersion: schemaVersion, occurredAt: instant, recordedAt: fixedRecordedAt,
                metadata: EventMetadata(), payload: payload, personalData: payload.hasPersonalFields ? .shown : .none),
                "sample \(index)")
        }
    }

    @Test func metadataRoundTrips() throws {
        let correlation = UUID()
        let causation = UUID()
        let variants = [
            EventMetadata(),
            EventMetadata(actor: "alice@support"),
            EventMetadata(source: "门店"),
            EventMetadata(correlationID: correlation),
            EventMetadata(causationID: causation),
            EventMetadata(actor: "导入程序", source: "cdnow-import", correlationID: correlation, causationID: causation),
        ]
        for metadata in variants {
            var original = event(.pointsAdjusted(PointsAdjusted(points: 5, reason: "test")))
            original.metadata = metadata

            #expect(try decodeRecord(encodeRecord(original)).metadata == metadata)
        }
    }

    @Test func headerExtremesRoundTrip() throws {
        let payload = EventPayload.pointsRedeemed(PointsRedeemed(points: 1, reward: "r"))
        let cases: [(customer: UInt64, version: UInt32, occurredAt: Int64, recordedAt: Int64)] = [
            (1, 1, 0, 0),
            (UInt64.max, UInt32.max, Int64.min, Int64.max),
            (UInt64.max, UInt32.max, Int64.max, Int64.min),
            (127, 128, -1, 1),
        ]
        for sample in cases {
            let original = NewEvent(
                customerID: customer(sample.customer), occurredAt: Timestamp(microseconds: sample.occurredAt),
                payload: payload)

            let decoded = try decodeRecord(
                encodeRecord(original, version: sample.version, recordedAt: Timestamp(microseconds: sample.recordedAt)),
                position: UInt64.max)

            #expect(decoded.customerID == customer(sample.customer))
            #expect(decoded.version == sample.version)
            #expect(decoded.occurredAt.microseconds == sample.occurredAt)
            #expect(decoded.recordedAt.microseconds == sample.recordedAt)
            #expect(decoded.position == UInt64.max)
            #expect(decoded.payload == payload)
        }
    }

    @Test func everyPrefixThrows() {
        for (index, payload) in samplePayloads.enumerated() {
            var original = event(payload)
            original.metadata = EventMetadata(actor: "a", source: "s", correlationID: UUID(), causationID: UUID())
            let bytes = encodeRecord(original)

            var decodablePrefixes: [Int] = []
            for length in 0..<bytes.count {
                if (try? decodeRecord(Array(bytes[0..<length]))) != nil { decodablePrefixes.append(length) }
            }

            #expect(decodablePrefixes == [], "sample \(index) of \(bytes.count) bytes")
        }
    }

    @Test func truncationReportsOffset() {
        let bytes = encodeRecord(event(.pointsAdjusted(PointsAdjusted(points: 5, reason: "test"))))

        #expect(throws: LedgerError.corruptEvent(position: 42, .truncated(at: 0))) { try decodeRecord([]) }
        #expect(throws: LedgerError.corruptEvent(position: 42, .truncated(at: bytes.count - 1))) {
            try decodeRecord(Array(bytes.dropLast()))
        }
    }

    @Test func changedBytesNeverCrash() {
        // Replaces each byte with a few boundary values. Decoding must return or throw, and never trap.
        for payload in samplePayloads {
            let bytes = encodeRecord(event(payload))
            for index in bytes.indices {
                for replacement: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF] where bytes[index] != replacement {
                    var changed = bytes
                    changed[index] = replacement
                    _ = try? decodeRecord(changed)
                }
            }
        }
    }

    @Test func trailingBytesRejected() {
        var bytes = encodeRecord(event(.pointsRedeemed(PointsRedeemed(points: 1, reward: "r"))))
        bytes.append(0)

        #expect(throws: LedgerError.corruptEvent(position: 42, .malformed("1 bytes after the payload", at: bytes.count - 1))) {
            try decodeRecord(bytes)
        }
    }

    @Test func unknownRecordFormatRejected() {
        var bytes = encodeRecord(event(.pointsRedeemed(PointsRedeemed(points: 1, reward: "r"))))
        bytes[0] = 2

        #expect(throws: LedgerError.corruptEvent(position: 42, .malformed("unknown record format 2", at: 0))) {
            try decodeRecord(bytes)
        }
    }

    @Test func customerStateRoundTrips() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try ledger.append([
            registration(customer: 1, at: time("2024-01-01"), name: "张伟"),
            purchase(customer: 1, order: "A-1", amount: cny("128.50"), at: time("2024-01-05")),
            purchase(customer: 1, order: "A-2", amount: usd("3.00"), at: time("2024-01-04")),
            refund(customer: 1, order: "A-1", amount: cny("8.50"), at: time("2024-01-06")),
            feedback(customer: 1, rating: 4, complaint: true, at: time("2024-01-07")),
        ])
        let state = try #require(try ledger.customer(customer(1)))
        var writer = ByteWriter()
        state.encode(into: &writer)
        let bytes = writer.bytes

        let decoded = try bytes.withUnsafeBytes { try CustomerState.decode($0) }

        // The stored form keeps the personal data sealed; a read fills it in.
        #expect(decoded.profile.name == "")
        var resolved = decoded
        try ledger.environment.read { txn in try ledger.personalReader(txn).resolve(&resolved) }
        #expect(resolved == state)
        #expect(resolved.profile.name == "张伟")
        #expect(decoded.window.count == 3)
        var decodablePrefixes: [Int] = []
        for length in 0..<bytes.count {
            let prefix = Array(bytes[0..<length])
            if (try? prefix.withUnsafeBytes({ try CustomerState.decode($0) })) != nil { decodablePrefixes.append(length) }
        }
        #expect(decodablePrefixes == [])

        // A damaged projection must throw, so that the ledger can report it, and never trap.
        for index in bytes.indices {
            for replacement: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF] where bytes[index] != replacement {
                var changed = bytes
                changed[index] = replacement
                _ = try? changed.withUnsafeBytes { try CustomerState.decode($0) }
            }
        }
    }

    @Test func programEventsRoundTrip() throws {
        var program = LoyaltyProgram(currency: .cny, pointsPerUnit: 2)
        program.timeZone = "Asia/Shanghai"
        program.expiry = .endOfMonth
        program.pendingDays = 14
        program.skuMultipliers = ["龙井-250g": 1500]
        program.tierWindow = .calendarYear
        program.birthday = BirthdayReward(points: 300, timing: .inMonth, leapDayInCommonYears: .march1)
        program.offers = [MemberOffer(id: "TEA-SET", name: "茶具", points: 800, eligibleTiers: ["VIP"])]
        let version = ProgramVersion(effectiveFrom: time("2026-07-01"), program: program)
        for payload in [EventPayload.programDefined(version), .programChanged(version)] {
            let original = NewEvent(customerID: .ledgerStream, occurredAt: instant, payload: payload)

            let decoded = try decodeRecord(encodeRecord(original))

            #expect(decoded.customerID == .ledgerStream)
            #expect(decoded.payload == payload)
        }
    }

    @Test func customerZeroOnlyForProgramEvents() throws {
        let original = NewEvent(
            customerID: .ledgerStream, occurredAt: instant,
            payload: .pointsRedeemed(PointsRedeemed(points: 1, reward: "x")))

        #expect(throws: LedgerError.self) { try decodeRecord(encodeRecord(original)) }
    }

    @Test func schemaVersionOneUpgrades() throws {
        // Version 1 of PurchaseRecorded had no line item category, and version 1 of
        // PointsRedeemed had no order id. These are the bytes that version wrote.
        var purchase = ByteWriter()
        purchase.write("A-1")
        PayloadCodec.write(Money(minorUnits: 12_850, currency: .cny), to: &purchase)
        purchase.write(varint: 1)
        purchase.write("CD-1")
        purchase.write(signed: 2)
        purchase.write(signed: 6_425)
        purchase.write("online")
        purchase.write("")
        var redemption = ByteWriter()
        redemption.write(signed: 300)
        redemption.write("电影票")
        let stored: [(UInt16, [UInt8], EventPayload)] = [
            (3, purchase.bytes, .purchaseRecorded(
                PurchaseRecorded(
                    orderID: "A-1", amount: Money(minorUnits: 12_850, currency: .cny),
                    lineItems: [LineItem(sku: "CD-1", quantity: 2, unitPrice: 6_425, category: "")], channel: "online"))),
            (5, redemption.bytes, .pointsRedeemed(PointsRedeemed(points: 300, reward: "电影票", orderID: ""))),
        ]
        for (typeCode, bytes, upgraded) in stored {
            let old = event(.unrecognized(
                UnrecognizedPayload(typeCode: typeCode, schemaVersion: 1, publicBytes: bytes, personalBytes: [])))

            let decoded = try decodeRecord(encodeRecord(old))

            #expect(decoded.schemaVersion == 1)
            #expect(decoded.payload == upgraded)
        }
    }
}
