import Foundation
import Testing

@testable import CustomerLedger

@Suite struct ProjectionTests {
    // MARK: - Spend, counts and feedback

    @Test func spendPerCurrency() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try ledger.append([
            registration(customer: 1, at: time("2024-01-01")),
            purchase(customer: 1, order: "A-1", amount: cny("128.50"), at: time("2024-03-05")),
            purchase(customer: 1, order: "A-2", amount: usd("20.00"), at: time("2024-03-06")),
            purchase(customer: 1, order: "A-3", amount: cny("60.00"), at: time("2024-03-07")),
            refund(customer: 1, order: "A-1", amount: cny("10.00"), at: time("2024-03-08")),
            refund(customer: 1, order: "A-2", amount: usd("0.01"), at: time("2024-03-09")),
        ])

        let state = try #require(try ledger.customer(customer(1)))

        #expect(state.spend == [
            CurrencySpend(currency: .cny, gross: 18_850, refunded: 1_000),
            CurrencySpend(currency: .usd, gross: 2_000, refunded: 1),
        ])
        #expect(state.spend(in: .cny).net == 17_850)
        #expect(state.spend(in: .usd).net == 1_999)
        #expect(state.spend(in: Currency("JPY")!) == CurrencySpend(currency: Currency("JPY")!))
        #expect(state.purchaseCount == 3)
        #expect(state.refundCount == 2)
    }

    @Test func firstAndLastPurchase() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        try ledger.append(registration(customer: 1, at: time("2024-01-01")))
        #expect(try ledger.customer(customer(1))?.firstPurchaseAt == nil)
        #expect(try ledger.customer(customer(1))?.lastPurchaseAt == nil)

        // Appended out of business order: the earliest purchase comes third, and A-4 from the middle comes last.
        try ledger.append([
            purchase(customer: 1, order: "A-1", amount: cny("1.00"), at: time("2024-03-05T10:00:00Z")),
            purchase(customer: 1, order: "A-2", amount: cny("1.00"), at: time("2024-04-01T09:00:00Z")),
            purchase(customer: 1, order: "A-3", amount: cny("1.00"), at: time("2024-02-01T08:00:00Z")),
        ])
        try ledger.append(purchase(customer: 1, order: "A-4", amount: cny("1.00"), at: time("2024-03-15")))

        let state = try #require(try ledger.customer(customer(1)))
        #expect(state.firstPurchaseAt == time("2024-02-01T08:00:00Z"))
        #expect(state.lastPurchaseAt == time("2024-04-01T09:00:00Z"))
        #expect(state.purchaseCount == 4)
        #expect(state.registeredAt == time("2024-01-01"))
    }

    @Test func ratingAverageAndComplaints() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append(registration(customer: 1, at: day))
        #expect(try ledger.customer(customer(1))?.averageRating == nil)

        try ledger.append([
            feedback(customer: 1, rating: 5, at: day),
            feedback(customer: 1, rating: 2, complaint: true, at: day),
            feedback(customer: 1, rating: 4, at: day),
        ])

        let state = try #require(try ledger.customer(customer(1)))
        #expect(state.feedbackCount == 3)
        #expect(state.ratingTotal == 11)
        #expect(state.averageRating == 11.0 / 3.0)
        #expect(state.complaintCount == 1)
    }

    @Test func profileUpdatesApplyChangedFields() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        let birthday = CivilDate(year: 1990, month: 2, day: 28)!
        try ledger.append([
            registration(customer: 1, at: day, name: "张伟"),
            profileUpdate(customer: 1, changes: ProfileChanges(phone: "13800000000", birthday: birthday), at: day),
            profileUpdate(customer: 1, changes: ProfileChanges(city: "杭州", address: "西湖区 1 号"), at: day),
        ])

        let state = try #require(try ledger.customer(customer(1)))
        #expect(state.profile == CustomerProfile(
            name: "张伟", phone: "13800000000", email: "", birthday: birthday, province: "", city: "杭州",
            address: "西湖区 1 号"))
        #expect(state.version == 3)
    }

    // MARK: - Points per order

    @Test func pointsFloorPerOrder() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: LoyaltyProgram(currency: .cny))
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("128.50"), at: day),
            registration(customer: 2, at: day),
            purchase(customer: 2, order: "B-1", amount: cny("0.60"), at: day),
            purchase(customer: 2, order: "B-2", amount: cny("0.60"), at: day),
        ])

        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 128))
        #expect(try ledger.customer(customer(2))?.points == PointsBalance(earned: 0))
        #expect(try ledger.customer(customer(2))?.spend(in: .cny).net == 120)
    }

    @Test func refundsReverseProportionally() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: LoyaltyProgram(currency: .cny))
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: day),
        ])
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 100))

        try ledger.append(refund(customer: 1, order: "A-1", amount: cny("33.33"), at: day))
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 100, reversed: 33))

        try ledger.append(refund(customer: 1, order: "A-1", amount: cny("66.67"), at: day))
        let state = try #require(try ledger.customer(customer(1)))
        #expect(state.points == PointsBalance(earned: 100, reversed: 100))
        #expect(state.points.balance == 0)
        #expect(state.spend(in: .cny).net == 0)
    }

    @Test func reversalNeverExceedsEarned() throws {
        // 10.99 earns 10. Refunds of 5.50 and 5.49 then reverse floor(10 × 550 / 1099) = 5 and the other 5.
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("10.99"), at: day),
            refund(customer: 1, order: "A-1", amount: cny("5.50"), at: day),
        ])
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 10, reversed: 5))

        try ledger.append(refund(customer: 1, order: "A-1", amount: cny("5.49"), at: day))
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 10, reversed: 10))
    }

    @Test func refundAfterRedemptionGoesNegative() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db")
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: day),
            redemption(customer: 1, points: 80, at: day),
            adjustment(customer: 1, points: 5, at: day),
            refund(customer: 1, order: "A-1", amount: cny("50.00"), at: day),
        ])

        let points = try #require(try ledger.customer(customer(1))?.points)
        #expect(points == PointsBalance(earned: 100, redeemed: 80, adjusted: 5, reversed: 50))
        #expect(points.balance == -25)
    }

    @Test func cumulativeScopeAddsFractions() throws {
        let directory = try TemporaryDirectory()
        let program = LoyaltyProgram(currency: .cny, earningScope: .cumulative)
        let ledger = try openLedger(at: directory.path + "/db", program: program)
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("0.60"), at: day),
        ])
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 0))

        try ledger.append(purchase(customer: 1, order: "A-2", amount: cny("0.60"), at: day))
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 1))

        // Net spend 1.20 - 0.30 = 0.90 earns 0 points, so the refund takes the one point back.
        try ledger.append(refund(customer: 1, order: "A-1", amount: cny("0.30"), at: day))
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 1, reversed: 1))
    }

    @Test func pointsPerUnitMultiplies() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(
            at: directory.path + "/db", program: LoyaltyProgram(currency: .cny, pointsPerUnit: 3))
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("10.99"), at: day),
            refund(customer: 1, order: "A-1", amount: cny("5.50"), at: day),
        ])

        // 10.99 × 3 = 32.97 earns 32, and the refund reverses floor(32 × 550 / 1099) = 16.
        #expect(try ledger.customer(customer(1))?.points == PointsBalance(earned: 32, reversed: 16))
    }

    @Test func otherCurrencyEarnsNothing() throws {
        let directory = try TemporaryDirectory()
        let ledger = try openLedger(at: directory.path + "/db", program: LoyaltyProgram(currency: .cny))
        let day = time("2024-03-01")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: usd("500.00"), at: day),
            refund(customer: 1, order: "A-1", amount: usd("100.00"), at: day),
        ])

        let state = try #require(try ledger.customer(customer(1)))
        #expect(state.points == PointsBalance())
        #expect(state.spend(in: .usd) == CurrencySpend(currency: .usd, gross: 50_000, refunded: 10_000))
        #expect(state.spend(in: .cny) == CurrencySpend(currency: .cny))
        #expect(try ledger.tier(of: customer(1), asOf: day)?.windowNetSpend == 0)
    }
}
