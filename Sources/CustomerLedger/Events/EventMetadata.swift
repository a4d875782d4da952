import Foundation

/// The actor, source channel, correlation id and causation id of an event.
public struct EventMetadata: Equatable, Sendable {
    /// The user or service that appended the event, such as `importer` or `alice@support`.
    public var actor: String
    /// The source or channel the change came from, such as `cdnow-import`, `pos` or `app`.
    public var source: String
    /// Groups events that belong to one business operation.
    public var correlationID: UUID?
    /// The event or command that caused this event.
    public var causationID: UUID?

    public init(actor: String = "", source: String = "", correlationID: UUID? = nil, causationID: UUID? = nil) {
        self.actor = actor
        self.source = source
        self.correlationID = correlationID
        self.causationID = causationID
    }
}

/// An event to append, before the ledger assigns its position and version.
public struct NewEvent: Equatable, Sendable {
    /// The caller's identifier for the event. Appending the same identifier again with the same
    /// content writes nothing, and with other content throws ``LedgerError/eventIDReused(id:position:)``.
    /// The default is a time-ordered UUID version 7, which keeps the event-id index compact.
    public var id: UUID
    public var customerID: CustomerID
    /// The time the change happened in the business, given by the caller and never read from the clock.
    public var occurredAt: Timestamp
    public var payload: EventPayload
    public var metadata: EventMetadata
    /// The time the event was first recorded, for importers that keep it. Nil means the ledger's clock.
    public var recordedAt: Timestamp?

    public init(
        id: UUID = EventID.timeOrdered(), customerID: CustomerID, occurredAt: Timestamp, payload: EventPayload,
        metadata: EventMetadata = EventMetadata(), recordedAt: Timestamp? = nil
    ) {
        self.id = id
        self.customerID = customerID
        self.occurredAt = occurredAt
        self.payload = payload
        self.metadata = metadata
        self.recordedAt = recordedAt
    }
}

extension NewEvent {
    /// Compares this event with a later one of the same id in one batch: customer, occurred-at,
    /// payload and, when the later one sets it, recorded-at, as for an event already stored.
    /// Metadata is left out, so a retry by another actor is still the same event.
    func hasSameContent(as later: NewEvent) -> Bool {
        later.hasContent(customerID: customerID, occurredAt: occurredAt, payload: payload, recordedAt: recordedAt)
    }

    /// Returns true when this event has the same content as one with these fields: customer,
    /// occurred-at, payload and, when this event sets it, recorded-at.
    func hasContent(customerID: CustomerID, occurredAt: Timestamp, payload: EventPayload, recordedAt: Timestamp?) -> Bool {
        self.customerID == customerID && self.occurredAt == occurredAt && self.payload.encodesLike(payload)
            && (self.recordedAt == nil || self.recordedAt == recordedAt)
    }
}

/// An event as the log stores it.
public struct RecordedEvent: Equatable, Sendable {
    /// The position in the global log: 1, 2, 3, … in commit order, without gaps.
    public var position: UInt64
    public var id: UUID
    public var customerID: CustomerID
    /// The position in the customer's stream: 1 for the registration, then 2, 3, … without gaps.
    public var version: UInt32
    /// The schema version the payload was written with, as stored. Reads upgrade an older
    /// version, so `payload` is always in its type's ``EventType/currentSchemaVersion``, and
    /// ``isUpcast`` is true when that happened.
    public var schemaVersion: UInt8
    public var occurredAt: Timestamp
    /// The time the ledger recorded the event.
    public var recordedAt: Timestamp
    public var metadata: EventMetadata
    public var payload: EventPayload
    /// Whether the payload's personal fields are shown, masked or withheld for this reader.
    public var personalData: PersonalDataStatus = .none

    /// True when the payload was stored in an older schema version of its type and upgraded
    /// by the registered upcasters on reading. False for an unrecognized payload, which is kept as stored.
    public var isUpcast: Bool {
        guard let type = payload.type else { return false }
        return schemaVersion < type.currentSchemaVersion
    }

    /// The stored type name, such as `PurchaseRecorded`, `PurchaseRecorded (unsupported schema 2)`
    /// or `unknown type 42 (schema 3)`.
    public var typeName: String {
        switch payload {
        case .unrecognized(let unknown):
            if let type = EventType(rawValue: unknown.typeCode) {
                "\(type) (unsupported schema \(unknown.schemaVersion))"
            } else {
                "unknown type \(unknown.typeCode) (schema \(unknown.schemaVersion))"
            }
        default:
            payload.type!.description
        }
    }
}
