import Foundation
import Testing

@testable import CustomerLedger

// The ledger in Fixtures/schema-v1-ledger was written by commit f736252, before schema version 2
// and before the hash chain (format 1). Fixtures/README.md lists its events and how it was made.

/// Copies the fixture's `data.mdb` into a new folder in `directory` and returns the folder's path.
private func copyFixture(into directory: TemporaryDirectory) throws -> String {
    let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    let source = fixtures.appendingPathComponent("schema-v1-ledger/data.mdb")
    let folder = directory.path + "/ledger"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: source.path, toPath: folder + "/data.mdb")
    return folder
}

/// Returns the fixed event ids that the fixture generator gave its events.
private func fixtureID(_ suffix: Int) -> UUID {
    UUID(uuidString: String(format: "0190a000-0000-7000-8000-%012d", suffix))!
}

private let zhang = customer(1)
private let li = customer(2)
private let wang = customer(3)

@Suite struct SchemaVersionOneLedgerTests {
    @Test func readOnlyOpenRejectedBeforeUpgrade() throws {
        let directory = try TemporaryDirectory()
        let folder = try copyFixture(into: directory)

        #expect(throws: LedgerError.self) { try openLedger(at: folder, readOnly: true) }
    }

    @Test func writableOpenUpgradesAndVerifies() throws {
        let directory = try TemporaryDirectory()
        let folder = try copyFixture(into: directory)

        let ledger = try openLedger(at: folder)
        let report = try ledger.verify()

        #expect(report.isVerified, "\(report.findings)")
        #expect(report.eventsChecked == 20)
        #expect(report.head.position == 20)
        #expect(report.recomputedHash == report.head.hash)
    }

    @Test func historyDecodesAsCurrentVersion() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: try copyFixture(into: directory))

        let history = try ledger.history(of: zhang, types: nil)

        #expect(history.map(\.event.position) == [1, 5, 8, 9, 12, 13, 15, 16, 19])
        #expect(history.map(\.event.typeName) == [
            "CustomerRegistered", "PurchaseRecorded", "RefundRecorded", "ProfileUpdated", "PurchaseRecorded",
            "PointsRedeemed", "FeedbackRecorded", "FeedbackRecorded", "ProfileUpdated",
        ])
        #expect(history.allSatisfy { $0.event.schemaVersion == 1 })
        #expect(history.map(\.event.isUpcast) == [false, true, false, false, true, true, false, false, false])
        #expect(history[1].event.payload == .purchaseRecorded(PurchaseRecorded(
            orderID: "SO-1001", amount: cny("158.00"),
            lineItems: [
                LineItem(sku: "TEA-01", quantity: 2, unitPrice: 6_400, category: ""),
                LineItem(sku: "CUP-02", quantity: 1, unitPrice: 3_000, category: ""),
            ],
            channel: "store", store: "上海 南京路店")))
        #expect(history[4].event.payload == .purchaseRecorded(PurchaseRecorded(
            orderID: "SO-1002", amount: cny("99.50"),
            lineItems: [LineItem(sku: "BOOK-9", quantity: 1, unitPrice: 9_950, category: "")], channel: "online")))
        #expect(history[5].event.payload == .pointsRedeemed(PointsRedeemed(points: 100, reward: "VOUCHER-10", orderID: "")))
        #expect(history[2].event.payload == .refundRecorded(RefundRecorded(
            orderID: "SO-1001", amount: cny("30.00"), reason: "杯子破损")))
        #expect(history[7].event.payload == .feedbackRecorded(FeedbackRecorded(
            channel: .phoneCallback, rating: 2, isComplaint: true, text: "送货太慢")))
    }

    @Test func historyShowsProfileChangesAndMetadata() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: try copyFixture(into: directory))

        let updates = try ledger.history(of: zhang, types: [.profileUpdated])
        let refunds = try ledger.history(of: li, types: [.refundRecorded])

        #expect(updates.map(\.changes) == [
            [
                ProfileFieldChange(field: .phone, oldValue: "+86 138 0013 8000", newValue: "+86 139 0000 1111"),
                ProfileFieldChange(field: .province, oldValue: "上海市", newValue: "浙江省"),
                ProfileFieldChange(field: .city, oldValue: "上海市", newValue: "杭州市"),
            ],
            [
                ProfileFieldChange(field: .name, oldValue: "张伟", newValue: "张伟伟"),
                ProfileFieldChange(field: .email, oldValue: "zhang.wei@example.cn", newValue: "wei@example.com"),
                ProfileFieldChange(field: .birthday, oldValue: "1990-02-28", newValue: "1990-03-01"),
            ],
        ])
        #expect(refunds.map(\.event.position) == [4, 6])
        #expect(refunds.map(\.event.metadata) == [
            EventMetadata(actor: "pos-12", source: "pos", correlationID: fixtureID(901), causationID: fixtureID(3)),
            EventMetadata(actor: "bob", source: "crm", correlationID: nil, causationID: fixtureID(3)),
        ])
        #expect(refunds.map(\.event.recordedAt) == [time("2024-06-01"), time("2024-06-01")])
    }

    @Test func totalsMatchTheEvents() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: try copyFixture(into: directory))

        let first = try #require(try ledger.customer(zhang))
        let second = try #require(try ledger.customer(li))
        let third = try #require(try ledger.customer(wang))

        // 158.00 + 99.50 bought and 30.00 refunded. 158 + 99 points earned, 30 reversed, 100 redeemed.
        #expect(first.spend == [CurrencySpend(currency: .cny, gross: 25_750, refunded: 3_000)])
        #expect(first.purchaseCount == 2)
        #expect(first.refundCount == 1)
        #expect(first.points.earned == 257)
        #expect(first.points.reversed == 30)
        #expect(first.points.redeemed == 100)
        #expect(first.points.balance == 127)
        #expect(first.feedbackCount == 2)
        #expect(first.complaintCount == 1)
        #expect(first.averageRating == 3)
        #expect(first.profile == CustomerProfile(
            name: "张伟伟", phone: "+86 139 0000 1111", email: "wei@example.com",
            birthday: CivilDate(year: 1990, month: 3, day: 1), province: "浙江省", city: "杭州市", address: "徐汇区漕溪北路 1 号"))
        #expect(first.version == 9)

        // 500.00 bought, 100.00 and 50.00 refunded. 500 points earned, 150 reversed, 200 and 0 redeemed.
        #expect(second.spend == [CurrencySpend(currency: .cny, gross: 50_000, refunded: 15_000)])
        #expect(second.refundCount == 2)
        #expect(second.points.earned == 500)
        #expect(second.points.reversed == 150)
        #expect(second.points.redeemed == 200)
        #expect(second.points.balance == 150)
        #expect(second.referrer == zhang)
        #expect(second.profile.name == "李娜娜")

        // 19.99 bought. 19 points earned and 5 added by hand.
        #expect(third.spend == [CurrencySpend(currency: .cny, gross: 1_999, refunded: 0)])
        #expect(third.points.earned == 19)
        #expect(third.points.adjusted == 5)
        #expect(third.points.balance == 24)
    }

    @Test func replayReproducesProjections() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: try copyFixture(into: directory))
        let before = try [zhang, li, wang].map { try ledger.customer($0) }
        let fingerprint = try ledger.projectionFingerprint()

        let summary = try ledger.replay()

        #expect(summary.events == 20)
        #expect(summary.customers == 3)
        #expect(try [zhang, li, wang].map { try ledger.customer($0) } == before)
        #expect(try ledger.projectionFingerprint() == fingerprint)
        #expect(before.map { $0?.latestEventAt } == [
            time("2024-04-01T01:00:00Z"), time("2024-04-02T02:00:00Z"), time("2024-03-02T08:00:00Z"),
        ])
        let report = try ledger.verify()
        #expect(report.isVerified, "\(report.findings)")
    }

    @Test func customerAsOfInstantAndPosition() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: try copyFixture(into: directory))

        // Before the refund of 20 January: one purchase, nothing refunded, the first phone number.
        let january = try #require(try ledger.customer(zhang, asOf: time("2024-01-15")))
        // Position 9 is the first profile update: the refund is in, the second purchase is not.
        let ninth = try #require(try ledger.customer(zhang, asOfPosition: 9))

        #expect(january.spend == [CurrencySpend(currency: .cny, gross: 15_800, refunded: 0)])
        #expect(january.points.earned == 158)
        #expect(january.profile.phone == "+86 138 0013 8000")
        #expect(ninth.version == 4)
        #expect(ninth.spend == [CurrencySpend(currency: .cny, gross: 15_800, refunded: 3_000)])
        #expect(ninth.points.balance == 128)
        #expect(ninth.profile.city == "杭州市")
        #expect(try ledger.points(of: zhang, asOfPosition: 13)?.available == 127)
        #expect(try ledger.customer(wang, asOfPosition: 6) == nil)

        // 2 March lies after the last purchase and before the second profile update of 1 April.
        let march = try #require(try ledger.customer(zhang, asOf: time("2024-03-02")))
        #expect(march.profile.name == "张伟")
        #expect(march.profile.birthday == CivilDate(year: 1990, month: 2, day: 28))
        #expect(march.points.redeemed == 100)
        #expect(march.feedbackCount == 0)
    }

    @Test func subscriptionDeliversUpcastEvents() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: try copyFixture(into: directory))

        var delivered: [RecordedEvent] = []
        for try await event in ledger.subscribe(after: 0) {
            delivered.append(event)
            if event.position == 20 { break }
        }

        #expect(delivered.map(\.position) == Array(1...20))
        #expect(delivered.filter(\.isUpcast).map(\.position) == [3, 5, 10, 11, 12, 13, 20])
        #expect(delivered.last?.payload == .pointsRedeemed(PointsRedeemed(points: 0, reward: "MEMBER-DAY", orderID: "")))
    }
}
