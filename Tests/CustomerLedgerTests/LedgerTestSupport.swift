import Foundation
import Testing

@testable import CustomerLedger

// Builders and probes shared by the ledger tests. Every ledger runs on real LMDB in a fresh
// `TemporaryDirectory`, with a fixed clock so that stored records are the same on every run.

/// The recorded-at time that test ledgers stamp on every event.
let fixedRecordedAt = Timestamp(parsing: "2025-01-01T00:00:00Z")!

/// The master key of the test ledgers: fixed, so that a test can reopen any ledger with it.
let testMasterKey = try! MasterKey(bytes: Array(1...32))

/// Reads personal parts stored in clear and withholds sealed ones, for decoding records without a ledger.
var clearReader: PersonalDataReader { PersonalDataReader(role: .admin, keys: nil) }

/// Opens the ledger in `path` with the fixed test clock and the test master key.
func openLedger(
    at path: String, program: LoyaltyProgram? = nil, readOnly: Bool = false, initialMapSize: Int = 64 << 20,
    masterKey: MasterKey? = testMasterKey, role: AccessRole = .admin
) throws -> Ledger {
    try Ledger(
        path: path,
        options: Ledger.Options(
            program: program, readOnly: readOnly, initialMapSize: initialMapSize, clock: { fixedRecordedAt },
            masterKey: masterKey, role: role))
}

/// Parses an ISO 8601 instant such as `2024-03-01` or `2024-03-01T08:30:00Z`, and traps on a typo.
func time(_ text: String) -> Timestamp {
    guard let instant = Timestamp(parsing: text) else { preconditionFailure("invalid test instant '\(text)'") }
    return instant
}

func cny(_ text: String) -> Money { try! Money.parse(text, currency: .cny) }
func usd(_ text: String) -> Money { try! Money.parse(text, currency: .usd) }

func customer(_ number: UInt64) -> CustomerID { CustomerID(number)! }

func registration(customer number: UInt64, at instant: Timestamp, name: String = "顾客") -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: name, city: "上海"))))
}

func purchase(customer number: UInt64, order: String, amount: Money, at instant: Timestamp) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .purchaseRecorded(PurchaseRecorded(orderID: order, amount: amount, channel: "store")))
}

func refund(customer number: UInt64, order: String, amount: Money, at instant: Timestamp) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .refundRecorded(RefundRecorded(orderID: order, amount: amount, reason: "damaged")))
}

func redemption(customer number: UInt64, points: Int64, at instant: Timestamp) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .pointsRedeemed(PointsRedeemed(points: points, reward: "voucher")))
}

func adjustment(customer number: UInt64, points: Int64, at instant: Timestamp) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .pointsAdjusted(PointsAdjusted(points: points, reason: "goodwill")))
}

func feedback(customer number: UInt64, rating: Int, complaint: Bool = false, at instant: Timestamp) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .feedbackRecorded(
            FeedbackRecorded(channel: .survey, rating: rating, isComplaint: complaint, text: "服务很好")))
}

func profileUpdate(customer number: UInt64, changes: ProfileChanges, at instant: Timestamp) -> NewEvent {
    NewEvent(customerID: customer(number), occurredAt: instant, payload: .profileUpdated(ProfileUpdated(changes: changes)))
}

func unrecognizedEvent(
    customer number: UInt64, typeCode: UInt16, schemaVersion: UInt8, at instant: Timestamp
) -> NewEvent {
    let payload = UnrecognizedPayload(
        typeCode: typeCode, schemaVersion: schemaVersion, publicBytes: [0x00, 0x7F, 0x80, 0xFF, 0x01],
        personalBytes: Array("个人".utf8))
    return NewEvent(customerID: customer(number), occurredAt: instant, payload: .unrecognized(payload))
}

/// Appends `events`, expects ``LedgerError/ruleViolation(index:eventID:reason:)`` for the event at
/// `index` with exactly `reason`, and checks that the log did not grow.
func expectRuleViolation(
    _ ledger: Ledger, _ events: [NewEvent], index: Int = 0, reason: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let positionBefore = try ledger.lastPosition()
    let error = #expect(throws: LedgerError.self, sourceLocation: sourceLocation) {
        try ledger.append(events)
    }
    #expect(
        error == .ruleViolation(index: index, eventID: events[index].id, reason: reason),
        sourceLocation: sourceLocation)
    #expect(try ledger.lastPosition() == positionBefore, sourceLocation: sourceLocation)
}

/// One key and value of an LMDB table, copied out of the memory map.
struct TableEntry: Equatable {
    var key: [UInt8]
    var value: [UInt8]
}

/// The raw entries of the live projection table, in key order.
struct ProjectionDump: Equatable {
    var customers: [TableEntry]
}

func dumpTable(_ txn: Transaction, _ database: Database) throws -> [TableEntry] {
    try txn.withCursor(database) { cursor in
        var entries: [TableEntry] = []
        var entry = try cursor.first()
        while let (key, value) = entry {
            entries.append(TableEntry(key: Array(key), value: Array(value)))
            entry = try cursor.next()
        }
        return entries
    }
}

func dumpProjections(_ ledger: Ledger) throws -> ProjectionDump {
    try ledger.environment.read { txn in
        let tables = try ledger.schema.activeProjections(txn)
        return ProjectionDump(customers: try dumpTable(txn, tables.customers))
    }
}

/// Returns the index, 0 or 1, of the live projection table set.
func activeProjectionSet(_ ledger: Ledger) throws -> UInt8 {
    try ledger.environment.read { txn in
        try ledger.schema.metaBytes(txn, Schema.MetaKey.activeSet)?.first ?? 0
    }
}

func storedStatistics(_ ledger: Ledger) throws -> LogStatistics {
    try ledger.environment.read { txn in try ledger.schema.statistics(txn) }
}

/// Returns the position that the event-id index maps `id` to, or nil when the id is not in the log.
func indexedPosition(of id: UUID, in ledger: Ledger) throws -> UInt64? {
    try ledger.environment.read { txn in
        try withUnsafeBytes(of: id.uuid) { key in
            try txn.get(ledger.schema.eventIDs, key).map { Keys.readUInt64($0) }
        }
    }
}

func eventIDCount(_ ledger: Ledger) throws -> Int {
    try ledger.environment.read { txn in try txn.count(ledger.schema.eventIDs) }
}

/// Messages collected from several threads.
final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}

/// A flag one thread sets and others poll.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
