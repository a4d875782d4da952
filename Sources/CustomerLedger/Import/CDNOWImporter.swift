import Foundation

/// Turns CDNOW rows into ledger events and appends them in batches.
///
/// Each customer gets a `CustomerRegistered` at the date of their first row in the file, then one
/// `PurchaseRecorded` per row, in file order. Several orders of one customer on one day are
/// separate purchases, numbered in file order. For example, order `CDNOW-7-19970315-2` is
/// customer 7's second row dated 1997-03-15. Event ids derive from those names and start with the
/// customer id, so importing the same file again appends nothing, and a file sorted by customer
/// fills the event-id index in order. CDNOW has no names or regions, so profiles stay empty.
///
/// Each purchase has one line item: SKU `CD`, with the number of CDs as quantity and the amount
/// divided by it, rounded down, as unit price. The order amount is exact.
public enum CDNOWImporter {
    /// The currency of CDNOW amounts.
    public static let currency = Currency.usd

    /// The counts of rows read, events appended or already present, and customers registered by an import.
    public struct Summary: Equatable, Sendable {
        public var rows: Int
        public var eventsAppended: Int
        public var eventsAlreadyPresent: Int
        public var customersRegistered: Int
    }

    /// Builds the events for `rows`, in append order.
    public static func events(for rows: [CDNOWRow], metadata: EventMetadata = EventMetadata(source: "cdnow")) -> [NewEvent] {
        var events: [NewEvent] = []
        events.reserveCapacity(rows.count + rows.count / 2)
        var seenCustomers: Set<UInt64> = []
        var ordersPerDay: [String: Int] = [:]
        for row in rows {
            guard let customerID = CustomerID(row.customerID),
                let date = CivilDate(year: row.year, month: row.month, day: row.day)
            else { continue }
            let occurredAt = Timestamp(date)

            if seenCustomers.insert(row.customerID).inserted {
                events.append(
                    NewEvent(
                        id: EventID.stable("cdnow/registration/\(row.customerID)", prefix: row.customerID), customerID: customerID,
                        occurredAt: occurredAt,
                        payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: ""))),
                        metadata: metadata))
            }

            let day = "\(row.customerID)-\(row.year * 10000 + row.month * 100 + row.day)"
            let sequence = ordersPerDay[day, default: 0] + 1
            ordersPerDay[day] = sequence
            let orderID = "CDNOW-\(day)-\(sequence)"

            let quantity = Int64(row.quantity)
            let unitPrice = quantity > 0 ? row.amountCents / quantity : row.amountCents
            let purchase = PurchaseRecorded(
                orderID: orderID, amount: Money(minorUnits: row.amountCents, currency: currency),
                lineItems: [LineItem(sku: "CD", quantity: quantity, unitPrice: unitPrice)], channel: "online",
                store: "cdnow.com")
            events.append(
                NewEvent(
                    id: EventID.stable("cdnow/purchase/\(orderID)", prefix: row.customerID), customerID: customerID, occurredAt: occurredAt,
                    payload: .purchaseRecorded(purchase), metadata: metadata))
        }
        return events
    }

    /// Appends the events of `rows` in batches of `batchSize`, each batch one durable transaction.
    ///
    /// - parameter progress: called after each batch with the events handled and the total.
    @available(*, noasync)
    public static func importRows(
        _ rows: [CDNOWRow], into ledger: Ledger, metadata: EventMetadata = EventMetadata(source: "cdnow"),
        batchSize: Int = 1000, progress: ((Int, Int) -> Void)? = nil
    ) throws -> Summary {
        let events = events(for: rows, metadata: metadata)
        var summary = Summary(rows: rows.count, eventsAppended: 0, eventsAlreadyPresent: 0, customersRegistered: 0)
        var start = 0
        while start < events.count {
            let end = min(start + batchSize, events.count)
            let batch = Array(events[start..<end])
            let outcomes = try ledger.append(batch)
            for (event, outcome) in zip(batch, outcomes) {
                if outcome.wasAppended {
                    summary.eventsAppended += 1
                    if case .customerRegistered = event.payload { summary.customersRegistered += 1 }
                } else {
                    summary.eventsAlreadyPresent += 1
                }
            }
            start = end
            progress?(end, events.count)
        }
        return summary
    }
}
