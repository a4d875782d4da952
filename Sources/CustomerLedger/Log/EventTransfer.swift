import Foundation

/// An event as an export carries it: every stored field, and the hash-chain link after it.
public struct ExportedEvent: Equatable, Sendable {
    public var event: RecordedEvent
    /// h(position), the chain hash after this event, as 64 lowercase hex digits.
    public var chainHash: String
    /// For an event whose personal part is sealed: its stored public bytes and sealed personal
    /// bytes, which an import stores as they are. The personal fields of ``event`` are then
    /// withheld, so an export never contains personal data in clear.
    public var sealedPayload: UnrecognizedPayload?
    /// For the registration of a customer of an encrypted ledger who was not erased: the
    /// customer's data key wrapped by the master key, which an import into a ledger with the same
    /// master key stores as it is.
    public var wrappedDataKey: [UInt8]?

    public init(event: RecordedEvent, chainHash: String, sealedPayload: UnrecognizedPayload? = nil, wrappedDataKey: [UInt8]? = nil) {
        self.event = event
        self.chainHash = chainHash
        self.sealedPayload = sealedPayload
        self.wrappedDataKey = wrappedDataKey
    }
}

/// The facts an export starts from, which an import needs before the first event.
public struct ExportHeader: Equatable, Sendable {
    /// The program the ledger was created with, in force before its first program event.
    public var baseProgram: LoyaltyProgram
    /// The first position the export covers: 1 for the whole log.
    public var fromPosition: UInt64
    /// The last position of the log when the export began. Events appended later are left out.
    public var throughPosition: UInt64
    /// h(fromPosition − 1), the link the first exported event continues: 64 zeros from position 1.
    public var previousHash: String
    /// The only customer whose events the export contains, or nil for every event.
    public var customer: CustomerID?
    /// The fingerprint of the master key of an encrypted ledger, or nil for a ledger without
    /// encryption. An import needs a ledger with the same key.
    public var masterKeyFingerprint: String?

    public init(
        baseProgram: LoyaltyProgram, fromPosition: UInt64, throughPosition: UInt64, previousHash: String,
        customer: CustomerID?, masterKeyFingerprint: String? = nil
    ) {
        self.baseProgram = baseProgram
        self.fromPosition = fromPosition
        self.throughPosition = throughPosition
        self.previousHash = previousHash
        self.customer = customer
        self.masterKeyFingerprint = masterKeyFingerprint
    }
}

/// A rejected export request or import. An import that throws it wrote nothing.
public struct EventTransferError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The offending event's index in the import, from 0, or nil when the error concerns the
    /// header or the import as a whole.
    public var index: Int?
    /// The field at fault, named as in the JSON Lines export format (`position`,
    /// `payload.line_items[0].category`), or nil for the event as a whole.
    public var field: String?
    public var reason: String

    public init(index: Int?, field: String?, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var prefix = ""
        if let index { prefix += "event \(index + 1) of the import, " }
        if let field { prefix += "field \(field): " }
        return prefix + reason
    }
}

/// The counts of an import and the head it left.
public struct EventImportSummary: Equatable, Sendable {
    /// The number of events in the import.
    public var events: Int
    public var appended: Int
    /// Events at positions that the ledger already had, identical to the import's, so not written again.
    public var alreadyPresent: Int
    /// The ledger's last position and chain hash after the import.
    public var head: LogHead
}

extension RecordedEvent {
    /// Creates an event with every stored field, as an import reads it from an export.
    public init(
        position: UInt64, eventID: UUID, customerID: CustomerID, version: UInt32, schemaVersion: UInt8,
        occurredAt: Timestamp, recordedAt: Timestamp, metadata: EventMetadata, payload: EventPayload
    ) {
        self.position = position
        id = eventID
        self.customerID = customerID
        self.version = version
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.metadata = metadata
        self.payload = payload
    }
}
