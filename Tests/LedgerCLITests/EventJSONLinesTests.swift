import CustomerLedger
import Foundation
import Testing
@testable import LedgerCommandLine

private func instant(_ text: String) -> Timestamp { Timestamp(parsing: text)! }
private func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

/// One payload of every type, and payloads this version keeps as bytes.
private let payloads: [(schemaVersion: UInt8, payload: EventPayload)] = {
    var program = LoyaltyProgram(currency: .cny)
    program.skuMultipliers = ["TEA-1": 1_500]
    program.birthday = BirthdayReward(points: 300, timing: .inMonth, leapDayInCommonYears: .march1)
    return [
        (1, .customerRegistered(CustomerRegistered(
            profile: CustomerProfile(
                name: "张伟", phone: "+86 1", email: "a@b.c", birthday: CivilDate(year: 1990, month: 2, day: 28),
                province: "上海市", city: "上海", address: "路\t\"1\"\n"),
            referrer: CustomerID(UInt64.max)))),
        (1, .profileUpdated(ProfileUpdated(changes: ProfileChanges(email: "", birthday: CivilDate(year: 2000, month: 1, day: 1))))),
        (2, .purchaseRecorded(PurchaseRecorded(
            orderID: "SO-1", amount: cny(12_880),
            lineItems: [LineItem(sku: "TEA-1", quantity: -2, unitPrice: Int64.min, category: "tea")], channel: "app",
            store: "S"))),
        (1, .purchaseRecorded(PurchaseRecorded(orderID: "OLD", amount: Money(minorUnits: 5, currency: Currency("KWD")!)))),
        (1, .refundRecorded(RefundRecorded(orderID: "SO-1", amount: cny(100), reason: "damaged"))),
        (2, .pointsRedeemed(PointsRedeemed(points: 300, reward: "TEA-SET", orderID: "SO-1"))),
        (1, .pointsAdjusted(PointsAdjusted(points: -15, reason: "fix"))),
        (1, .feedbackRecorded(FeedbackRecorded(channel: .phoneCallback, rating: 5, isComplaint: true, text: "好"))),
        (1, .programDefined(ProgramVersion(effectiveFrom: instant("2024-07-01T00:00:00.5Z"), program: program))),
        (1, .programChanged(ProgramVersion(effectiveFrom: instant("2024-08-01"), program: LoyaltyProgram(currency: .usd)))),
        (1, .tierAssigned(TierAssigned(tier: "VIP", reason: "partner", until: instant("2024-12-31T23:59:59.999999Z")))),
        (1, .tierAssigned(TierAssigned(tier: "core", reason: "", until: nil))),
        (1, .pointsExpired(PointsExpired(points: 80, lot: UInt32.max))),
        (1, .rewardGranted(RewardGranted(kind: .birthday, key: "birthday:2024", points: 300))),
        (7, .unrecognized(UnrecognizedPayload(typeCode: 999, schemaVersion: 7, publicBytes: [0, 0xFF], personalBytes: []))),
        (9, .unrecognized(UnrecognizedPayload(typeCode: 3, schemaVersion: 9, publicBytes: [], personalBytes: Array("个".utf8)))),
    ]
}()

private let header = ExportHeader(
    baseProgram: LoyaltyProgram(currency: .cny), fromPosition: 1, throughPosition: UInt64(payloads.count),
    previousHash: String(repeating: "0", count: 64), customer: nil)

private let events: [ExportedEvent] = payloads.enumerated().map { index, entry in
    let isLedgerEvent = entry.payload.type?.isLedgerEvent == true
    let event = RecordedEvent(
        position: UInt64(index + 1), eventID: UUID(), customerID: isLedgerEvent ? .ledgerStream : CustomerID(UInt64(index + 1))!,
        version: UInt32(index + 1), schemaVersion: entry.schemaVersion, occurredAt: instant("2024-03-01T08:30:00.000001Z"),
        recordedAt: Timestamp(microseconds: 1_735_689_600_123_456 + Int64(index)),
        metadata: EventMetadata(actor: index % 2 == 0 ? "alice" : "", source: "src", correlationID: UUID(), causationID: nil),
        payload: entry.payload)
    return ExportedEvent(event: event, chainHash: String(repeating: "ab", count: 32))
}

private func document(_ lines: [String]) -> [UInt8] {
    Array((lines.joined(separator: "\n") + "\n").utf8)
}

private var exportLines: [String] {
    [EventJSONLines.headerLine(header)] + events.map(EventJSONLines.eventLine)
}

@Suite struct EventJSONLinesTests {
    @Test func everyPayloadRoundTrips() throws {
        let read = try EventJSONLines.read(document(exportLines))

        #expect(read.header == header)
        #expect(read.lines == Array(2...(events.count + 1)))
        for (readEvent, event) in zip(read.events, events) {
            #expect(readEvent == event)
        }
    }

    @Test func eventTimesHaveSixDigits() {
        #expect(EventJSONLines.time(instant("1997-01-01")) == "1997-01-01T00:00:00.000000Z")
        #expect(EventJSONLines.time(instant("2024-03-01T08:30:00.25Z")) == "2024-03-01T08:30:00.250000Z")
        #expect(EventJSONLines.time(Timestamp(microseconds: -62_135_596_800_000_000)) == "0001-01-01T00:00:00.000000Z")
        #expect(exportLines[1].contains("\"occurred_at\":\"2024-03-01T08:30:00.000001Z\""))
    }

    @Test func unknownTypeNamedByCode() {
        #expect(exportLines.last(where: { $0.contains("\"type\":\"unknown-999\"") }) != nil)
        #expect(exportLines.contains { $0.contains("\"type\":\"PurchaseRecorded\",\"schema_version\":9,") })
    }

    @Test(arguments: [
        ("\"type\":\"unknown-999\"", "\"type\":\"unknown-3\"", "field type: type code 3 is PurchaseRecorded; write its name"),
        ("\"type\":\"unknown-999\"", "\"type\":\"Unknown\"", "field type: expected an event type such as \"PurchaseRecorded\", or \"unknown-N\", got \"Unknown\""),
        ("\"schema_version\":7", "\"schema_version\":256", "field schema_version: 256 is out of range; expected an integer from 0 to 255"),
        ("\"public_hex\":\"00ff\"", "\"public_hex\":\"00f\"", "field payload.public_hex: expected lowercase hex digits, two per byte, got \"00f\""),
        ("\"public_hex\":\"00ff\"", "\"public_hex\":\"00FF\"", "field payload.public_hex: expected lowercase hex digits, two per byte, got \"00FF\""),
        ("\"occurred_at\":\"2024-03-01T08:30:00.000001Z\"", "\"occurred_at\":\"2024-03-01T16:30:00+08:00\"", "field occurred_at: expected a UTC time such as \"2024-03-01T08:30:00.000000Z\", got \"2024-03-01T16:30:00+08:00\""),
        ("\"position\":15", "\"position\":-15", "field position: expected an integer from 1 to 18446744073709551615, got -15"),
        ("\"hash\":\"\(String(repeating: "ab", count: 32))\"", "\"hash\":\"ABCD\"", "field hash: expected 64 lowercase hex digits, got \"ABCD\""),
    ])
    func invalidValueRejected(target: String, replacement: String, message: String) throws {
        var lines = exportLines
        let index = try #require(lines.firstIndex { $0.contains(target) })
        lines[index] = lines[index].replacingOccurrences(of: target, with: replacement)

        let error = #expect(throws: EventJSONLinesError.self) { try EventJSONLines.read(document(lines)) }

        #expect(error?.description == "line \(index + 1), \(message)")
    }

    @Test func uppercaseUUIDRejected() throws {
        var lines = exportLines
        let id = events[0].event.id.uuidString
        lines[1] = lines[1].replacingOccurrences(of: id.lowercased(), with: id)

        #expect(throws: EventJSONLinesError(
            line: 2, field: "event_id",
            message: "expected a lowercase UUID such as \"0190a8f2-7c1e-7d3a-9b4c-2e5f6a7b8c9d\", got \"\(id)\"")
        ) { try EventJSONLines.read(document(lines)) }
    }

    @Test func customerZeroOnlyForProgramEvents() throws {
        var lines = exportLines
        lines[1] = lines[1].replacingOccurrences(of: "\"customer_id\":1,", with: "\"customer_id\":0,")

        #expect(throws: EventJSONLinesError(
            line: 2, field: "customer_id",
            message: "0 is the ledger's own stream, which contains only ProgramDefined and ProgramChanged events")
        ) { try EventJSONLines.read(document(lines)) }
    }

    @Test func blankLineRejected() {
        var lines = exportLines
        lines.insert("", at: 3)

        #expect(throws: EventJSONLinesError(line: 4, field: nil, message: "the line is blank; every line contains one JSON object")) {
            try EventJSONLines.read(document(lines))
        }
    }

    @Test func newerFormatRejected() {
        var lines = exportLines
        lines[0] = lines[0].replacingOccurrences(of: "\"format_version\":2", with: "\"format_version\":3")

        #expect(throws: EventJSONLinesError(
            line: 1, field: "format_version", message: "3 is not a format version this ledger reads; it reads versions 1 to 2")
        ) { try EventJSONLines.read(document(lines)) }
    }

    @Test func invalidProgramNamesPath() {
        var lines = exportLines
        lines[0] = lines[0].replacingOccurrences(of: "\"time_zone\":\"UTC\"", with: "\"time_zone\":1")

        #expect(throws: EventJSONLinesError(
            line: 1, field: "base_program.time_zone",
            message: "expected an IANA time zone name such as \"Asia/Shanghai\", got 1")
        ) { try EventJSONLines.read(document(lines)) }
    }

    @Test func crlfAndByteOrderMarkAccepted() throws {
        let bytes = [0xEF, 0xBB, 0xBF] + Array(exportLines.joined(separator: "\r\n").utf8)

        #expect(try EventJSONLines.read(bytes).events == events)
    }

    @Test func missingLineLeftToPositionCheck() throws {
        var lines = exportLines
        lines.remove(at: 2)

        // The positions break after the first event, so the reader does not call the file
        // truncated, and the import names the line where they break.
        let read = try EventJSONLines.read(document(lines))

        #expect(read.events.count == events.count - 1)
        #expect(read.events[1].event.position == 3)
        #expect(read.lines[1] == 3)
    }

    @Test func lastLineMissingIsTruncation() {
        var lines = exportLines
        lines.removeLast()

        #expect(throws: EventJSONLinesError.self) { try EventJSONLines.read(document(lines)) }
    }
}
