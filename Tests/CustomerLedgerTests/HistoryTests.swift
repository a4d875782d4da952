import Foundation
import Testing

@testable import CustomerLedger

/// Writes customer 1's audit trail, with customer 2's events between them: a registration, a
/// purchase, two profile updates around a feedback, and an event of an unknown type.
private func writeAuditTrail(_ ledger: Ledger) throws {
    let correlation = UUID(uuidString: "0190a000-0000-7000-8000-000000000001")!
    var registered = NewEvent(
        customerID: customer(1), occurredAt: time("2024-01-01"),
        payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "张伟", phone: "p1", city: "上海"))))
    registered.metadata = EventMetadata(actor: "alice", source: "crm", correlationID: correlation)
    var bought = purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: time("2024-01-05"))
    bought.metadata = EventMetadata(actor: "pos-7", source: "pos", correlationID: correlation, causationID: registered.id)

    try ledger.append([
        registered,
        registration(customer: 2, at: time("2024-01-02")),
        bought,
        profileUpdate(customer: 1, changes: ProfileChanges(phone: "p2", birthday: CivilDate(year: 1990, month: 2, day: 28)),
                      at: time("2024-01-10")),
        profileUpdate(customer: 2, changes: ProfileChanges(name: "李娜"), at: time("2024-01-11")),
        feedback(customer: 1, rating: 4, at: time("2024-01-15")),
        profileUpdate(customer: 1, changes: ProfileChanges(name: "张伟", phone: "p3", city: "杭州"), at: time("2024-02-01")),
        unrecognizedEvent(customer: 1, typeCode: 999, schemaVersion: 1, at: time("2024-02-05")),
    ])
}

@Suite struct HistoryTests {
    @Test func historyListsOldAndNewValues() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path)
        try writeAuditTrail(ledger)

        let entries = try ledger.history(of: customer(1), types: nil)

        #expect(entries.map(\.event) == (try ledger.history(of: customer(1))))
        #expect(entries.map(\.event.version) == [1, 2, 3, 4, 5, 6])
        #expect(entries[2].changes == [
            ProfileFieldChange(field: .phone, oldValue: "p1", newValue: "p2"),
            ProfileFieldChange(field: .birthday, oldValue: "", newValue: "1990-02-28"),
        ])
        #expect(entries[4].changes == [
            ProfileFieldChange(field: .name, oldValue: "张伟", newValue: "张伟"),
            ProfileFieldChange(field: .phone, oldValue: "p2", newValue: "p3"),
            ProfileFieldChange(field: .city, oldValue: "上海", newValue: "杭州"),
        ])
        for index in [0, 1, 3, 5] {
            #expect(entries[index].changes.isEmpty, "entry \(index)")
        }
    }

    @Test func historyKeepsMetadata() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path)
        try writeAuditTrail(ledger)

        let entries = try ledger.history(of: customer(1), types: [.purchaseRecorded])

        let purchase = try #require(entries.first?.event)
        #expect(entries.count == 1)
        #expect(purchase.position == 3)
        #expect(purchase.metadata.actor == "pos-7")
        #expect(purchase.metadata.source == "pos")
        #expect(purchase.metadata.correlationID == UUID(uuidString: "0190a000-0000-7000-8000-000000000001"))
        #expect(purchase.metadata.causationID == (try ledger.event(at: 1))?.id)
    }

    @Test func filtersKeepOldValuesFromSkippedEvents() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path)
        try writeAuditTrail(ledger)

        let entries = try ledger.history(of: customer(1), types: [.profileUpdated], from: time("2024-01-20"))

        #expect(entries.map(\.event.version) == [5])
        #expect(entries.first?.changes.map(\.oldValue) == ["张伟", "p2", "上海"])
    }

    @Test func rangeIncludesFromExcludesTo() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path)
        try writeAuditTrail(ledger)

        let entries = try ledger.history(of: customer(1), from: time("2024-01-10"), to: time("2024-02-01"))

        #expect(entries.map(\.event.occurredAt) == [time("2024-01-10"), time("2024-01-15")])
        #expect(try ledger.history(of: customer(1), to: time("2024-01-01")).isEmpty)
        #expect(try ledger.history(of: customer(1), from: time("2024-02-05")).map(\.event.version) == [6])
    }

    @Test func typeFilterSkipsUnrecognizedEvents() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path)
        try writeAuditTrail(ledger)

        let all = try ledger.history(of: customer(1), types: nil)
        let everyType = try ledger.history(of: customer(1), types: Set(EventType.allCases))

        #expect(all.last?.event.payload.type == nil)
        #expect(everyType.map(\.event.version) == [1, 2, 3, 4, 5])
        #expect(try ledger.history(of: customer(1), types: []).isEmpty)
    }

    @Test func unknownCustomerHasEmptyHistory() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path)
        try writeAuditTrail(ledger)

        #expect(try ledger.history(of: customer(9), types: nil).isEmpty)
    }

    @Test func fieldChangesFollowFieldOrder() {
        let profile = CustomerProfile(name: "a", email: "old@example.cn", address: "路 1 号")
        let changes = ProfileChanges(name: "b", email: "", birthday: CivilDate(year: 2000, month: 2, day: 29), address: "路 2 号")

        #expect(changes.fieldChanges(from: profile) == [
            ProfileFieldChange(field: .name, oldValue: "a", newValue: "b"),
            ProfileFieldChange(field: .email, oldValue: "old@example.cn", newValue: ""),
            ProfileFieldChange(field: .birthday, oldValue: "", newValue: "2000-02-29"),
            ProfileFieldChange(field: .address, oldValue: "路 1 号", newValue: "路 2 号"),
        ])
        #expect(ProfileChanges().fieldChanges(from: profile).isEmpty)
    }
}
