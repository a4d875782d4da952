import Foundation

@testable import CustomerLedger

// Builders shared by the analysis tests, whose fixtures are small enough to check by hand.

/// Registers customer `number` at `instant` with a province, a city and optionally a birthday.
func registration(
    customer number: UInt64, at instant: Timestamp, province: String, city: String, birthday: CivilDate? = nil
) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(
            name: "顾客\(number)", birthday: birthday, province: province, city: city))))
}

/// Returns a purchase of `lineItems` with its own amount, which can differ from their total, as after a discount.
func itemizedPurchase(customer number: UInt64, order: String, amount: Money, lineItems: [LineItem], at instant: Timestamp) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .purchaseRecorded(PurchaseRecorded(orderID: order, amount: amount, lineItems: lineItems)))
}

func feedback(
    customer number: UInt64, channel: FeedbackRecorded.Channel, rating: Int, complaint: Bool, at instant: Timestamp
) -> NewEvent {
    NewEvent(
        customerID: customer(number), occurredAt: instant,
        payload: .feedbackRecorded(FeedbackRecorded(channel: channel, rating: rating, isComplaint: complaint, text: "文字")))
}

/// Opens a new CNY ledger with `program`'s changes in a fresh folder and appends `events`.
func analysisLedger(
    _ directory: TemporaryDirectory, events: [NewEvent], configure: (inout LoyaltyProgram) -> Void = { _ in }
) throws -> Ledger {
    var program = LoyaltyProgram(currency: .cny)
    configure(&program)
    let ledger = try openLedger(at: directory.path + "/db", program: program)
    try ledger.append(events)
    return ledger
}
