import Foundation
import Testing

@testable import CustomerLedger

@Suite struct CohortRetentionTests {
    func fixture(_ directory: TemporaryDirectory) throws -> Ledger {
        var events = (1...4).map { registration(customer: UInt64($0), at: time("2024-01-01")) }
        events += [
            purchase(customer: 1, order: "1-a", amount: cny("10.00"), at: time("2024-01-05")),
            purchase(customer: 1, order: "1-b", amount: cny("10.00"), at: time("2024-01-20")),
            purchase(customer: 1, order: "1-c", amount: cny("10.00"), at: time("2024-03-03")),
            purchase(customer: 2, order: "2-a", amount: cny("10.00"), at: time("2024-01-25")),
            purchase(customer: 2, order: "2-b", amount: cny("0.00"), at: time("2024-02-10")),
            purchase(customer: 3, order: "3-a", amount: cny("10.00"), at: time("2024-02-14")),
            purchase(customer: 3, order: "3-b", amount: cny("10.00"), at: time("2024-02-20")),
            purchase(customer: 3, order: "3-c", amount: cny("10.00"), at: time("2024-04-01")),
        ]
        return try analysisLedger(directory, events: events)
    }

    @Test func cohortsByFirstPurchaseMonth() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).cohortRetention(asOf: time("2024-03-31T12:00:00Z"))

        #expect(report.cohorts == [
            // Customer 1 bought in January and March, customer 2 in January and February.
            Cohort(month: YearMonth(year: 2024, month: 1), customers: 2, active: [2, 1, 1]),
            // Customer 3's April purchase is after the instant.
            Cohort(month: YearMonth(year: 2024, month: 2), customers: 1, active: [1, 0]),
        ])
        #expect(report.cohorts[0].retention(0) == 1)
        #expect(report.cohorts[0].retention(1) == 0.5)
        #expect(report.cohorts[1].retention(1) == 0)
        #expect(report.cohorts[1].retention(5) == 0)
    }

    @Test func laterInstantAddsMonths() throws {
        let directory = try TemporaryDirectory()
        let report = try fixture(directory).cohortRetention(asOf: time("2024-04-01"))
        #expect(report.cohorts.map(\.active) == [[2, 1, 1, 0], [1, 0, 1]])
    }

    @Test func instantBeforeAnyPurchase() throws {
        let directory = try TemporaryDirectory()
        #expect(try fixture(directory).cohortRetention(asOf: time("2024-01-02")).cohorts.isEmpty)
    }
}
