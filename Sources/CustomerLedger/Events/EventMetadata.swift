import Foundation

/// Who or what appended an event, through which channel, and in answer to what.
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
    /// The caller's identifier for the event; appending the same identifier again is idempotent.
    /// The default is a time-ordered UUID version 7, which keeps the event-id index compact.
    public var id: UUID
    public var customerID: CustomerID
    /// When the change happened in the business: given by the caller, never read from the clock.
    public var occurredAt: Timestamp
    public var payload: EventPayload
    public var metadata: EventMetadata
    /// When the event was first recorded, for importers that keep it; nil means the ledger's clock.
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
    /// Compares what the event says happened: customer, occurred-at, payload and, when set,
    /// recorded-at. Metadata is left out, so a retry by another actor is still the same event.
    func hasSameContent(as other: NewEvent) -> Bool {
        customerID == other.customerID && occurredAt == other.occurredAt && payload == other.payload
            && recordedAt == other.recordedAt
    }
}

/// An event as the log stores it.
public struct RecordedEvent: Equatable, Sendable {
    /// The place in the global log: 1, 2, 3, … in commit order, without gaps.
    public var position: UInt64
    public var id: UUID
    public var customerID: CustomerID
    /// The place in the customer's stream: 1 for the registration, then 2, 3, … without gaps.
    public var version: UInt32
    /// The schema version the payload was written with.
    public var schemaVersion: UInt8
    public var occurredAt: Timestamp
    /// When the ledger recorded the event.
    public var recordedAt: Timestamp
    public var metadata: EventMetadata
    public var payload: EventPayload

    /// The stored type name, such as `PurchaseRecorded`, or `unknown type 42 (schema 3)`.
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
