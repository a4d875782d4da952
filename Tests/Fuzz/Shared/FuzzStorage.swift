// A check that the importer fuzz targets share. scripts/fuzz compiles it into the CustomerLedger
// module with them.

/// Checks of the events that an importer builds.
enum FuzzStorage {
    /// Encodes `event` as a stored record and checks that it decodes to the same event.
    static func checkStoredRoundTrip(_ event: NewEvent) {
        var writer = ByteWriter()
        var scratch = ByteWriter()
        let recordedAt = Timestamp(microseconds: event.occurredAt.microseconds &+ 1)
        EventCodec.encode(event, version: 1, previousDistance: 0, recordedAt: recordedAt, into: &writer, scratch: &scratch)
        let decoded: RecordedEvent
        do {
            decoded = try writer.bytes.withUnsafeBytes { record in
                try EventCodec.decode(record, position: 1, personal: PersonalDataReader(role: .admin, keys: nil))
            }
        } catch {
            fatalError("fuzz oracle: an imported event does not decode after encoding: \(error)")
        }
        guard decoded.id == event.id, decoded.customerID == event.customerID, decoded.occurredAt == event.occurredAt,
            decoded.metadata == event.metadata, decoded.payload.encodesLike(event.payload)
        else { fatalError("fuzz oracle: an imported event changes in storage: \(event) became \(decoded)") }
    }
}
