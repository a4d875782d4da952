import Foundation
import Testing

@testable import CustomerLedger

/// Six customers with purchases as of 2024-06-30T12:00Z, one without, one registered later and
/// one who paid in another currency. The scores in the tests are worked out by hand in
/// `RFMTests.expected`.
func rfmFixture(_ directory: TemporaryDirectory) throws -> Ledger {
    var events: [NewEvent] = []
    for number: UInt64 in 1...7 { events.append(registration(customer: number, at: time("2024-01-01"))) }
    events += [
        purchase(customer: 1, order: "1-a", amount: cny("300.00"), at: time("2024-05-01")),
        purchase(customer: 1, order: "1-b", amount: cny("200.00"), at: time("2024-06-01")),
        purchase(customer: 1, order: "1-c", amount: cny("100.00"), at: time("2024-06-29")),
        purchase(customer: 2, order: "2-a", amount: cny("50.00"), at: time("2024-06-29")),
        purchase(customer: 3, order: "3-a", amount: cny("1000.00"), at: time("2024-03-01")),
        purchase(customer: 3, order: "3-b", amount: cny("500.00"), at: time("2024-04-01")),
        refund(customer: 3, order: "3-b", amount: cny("200.00"), at: time("2024-04-10")),
        purchase(customer: 4, order: "4-a", amount: cny("20.00"), at: time("2024-01-15")),
        purchase(customer: 5, order: "5-a", amount: cny("80.00"), at: time("2024-02-01")),
        purchase(customer: 5, order: "5-b", amount: cny("80.00"), at: time("2024-06-15")),
        purchase(customer: 6, order: "6-a", amount: cny("30.00"), at: time("2024-06-20")),
        purchase(customer: 6, order: "6-late", amount: cny("999.00"), at: time("2024-07-05")),
        registration(customer: 8, at: time("2024-07-02")),
        purchase(customer: 8, order: "8-a", amount: cny("5.00"), at: time("2024-07-03")),
        registration(customer: 9, at: time("2024-01-01")),
        purchase(customer: 9, order: "9-a", amount: usd("10.00"), at: time("2024-06-10")),
    ]
    return try analysisLedger(directory, events: events)
}

@Suite struct RFMTests {
    static let asOf = time("2024-06-30T12:00:00Z")

    /// Customer, last purchase, recency days, purchases, net spend, R, F, M, segment.
    ///
    /// R ranks the last purchase days 01-15 (4), 04-01 (3), 06-15 (5), 06-20 (6), 06-29 (1, 2):
    /// 1 + ⌊5 × lower / 6⌋ gives 1, 1, 2, 3, 4, 4. F ranks 1, 1, 1, 2, 2, 3: scores 1, 3 and 5.
    /// M ranks 20, 30, 50, 160, 600, 1,300 yuan: 1, 1, 2, 3, 4, 5. FM is ⌈(F + M) / 2⌉.
    static let expected: [(UInt64, String, Int64, Int64, Int64, Int, Int, Int, RFMSegment)] = [
        (1, "2024-06-29", 1, 3, 60_000, 4, 5, 4, .champions),  // FM 5
        (2, "2024-06-29", 1, 1, 5_000, 4, 1, 2, .potentialLoyalists),  // FM 2
        (3, "2024-04-01", 90, 2, 130_000, 1, 3, 5, .cantLoseThem),  // FM 4
        (4, "2024-01-15", 167, 1, 2_000, 1, 1, 1, .lost),  // FM 1
        (5, "2024-06-15", 15, 2, 16_000, 2, 3, 3, .atRisk),  // FM 3
        (6, "2024-06-20", 10, 1, 3_000, 3, 1, 1, .promising),  // FM 1
    ]

    @Test func scoresEveryBuyer() throws {
        let directory = try TemporaryDirectory()
        let ledger = try rfmFixture(directory)

        let report = try ledger.rfm(asOf: Self.asOf)

        #expect(report.currency == .cny)
        #expect(report.otherCurrencyEvents == 1)
        #expect(report.customers.map(\.customerID.rawValue) == [1, 2, 3, 4, 5, 6])
        for (id, last, days, purchases, net, r, f, m, segment) in Self.expected {
            let row = try #require(report.customer(customer(id)))
            #expect(row.lastPurchaseAt == time(last), "customer \(id)")
            #expect(row.recencyDays == days, "customer \(id)")
            #expect(row.purchases == purchases, "customer \(id)")
            #expect(row.netSpend == net, "customer \(id)")
            #expect(row.scores == RFMScores(recency: r, frequency: f, monetary: m), "customer \(id)")
            #expect(row.segment == segment, "customer \(id)")
        }
        #expect(report.customer(customer(7)) == nil)
        #expect(report.customer(customer(8)) == nil)
        #expect(report.customer(customer(9)) == nil)
    }

    @Test func segmentSummaries() throws {
        let directory = try TemporaryDirectory()
        let report = try rfmFixture(directory).rfm(asOf: Self.asOf)

        #expect(report.segments.map(\.segment) == RFMSegment.allCases)
        let bySegment = Dictionary(uniqueKeysWithValues: report.segments.map { ($0.segment, $0) })
        #expect(bySegment[.champions]?.customers == 1)
        #expect(bySegment[.champions]?.netSpend == 60_000)
        #expect(bySegment[.champions]?.share == 1.0 / 6.0)
        #expect(bySegment[.cantLoseThem]?.averageNetSpend == 130_000)
        #expect(bySegment[.newCustomers]?.customers == 0)
        #expect(bySegment[.newCustomers]?.averageNetSpend == 0)
        #expect(report.segments.map(\.customers).reduce(0, +) == 6)
    }

    @Test func earlierInstantLeavesOutLaterEvents() throws {
        let directory = try TemporaryDirectory()
        let report = try rfmFixture(directory).rfm(asOf: time("2024-04-05"))

        // Customers 3, 4 and 5 had bought by then; the refund of 3-b came later.
        #expect(report.customers.map(\.customerID.rawValue) == [3, 4, 5])
        #expect(report.customer(customer(3))?.netSpend == 150_000)
        #expect(report.customer(customer(3))?.recencyDays == 4)
        #expect(report.customer(customer(5))?.purchases == 1)
    }

    @Test func emptyLedgerHasNoCustomers() throws {
        let directory = try TemporaryDirectory()
        let report = try analysisLedger(directory, events: []).rfm(asOf: Self.asOf)
        #expect(report.customers.isEmpty)
        #expect(report.segments.allSatisfy { $0.customers == 0 })
        #expect(report.segments.allSatisfy { $0.share == 0 })
    }

    @Test func quintilesShareScoresOnTies() {
        #expect(QuintileScore.scores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(QuintileScore.scores([7, 7, 7, 7]) == [1, 1, 1, 1])
        // Three of five share the lowest value, so the next value has three lower: 1 + 15 / 5 = 4.
        #expect(QuintileScore.scores([5, 1, 1, 9, 1]) == [4, 1, 1, 5, 1])
        #expect(QuintileScore.scores([42]) == [1])
    }

    @Test func segmentGridCorners() {
        func segment(_ r: Int, _ f: Int, _ m: Int) -> RFMSegment {
            RFMSegment.classify(RFMScores(recency: r, frequency: f, monetary: m))
        }
        #expect(segment(5, 5, 5) == .champions)
        #expect(segment(5, 1, 1) == .newCustomers)
        #expect(segment(1, 1, 1) == .lost)
        #expect(segment(1, 5, 5) == .cantLoseThem)
        #expect(segment(3, 3, 3) == .needAttention)
        #expect(segment(3, 2, 1) == .aboutToSleep)  // FM 2
        #expect(segment(4, 4, 2) == .loyalCustomers)  // FM 3
        #expect(segment(2, 1, 2) == .hibernating)  // FM 2
        #expect(RFMSegment.cantLoseThem.name == "can't lose them")
        // Every cell of the grid names a segment, and every segment has a cell.
        var seen: Set<RFMSegment> = []
        for r in 1...5 { for f in 1...5 { for m in 1...5 { seen.insert(segment(r, f, m)) } } }
        #expect(seen == Set(RFMSegment.allCases))
    }
}
