// libFuzzer target `event-decoder`: one input is the stored bytes of one event record, the value
// of the `events` table. scripts/fuzz compiles this file into the CustomerLedger module, so it
// calls the internal decoders directly.
//
// Beyond "no crash", the target checks properties that every read relies on. A record that
// decodes for the admin role also decodes for the support role, without personal data and on
// the replay fast path (`FoldEvent.decode`). Its event encodes again to bytes that decode to the
// same event.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func eventDecoderFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    EventDecoderFuzz.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

enum EventDecoderFuzz {
    /// The position the record is decoded at. It is large enough that most distances to the
    /// customer's previous event stay inside the log.
    static let position: UInt64 = 1_000

    static func check(_ record: UnsafeRawBufferPointer) {
        // Without a key ring, a sealed personal part is withheld (`.noKey`) and a clear one is read.
        let admin = decode(record, personal: PersonalDataReader(role: .admin, keys: nil))
        let support = decode(record, personal: PersonalDataReader(role: .support, keys: nil))
        let skipping = decode(record, personal: .skipping)
        _ = try? EventCodec.sealedPayload(of: record, position: position)

        guard let event = admin else { return }
        guard support != nil else { fatalError("fuzz oracle: the record decodes for admin but not for support") }
        guard skipping != nil else { fatalError("fuzz oracle: the record decodes for admin but not with .skipping") }
        checkFoldPath(record)
        exerciseReaders(of: event)
        if !event.personalData.isWithheld { checkRoundTrip(event, record: record) }
    }

    /// Decodes with `personal` and returns nil for a clear decoding error. Any other error, or
    /// a decoding error that names another position, stops the run.
    static func decode(_ record: UnsafeRawBufferPointer, personal: PersonalDataReader) -> RecordedEvent? {
        do {
            return try EventCodec.decode(record, position: position, personal: personal)
        } catch LedgerError.corruptEvent(let errorPosition, let reason) {
            guard errorPosition == position else { fatalError("fuzz oracle: the error names position \(errorPosition)") }
            _ = reason.description
            return nil
        } catch {
            fatalError("fuzz oracle: EventCodec.decode threw an error other than corruptEvent: \(error)")
        }
    }

    /// Checks that the replay fast path accepts a record that the full decoder accepts.
    static func checkFoldPath(_ record: UnsafeRawBufferPointer) {
        for lineItems in [false, true] {
            do {
                var reader = ByteReader(record)
                let header = try EventCodec.decodeHeader(&reader)
                _ = header.previousPosition(of: position)
                _ = try FoldEvent.decode(&reader, header: header, lineItems: lineItems)
            } catch {
                fatalError("fuzz oracle: FoldEvent.decode(lineItems: \(lineItems)) rejects a record that decodes: \(error)")
            }
        }
        var reader = ByteReader(record)
        guard (try? EventCodec.decodeHeader(&reader, metadata: false)) != nil else {
            fatalError("fuzz oracle: decodeHeader(metadata: false) rejects a record that decodes")
        }
    }

    /// Runs what history, summaries and imports compute from a decoded event.
    static func exerciseReaders(of event: RecordedEvent) {
        _ = event.typeName
        _ = event.isUpcast
        _ = String(describing: event)
        if case .profileUpdated(let updated) = event.payload {
            _ = updated.changes.changedFields
            _ = updated.changes.fieldChanges(from: CustomerProfile(name: "before", birthday: CivilDate(year: 2000, month: 2, day: 29)))
        }
        for schemaVersion: UInt8 in [0, 1, 2, 3] {
            _ = try? LegacyPayloadEncoding.encode(event.payload, schemaVersion: schemaVersion)
        }
        _ = FoldEvent(event.payload)
    }

    /// Encodes `event` again and checks that the new record decodes to the same event.
    static func checkRoundTrip(_ event: RecordedEvent, record: UnsafeRawBufferPointer) {
        var reader = ByteReader(record)
        guard let header = try? EventCodec.decodeHeader(&reader) else {
            fatalError("fuzz oracle: the header of a decoded record does not decode")
        }
        let newEvent = NewEvent(
            id: event.id, customerID: event.customerID, occurredAt: event.occurredAt, payload: event.payload,
            metadata: event.metadata)
        var writer = ByteWriter()
        var scratch = ByteWriter()
        EventCodec.encode(
            newEvent, version: event.version, previousDistance: header.previousDistance, recordedAt: event.recordedAt,
            into: &writer, scratch: &scratch)
        guard let again = writer.bytes.withUnsafeBytes({ decode($0, personal: PersonalDataReader(role: .admin, keys: nil)) })
        else { fatalError("fuzz oracle: a decoded event encodes to a record that does not decode") }

        guard again.id == event.id, again.customerID == event.customerID, again.version == event.version,
            again.occurredAt == event.occurredAt, again.recordedAt == event.recordedAt, again.metadata == event.metadata
        else { fatalError("fuzz oracle: the header fields change in a round trip: \(event) became \(again)") }
        guard again.payload == event.payload, again.payload.encodesLike(event.payload) else {
            fatalError("fuzz oracle: the payload changes in a round trip: \(event.payload) became \(again.payload)")
        }
        if !event.isUpcast, again.schemaVersion != event.schemaVersion {
            fatalError("fuzz oracle: schema version \(event.schemaVersion) became \(again.schemaVersion)")
        }
    }
}
