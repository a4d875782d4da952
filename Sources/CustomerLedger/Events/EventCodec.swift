import Foundation

/// The compact binary encoding of stored events.
///
/// A record contains, in order:
/// - the format byte (1), a varint type code and the schema version byte;
/// - the 16-byte event id, the varint customer id and the varint version;
/// - the varint distance back to the customer's previous event (0 for the first);
/// - the zigzag varint occurred-at (µs) and the zigzag varint recorded-at minus occurred-at;
/// - a metadata flag byte and the metadata fields that are present;
/// - the length-prefixed public payload, then the length-prefixed personal payload.
///
/// Personal fields live only in the personal payload, so that it can be encrypted or shredded on
/// its own. In an encrypted ledger a non-empty personal payload is sealed with XChaCha20-Poly1305
/// under the customer's data key (see ``PersonalDataReader/associatedData(customer:typeCode:eventID:)``),
/// and the metadata flag `personalSealed` (16) is set: the stored bytes are the nonce, the
/// ciphertext and the tag. The distances chain each customer's events from newest to oldest, and this chain is
/// the per-customer index.
enum EventCodec {
    static let recordFormat: UInt8 = 1

    private static let hasActor: UInt8 = 1
    private static let hasSource: UInt8 = 2
    private static let hasCorrelation: UInt8 = 4
    private static let hasCausation: UInt8 = 8
    private static let personalSealed: UInt8 = 16
    private static let knownFlags: UInt8 = 31

    /// The place of the personal payload in a record that ``encode(_:version:previousDistance:recordedAt:into:scratch:sealingWith:personalIsSealed:)`` wrote.
    struct PersonalPart {
        /// The offset of the public payload in the record, after its length prefix.
        var publicOffset: Int
        /// The offset of the personal bytes in the record, after their length prefix.
        var offset: Int
        var count: Int
        var isSealed: Bool
    }

    /// Encodes `event` as version `version` of its customer, recorded at `recordedAt`.
    ///
    /// - parameter previousDistance: the position of this event minus that of the customer's
    ///   previous event, or 0 for the customer's first event.
    /// - parameter dataKey: the customer's data key that seals a non-empty personal payload, or
    ///   nil to store it in clear (a ledger without encryption, or a payload already sealed).
    /// - parameter personalIsSealed: true when the payload is an ``UnrecognizedPayload`` whose
    ///   personal bytes are already sealed, as an import of an encrypted export stores them.
    @discardableResult
    static func encode(
        _ event: NewEvent, version: UInt32, previousDistance: UInt64, recordedAt: Timestamp,
        into writer: inout ByteWriter, scratch: inout ByteWriter, sealingWith dataKey: [UInt8]? = nil,
        personalIsSealed: Bool = false
    ) -> PersonalPart {
        writer.write(recordFormat)
        writer.write(varint: UInt64(event.payload.typeCode))
        switch event.payload {
        case .unrecognized(let unknown): writer.write(unknown.schemaVersion)
        default: writer.write(event.payload.type!.currentSchemaVersion)
        }
        withUnsafeBytes(of: event.id.uuid) { writer.write(raw: $0) }
        writer.write(varint: event.customerID.rawValue)
        writer.write(varint: UInt64(version))
        writer.write(varint: previousDistance)
        writer.write(signed: event.occurredAt.microseconds)
        writer.write(signed: recordedAt.microseconds &- event.occurredAt.microseconds)

        let metadata = event.metadata
        var flags: UInt8 = 0
        if !metadata.actor.isEmpty { flags |= hasActor }
        if !metadata.source.isEmpty { flags |= hasSource }
        if metadata.correlationID != nil { flags |= hasCorrelation }
        if metadata.causationID != nil { flags |= hasCausation }
        let flagsOffset = writer.bytes.count
        writer.write(flags)
        if !metadata.actor.isEmpty { writer.write(metadata.actor) }
        if !metadata.source.isEmpty { writer.write(metadata.source) }
        if let correlation = metadata.correlationID { withUnsafeBytes(of: correlation.uuid) { writer.write(raw: $0) } }
        if let causation = metadata.causationID { withUnsafeBytes(of: causation.uuid) { writer.write(raw: $0) } }

        // The public part is written in place behind a length placeholder, the personal part via scratch.
        scratch.reset()
        let lengthOffset = writer.bytes.count
        writer.write(0)
        let bodyStart = writer.bytes.count
        PayloadCodec.encode(event.payload, public: &writer, personal: &scratch)
        let publicLength = writer.bytes.count - bodyStart
        patchLength(in: &writer, at: lengthOffset, bodyStart: bodyStart)
        // A length prefix longer than its one-byte placeholder moved the public payload.
        let publicOffset = writer.bytes.count - publicLength
        guard let dataKey, !scratch.bytes.isEmpty else {
            if personalIsSealed { writer.bytes[flagsOffset] |= personalSealed }
            writer.write(lengthPrefixed: scratch.bytes)
            return PersonalPart(
                publicOffset: publicOffset, offset: writer.bytes.count - scratch.bytes.count, count: scratch.bytes.count,
                isSealed: personalIsSealed)
        }
        writer.bytes[flagsOffset] |= personalSealed
        var sealed: [UInt8] = []
        sealed.reserveCapacity(scratch.bytes.count + Sodium.overhead)
        let associated = PersonalDataReader.associatedData(
            customer: event.customerID, typeCode: event.payload.typeCode, eventID: event.id)
        scratch.bytes.withUnsafeBytes { plaintext in
            dataKey.withUnsafeBytes { key in Sodium.seal(plaintext, key: key, associated: associated, into: &sealed) }
        }
        Sodium.wipe(&scratch.bytes)
        writer.write(lengthPrefixed: sealed)
        return PersonalPart(publicOffset: publicOffset, offset: writer.bytes.count - sealed.count, count: sealed.count, isSealed: true)
    }

    /// Replaces the one-byte placeholder at `offset` with the varint length of the bytes after it.
    private static func patchLength(in writer: inout ByteWriter, at offset: Int, bodyStart: Int) {
        let length = writer.bytes.count - bodyStart
        if length < 0x80 {
            writer.bytes[offset] = UInt8(length)
            return
        }
        var prefix = ByteWriter(capacity: 4)
        prefix.write(varint: UInt64(length))
        writer.bytes.replaceSubrange(offset..<offset + 1, with: prefix.bytes)
    }

    /// The fields of a stored record before its payload, read without decoding the payload.
    struct Header {
        var typeCode: UInt16
        var schemaVersion: UInt8
        var id: UUID
        var customerID: CustomerID
        var version: UInt32
        /// The position of this event minus that of the customer's previous one, or 0 for the first.
        var previousDistance: UInt64
        var occurredAt: Timestamp
        var recordedAt: Timestamp
        var metadata: EventMetadata
        /// True when the personal payload is sealed under the customer's data key.
        var isPersonalSealed: Bool
        /// The offset of the public payload's length prefix.
        var payloadOffset: Int

        /// Returns the position of the customer's event before the one at `position`, or 0 when
        /// this is the customer's first event or the distance points before the log's start.
        func previousPosition(of position: UInt64) -> UInt64 {
            previousDistance == 0 || previousDistance > position ? 0 : position - previousDistance
        }
    }

    /// Decodes the fields before the payload and leaves `reader` at the payload's length prefix.
    ///
    /// - parameter decodeMetadata: false skips the actor and source strings, leaving them empty.
    static func decodeHeader(_ reader: inout ByteReader, metadata decodeMetadata: Bool = true) throws(DecodingError)
        -> Header
    {
        let format = try reader.readByte()
        guard format == recordFormat else {
            throw .malformed("unknown record format \(format)", at: reader.offset - 1)
        }
        let typeCode = try reader.readVarint()
        guard typeCode <= UInt64(UInt16.max) else { throw .malformed("type code \(typeCode) too large", at: 1) }
        let schemaVersion = try reader.readByte()

        let id = try readUUID(&reader)
        let customer = try reader.readVarint()
        // Customer id 0 is the ledger's own stream, which only program events use.
        guard customer > 0 || typeCode == UInt64(EventType.programDefined.rawValue)
            || typeCode == UInt64(EventType.programChanged.rawValue)
        else { throw .malformed("customer id 0", at: reader.offset) }
        let version = try reader.readVarint()
        guard version > 0, version <= UInt64(UInt32.max) else {
            throw .malformed("version \(version) out of range", at: reader.offset)
        }

        let previousDistance = try reader.readVarint()
        let occurred = try reader.readSigned()
        let recordedDelta = try reader.readSigned()

        let flags = try reader.readByte()
        guard flags & ~knownFlags == 0 else { throw .malformed("unknown metadata flags \(flags)", at: reader.offset - 1) }
        var metadata = EventMetadata()
        if flags & hasActor != 0 {
            if decodeMetadata { metadata.actor = try reader.readString() } else { try reader.skipString() }
        }
        if flags & hasSource != 0 {
            if decodeMetadata { metadata.source = try reader.readString() } else { try reader.skipString() }
        }
        if flags & hasCorrelation != 0 { metadata.correlationID = try readUUID(&reader) }
        if flags & hasCausation != 0 { metadata.causationID = try readUUID(&reader) }

        return Header(
            typeCode: UInt16(typeCode), schemaVersion: schemaVersion, id: id,
            customerID: CustomerID(unchecked: customer), version: UInt32(version), previousDistance: previousDistance,
            occurredAt: Timestamp(microseconds: occurred),
            recordedAt: Timestamp(microseconds: occurred &+ recordedDelta), metadata: metadata,
            isPersonalSealed: flags & personalSealed != 0, payloadOffset: reader.offset)
    }

    /// Decodes a whole stored record, opening its personal part as `personal` allows.
    ///
    /// - throws: ``LedgerError/corruptEvent(position:_:)`` for bytes that do not decode, and
    ///   ``PrivacyError/tamperedCiphertext(_:)`` for a sealed personal part that fails authentication.
    static func decode(_ buffer: UnsafeRawBufferPointer, position: UInt64, personal: PersonalDataReader) throws
        -> RecordedEvent
    {
        try decodeLinked(buffer, position: position, personal: personal).event
    }

    /// Decodes a whole stored record and the position of the customer's previous event (0 for none).
    static func decodeLinked(_ buffer: UnsafeRawBufferPointer, position: UInt64, personal: PersonalDataReader) throws
        -> (event: RecordedEvent, previous: UInt64)
    {
        do {
            var reader = ByteReader(buffer)
            let header = try decodeHeader(&reader)
            let (payload, status) = try decodePayload(&reader, header: header, personal: personal, position: position)
            guard reader.isAtEnd else {
                throw DecodingError.malformed("\(reader.remaining) bytes after the payload", at: reader.offset)
            }
            let event = RecordedEvent(
                position: position, id: header.id, customerID: header.customerID, version: header.version,
                schemaVersion: header.schemaVersion, occurredAt: header.occurredAt, recordedAt: header.recordedAt,
                metadata: header.metadata, payload: payload, personalData: status)
            return (event, header.previousPosition(of: position))
        } catch let error as DecodingError {
            throw LedgerError.corruptEvent(position: position, error)
        }
    }

    /// Decodes the two payload parts that follow a header, upgraded to the type's current
    /// schema version by ``EventUpcasters`` when they are older. The personal part is opened as
    /// `personal` allows, and masked for the support role.
    static func decodePayload(
        _ reader: inout ByteReader, header: Header, personal: PersonalDataReader, position: UInt64
    ) throws -> (EventPayload, PersonalDataStatus) {
        let typeCode = header.typeCode
        let schemaVersion = header.schemaVersion
        let publicLength = try reader.readLength()
        let publicBytes = try reader.slice(publicLength)
        let personalLength = try reader.readLength()
        let storedPersonal = try reader.slice(personalLength)
        guard let type = EventType(rawValue: typeCode), type.reads(schemaVersion: schemaVersion) else {
            return (
                .unrecognized(
                    UnrecognizedPayload(
                        typeCode: typeCode, schemaVersion: schemaVersion, publicBytes: Array(publicBytes),
                        personalBytes: Array(storedPersonal))), .none
            )
        }
        var status = PersonalDataStatus.none
        var plaintext: [UInt8] = []
        if !storedPersonal.isEmpty {
            switch try personal.open(
                storedPersonal, isSealed: header.isPersonalSealed, customer: header.customerID, typeCode: typeCode,
                eventID: header.id, describedAs: "the personal data of the event at position \(position)")
            {
            case .plaintext(let opened):
                plaintext = opened
                status = personal.shownStatus
            case .withheld(let reason):
                status = .withheld(reason)
            }
        }
        let payloadEnd = reader.offset
        var payload = try plaintext.withUnsafeBytes { plainPersonal in
            try EventUpcasters.withCurrentVersion(
                of: type, schemaVersion: schemaVersion, publicBytes: publicBytes, personalBytes: plainPersonal
            ) { (currentPublic, currentPersonal) throws(DecodingError) -> EventPayload in
                var publicReader = ByteReader(currentPublic)
                var personalReader = ByteReader(currentPersonal)
                let payload = try PayloadCodec.decode(
                    type, public: &publicReader, personal: &personalReader, withheld: status.isWithheld)
                guard publicReader.isAtEnd, personalReader.isAtEnd else {
                    throw .malformed("payload of \(type) has trailing bytes", at: payloadEnd)
                }
                return payload
            }
        }
        if status == .masked { PersonalDataReader.mask(&payload) }
        return (payload, status)
    }

    /// Returns the stored public and sealed personal bytes of a record whose personal part is
    /// sealed, or nil for a record that keeps it in clear.
    static func sealedPayload(of record: UnsafeRawBufferPointer, position: UInt64) throws -> UnrecognizedPayload? {
        do {
            var reader = ByteReader(record)
            let header = try decodeHeader(&reader, metadata: false)
            guard header.isPersonalSealed else { return nil }
            let publicBytes = Array(try reader.slice(try reader.readLength()))
            let personalBytes = Array(try reader.slice(try reader.readLength()))
            return UnrecognizedPayload(
                typeCode: header.typeCode, schemaVersion: header.schemaVersion, publicBytes: publicBytes,
                personalBytes: personalBytes)
        } catch let error as DecodingError {
            throw LedgerError.corruptEvent(position: position, error)
        }
    }

    static func readUUID(_ reader: inout ByteReader) throws(DecodingError) -> UUID {
        UUID(bytes: try reader.slice(16))
    }
}
