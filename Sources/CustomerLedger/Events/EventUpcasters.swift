/// The registered upgrades of stored payloads from one schema version to the next.
///
/// An upcaster turns the public and personal payload bytes of version n of a type into the bytes
/// of version n + 1. Every read runs the chain from the stored version up to the type's
/// ``EventType/currentSchemaVersion`` before decoding, so ``PayloadCodec`` and ``FoldEvent`` decode
/// current versions only. A new schema version therefore needs one upcaster from the version
/// before it, and a stored version without a complete chain reads as ``EventPayload/unrecognized(_:)``.
/// Stored records are never rewritten: ``RecordedEvent/schemaVersion`` stays the stored version.
enum EventUpcasters {
    /// A type and the stored schema version that an upcaster reads.
    struct Key: Hashable, Sendable {
        var type: EventType
        var fromVersion: UInt8
    }

    /// The two parts of a payload, as stored after the record's header.
    struct PayloadBytes: Equatable, Sendable {
        var publicBytes: [UInt8]
        var personalBytes: [UInt8]

        /// Calls `body` with pointers to both parts, valid only during the call.
        func withUnsafeBytes<Result>(
            _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(DecodingError) -> Result
        ) throws(DecodingError) -> Result {
            // Array.withUnsafeBytes rethrows an untyped error, so the typed one travels in a Result.
            let outcome = publicBytes.withUnsafeBytes { publicPointer in
                personalBytes.withUnsafeBytes { personalPointer in
                    Swift.Result { () throws(DecodingError) -> Result in try body(publicPointer, personalPointer) }
                }
            }
            return try outcome.get()
        }
    }

    /// Returns the bytes of the next schema version from the public and personal bytes of the
    /// version in its key. Throws ``DecodingError`` when the input is not a valid payload of that version.
    typealias Upcaster = @Sendable (_ publicBytes: UnsafeRawBufferPointer, _ personalBytes: UnsafeRawBufferPointer)
        throws(DecodingError) -> PayloadBytes

    static let registered: [Key: Upcaster] = [
        Key(type: .purchaseRecorded, fromVersion: 1): addLineItemCategories,
        Key(type: .pointsRedeemed, fromVersion: 1): addRedemptionOrderID,
    ]

    /// Returns true when upcasters lead from `version` of `type` to its current version.
    static func hasChain(for type: EventType, from version: UInt8) -> Bool {
        guard version >= 1, version <= type.currentSchemaVersion else { return false }
        return (version..<type.currentSchemaVersion).allSatisfy { registered[Key(type: type, fromVersion: $0)] != nil }
    }

    /// Calls `body` with the payload parts of a stored event of `type` at `schemaVersion`,
    /// upgraded to the type's current version. A current payload is passed as stored, without a
    /// copy. The caller checks ``EventType/reads(schemaVersion:)`` first.
    @inline(__always)
    static func withCurrentVersion<Result>(
        of type: EventType, schemaVersion: UInt8, publicBytes: UnsafeRawBufferPointer,
        personalBytes: UnsafeRawBufferPointer,
        _ body: (_ publicBytes: UnsafeRawBufferPointer, _ personalBytes: UnsafeRawBufferPointer) throws(DecodingError) -> Result
    ) throws(DecodingError) -> Result {
        if schemaVersion == type.currentSchemaVersion { return try body(publicBytes, personalBytes) }

        let payload = try upcast(type, from: schemaVersion, publicBytes: publicBytes, personalBytes: personalBytes)
        return try payload.withUnsafeBytes(body)
    }

    /// Runs the upcasters from `version` of `type` up to its current version and returns the
    /// upgraded bytes. Throws ``DecodingError`` when a step is missing or rejects its input.
    static func upcast(
        _ type: EventType, from version: UInt8, publicBytes: UnsafeRawBufferPointer, personalBytes: UnsafeRawBufferPointer
    ) throws(DecodingError) -> PayloadBytes {
        var payload = PayloadBytes(publicBytes: Array(publicBytes), personalBytes: Array(personalBytes))
        var current = version
        while current < type.currentSchemaVersion {
            guard let upcaster = registered[Key(type: type, fromVersion: current)] else {
                throw .malformed("no upcaster from schema version \(current) of \(type)", at: 0)
            }
            payload = try payload.withUnsafeBytes(upcaster)
            current += 1
        }
        return payload
    }

    // MARK: - Registered upcasters

    /// PurchaseRecorded 1 → 2: writes an empty category after the unit price of each line item.
    static let addLineItemCategories: Upcaster = { (publicBytes, personalBytes) throws(DecodingError) in
        var reader = ByteReader(publicBytes)
        try reader.skipString()  // order id
        _ = try reader.readSigned()  // amount in minor units
        _ = try reader.slice(3)  // currency code
        let count = try reader.readVarint()
        guard count <= UInt64(reader.remaining) else { throw .truncated(at: reader.offset) }

        var output = ByteWriter(capacity: publicBytes.count + Int(count))
        output.write(raw: publicBytes[0..<reader.offset])
        for _ in 0..<count {
            let itemStart = reader.offset
            try reader.skipString()  // SKU
            _ = try reader.readVarint()  // quantity
            _ = try reader.readVarint()  // unit price
            output.write(raw: publicBytes[itemStart..<reader.offset])
            output.write("")
        }
        // Channel and store, and any trailing bytes, which the decoder then rejects.
        output.write(raw: publicBytes[reader.offset...])
        return PayloadBytes(publicBytes: output.bytes, personalBytes: Array(personalBytes))
    }

    /// PointsRedeemed 1 → 2: writes an empty order id after the reward.
    static let addRedemptionOrderID: Upcaster = { (publicBytes, personalBytes) throws(DecodingError) in
        var reader = ByteReader(publicBytes)
        _ = try reader.readVarint()  // points
        try reader.skipString()  // reward

        var output = ByteWriter(capacity: publicBytes.count + 1)
        output.write(raw: publicBytes[0..<reader.offset])
        output.write("")
        output.write(raw: publicBytes[reader.offset...])
        return PayloadBytes(publicBytes: output.bytes, personalBytes: Array(personalBytes))
    }
}
