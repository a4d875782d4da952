import Foundation
import Testing

@testable import CustomerLedger

/// Returns the public bytes that schema version 1 wrote for a purchase: each line item without
/// a category.
private func purchaseVersionOne(_ purchase: PurchaseRecorded) -> [UInt8] {
    var writer = ByteWriter()
    writer.write(purchase.orderID)
    PayloadCodec.write(purchase.amount, to: &writer)
    writer.write(varint: UInt64(purchase.lineItems.count))
    for item in purchase.lineItems {
        writer.write(item.sku)
        writer.write(signed: item.quantity)
        writer.write(signed: item.unitPrice)
    }
    writer.write(purchase.channel)
    writer.write(purchase.store)
    return writer.bytes
}

/// Returns the public bytes that schema version 1 wrote for a redemption: no order id.
private func redemptionVersionOne(points: Int64, reward: String) -> [UInt8] {
    var writer = ByteWriter()
    writer.write(signed: points)
    writer.write(reward)
    return writer.bytes
}

/// Returns the public and personal bytes that the current version writes for `payload`.
private func currentBytes(_ payload: EventPayload) -> EventUpcasters.PayloadBytes {
    var publicBytes = ByteWriter()
    var personalBytes = ByteWriter()
    PayloadCodec.encode(payload, public: &publicBytes, personal: &personalBytes)
    return EventUpcasters.PayloadBytes(publicBytes: publicBytes.bytes, personalBytes: personalBytes.bytes)
}

private func upcast(_ type: EventType, from version: UInt8, _ publicBytes: [UInt8], personal: [UInt8] = [])
    throws -> EventUpcasters.PayloadBytes
{
    try publicBytes.withUnsafeBytes { publicPointer in
        try personal.withUnsafeBytes { personalPointer in
            try EventUpcasters.upcast(type, from: version, publicBytes: publicPointer, personalBytes: personalPointer)
        }
    }
}

/// Returns a stored record of `typeCode` at `schemaVersion` with the given public bytes.
private func storedRecord(typeCode: UInt16, schemaVersion: UInt8, publicBytes: [UInt8]) -> [UInt8] {
    let payload = UnrecognizedPayload(typeCode: typeCode, schemaVersion: schemaVersion, publicBytes: publicBytes, personalBytes: [])
    let event = NewEvent(customerID: customer(1), occurredAt: time("2024-03-01"), payload: .unrecognized(payload))
    var writer = ByteWriter()
    var scratch = ByteWriter()
    EventCodec.encode(event, version: 2, previousDistance: 1, recordedAt: fixedRecordedAt, into: &writer, scratch: &scratch)
    return writer.bytes
}

/// Decodes the fold input of a stored record, as replay does.
private func foldRecord(_ record: [UInt8], lineItems: Bool) throws -> FoldEvent {
    try record.withUnsafeBytes { buffer in
        var reader = ByteReader(buffer)
        let header = try EventCodec.decodeHeader(&reader, metadata: false)
        let event = try FoldEvent.decode(&reader, header: header, lineItems: lineItems)
        #expect(reader.isAtEnd)
        return event
    }
}

private let sampleCurrency = Currency("JPY")!

/// Purchases of version 1 shapes: no line items, several, Chinese and empty text, extreme numbers.
private let versionOnePurchases: [PurchaseRecorded] = [
    PurchaseRecorded(orderID: "A-1", amount: Money(minorUnits: 12_850, currency: .cny)),
    PurchaseRecorded(
        orderID: "订单-1", amount: Money(minorUnits: Int64.max, currency: sampleCurrency),
        lineItems: [
            LineItem(sku: "唱片-1", quantity: Int64.max, unitPrice: Int64.min),
            LineItem(sku: "", quantity: 0, unitPrice: 0),
            LineItem(sku: "CD", quantity: -1, unitPrice: 1),
        ],
        channel: "app", store: String(repeating: "店", count: 60)),
]

@Suite struct EventUpcasterTests {
    @Test func everyOlderVersionHasChain() {
        for type in EventType.allCases {
            for version in 1..<max(1, type.currentSchemaVersion) {
                #expect(EventUpcasters.hasChain(for: type, from: version), "\(type) version \(version)")
                #expect(type.reads(schemaVersion: version), "\(type) version \(version)")
            }
            #expect(type.reads(schemaVersion: type.currentSchemaVersion), "\(type)")
            #expect(!type.reads(schemaVersion: 0), "\(type)")
            #expect(!type.reads(schemaVersion: type.currentSchemaVersion + 1), "\(type)")
        }
    }

    @Test func registeredUpcastersAreTheTwoUpgrades() {
        let keys = Set(EventUpcasters.registered.keys)
        #expect(keys == [
            EventUpcasters.Key(type: .purchaseRecorded, fromVersion: 1),
            EventUpcasters.Key(type: .pointsRedeemed, fromVersion: 1),
        ])
    }

    @Test func purchaseVersionOneGainsCategories() throws {
        for purchase in versionOnePurchases {
            let upgraded = try upcast(.purchaseRecorded, from: 1, purchaseVersionOne(purchase))

            #expect(upgraded == currentBytes(.purchaseRecorded(purchase)), "\(purchase.orderID)")
        }
    }

    @Test func redemptionVersionOneGainsOrderID() throws {
        for (points, reward) in [(Int64(0), ""), (300, "电影票"), (Int64.max, String(repeating: "R", count: 200))] {
            let upgraded = try upcast(.pointsRedeemed, from: 1, redemptionVersionOne(points: points, reward: reward))

            let expected = currentBytes(.pointsRedeemed(PointsRedeemed(points: points, reward: reward, orderID: "")))
            #expect(upgraded == expected, "\(reward)")
        }
    }

    @Test func personalBytesPassThrough() throws {
        let upgraded = try upcast(.pointsRedeemed, from: 1, redemptionVersionOne(points: 1, reward: "x"), personal: [1, 2, 0xFF])

        #expect(upgraded.personalBytes == [1, 2, 0xFF])
    }

    @Test func truncatedVersionOneThrows() throws {
        let purchase = purchaseVersionOne(versionOnePurchases[1])
        // Cut inside the line items, and inside the redemption's reward.
        #expect(throws: DecodingError.self) { try upcast(.purchaseRecorded, from: 1, Array(purchase.prefix(20))) }
        let redemption = redemptionVersionOne(points: 300, reward: "电影票")
        #expect(throws: DecodingError.self) { try upcast(.pointsRedeemed, from: 1, Array(redemption.dropLast())) }
    }

    @Test func trailingBytesStillRejected() throws {
        for (typeCode, bytes) in [
            (EventType.purchaseRecorded.rawValue, purchaseVersionOne(versionOnePurchases[0]) + [7]),
            (EventType.pointsRedeemed.rawValue, redemptionVersionOne(points: 5, reward: "x") + [7]),
        ] {
            let record = storedRecord(typeCode: typeCode, schemaVersion: 1, publicBytes: bytes)

            #expect(throws: LedgerError.self) {
                try record.withUnsafeBytes { try EventCodec.decode($0, position: 2, personal: clearReader) }
            }
        }
    }

    @Test func recordedEventKeepsStoredVersion() throws {
        let purchase = versionOnePurchases[1]
        let record = storedRecord(
            typeCode: EventType.purchaseRecorded.rawValue, schemaVersion: 1, publicBytes: purchaseVersionOne(purchase))

        let decoded = try record.withUnsafeBytes { try EventCodec.decode($0, position: 2, personal: clearReader) }

        #expect(decoded.schemaVersion == 1)
        #expect(decoded.isUpcast)
        #expect(decoded.payload == .purchaseRecorded(purchase))
        guard case .purchaseRecorded(let read) = decoded.payload else { return }
        #expect(read.lineItems.allSatisfy { $0.category.isEmpty })
    }

    @Test func currentVersionIsNotUpcast() throws {
        let current = currentBytes(.pointsRedeemed(PointsRedeemed(points: 5, reward: "x", orderID: "A-1")))
        let record = storedRecord(
            typeCode: EventType.pointsRedeemed.rawValue, schemaVersion: 2, publicBytes: current.publicBytes)

        let decoded = try record.withUnsafeBytes { try EventCodec.decode($0, position: 2, personal: clearReader) }

        #expect(decoded.schemaVersion == 2)
        #expect(!decoded.isUpcast)
        #expect(decoded.payload == .pointsRedeemed(PointsRedeemed(points: 5, reward: "x", orderID: "A-1")))
    }

    @Test func unsupportedVersionsStayUnrecognized() throws {
        for version: UInt8 in [0, 3, 255] {
            let bytes = redemptionVersionOne(points: 5, reward: "x")
            let record = storedRecord(typeCode: EventType.pointsRedeemed.rawValue, schemaVersion: version, publicBytes: bytes)

            let decoded = try record.withUnsafeBytes { try EventCodec.decode($0, position: 2, personal: clearReader) }

            #expect(!decoded.isUpcast, "version \(version)")
            #expect(
                decoded.payload == .unrecognized(
                    UnrecognizedPayload(
                        typeCode: EventType.pointsRedeemed.rawValue, schemaVersion: version, publicBytes: bytes,
                        personalBytes: [])), "version \(version)")
        }
    }

    @Test func foldFastPathReadsEveryVersion() throws {
        for purchase in versionOnePurchases {
            let versionOne = storedRecord(
                typeCode: EventType.purchaseRecorded.rawValue, schemaVersion: 1, publicBytes: purchaseVersionOne(purchase))
            let versionTwo = storedRecord(
                typeCode: EventType.purchaseRecorded.rawValue, schemaVersion: 2,
                publicBytes: currentBytes(.purchaseRecorded(purchase)).publicBytes)

            for record in [versionOne, versionTwo] {
                guard case .purchase(let orderID, let amount, let items) = try foldRecord(record, lineItems: false) else {
                    Issue.record("not a purchase: \(purchase.orderID)")
                    continue
                }
                #expect(orderID == purchase.orderID)
                #expect(amount == purchase.amount)
                #expect(items.isEmpty)

                guard case .purchase(_, _, let withItems) = try foldRecord(record, lineItems: true) else {
                    Issue.record("not a purchase with line items: \(purchase.orderID)")
                    continue
                }
                #expect(withItems == purchase.lineItems.map(FoldLineItem.init))
                #expect(withItems.allSatisfy { $0.category.isEmpty })
            }
        }
    }

    @Test func foldReadsRedemptionVersionOne() throws {
        let record = storedRecord(
            typeCode: EventType.pointsRedeemed.rawValue, schemaVersion: 1,
            publicBytes: redemptionVersionOne(points: 250, reward: "电影票"))

        guard case .redeemed(let points) = try foldRecord(record, lineItems: false) else {
            Issue.record("not a redemption")
            return
        }
        #expect(points == 250)
    }
}
