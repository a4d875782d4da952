/// One customer's region, purchases and spend in the reporting currency as of an instant, from
/// one scan of the log.
struct CustomerActivity {
    var isRegistered = false
    var province = ""
    var city = ""
    var purchases: Int64 = 0
    var firstPurchaseAt: Timestamp?
    var lastPurchaseAt: Timestamp?
    /// Purchases in minor units of the reporting currency.
    var gross: Int64 = 0
    /// Refunds in minor units of the reporting currency.
    var refunded: Int64 = 0

    var netSpend: Int64 { gross - refunded }
}

/// The activities of all customers as of one instant, with the instant's program figures.
struct ActivitySnapshot {
    var asOf: Timestamp
    var currency: Currency
    var calendar: ZonedCalendar
    /// Activities by customer id, for customers registered at or before ``asOf``.
    var customers: [CustomerID: CustomerActivity]
    /// Purchases and refunds at or before ``asOf`` in another currency, which the figures leave out.
    var otherCurrencyEvents: Int
}

extension Ledger {
    /// Folds the events that occurred at or before `instant` into one ``CustomerActivity`` per
    /// customer registered by then, counting money in the currency of the program in force at
    /// `instant`. Profile updates apply in the customer's version order.
    func activitySnapshot(_ txn: Transaction, asOf instant: Timestamp) throws -> ActivitySnapshot {
        let program = try schema.timeline(txn).program(at: instant)
        let currency = program.currency
        var customers: [CustomerID: CustomerActivity] = [:]
        var otherCurrencyEvents = 0
        try scanForAnalysis(txn, lineItems: false) { customer, occurredAt, event in
            guard occurredAt <= instant else { return }
            switch event {
            case .registered(let province, let city):
                customers[customer, default: CustomerActivity()].isRegistered = true
                customers[customer]!.province = province
                customers[customer]!.city = city
            case .profileUpdated(let province, let city):
                if let province { customers[customer, default: CustomerActivity()].province = province }
                if let city { customers[customer, default: CustomerActivity()].city = city }
            case .purchase(let amount, _):
                guard amount.currency == currency else {
                    otherCurrencyEvents += 1
                    return
                }
                try customers[customer, default: CustomerActivity()].addPurchase(amount.minorUnits, at: occurredAt, customer: customer)
            case .refund(let amount):
                guard amount.currency == currency else {
                    otherCurrencyEvents += 1
                    return
                }
                var activity = customers[customer] ?? CustomerActivity()
                activity.refunded = try AnalysisMath.add(
                    activity.refunded, amount.minorUnits, figure: "the refunds of customer \(customer)")
                customers[customer] = activity
            case .feedback:
                break
            }
        }
        // A registration that occurred after the instant leaves the customer out, with any
        // event that was back-dated before it.
        customers = customers.filter { $0.value.isRegistered }
        return ActivitySnapshot(
            asOf: instant, currency: currency, calendar: program.calendar, customers: customers,
            otherCurrencyEvents: otherCurrencyEvents)
    }
}

extension CustomerActivity {
    mutating func addPurchase(_ amount: Int64, at instant: Timestamp, customer: CustomerID) throws {
        purchases += 1
        gross = try AnalysisMath.add(gross, amount, figure: "the purchases of customer \(customer)")
        if firstPurchaseAt.map({ instant < $0 }) ?? true { firstPurchaseAt = instant }
        if lastPurchaseAt.map({ instant > $0 }) ?? true { lastPurchaseAt = instant }
    }
}
