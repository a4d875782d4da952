import Foundation
import Testing

@testable import CustomerLedger

@Suite struct BirthdayListTests {
    func fixture(_ directory: TemporaryDirectory, leapDay: ZonedCalendar.LeapDayRule?) throws -> Ledger {
        let events = [
            registration(customer: 1, at: time("2020-01-01"), province: "", city: "", birthday: CivilDate(year: 1990, month: 7, day: 2)),
            registration(customer: 2, at: time("2020-01-01"), province: "", city: "", birthday: CivilDate(year: 2000, month: 2, day: 29)),
            registration(customer: 3, at: time("2020-01-01"), province: "", city: "", birthday: CivilDate(year: 1985, month: 2, day: 27)),
            registration(customer: 4, at: time("2020-01-01"), province: "", city: "", birthday: CivilDate(year: 1970, month: 12, day: 31)),
            registration(customer: 5, at: time("2020-01-01"), province: "", city: ""),
            registration(customer: 6, at: time("2020-01-01"), province: "", city: "", birthday: CivilDate(year: 1999, month: 1, day: 2)),
            registration(customer: 7, at: time("2030-01-01"), province: "", city: "", birthday: CivilDate(year: 1999, month: 2, day: 28)),
        ]
        return try analysisLedger(directory, events: events) { program in
            if let leapDay { program.birthday = BirthdayReward(points: 100, leapDayInCommonYears: leapDay) }
        }
    }

    @Test func leapDayFollowsProgramRule() throws {
        let directory = try TemporaryDirectory()
        let ledger = try fixture(directory, leapDay: .march1)

        // 2025 is a common year: the three days are 27 and 28 February and 1 March.
        let list = try ledger.upcomingBirthdays(asOf: time("2025-02-27T10:00:00Z"), days: 3)

        #expect(list.map(\.customer.customerID.rawValue) == [3, 2])
        #expect(list.map(\.occurrence) == [CivilDate(year: 2025, month: 2, day: 27)!, CivilDate(year: 2025, month: 3, day: 1)!])
        #expect(list.map(\.daysUntil) == [0, 2])
        #expect(list.map(\.age) == [40, 25])
        #expect(list[1].customer.profile.name == "顾客2")
    }

    @Test func leapDayDefaultsToFebruary28() throws {
        let directory = try TemporaryDirectory()
        let list = try fixture(directory, leapDay: nil).upcomingBirthdays(asOf: time("2025-02-27T10:00:00Z"), days: 2)
        #expect(list.map(\.customer.customerID.rawValue) == [3, 2])
        #expect(list.map(\.daysUntil) == [0, 1])
    }

    @Test func leapYearKeepsLeapDay() throws {
        let directory = try TemporaryDirectory()
        let list = try fixture(directory, leapDay: .march1).upcomingBirthdays(asOf: time("2024-02-28"), days: 2)
        #expect(list.map(\.occurrence) == [CivilDate(year: 2024, month: 2, day: 29)!])
    }

    @Test func listWrapsIntoNextYear() throws {
        let directory = try TemporaryDirectory()
        let list = try fixture(directory, leapDay: nil).upcomingBirthdays(asOf: time("2024-12-30"), days: 4)
        #expect(list.map(\.customer.customerID.rawValue) == [4, 6])
        #expect(list.map(\.daysUntil) == [1, 3])
        #expect(list.map(\.age) == [54, 26])
    }

    @Test func analystRoleIsRejected() throws {
        let directory = try TemporaryDirectory()
        let ledger = try fixture(directory, leapDay: nil).withRole(.analyst)
        #expect(throws: PrivacyError.roleNotAllowed(role: .analyst, operation: "listing birthdays")) {
            try ledger.upcomingBirthdays(asOf: time("2025-02-27"), days: 3)
        }
    }

    @Test func missingKeyIsRejected() throws {
        let directory = try TemporaryDirectory()
        _ = try fixture(directory, leapDay: nil)
        let reader = try openLedger(at: directory.path + "/db", readOnly: true, masterKey: nil)
        #expect(throws: PrivacyError.masterKeyRequired("listing birthdays")) {
            try reader.upcomingBirthdays(asOf: time("2025-02-27"), days: 3)
        }
    }
}

@Suite struct DormantListTests {
    @Test func ranksByNetSpend() throws {
        let directory = try TemporaryDirectory()
        let ledger = try rfmFixture(directory)

        let list = try ledger.dormantCustomers(asOf: RFMTests.asOf, days: 30, limit: 10)

        #expect(list.cutoff == time("2024-05-31T12:00:00Z"))
        #expect(list.total == 2)
        #expect(list.customers == [
            DormantCustomer(
                customerID: customer(3), lastPurchaseAt: time("2024-04-01"), daysSinceLastPurchase: 90, purchases: 2,
                netSpend: 130_000),
            DormantCustomer(
                customerID: customer(4), lastPurchaseAt: time("2024-01-15"), daysSinceLastPurchase: 167, purchases: 1,
                netSpend: 2_000),
        ])
    }

    @Test func limitKeepsTotal() throws {
        let directory = try TemporaryDirectory()
        let list = try rfmFixture(directory).dormantCustomers(asOf: RFMTests.asOf, days: 10, limit: 1)
        // Customers 3, 4 and 5 (last purchase 06-15) are dormant; 6 bought on 06-20T00:00, after the cutoff 06-20T12:00.
        #expect(list.total == 4)
        #expect(list.customers.map(\.customerID.rawValue) == [3])
    }
}

@Suite struct NearTierListTests {
    @Test func closestFirst() throws {
        let directory = try TemporaryDirectory()
        var events = (1...4).map { registration(customer: UInt64($0), at: time("2024-01-01")) }
        events[3] = registration(customer: 4, at: time("2024-06-01"))
        events += [
            purchase(customer: 1, order: "1-a", amount: cny("60.00"), at: time("2024-02-01")),
            purchase(customer: 1, order: "1-b", amount: cny("30.00"), at: time("2024-03-01")),
            purchase(customer: 2, order: "2-a", amount: cny("95.00"), at: time("2024-02-01")),
            purchase(customer: 3, order: "3-a", amount: cny("300.00"), at: time("2024-02-01")),
            purchase(customer: 3, order: "3-b", amount: cny("200.00"), at: time("2024-03-01")),
        ]
        let ledger = try analysisLedger(directory, events: events)

        let list = try ledger.customersNearNextTier(asOf: time("2024-06-30"), limit: 10)

        // 1 lacks 10 of 100 yuan (100‰). 3 is core and lacks 2 of 4 purchases for VIP (500‰),
        // as 2 lacks 1 of 2 purchases, but 3 needs no spend and 2 needs 5 yuan. 4 lacks everything.
        #expect(list.map(\.customerID.rawValue) == [1, 3, 2, 4])
        #expect(list.map(\.remainingPerMille) == [100, 500, 500, 1000])
        #expect(list.map(\.tier.tierName) == ["ordinary", "core", "ordinary", "ordinary"])
        #expect(list[0].gap == NextTierGap(tierName: "core", netSpendNeeded: 1_000, purchasesNeeded: 0, tenureDaysNeeded: 0, pointsNeeded: 0))
        #expect(list[1].gap.tierName == "VIP")
        #expect(list[1].gap.purchasesNeeded == 2)
        #expect(list[2].gap.netSpendNeeded == 500)
        #expect(try ledger.customersNearNextTier(asOf: time("2024-06-30"), limit: 2).count == 2)
    }
}

@Suite struct ExpiringPointsListTests {
    func fixture(_ directory: TemporaryDirectory) throws -> Ledger {
        let events = [
            registration(customer: 1, at: time("2024-01-01")),
            registration(customer: 2, at: time("2024-01-01")),
            registration(customer: 3, at: time("2024-01-01")),
            purchase(customer: 1, order: "1-a", amount: cny("100.00"), at: time("2024-06-01")),
            purchase(customer: 2, order: "2-a", amount: cny("50.00"), at: time("2024-06-20")),
        ]
        return try analysisLedger(directory, events: events) { $0.expiry = .afterDays(30) }
    }

    @Test func pointsDueWithinDays() throws {
        let directory = try TemporaryDirectory()
        let ledger = try fixture(directory)

        let soon = try ledger.expiringPoints(asOf: time("2024-06-25"), days: 10)
        #expect(soon.until == time("2024-07-05"))
        #expect(soon.totalPoints == 100)
        #expect(soon.customers == [
            ExpiringPointsCustomer(customerID: customer(1), points: 100, firstExpiry: time("2024-07-01"), available: 100)
        ])

        let month = try ledger.expiringPoints(asOf: time("2024-06-25"), days: 30)
        #expect(month.totalPoints == 150)
        #expect(month.customers.map(\.customerID.rawValue) == [1, 2])
        #expect(month.customers.map(\.firstExpiry) == [time("2024-07-01"), time("2024-07-20")])
    }

    @Test func expiredPointsAreNotListed() throws {
        let directory = try TemporaryDirectory()
        let list = try fixture(directory).expiringPoints(asOf: time("2024-07-01"), days: 30)
        // Customer 1's points expired at the instant itself, so only customer 2's are due.
        #expect(list.customers.map(\.customerID.rawValue) == [2])
        #expect(list.totalPoints == 50)
    }
}
