import CustomerLedger
import Foundation

/// The JSON Lines export format that `ledger export` writes and `ledger import jsonl` reads:
/// UTF-8, one compact JSON object per line, each line ending with LF.
///
/// - Line 1 is the header: `format` (`customer-ledger-events`), `format_version` (2),
///   `from_position`, `through_position`, `previous_hash` (h(from − 1)), `customer_id` (null for
///   every customer), `base_program`, the program the ledger was created with, as the
///   program file of `ledger program set`, and `master_key`, the fingerprint of the master key
///   of an encrypted ledger (null for a ledger that keeps personal data in clear).
/// - Every further line is one event, in position order, with every stored field: `position`,
///   `hash` (h(position)), `event_id`, `customer_id`, `version`, `type`, `schema_version`,
///   `occurred_at`, `recorded_at`, `actor`, `source`, `correlation_id`, `causation_id` and
///   `payload`, the payload of `ledger history --json`, then `sealed` and `data_key`.
/// - In an encrypted ledger, `sealed` contains the stored bytes of an event with personal fields,
///   `{"public_hex": "…", "personal_hex": "…"}`, where the personal bytes are ciphertext. The
///   personal fields of its `payload` are then empty. `data_key` holds, on the registration of a
///   customer who was not erased, the customer's data key wrapped by the master key, in hex.
///   Both are null otherwise, so an export never holds personal data in clear, and only a ledger
///   with the same master key can import it. Version 1 files, without these keys, are read too.
///
/// The event times carry six fraction digits, such as `1997-01-01T00:00:00.000000Z`. A payload
/// that this version cannot decode, of an unknown type (`type` is `unknown-N` with the stored
/// type code N) or of a newer schema version, has its stored bytes in lowercase hex instead:
/// `{"public_hex": "…", "personal_hex": "…"}`.
enum EventJSONLines {
    static let formatName = "customer-ledger-events"
    static let formatVersion = 2
    /// The versions this version reads: 1 lacks `master_key`, `sealed` and `data_key`.
    static let readableFormatVersions: ClosedRange<Int64> = 1...2
    /// The prefix of the `type` of an event whose type code this version does not name.
    static let unknownTypePrefix = "unknown-"

    static let headerKeys = [
        "format", "format_version", "from_position", "through_position", "previous_hash", "customer_id", "base_program",
        "master_key",
    ]
    static let eventKeys = [
        "position", "hash", "event_id", "customer_id", "version", "type", "schema_version", "occurred_at", "recorded_at",
        "actor", "source", "correlation_id", "causation_id", "payload", "sealed", "data_key",
    ]

    private static let writer = JSONWriter(style: .compact)

    /// Returns the header line without its line end.
    static func headerLine(_ header: ExportHeader) -> String {
        writer.string(
            for: .object([
                ("format", .string(formatName)),
                ("format_version", JSONValue(formatVersion)),
                ("from_position", JSONValue(header.fromPosition)),
                ("through_position", JSONValue(header.throughPosition)),
                ("previous_hash", .string(header.previousHash)),
                ("customer_id", header.customer.map { JSONValue($0.rawValue) } ?? .null),
                ("base_program", ProgramDocument.json(header.baseProgram)),
                ("master_key", header.masterKeyFingerprint.map { .string($0) } ?? .null),
            ]))
    }

    /// Returns the line of one event without its line end.
    static func eventLine(_ exported: ExportedEvent) -> String {
        let event = exported.event
        let metadata = event.metadata
        return writer.string(
            for: .object([
                ("position", JSONValue(event.position)),
                ("hash", .string(exported.chainHash)),
                ("event_id", .string(event.id.uuidString.lowercased())),
                ("customer_id", JSONValue(event.customerID.rawValue)),
                ("version", JSONValue(event.version)),
                ("type", .string(typeName(of: event.payload))),
                ("schema_version", JSONValue(event.schemaVersion)),
                ("occurred_at", .string(time(event.occurredAt))),
                ("recorded_at", .string(time(event.recordedAt))),
                ("actor", .string(metadata.actor)),
                ("source", .string(metadata.source)),
                ("correlation_id", metadata.correlationID.map { .string($0.uuidString.lowercased()) } ?? .null),
                ("causation_id", metadata.causationID.map { .string($0.uuidString.lowercased()) } ?? .null),
                ("payload", payload(event.payload)),
                ("sealed", exported.sealedPayload.map { sealed in
                    .object([("public_hex", .string(hex(sealed.publicBytes))), ("personal_hex", .string(hex(sealed.personalBytes)))])
                } ?? .null),
                ("data_key", exported.wrappedDataKey.map { .string(hex($0)) } ?? .null),
            ]))
    }

    /// The type's name, such as `PurchaseRecorded`, or `unknown-N` for a type code N that this
    /// version does not name.
    static func typeName(of payload: EventPayload) -> String {
        let code = payload.typeCode
        return EventType(rawValue: code)?.description ?? unknownTypePrefix + String(code)
    }

    static func payload(_ payload: EventPayload) -> JSONValue {
        guard case .unrecognized(let unknown) = payload else { return Formatting.json(payload) }
        return .object([("public_hex", .string(hex(unknown.publicBytes))), ("personal_hex", .string(hex(unknown.personalBytes)))])
    }

    /// Formats an instant in UTC with six fraction digits, such as `2024-03-01T08:30:00.250000Z`.
    static func time(_ instant: Timestamp) -> String {
        var text = instant.description
        text.removeLast()  // the "Z"
        if let point = text.lastIndex(of: ".") {
            let digits = text.distance(from: point, to: text.endIndex) - 1
            text += String(repeating: "0", count: 6 - digits)
        } else {
            text += ".000000"
        }
        return text + "Z"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        Hex.string(bytes)
    }
}
