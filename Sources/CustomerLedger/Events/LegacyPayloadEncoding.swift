/// Writers of older schema versions of payloads, so that an import can store an event exactly as
/// the version that first appended it did, byte for byte.
///
/// Each writer is checked against ``EventUpcasters``: the bytes it writes must upgrade to the
/// current encoding of the same payload.
enum LegacyPayloadEncoding {
    /// A payload that cannot be written at the requested schema version. `field` is relative to
    /// the payload, such as `line_items[0].category`, or nil for the schema version itself.
    struct Failure: Error, Equatable {
        var field: String?
        var reason: String
    }

    /// Returns the stored form of `payload` at `schemaVersion`, an older version of its type.
    static func encode(_ payload: EventPayload, schemaVersion: UInt8) throws(Failure) -> UnrecognizedPayload {
        guard let type = payload.type else {
            throw Failure(field: nil, reason: "an unrecognized payload is stored as it is, at its own schema version")
        }
        var publicBytes = ByteWriter(capacity: 128)
        switch (payload, schemaVersion) {
        case (.purchaseRecorded(let purchase), 1):
            // Version 1 had no line item categories.
            for (index, item) in purchase.lineItems.enumerated() where !item.category.isEmpty {
                throw Failure(
                    field: "line_items[\(index)].category",
                    reason: "schema version 1 of PurchaseRecorded has no line item categories, so it must be empty")
            }
            publicBytes.write(purchase.orderID)
            PayloadCodec.write(purchase.amount, to: &publicBytes)
            publicBytes.write(varint: UInt64(purchase.lineItems.count))
            for item in purchase.lineItems {
                publicBytes.write(item.sku)
                publicBytes.write(signed: item.quantity)
                publicBytes.write(signed: item.unitPrice)
            }
            publicBytes.write(purchase.channel)
            publicBytes.write(purchase.store)

        case (.pointsRedeemed(let redeemed), 1):
            // Version 1 had no order id.
            guard redeemed.orderID.isEmpty else {
                throw Failure(
                    field: "order_id", reason: "schema version 1 of PointsRedeemed has no order id, so it must be empty")
            }
            publicBytes.write(signed: redeemed.points)
            publicBytes.write(redeemed.reward)

        default:
            throw Failure(
                field: nil,
                reason: "this version of ledger cannot write schema version \(schemaVersion) of \(type), only version \(type.currentSchemaVersion) and the older versions 1 of PurchaseRecorded and PointsRedeemed")
        }

        let legacy = UnrecognizedPayload(
            typeCode: type.rawValue, schemaVersion: schemaVersion, publicBytes: publicBytes.bytes, personalBytes: [])
        try checkUpgrade(legacy, to: payload, type: type)
        return legacy
    }

    /// Checks that the upcasters turn `legacy` into the current encoding of `payload`.
    private static func checkUpgrade(_ legacy: UnrecognizedPayload, to payload: EventPayload, type: EventType) throws(Failure) {
        var currentPublic = ByteWriter(capacity: 128)
        var currentPersonal = ByteWriter(capacity: 16)
        PayloadCodec.encode(payload, public: &currentPublic, personal: &currentPersonal)
        let upgraded: EventUpcasters.PayloadBytes
        do {
            upgraded = try legacy.publicBytes.withUnsafeBytes { publicBytes in
                try legacy.personalBytes.withUnsafeBytes { personalBytes in
                    try EventUpcasters.upcast(
                        type, from: legacy.schemaVersion, publicBytes: publicBytes, personalBytes: personalBytes)
                }
            }
        } catch {
            throw Failure(field: nil, reason: "the upgrade from schema version \(legacy.schemaVersion) of \(type) failed: \(error)")
        }
        guard upgraded.publicBytes == currentPublic.bytes, upgraded.personalBytes == currentPersonal.bytes else {
            throw Failure(
                field: nil,
                reason: "schema version \(legacy.schemaVersion) of \(type) does not upgrade to the same payload, so this version cannot store it exactly")
        }
    }
}
