import Foundation
import Testing

@testable import CustomerLedger

@Suite struct EventLogTests {
    // MARK: - Positions and versions

    @Test func positionsGaplessAcrossBatches() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")

        #expect(try ledger.lastPosition() == 0)
        let first = try ledger.append([registration(customer: 1, at: day)])
        let second = try ledger.append([
            registration(customer: 2, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: day),
            purchase(customer: 2, order: "B-1", amount: cny("20.00"), at: day),
        ])
        let third = try ledger.append([
            purchase(customer: 1, order: "A-2", amount: cny("30.00"), at: day),
            feedback(customer: 2, rating: 4, at: day),
        ])

        #expect(first.map(\.position) == [1])
        #expect(second.map(\.position) == [2, 3, 4])
        #expect(third.map(\.position) == [5, 6])
        #expect(try ledger.lastPosition() == 6)
        #expect(try ledger.events(from: 1, limit: 100).map(\.position) == [1, 2, 3, 4, 5, 6])
        #expect(try ledger.statistics().eventCount == 6)
    }

    @Test func positionsContinueAfterReopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let day = time("2024-03-01")

        do {
            let ledger = try openLedger(at: path)
            try ledger.append([
                registration(customer: 1, at: day),
                purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: day),
            ])
            try ledger.append(registration(customer: 2, at: day))
        }
        do {
            let ledger = try openLedger(at: path)
            #expect(try ledger.lastPosition() == 3)
            let outcomes = try ledger.append([
                purchase(customer: 1, order: "A-2", amount: cny("20.00"), at: day),
                purchase(customer: 2, order: "B-1", amount: cny("30.00"), at: day),
            ])
            #expect(outcomes == [
                Ledger.AppendOutcome(position: 4, version: 3, wasAppended: true),
                Ledger.AppendOutcome(position: 5, version: 2, wasAppended: true),
            ])
        }
        do {
            let ledger = try openLedger(at: path)
            #expect(try ledger.lastPosition() == 5)
            #expect(try ledger.events(from: 1, limit: 100).map(\.position) == [1, 2, 3, 4, 5])
            #expect(try ledger.history(of: customer(1)).map(\.version) == [1, 2, 3])
            #expect(try ledger.customer(customer(1))?.spend(in: .cny).net == 3000)
        }
    }

    @Test func versionsGaplessPerCustomer() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")

        let outcomes = try ledger.append([
            registration(customer: 1, at: day),
            registration(customer: 2, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: day),
            purchase(customer: 2, order: "B-1", amount: cny("10.00"), at: day),
            purchase(customer: 1, order: "A-2", amount: cny("10.00"), at: day),
        ])
        let later = try ledger.append(feedback(customer: 1, rating: 5, at: day))

        #expect(outcomes.map(\.version) == [1, 1, 2, 2, 3])
        #expect(later == Ledger.AppendOutcome(position: 6, version: 4, wasAppended: true))
        #expect(try ledger.history(of: customer(1)).map(\.version) == [1, 2, 3, 4])
        #expect(try ledger.history(of: customer(2)).map(\.version) == [1, 2])
        #expect(try ledger.customer(customer(1))?.version == 4)
        #expect(try ledger.customer(customer(2))?.version == 2)
    }

    // MARK: - Atomic batches

    @Test func failedBatchWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: day),
        ])
        let statisticsBefore = try ledger.statistics()
        let historyBefore = try ledger.history(of: customer(1))
        let stateBefore = try ledger.customer(customer(1))
        let projectionsBefore = try dumpProjections(ledger)

        let batch = [
            purchase(customer: 1, order: "A-2", amount: cny("50.00"), at: day),
            registration(customer: 2, at: day),
            refund(customer: 1, order: "NO-SUCH-ORDER", amount: cny("5.00"), at: day),
            purchase(customer: 2, order: "B-1", amount: cny("70.00"), at: day),
            feedback(customer: 1, rating: 5, at: day),
        ]
        let error = #expect(throws: LedgerError.self) { try ledger.append(batch) }

        #expect(
            error == .ruleViolation(index: 2, eventID: batch[2].id, reason: "customer 1 has no order 'NO-SUCH-ORDER' to refund"))
        #expect(error?.description.hasPrefix("event 3 of the batch") == true)
        #expect(try ledger.lastPosition() == 2)
        #expect(try ledger.statistics() == statisticsBefore)
        #expect(try ledger.history(of: customer(1)) == historyBefore)
        #expect(try ledger.customer(customer(1)) == stateBefore)
        #expect(try ledger.customer(customer(2)) == nil)
        #expect(try ledger.history(of: customer(2)).isEmpty)
        #expect(try dumpProjections(ledger) == projectionsBefore)
        #expect(try eventIDCount(ledger) == 2)
        #expect(try indexedPosition(of: batch[0].id, in: ledger) == nil)
        #expect(try indexedPosition(of: batch[1].id, in: ledger) == nil)

        // The events before the broken one were not kept, so they append as new events.
        let retried = try ledger.append(Array(batch[0..<2]))
        #expect(retried.map(\.position) == [3, 4])
        #expect(retried.map(\.wasAppended) == [true, true])
    }

    @Test func staleExpectedVersionConflicts() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: day),
            registration(customer: 2, at: day),
        ])

        let single = #expect(throws: LedgerError.self) {
            try ledger.append(purchase(customer: 1, order: "A-2", amount: cny("10.00"), at: day), expectedVersion: 1)
        }
        #expect(single == .versionConflict(customer: customer(1), expected: 1, actual: 2))

        let batch = #expect(throws: LedgerError.self) {
            try ledger.append(
                [
                    purchase(customer: 1, order: "A-2", amount: cny("10.00"), at: day),
                    purchase(customer: 2, order: "B-1", amount: cny("10.00"), at: day),
                ],
                expectedVersions: [customer(1): 2, customer(2): 3])
        }
        #expect(batch == .versionConflict(customer: customer(2), expected: 3, actual: 1))
        #expect(try ledger.lastPosition() == 3)

        let current = try ledger.append(
            purchase(customer: 1, order: "A-2", amount: cny("10.00"), at: day), expectedVersion: 2)
        #expect(current == Ledger.AppendOutcome(position: 4, version: 3, wasAppended: true))
    }

    @Test func expectedVersionZeroForNewCustomer() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")

        let outcome = try ledger.append(registration(customer: 5, at: day), expectedVersion: 0)
        #expect(outcome == Ledger.AppendOutcome(position: 1, version: 1, wasAppended: true))

        let error = #expect(throws: LedgerError.self) {
            try ledger.append(purchase(customer: 5, order: "A-1", amount: cny("1.00"), at: day), expectedVersion: 0)
        }
        #expect(error == .versionConflict(customer: customer(5), expected: 0, actual: 1))
        #expect(try ledger.lastPosition() == 1)
    }

    // MARK: - Idempotence

    @Test func reappendSameEventIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append(registration(customer: 1, at: day))
        var event = purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: day)
        event.metadata = EventMetadata(actor: "pos-7", source: "pos")
        let first = try ledger.append(event)
        let stateAfterFirst = try ledger.customer(customer(1))

        let again = try ledger.append(event)

        var otherMetadata = event
        otherMetadata.metadata = EventMetadata(actor: "retry-worker", source: "queue", correlationID: UUID())
        let retried = try ledger.append(otherMetadata)

        var sameRecordedAt = event
        sameRecordedAt.recordedAt = fixedRecordedAt
        let withRecordedAt = try ledger.append(sameRecordedAt)

        let newEvent = feedback(customer: 1, rating: 5, at: day)
        let mixed = try ledger.append([event, newEvent])

        #expect(first == Ledger.AppendOutcome(position: 2, version: 2, wasAppended: true))
        #expect(again == Ledger.AppendOutcome(position: 2, version: 2, wasAppended: false))
        #expect(retried == Ledger.AppendOutcome(position: 2, version: 2, wasAppended: false))
        #expect(withRecordedAt == Ledger.AppendOutcome(position: 2, version: 2, wasAppended: false))
        #expect(mixed == [
            Ledger.AppendOutcome(position: 2, version: 2, wasAppended: false),
            Ledger.AppendOutcome(position: 3, version: 3, wasAppended: true),
        ])
        #expect(try ledger.lastPosition() == 3)
        #expect(try ledger.event(at: 2)?.metadata == EventMetadata(actor: "pos-7", source: "pos"))
        #expect(try ledger.customer(customer(1))?.purchaseCount == 1)
        #expect(try ledger.customer(customer(1))?.points == stateAfterFirst?.points)
        #expect(try ledger.statistics().eventsByType["PurchaseRecorded"] == 1)
    }

    @Test func reusedIDWithOtherContentThrows() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([registration(customer: 1, at: day), registration(customer: 2, at: day)])
        let event = purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: day)
        try ledger.append(event)

        var otherAmount = event
        otherAmount.payload = .purchaseRecorded(PurchaseRecorded(orderID: "A-1", amount: cny("10.01"), channel: "store"))
        var otherCustomer = event
        otherCustomer.customerID = customer(2)
        var otherTime = event
        otherTime.occurredAt = day.adding(days: 1)
        var otherRecordedAt = event
        otherRecordedAt.recordedAt = Timestamp(microseconds: fixedRecordedAt.microseconds + 1)

        for changed in [otherAmount, otherCustomer, otherTime, otherRecordedAt] {
            let error = #expect(throws: LedgerError.self) { try ledger.append(changed) }
            #expect(error == .eventIDReused(id: event.id, position: 3))
        }
        #expect(try ledger.lastPosition() == 3)
        #expect(try ledger.customer(customer(2))?.purchaseCount == 0)
    }

    @Test func timesOutsideSupportedYearsRejected() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let farPast = registration(customer: 1, at: Timestamp(microseconds: .min))

        let error = #expect(throws: LedgerError.self) { try ledger.append(farPast) }

        #expect(error == .ruleViolation(
            index: 0, eventID: farPast.id,
            reason: "occurred-at \(Int64.min) µs since 1970 is outside the years 1 to 9999"))
        #expect(try ledger.lastPosition() == 0)
        #expect(Timestamp(microseconds: .min).adding(days: -1) == Timestamp(microseconds: .min))
        #expect(Timestamp(seconds: .max) == Timestamp(microseconds: .max))
        #expect(Timestamp(microseconds: .min).description.hasSuffix("Z"))
    }

    @Test func canonicallyEqualPayloadIsOtherContent() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append(registration(customer: 1, at: day))
        let precomposed = purchase(customer: 1, order: "caf\u{E9}", amount: cny("10.00"), at: day)
        try ledger.append(precomposed)
        var decomposed = precomposed
        decomposed.payload = .purchaseRecorded(PurchaseRecorded(orderID: "cafe\u{301}", amount: cny("10.00"), channel: "store"))

        let error = #expect(throws: LedgerError.self) { try ledger.append(decomposed) }

        #expect(error == .eventIDReused(id: precomposed.id, position: 2))
    }

    @Test func streamingDeliversEventsAppendedMeanwhile() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append(registration(customer: 1, at: day))
        var seen: [UInt64] = []
        try ledger.forEachEvent(chunkSize: 10) { event in
            seen.append(event.position)
            if event.position < 4 { try ledger.append(feedback(customer: 1, rating: 4, at: day)) }
            return true
        }
        #expect(seen == [1, 2, 3, 4])
    }

    @Test func emptyPathRejected() throws {
        let error = #expect(throws: StorageError.self) { try openLedger(at: "") }
        #expect(error?.description == "the ledger path is empty; pass the path of a ledger folder")
    }

    @Test func duplicateIDInsideOneBatch() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append(registration(customer: 1, at: day))
        let event = purchase(customer: 1, order: "A-1", amount: cny("10.00"), at: day)

        var conflicting = event
        conflicting.payload = .purchaseRecorded(PurchaseRecorded(orderID: "A-2", amount: cny("10.00")))
        let error = #expect(throws: LedgerError.self) {
            try ledger.append([event, feedback(customer: 1, rating: 3, at: day), conflicting])
        }
        #expect(error == .ruleViolation(
            index: 2, eventID: event.id,
            reason: "its event id is also event 1 of the batch, with other content; use a new event id"))
        #expect(try ledger.lastPosition() == 1)

        let outcomes = try ledger.append([event, event])
        #expect(outcomes == [
            Ledger.AppendOutcome(position: 2, version: 2, wasAppended: true),
            Ledger.AppendOutcome(position: 2, version: 2, wasAppended: false),
        ])
        #expect(try ledger.lastPosition() == 2)
        #expect(try ledger.customer(customer(1))?.purchaseCount == 1)
    }

    // MARK: - Reads

    /// Appends customer 1's registration and nine purchases, A-2 … A-10, at positions 1 … 10.
    private func appendTenEvents(_ ledger: Ledger) throws -> [NewEvent] {
        let day = time("2024-03-01")
        var events = [registration(customer: 1, at: day)]
        for number in 2...10 {
            events.append(purchase(customer: 1, order: "A-\(number)", amount: cny("1.00"), at: day.adding(days: Int64(number))))
        }
        try ledger.append(events)
        return events
    }

    @Test func eventsFromPositionWithLimit() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        #expect(try ledger.events(from: 1, limit: 10).isEmpty)
        let appended = try appendTenEvents(ledger)

        let middle = try ledger.events(from: 4, limit: 3)
        #expect(middle.map(\.position) == [4, 5, 6])
        #expect(middle.map(\.id) == appended[3..<6].map(\.id))
        #expect(try ledger.events(from: 9, limit: 5).map(\.position) == [9, 10])
        #expect(try ledger.events(from: 0, limit: 2).map(\.position) == [1, 2])
        #expect(try ledger.events(from: 11, limit: 5).isEmpty)
        #expect(try ledger.events(from: 1, limit: 0).isEmpty)
    }

    @Test func forEachEventStreamsInChunks() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let appended = try appendTenEvents(ledger)

        var all: [RecordedEvent] = []
        try ledger.forEachEvent(chunkSize: 3) { event in
            all.append(event)
            return true
        }
        var fromFour: [UInt64] = []
        try ledger.forEachEvent(from: 4, chunkSize: 2) { event in
            fromFour.append(event.position)
            return true
        }
        var stopped: [UInt64] = []
        try ledger.forEachEvent(chunkSize: 3) { event in
            stopped.append(event.position)
            return event.position < 5
        }

        #expect(all.map(\.position) == Array(1...10))
        #expect(all.map(\.id) == appended.map(\.id))
        #expect(fromFour == Array(4...10))
        #expect(stopped == [1, 2, 3, 4, 5])
    }

    @Test func eventAtPosition() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01T08:30:00.25Z")
        let correlation = UUID()
        try ledger.append(registration(customer: 1, at: day))
        var event = purchase(customer: 1, order: "A-1", amount: cny("128.50"), at: day)
        event.metadata = EventMetadata(actor: "alice@support", source: "app", correlationID: correlation)
        try ledger.append(event)

        let expected = RecordedEvent(
            position: 2, id: event.id, customerID: customer(1), version: 2, schemaVersion: 2, occurredAt: day,
            recordedAt: fixedRecordedAt, metadata: event.metadata, payload: event.payload)
        #expect(try ledger.event(at: 2) == expected)
        #expect(try ledger.event(at: 2)?.typeName == "PurchaseRecorded")
        #expect(try ledger.event(at: 0) == nil)
        #expect(try ledger.event(at: 3) == nil)
    }

    @Test func historyListsOnlyOneCustomer() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([registration(customer: 1, at: day), registration(customer: 2, at: day)])
        try ledger.append(purchase(customer: 2, order: "B-1", amount: cny("5.00"), at: day))
        try ledger.append(purchase(customer: 1, order: "A-1", amount: cny("5.00"), at: day))
        try ledger.append([registration(customer: 3, at: day), feedback(customer: 1, rating: 2, at: day)])

        let history = try ledger.history(of: customer(1))

        #expect(history.map(\.position) == [1, 4, 6])
        #expect(history.map(\.version) == [1, 2, 3])
        #expect(history.allSatisfy { $0.customerID == customer(1) })
        #expect(try ledger.history(of: customer(2)).map(\.position) == [2, 3])
        #expect(try ledger.history(of: customer(3)).map(\.position) == [5])
        #expect(try ledger.history(of: customer(4)).isEmpty)
        #expect(try ledger.lastPosition() == 6)
    }

    // MARK: - Unrecognized payloads

    @Test func unknownTypeKeptByteForByte() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: day),
        ])
        let stateBefore = try #require(try ledger.customer(customer(1)))
        let unknown = unrecognizedEvent(customer: 1, typeCode: 999, schemaVersion: 1, at: day)

        let outcome = try ledger.append(unknown)

        #expect(outcome == Ledger.AppendOutcome(position: 3, version: 3, wasAppended: true))
        let stored = try #require(try ledger.event(at: 3))
        #expect(stored.payload == unknown.payload)
        #expect(stored.schemaVersion == 1)
        #expect(stored.typeName == "unknown type 999 (schema 1)")
        var expectedState = stateBefore
        expectedState.version = 3
        expectedState.lastPosition = 3
        #expect(try ledger.customer(customer(1)) == expectedState)
        #expect(try ledger.statistics().eventsByType["unknown type 999"] == 1)
        #expect(try ledger.append(unknown).wasAppended == false)
    }

    @Test func newerSchemaVersionKept() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append(registration(customer: 1, at: day))
        let stateBefore = try #require(try ledger.customer(customer(1)))
        let newer = unrecognizedEvent(customer: 1, typeCode: 3, schemaVersion: 9, at: day)

        try ledger.append(newer)

        let stored = try #require(try ledger.event(at: 2))
        #expect(stored.payload == newer.payload)
        #expect(stored.schemaVersion == 9)
        #expect(stored.typeName == "PurchaseRecorded (unsupported schema 9)")
        var expectedState = stateBefore
        expectedState.version = 2
        expectedState.lastPosition = 2
        #expect(try ledger.customer(customer(1)) == expectedState)
        #expect(try ledger.customer(customer(1))?.purchaseCount == 0)
    }

    @Test func unrecognizedEventsSurviveReplay() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/db"
        let day = time("2024-03-01")
        let unknown = unrecognizedEvent(customer: 1, typeCode: 999, schemaVersion: 1, at: day)
        let newer = unrecognizedEvent(customer: 1, typeCode: 3, schemaVersion: 9, at: day)
        do {
            let ledger = try openLedger(at: path)
            try ledger.append([registration(customer: 1, at: day), unknown])
            try ledger.append([purchase(customer: 1, order: "A-1", amount: cny("9.00"), at: day), newer])
            let stateBefore = try ledger.customer(customer(1))

            let summary = try ledger.replay()

            #expect(summary == Ledger.ReplaySummary(events: 4, customers: 1, orders: 1, position: 4))
            #expect(try ledger.customer(customer(1)) == stateBefore)
            #expect(try ledger.customer(customer(1))?.version == 4)
        }
        let reopened = try openLedger(at: path)
        #expect(try reopened.event(at: 2)?.payload == unknown.payload)
        #expect(try reopened.event(at: 4)?.payload == newer.payload)
        #expect(try reopened.customer(customer(1))?.purchaseCount == 1)
    }

    @Test func knownTypeAsUnrecognizedRejected() throws {
        // Bytes labelled with a type and schema version this build decodes would bypass the
        // business rules and might not decode afterwards, so the ledger rejects them.
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append(registration(customer: 1, at: day))

        try expectRuleViolation(
            ledger, [unrecognizedEvent(customer: 1, typeCode: 3, schemaVersion: 1, at: day)],
            reason: "type code 3 with schema version 1 is PurchaseRecorded, which this version decodes; append it as a PurchaseRecorded payload")
        #expect(try ledger.replay().events == 1)
    }
}
