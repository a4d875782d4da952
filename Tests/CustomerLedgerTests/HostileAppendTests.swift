import Foundation
import Testing

@testable import CustomerLedger

/// One event that `Ledger.append` must reject, appended for customer 1, whom the ledger has
/// registered, and the reason that the rejection must contain.
struct HostileEventCase: Sendable, CustomTestStringConvertible {
    let name: String
    let event: NewEvent
    let reason: String

    var testDescription: String { name }
}

@Suite("Ledger.append with hostile input")
struct HostileAppendTests {
    static let registeredAt = time("2024-03-01")
    static let later = time("2024-03-02")

    static func purchase(_ amount: Int64, lineItems: [LineItem] = [], at instant: Timestamp = later) -> NewEvent {
        NewEvent(
            customerID: customer(1), occurredAt: instant,
            payload: .purchaseRecorded(
                PurchaseRecorded(orderID: "SO-1", amount: Money(minorUnits: amount, currency: .cny), lineItems: lineItems)))
    }

    static let cases: [HostileEventCase] = [
        HostileEventCase(
            name: "name over 4,096 bytes",
            event: registration(customer: 2, at: later, name: String(repeating: "张", count: 1366)),
            reason: "the name is 4098 bytes long; the limit is 4096 bytes"),
        HostileEventCase(
            name: "feedback text over 32,768 bytes",
            event: NewEvent(
                customerID: customer(1), occurredAt: later,
                payload: .feedbackRecorded(
                    FeedbackRecorded(channel: .survey, rating: 4, isComplaint: false, text: String(repeating: "x", count: 32_769)))),
            reason: "the feedback text is 32769 bytes long; the limit is 32768 bytes"),
        HostileEventCase(
            name: "1 MB SKU",
            event: purchase(100, lineItems: [LineItem(sku: String(repeating: "x", count: 1 << 20), quantity: 1, unitPrice: 100)]),
            reason: "the SKU is 1048576 bytes long; the limit is 4096 bytes"),
        HostileEventCase(
            name: "NUL in a name", event: registration(customer: 2, at: later, name: "张\u{0}伟"),
            reason: "the name contains a NUL byte"),
        HostileEventCase(
            name: "NUL in an order id",
            event: NewEvent(
                customerID: customer(1), occurredAt: later,
                payload: .purchaseRecorded(PurchaseRecorded(orderID: "SO\u{0}1", amount: cny("1.00")))),
            reason: "the order id contains a NUL byte"),
        HostileEventCase(
            name: "occurred-at before year 1",
            event: registration(customer: 2, at: Timestamp(microseconds: Timestamp.supportedRange.lowerBound.microseconds - 1)),
            reason: "occurred-at -62135596800000001 µs since 1970 is outside the years 1 to 9999"),
        HostileEventCase(
            name: "occurred-at after year 9999",
            event: registration(customer: 2, at: Timestamp(microseconds: Timestamp.supportedRange.upperBound.microseconds + 1)),
            reason: "occurred-at 253402300800000000 µs since 1970 is outside the years 1 to 9999"),
        HostileEventCase(
            name: "occurred-at at Int64.min", event: registration(customer: 2, at: Timestamp(microseconds: .min)),
            reason: "is outside the years 1 to 9999"),
        HostileEventCase(
            name: "amount over 10^15 minor units", event: purchase(1_000_000_000_000_001),
            reason: "exceeds the limit of 1000000000000000 minor units per event"),
        HostileEventCase(
            name: "amount of Int64.max", event: purchase(.max),
            reason: "exceeds the limit of 1000000000000000 minor units per event"),
        HostileEventCase(
            name: "negative amount", event: purchase(-1),
            reason: "negative"),
        HostileEventCase(
            name: "1,001 line items",
            event: purchase(1001, lineItems: (1...1001).map { LineItem(sku: "SKU-\($0)", quantity: 1, unitPrice: 1) }),
            reason: "the purchase has 1001 line items; the limit is 1000"),
        HostileEventCase(
            name: "customer id 0",
            event: NewEvent(
                customerID: CustomerID(unchecked: 0), occurredAt: later,
                payload: .purchaseRecorded(PurchaseRecorded(orderID: "SO-1", amount: cny("1.00")))),
            reason: "PurchaseRecorded events belong to customers, not the ledger's own stream"),
        HostileEventCase(
            name: "registration of customer id 0",
            event: NewEvent(
                customerID: CustomerID(unchecked: 0), occurredAt: later,
                payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "")))),
            reason: "CustomerRegistered events belong to customers, not the ledger's own stream"),
    ]

    @Test(arguments: cases)
    func rejectedEventWritesNothing(_ hostile: HostileEventCase) throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path)
        try ledger.append([registration(customer: 1, at: Self.registeredAt)])
        let positionBefore = try ledger.lastPosition()

        let error = #expect(throws: LedgerError.self) { try ledger.append([hostile.event]) }

        guard case .ruleViolation(let index, let eventID, let reason) = error else {
            Issue.record("expected a rule violation, got \(String(describing: error))")
            return
        }
        #expect(index == 0)
        #expect(eventID == hostile.event.id)
        #expect(reason.contains(hostile.reason), "\(reason)")
        #expect(try ledger.lastPosition() == positionBefore)
    }

    @Test(arguments: cases)
    func rejectedEventRollsBackItsBatch(_ hostile: HostileEventCase) throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path)
        try ledger.append([registration(customer: 1, at: Self.registeredAt)])
        let positionBefore = try ledger.lastPosition()
        let valid = registration(customer: 3, at: Self.later)

        let error = #expect(throws: LedgerError.self) { try ledger.append([valid, hostile.event]) }

        guard case .ruleViolation(let index, _, _) = error else {
            Issue.record("expected a rule violation, got \(String(describing: error))")
            return
        }
        #expect(index == 1)
        #expect(try ledger.lastPosition() == positionBefore)
        #expect(try ledger.customer(customer(3)) == nil)
    }

    @Test func customerIDZeroIsNotAnID() {
        #expect(CustomerID(0) == nil)
        for text in ["0", "00", "-1", "abc", "1.5", "18446744073709551616", " 1", ""] {
            #expect(CustomerID(parsing: text) == nil, "\(text)")
        }
        #expect(CustomerID(parsing: "18446744073709551615")?.rawValue == .max)
    }
}
