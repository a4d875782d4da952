import Foundation

/// Turns CDNOW rows into ledger events and appends them in batches.
///
/// Each customer gets a `CustomerRegistered` at the earliest date of their rows, before their
/// first row, then one `PurchaseRecorded` per row, in file order. Several orders of one customer on one day are
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
    public typealias Summary = ImportSummary

    /// Builds the events for `rows`, in append order.
    public static func events(for rows: [CDNOWRow], metadata: EventMetadata = EventMetadata(source: "cdnow")) -> [NewEvent] {
        sourcedEvents(for: rows, metadata: metadata).map(\.event)
    }

    /// Builds the events for `rows` with the file line each comes from.
    static func sourcedEvents(for rows: [CDNOWRow], metadata: EventMetadata) -> [(event: NewEvent, line: Int)] {
        var registrationDates: [UInt64: CivilDate] = [:]
        for row in rows {
            guard let date = CivilDate(year: row.year, month: row.month, day: row.day) else { continue }
            if registrationDates[row.customerID].map({ date < $0 }) ?? true { registrationDates[row.customerID] = date }
        }
        var events: [(event: NewEvent, line: Int)] = []
        events.reserveCapacity(rows.count + rows.count / 2)
        var seenCustomers: Set<UInt64> = []
        var ordersPerDay: [String: Int] = [:]
        for row in rows {
            guard let customerID = CustomerID(row.customerID),
                let date = CivilDate(year: row.year, month: row.month, day: row.day)
            else { continue }
            let occurredAt = Timestamp(date)

            if seenCustomers.insert(row.customerID).inserted {
                let registration = NewEvent(
                    id: EventID.stable("cdnow/registration/\(row.customerID)", prefix: row.customerID),
                    customerID: customerID, occurredAt: Timestamp(registrationDates[row.customerID] ?? date),
                    payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: ""))),
                    metadata: metadata)
                events.append((registration, row.line))
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
            let event = NewEvent(
                id: EventID.stable("cdnow/purchase/\(orderID)", prefix: row.customerID), customerID: customerID,
                occurredAt: occurredAt, payload: .purchaseRecorded(purchase), metadata: metadata)
            events.append((event, row.line))
        }
        return events
    }

    /// Appends the events of `rows` in one durable transaction: the whole file or nothing.
    ///
    /// A rejected event throws ``ImportRowError`` naming the file line it came from.
    /// - parameter progress: called every 1,000 events with the events handled and the total.
    @available(*, noasync)
    public static func importRows(
        _ rows: [CDNOWRow], into ledger: Ledger, metadata: EventMetadata = EventMetadata(source: "cdnow"),
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Summary {
        try ImportBatch.append(
            sourcedEvents(for: rows, metadata: metadata), rows: rows.count, into: ledger, progress: progress,
            reusedID: reusedIDReason)
    }

    /// Appends the events of `rows` in consecutive durable transactions of `rowsPerCommit` rows
    /// each, and calls `committed` after each transaction.
    ///
    /// Every row is checked against the business rules first, in a transaction that is then
    /// aborted, so a rejected row throws ``ImportRowError`` before anything is written. The event
    /// ids derive from the rows, so after an interruption a rerun of the same file appends only
    /// the events that are missing. A failure after the check, such as a full disk, keeps the
    /// transactions already committed.
    @available(*, noasync)
    public static func importRows(
        _ rows: [CDNOWRow], into ledger: Ledger, metadata: EventMetadata = EventMetadata(source: "cdnow"),
        rowsPerCommit: Int, committed: (ImportCommit) -> Void
    ) throws -> Summary {
        try ImportBatch.append(
            sourcedEvents(for: rows, metadata: metadata), rows: rows.count, rowsPerCommit: rowsPerCommit, into: ledger,
            reusedID: reusedIDReason, committed: committed)
    }

    private static func reusedIDReason(_ position: UInt64) -> String {
        "an earlier import recorded this row's order at position \(position) with other content, from another file or "
            + "another version of this one; a recorded purchase cannot change, and when a file is imported again, "
            + "each customer's rows of one day must keep their order"
    }
}

/// A row of an import file that the ledger rejected, so that nothing of the file was written.
public struct ImportRowError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The 1-based line of the file.
    public let line: Int
    public let reason: String

    public var description: String { "line \(line): \(reason)" }
}
