import CustomerLedger
import Foundation

/// The JSON Lines export format that `ledger export` writes and `ledger import jsonl` reads:
/// UTF-8, one compact JSON object per line, each line ending with LF.
///
/// - Line 1 is the header: `format` (`customer-ledger-events`), `format_version` (1),
///   `from_position`, `through_position`, `previous_hash` (h(from − 1)), `customer_id` (null for
///   every customer) and `base_program`, the program the ledger was created with, as the
///   program file of `ledger program set`.
/// - Every further line is one event, in position order, with every stored field: `position`,
///   `hash` (h(position)), `event_id`, `customer_id`, `version`, `type`, `schema_version`,
///   `occurred_at`, `recorded_at`, `actor`, `source`, `correlation_id`, `causation_id` and
///   `payload`, the payload of `ledger history --json`.
///
/// The event times carry six fraction digits, such as `1997-01-01T00:00:00.000000Z`. A payload
/// that this version cannot decode, of an unknown type (`type` is `unknown-N` with the stored
/// type code N) or of a newer schema version, has its stored bytes in lowercase hex instead:
/// `{"public_hex": "…", "personal_hex": "…"}`.
enum EventJSONLines {
    static let formatName = "customer-ledger-events"
    static let formatVersion = 1
    /// The prefix of the `type` of an event whose type code this version does not name.
    static let unknownTypePrefix = "unknown-"

    static let headerKeys = [
        "format", "format_version", "from_position", "through_position", "previous_hash", "customer_id", "base_program",
    ]
    static let eventKeys = [
        "position", "hash", "event_id", "customer_id", "version", "type", "schema_version", "occurred_at", "recorded_at",
        "actor", "source", "correlation_id", "causation_id", "payload",
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
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
