import Foundation
import Testing

@testable import CustomerLedger

@Suite struct BusinessRuleTests {
    let directory: TemporaryDirectory
    let ledger: Ledger
    let day = time("2024-03-01")

    /// A ledger holding customer 1 with order A-1 of 100.00 CNY, which earned 100 points.
    init() throws {
        directory = try TemporaryDirectory()
        ledger = try openLedger(at: directory.path + "/db")
        try ledger.append([
            registration(customer: 1, at: day),
            purchase(customer: 1, order: "A-1", amount: cny("100.00"), at: day),
        ])
    }

    // MARK: - Registration

    @Test func unknownCustomerRejected() throws {
        try expectRuleViolation(
            ledger, [purchase(customer: 7, order: "X-1", amount: cny("1.00"), at: day)],
            reason: "customer 7 is not registered; append a CustomerRegistered event first")
        try expectRuleViolation(
            ledger, [feedback(customer: 7, rating: 5, at: day)],
            reason: "customer 7 is not registered; append a CustomerRegistered event first")
        #expect(try ledger.customer(customer(7)) == nil)
    }

    @Test func secondRegistrationRejected() throws {
        try expectRuleViolation(
            ledger, [registration(customer: 1, at: day, name: "李娜")], reason: "customer 1 is already registered")
        try expectRuleViolation(
            ledger, [registration(customer: 2, at: day), registration(customer: 2, at: day)], index: 1,
            reason: "customer 2 is already registered")
        #expect(try ledger.customer(customer(1))?.profile.name == "顾客")
    }

    @Test func selfReferralRejected() throws {
        let event = NewEvent(
            customerID: customer(2), occurredAt: day,
            payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: "王芳"), referrer: customer(2))))
        try expectRuleViolation(ledger, [event], reason: "customer 2 cannot refer themselves")
    }

    // MARK: - Purchases

    @Test func negativePurchaseRejected() throws {
        try expectRuleViolation(
            ledger, [purchase(customer: 1, order: "A-2", amount: Money(minorUnits: -1, currency: .cny), at: day)],
            reason: "purchase amount -0.01 CNY is negative; record returns as refunds")
    }

    @Test func amountAboveLimitRejected() throws {
        let tooLarge = Money(minorUnits: ProjectionWorkspace.maximumAmount + 1, currency: .cny)
        try expectRuleViolation(
            ledger, [purchase(customer: 1, order: "A-2", amount: tooLarge, at: day)],
            reason: "purchase amount 10000000000000.01 CNY exceeds the limit of 1000000000000000 minor units per event")
        let largest = Money(minorUnits: ProjectionWorkspace.maximumAmount, currency: .cny)
        #expect(try ledger.append(purchase(customer: 1, order: "A-2", amount: largest, at: day)).wasAppended)
    }

    @Test func pointsOverflowRejected() throws {
        let directory = try TemporaryDirectory()
        let yen = Currency("JPY")!
        let ledger = try openLedger(at: directory.path + "/db", program: LoyaltyProgram(currency: yen, pointsPerUnit: 1000))
        let largest = Money(minorUnits: ProjectionWorkspace.maximumAmount, currency: yen)
        let atLimit = Money(minorUnits: ProjectionWorkspace.maximumPointsPerEvent / 1000, currency: yen)
        try ledger.append([
            registration(customer: 1, at: day), purchase(customer: 1, order: "J-1", amount: atLimit, at: day),
        ])
        #expect(try ledger.customer(customer(1))?.points.earned == ProjectionWorkspace.maximumPointsPerEvent)

        try expectRuleViolation(
            ledger, [purchase(customer: 1, order: "J-2", amount: largest, at: day)],
            reason: "the purchase would earn 1000000000000000000 points, beyond the limit of 1000000000000000 per event or the customer's storable total; check the amount and the program's multipliers")
    }

    @Test func zeroPurchaseAccepted() throws {
        let outcome = try ledger.append(purchase(customer: 1, order: "FREE-1", amount: cny("0.00"), at: day))

        #expect(outcome == Ledger.AppendOutcome(position: 3, version: 3, wasAppended: true))
        #expect(try ledger.customer(customer(1))?.purchaseCount == 2)
        #expect(try ledger.customer(customer(1))?.points.earned == 100)
    }

    @Test func reusedOrderIDRejected() throws {
        try expectRuleViolation(
            ledger, [purchase(customer: 1, order: "A-1", amount: cny("5.00"), at: day)],
            reason: "order 'A-1' of customer 1 is already recorded")
        try expectRuleViolation(
            ledger,
            [
                purchase(customer: 1, order: "A-2", amount: cny("5.00"), at: day),
                purchase(customer: 1, order: "A-2", amount: cny("6.00"), at: day),
            ],
            index: 1, reason: "order 'A-2' of customer 1 is already recorded")

        try ledger.append([
            registration(customer: 2, at: day),
            purchase(customer: 2, order: "A-1", amount: cny("5.00"), at: day),
        ])
        #expect(try ledger.customer(customer(2))?.purchaseCount == 1)
        #expect(try ledger.customer(customer(1))?.purchaseCount == 1)
    }

    @Test func invalidLineItemsRejected() throws {
        func withItems(_ items: [LineItem]) -> NewEvent {
            NewEvent(
                customerID: customer(1), occurredAt: day,
                payload: .purchaseRecorded(PurchaseRecorded(orderID: "A-2", amount: cny("1.00"), lineItems: items)))
        }
        try expectRuleViolation(
            ledger, [withItems([LineItem(sku: "CD-1", quantity: -1, unitPrice: 100)])],
            reason: "quantity -1 of SKU 'CD-1' is negative")
        try expectRuleViolation(
            ledger, [withItems([LineItem(sku: "CD-1", quantity: 1, unitPrice: -100)])],
            reason: "unit price -100 of SKU 'CD-1' is negative")
        try expectRuleViolation(
            ledger, [withItems([LineItem(sku: "", quantity: 1, unitPrice: 100)])], reason: "the SKU is empty")
        try expectRuleViolation(
            ledger, [withItems(Array(repeating: LineItem(sku: "CD-1", quantity: 1, unitPrice: 1), count: 1001))],
            reason: "the purchase has 1001 line items; the limit is 1000")
    }

    // MARK: - Refunds

    @Test func orderFingerprintCollisionKeptApart() throws {
        // Both ids have FNV-1a 32-bit hash collisions, so only reading the events distinguishes them.
        #expect(OrderKey.fingerprint("SO-229599") == OrderKey.fingerprint("SO-432382"))
        try ledger.append(purchase(customer: 1, order: "SO-229599", amount: cny("30.00"), at: day))
        try ledger.append(purchase(customer: 1, order: "SO-432382", amount: cny("50.00"), at: day))
        try expectRuleViolation(
            ledger, [purchase(customer: 1, order: "SO-432382", amount: cny("1.00"), at: day)],
            reason: "order 'SO-432382' of customer 1 is already recorded")
        try ledger.append(refund(customer: 1, order: "SO-229599", amount: cny("30.00"), at: day))
        try expectRuleViolation(
            ledger, [refund(customer: 1, order: "SO-229599", amount: cny("0.01"), at: day)],
            reason: "refund of 0.01 CNY exceeds the 0.00 CNY still refundable on order 'SO-229599'")
        try ledger.append(refund(customer: 1, order: "SO-432382", amount: cny("50.00"), at: day))
        #expect(try ledger.customer(customer(1))?.points.balance == 100)
    }

    @Test func refundOfUnknownOrderRejected() throws {
        try expectRuleViolation(
            ledger, [refund(customer: 1, order: "A-9", amount: cny("1.00"), at: day)],
            reason: "customer 1 has no order 'A-9' to refund")

        // Order ids belong to one customer: another customer's A-1 is unknown here.
        try ledger.append(registration(customer: 2, at: day))
        try expectRuleViolation(
            ledger, [refund(customer: 2, order: "A-1", amount: cny("1.00"), at: day)],
            reason: "customer 2 has no order 'A-1' to refund")
    }

    @Test func refundAboveRemainderRejected() throws {
        try ledger.append(refund(customer: 1, order: "A-1", amount: cny("60.00"), at: day))

        try expectRuleViolation(
            ledger, [refund(customer: 1, order: "A-1", amount: cny("40.01"), at: day)],
            reason: "refund of 40.01 CNY exceeds the 40.00 CNY still refundable on order 'A-1'")
        try expectRuleViolation(
            ledger,
            [
                refund(customer: 1, order: "A-1", amount: cny("30.00"), at: day),
                refund(customer: 1, order: "A-1", amount: cny("10.01"), at: day),
            ],
            index: 1, reason: "refund of 10.01 CNY exceeds the 10.00 CNY still refundable on order 'A-1'")

        try ledger.append(refund(customer: 1, order: "A-1", amount: cny("40.00"), at: day))
        #expect(try ledger.customer(customer(1))?.spend(in: .cny) == CurrencySpend(currency: .cny, gross: 10000, refunded: 10000))
    }

    @Test func refundInOtherCurrencyRejected() throws {
        try expectRuleViolation(
            ledger, [refund(customer: 1, order: "A-1", amount: usd("1.00"), at: day)],
            reason: "refund currency USD differs from order 'A-1' in CNY")
    }

    @Test func nonPositiveRefundRejected() throws {
        try expectRuleViolation(
            ledger, [refund(customer: 1, order: "A-1", amount: cny("0.00"), at: day)],
            reason: "refund amount 0.00 CNY must be positive")
        try expectRuleViolation(
            ledger, [refund(customer: 1, order: "A-1", amount: Money(minorUnits: -500, currency: .cny), at: day)],
            reason: "refund amount -5.00 CNY must be positive")
    }

    // MARK: - Points

    @Test func redemptionAboveBalanceRejected() throws {
        try expectRuleViolation(
            ledger, [redemption(customer: 1, points: 101, at: day)],
            reason: "redemption of 101 points exceeds the available balance of 100 at 2024-03-01T00:00:00Z")
        try expectRuleViolation(
            ledger, [redemption(customer: 1, points: -1, at: day)], reason: "redeemed points must not be negative, got -1")

        // A reward that costs nothing, such as a free member offer, is a redemption of 0 points.
        try ledger.append(redemption(customer: 1, points: 0, at: day))
        try ledger.append(redemption(customer: 1, points: 100, at: day))

        #expect(try ledger.customer(customer(1))?.points.balance == 0)
        try expectRuleViolation(
            ledger, [redemption(customer: 1, points: 1, at: day)],
            reason: "redemption of 1 points exceeds the available balance of 0 at 2024-03-01T00:00:00Z")
    }

    @Test func adjustmentLimitsEnforced() throws {
        try expectRuleViolation(
            ledger, [adjustment(customer: 1, points: 0, at: day)], reason: "a points adjustment of 0 changes nothing")
        try expectRuleViolation(
            ledger, [adjustment(customer: 1, points: 1_000_000_000_001, at: day)],
            reason: "points adjustment 1000000000001 is beyond ±1000000000000")

        try ledger.append(adjustment(customer: 1, points: -1_000_000_000_000, at: day))
        #expect(try ledger.customer(customer(1))?.points.adjusted == -1_000_000_000_000)
    }

    // MARK: - Feedback and profile

    @Test func ratingsOutsideOneToFiveRejected() throws {
        try expectRuleViolation(ledger, [feedback(customer: 1, rating: 0, at: day)], reason: "rating 0 is outside 1–5")
        try expectRuleViolation(ledger, [feedback(customer: 1, rating: 6, at: day)], reason: "rating 6 is outside 1–5")

        try ledger.append([feedback(customer: 1, rating: 1, at: day), feedback(customer: 1, rating: 5, at: day)])
        #expect(try ledger.customer(customer(1))?.feedbackCount == 2)
        #expect(try ledger.customer(customer(1))?.ratingTotal == 6)
    }

    @Test func emptyProfileUpdateRejected() throws {
        try expectRuleViolation(
            ledger, [profileUpdate(customer: 1, changes: ProfileChanges(), at: day)],
            reason: "the profile update changes no field")

        try ledger.append(profileUpdate(customer: 1, changes: ProfileChanges(phone: ""), at: day))
        #expect(try ledger.customer(customer(1))?.profile.phone == "")
        #expect(try ledger.customer(customer(1))?.version == 3)
    }

    @Test func textOverLimitsRejected() throws {
        // Limits count UTF-8 bytes: 1366 characters of 张 are 4098 bytes.
        let longName = String(repeating: "张", count: 1366)
        try expectRuleViolation(
            ledger, [registration(customer: 2, at: day, name: longName)],
            reason: "the name is 4098 bytes long; the limit is 4096 bytes")
        try expectRuleViolation(
            ledger, [profileUpdate(customer: 1, changes: ProfileChanges(city: String(repeating: "a", count: 4097)), at: day)],
            reason: "the city is 4097 bytes long; the limit is 4096 bytes")
        try expectRuleViolation(
            ledger, [purchase(customer: 1, order: String(repeating: "A", count: 257), amount: cny("1.00"), at: day)],
            reason: "the order id is 257 bytes long; the limit is 256 bytes")
        try expectRuleViolation(
            ledger, [purchase(customer: 1, order: "", amount: cny("1.00"), at: day)], reason: "the order id is empty")
        let longText = NewEvent(
            customerID: customer(1), occurredAt: day,
            payload: .feedbackRecorded(
                FeedbackRecorded(channel: .onlineReview, rating: 3, isComplaint: true, text: String(repeating: "b", count: 32_769))))
        try expectRuleViolation(ledger, [longText], reason: "the feedback text is 32769 bytes long; the limit is 32768 bytes")
        try expectRuleViolation(
            ledger, [registration(customer: 2, at: day, name: "a\u{0}b")], reason: "the name contains a NUL byte")

        // Exactly at the limits is accepted.
        try ledger.append([
            registration(customer: 2, at: day, name: String(repeating: "a", count: 4096)),
            purchase(customer: 2, order: String(repeating: "A", count: 256), amount: cny("1.00"), at: day),
        ])
        #expect(try ledger.customer(customer(2))?.profile.name.utf8.count == 4096)
        #expect(try ledger.customer(customer(2))?.purchaseCount == 1)
    }
}
