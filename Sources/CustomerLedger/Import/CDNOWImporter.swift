import Foundation

/// Turns CDNOW rows into ledger events and appends them in batches.
///
/// Each customer gets a `CustomerRegistered` at the date of their first purchase, then one
/// `PurchaseRecorded` per row, in file order. Several orders of one customer on one day are
/// separate purchases, numbered in file order: order `CDNOW-7-19970315-2` is customer 7's second
/// row dated 1997-03-15. Event ids derive from those names, so importing the same file again
/// appends nothing. CDNOW has no names or regions, so profiles stay empty. The one line item is
/// SKU `CD` with the number of CDs as quantity and the amount divided by it, rounded down, as unit
/// price; the order amount is exact.
public enum CDNOWImporter {
    /// The currency of CDNOW amounts.
    public static let currency = Currency.usd

    /// What an import appended.
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
                        id: StableID.make("cdnow/registration/\(row.customerID)"), customerID: customerID,
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
                    id: StableID.make("cdnow/purchase/\(orderID)"), customerID: customerID, occurredAt: occurredAt,
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

/// Deterministic event ids from names, so that re-imports are idempotent.
enum StableID {
    /// Returns a version-8 UUID (RFC 9562, custom) from two FNV-1a 64-bit hashes of `name`.
    static func make(_ name: String) -> UUID {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in name.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01B3
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: first >> (56 - 8 * UInt64(index)))
            bytes[8 + index] = UInt8(truncatingIfNeeded: second >> (56 - 8 * UInt64(index)))
        }
        bytes[6] = bytes[6] & 0x0F | 0x80
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
