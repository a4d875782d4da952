import Foundation

/// A purchase field that a CSV column can fill.
public enum CSVField: String, CaseIterable, Sendable {
    case customer
    case order
    /// The amount paid, a decimal in the row's currency, read exactly.
    case amount
    case currency
    case occurredAt = "occurred_at"
    case sku
    case quantity
    /// The price of one unit, a decimal in the row's currency.
    case unitPrice = "unit_price"
    case category
    case channel
    case store

    /// The fields every mapping must name.
    public static let required: [CSVField] = [.customer, .order, .amount, .occurredAt]
}

/// The CSV column of each purchase field.
public struct CSVColumnMapping: Equatable, Sendable {
    /// The header name of the column for each mapped field.
    public var columns: [CSVField: String]

    public init(columns: [CSVField: String]) {
        self.columns = columns
    }

    /// Parses `COLUMN=FIELD` entries separated by commas, such as `id=customer,total=amount`.
    /// A column name ends at the last `=` of its entry, so it may contain `=` but not a comma.
    ///
    /// - throws: ``CSVImportError`` with line 0 for an entry without `=`, an unknown field, a
    ///   field or column named twice, and a missing required field.
    public init(parsing text: String) throws(CSVImportError) {
        var columns: [CSVField: String] = [:]
        var mappedColumns: Set<String> = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let separator = entry.lastIndex(of: "="), separator != entry.startIndex else {
                throw Self.error("'\(entry)' is not COLUMN=FIELD, such as total=amount")
            }
            let column = String(entry[..<separator])
            let name = String(entry[entry.index(after: separator)...])
            guard let field = CSVField(rawValue: name) else {
                throw Self.error(
                    "unknown field '\(name)' in '\(entry)'; the fields are "
                        + CSVField.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard columns[field] == nil else { throw Self.error("the field \(name) is mapped twice") }
            guard mappedColumns.insert(column).inserted else { throw Self.error("the column '\(column)' is mapped twice") }
            columns[field] = column
        }
        let missing = CSVField.required.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw Self.error(
                "the mapping names no column for " + missing.map(\.rawValue).joined(separator: ", ")
                    + "; the fields customer, order, amount and occurred_at are required")
        }
        self.columns = columns
    }

    private static func error(_ message: String) -> CSVImportError {
        CSVImportError(line: 0, column: nil, message: "invalid column mapping: \(message)")
    }
}

/// One purchase row of a CSV file, checked and converted.
public struct CSVPurchaseRow: Equatable, Sendable {
    /// The 1-based line where the row starts.
    public let line: Int
    public let customerID: CustomerID
    public let occurredAt: Timestamp
    public let purchase: PurchaseRecorded
}

/// Turns CSV purchase rows into ledger events and appends them in one transaction.
///
/// Each row is one purchase, with one line item when the row has a SKU. A customer that the
/// ledger does not have yet is registered, with an empty profile, at the earliest occurred-at of
/// their rows, just before their first row. Event ids derive from the customer and order id, so
/// importing the same file again appends nothing, and importing it with a row changed is rejected.
public enum CSVPurchaseImporter {
    /// The counts of rows read, events appended or already present, and customers registered by an import.
    public typealias Summary = ImportSummary

    /// The largest quantity of a line item.
    public static let maximumQuantity: Int64 = 1_000_000

    /// Parses CSV text into purchase rows, taking each field from the column that `mapping` names.
    ///
    /// - parameter currency: the currency of rows without a currency column.
    /// - throws: ``CSVImportError`` naming the line and column of the first invalid value; a
    ///   mapped column missing from the header is reported on line 1.
    public static func parse(
        _ bytes: [UInt8], mapping: CSVColumnMapping, currency: Currency
    ) throws(CSVImportError) -> [CSVPurchaseRow] {
        let (header, records) = try CSVParser.parse(bytes)
        var indexes: [CSVField: Int] = [:]
        // In field order, not the dictionary's, so that a header lacking several mapped columns
        // gets the same message on every run.
        for field in CSVField.allCases {
            guard let column = mapping.columns[field] else { continue }
            let matches = header.indices.filter { header[$0] == column }
            guard let index = matches.first else {
                throw CSVImportError(
                    line: 1, column: nil,
                    message: "the header has no column \(shownValue(column)) for the field \(field.rawValue); its columns are "
                        + header.map { shownValue($0) }.joined(separator: ", "))
            }
            guard matches.count == 1 else {
                throw CSVImportError(
                    line: 1, column: column, message: "the header names this column \(matches.count) times, so the mapping is ambiguous")
            }
            indexes[field] = index
        }
        var rows: [CSVPurchaseRow] = []
        rows.reserveCapacity(records.count)
        for record in records {
            let reader = RowReader(record: record, indexes: indexes, mapping: mapping)
            rows.append(try reader.purchaseRow(defaultCurrency: currency))
        }
        return rows
    }

    /// Builds the events for `rows`, in append order, with a registration of each customer that
    /// `isKnown` rejects. Returns each event with the line it comes from.
    static func sourcedEvents(
        for rows: [CSVPurchaseRow], metadata: EventMetadata, isKnown: (CustomerID) throws -> Bool
    ) throws -> [(event: NewEvent, line: Int)] {
        var firstPurchase: [CustomerID: Timestamp] = [:]
        for row in rows where firstPurchase[row.customerID].map({ row.occurredAt < $0 }) ?? true {
            firstPurchase[row.customerID] = row.occurredAt
        }
        var events: [(event: NewEvent, line: Int)] = []
        events.reserveCapacity(rows.count)
        var seen: Set<CustomerID> = []
        // One row is one purchase, so a repeated order would otherwise read as a retry and
        // silently count once.
        var orderLines: [OrderKey: Int] = [:]
        for row in rows {
            let customer = row.customerID
            if let earlier = orderLines.updateValue(row.line, forKey: OrderKey(customerID: customer, orderID: row.purchase.orderID)) {
                throw ImportRowError(
                    line: row.line,
                    reason: "order \(shownValue(row.purchase.orderID)) of customer \(customer) is also on line \(earlier); one row is one purchase, so combine the rows into one")
            }
            if seen.insert(customer).inserted, try !isKnown(customer) {
                let registration = NewEvent(
                    id: EventID.stable("csv/registration/\(customer)", prefix: customer.rawValue), customerID: customer,
                    occurredAt: firstPurchase[customer] ?? row.occurredAt,
                    payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: ""))), metadata: metadata)
                events.append((registration, row.line))
            }
            let purchase = NewEvent(
                id: EventID.stable("csv/purchase/\(customer)/\(row.purchase.orderID)", prefix: customer.rawValue),
                customerID: customer, occurredAt: row.occurredAt, payload: .purchaseRecorded(row.purchase),
                metadata: metadata)
            events.append((purchase, row.line))
        }
        return events
    }

    /// Appends the purchases of `rows` in one durable transaction: the whole file or nothing.
    ///
    /// A customer counts as known when the ledger has them before the import. A row that
    /// breaks a business rule throws ``ImportRowError`` naming its line.
    /// - parameter progress: called every 1,000 events with the events handled and the total.
    @available(*, noasync)
    public static func importRows(
        _ rows: [CSVPurchaseRow], into ledger: Ledger, metadata: EventMetadata = EventMetadata(source: "csv"),
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Summary {
        let sourced = try sourcedEvents(for: rows, metadata: metadata) { try ledger.customer($0) != nil }
        return try ImportBatch.append(sourced, rows: rows.count, into: ledger, progress: progress, reusedID: reusedIDReason)
    }

    /// Appends the purchases of `rows` in consecutive durable transactions of `rowsPerCommit`
    /// rows each, and calls `committed` after each transaction.
    ///
    /// Every row is checked against the business rules first, in a transaction that is then
    /// aborted, so a row that breaks one throws ``ImportRowError`` before anything is written.
    /// The event ids derive from the rows, so after an interruption a rerun of the same rows
    /// appends only the events that are missing. A failure after the check, such as a full disk,
    /// keeps the transactions already committed.
    @available(*, noasync)
    public static func importRows(
        _ rows: [CSVPurchaseRow], into ledger: Ledger, metadata: EventMetadata = EventMetadata(source: "csv"),
        rowsPerCommit: Int, committed: (ImportCommit) -> Void
    ) throws -> Summary {
        let sourced = try sourcedEvents(for: rows, metadata: metadata) { try ledger.customer($0) != nil }
        return try ImportBatch.append(
            sourced, rows: rows.count, rowsPerCommit: rowsPerCommit, into: ledger, reusedID: reusedIDReason,
            committed: committed)
    }

    private static func reusedIDReason(_ position: UInt64) -> String {
        "an earlier import recorded this customer's order at position \(position) with other content; "
            + "a purchase cannot be changed by importing it again, so record a refund or use a new order id"
    }
}

/// Reads the mapped fields of one record and names the line and column of an invalid value.
private struct RowReader {
    let record: CSVRecord
    let indexes: [CSVField: Int]
    let mapping: CSVColumnMapping

    /// Returns the field's text, or nil when no column is mapped to it or the cell is empty.
    func text(_ field: CSVField) -> String? {
        guard let index = indexes[field] else { return nil }
        let value = record.fields[index]
        return value.isEmpty ? nil : value
    }

    func error(_ field: CSVField, _ message: String) -> CSVImportError {
        CSVImportError(line: record.line, column: mapping.columns[field], message: message)
    }

    func required(_ field: CSVField) throws(CSVImportError) -> String {
        guard let value = text(field) else { throw error(field, "the \(field.rawValue) is empty; every row needs one") }
        return value
    }

    func purchaseRow(defaultCurrency: Currency) throws(CSVImportError) -> CSVPurchaseRow {
        let customerText = try required(.customer)
        guard let customer = CustomerID(parsing: customerText) else {
            throw error(.customer, "invalid customer id \(shownValue(customerText)); expected a positive integer such as 42")
        }
        let orderID = try required(.order)
        try checkText(.order, orderID, name: "order id", limit: ProjectionWorkspace.orderIDLimit)
        let timeText = try required(.occurredAt)
        guard let occurredAt = Timestamp(parsing: timeText) else {
            throw error(
                .occurredAt,
                "invalid time \(shownValue(timeText)); expected YYYY-MM-DD (midnight UTC) or ISO 8601 such as 2024-03-01T08:00:00+08:00")
        }
        var currency = defaultCurrency
        if let code = text(.currency) {
            guard let parsed = Currency(code), parsed.isISO4217 else {
                throw error(.currency, "invalid currency \(shownValue(code)); expected an ISO 4217 code such as CNY or USD")
            }
            currency = parsed
        }
        let amountText = try required(.amount)
        let amount = try money(.amount, amountText, currency)
        guard amount.minorUnits <= ProjectionWorkspace.maximumAmount else {
            throw error(
                .amount,
                "invalid amount \(shownValue(amountText)): it exceeds the limit of \(ProjectionWorkspace.maximumAmount) minor units per purchase")
        }

        var lineItems: [LineItem] = []
        if let sku = text(.sku) {
            try checkText(.sku, sku, name: "SKU")
            let quantity = try quantity()
            let unitPrice: Int64
            if let priceText = text(.unitPrice) {
                unitPrice = try money(.unitPrice, priceText, currency).minorUnits
            } else {
                // As in the CDNOW import: the amount divided by the quantity, rounded down.
                unitPrice = quantity > 0 ? amount.minorUnits / quantity : amount.minorUnits
            }
            let category = text(.category) ?? ""
            try checkText(.category, category, name: "category", limit: 256)
            lineItems.append(LineItem(sku: sku, quantity: quantity, unitPrice: unitPrice, category: category))
        } else if let field = [CSVField.quantity, .unitPrice, .category].first(where: { text($0) != nil }) {
            throw error(field, "the row has a \(field.rawValue) but no sku; a line item needs its sku")
        }
        let channel = text(.channel) ?? ""
        try checkText(.channel, channel, name: "channel")
        let store = text(.store) ?? ""
        try checkText(.store, store, name: "store")
        let purchase = PurchaseRecorded(orderID: orderID, amount: amount, lineItems: lineItems, channel: channel, store: store)
        return CSVPurchaseRow(line: record.line, customerID: customer, occurredAt: occurredAt, purchase: purchase)
    }

    /// Applies the business rules' length and NUL checks of a text field while its column is
    /// still known, so that the error names the column and not only the line.
    private func checkText(_ field: CSVField, _ value: String, name: String, limit: Int = 4096) throws(CSVImportError) {
        do {
            try ProjectionWorkspace.checkText(value, field: name, limit: limit)
        } catch let violation as RuleViolation {
            throw error(field, violation.reason)
        } catch {
            throw self.error(field, "\(error)")
        }
    }

    private func money(_ field: CSVField, _ text: String, _ currency: Currency) throws(CSVImportError) -> Money {
        do {
            return try Money.parse(text, currency: currency)
        } catch {
            throw self.error(field, "invalid \(field.rawValue) \(shownValue(text)): \(error.reason)")
        }
    }

    private func quantity() throws(CSVImportError) -> Int64 {
        guard let text = text(.quantity) else { return 1 }
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(text),
            value <= CSVPurchaseImporter.maximumQuantity
        else {
            throw error(
                .quantity,
                "invalid quantity \(shownValue(text)); expected a whole number from 0 to \(CSVPurchaseImporter.maximumQuantity)")
        }
        return value
    }
}

/// Returns `value` in single quotes for an error message, with control characters and
/// backslashes escaped and anything after 64 characters cut, so that a hostile cell cannot
/// flood the terminal or send it escape sequences.
private func shownValue(_ value: String) -> String {
    let limit = 64
    var escaped = ""
    var count = 0
    for scalar in value.unicodeScalars {
        if count == limit {
            return "'\(escaped)…' (\(value.utf8.count) bytes)"
        }
        switch scalar.value {
        case 0x5C: escaped += "\\\\"
        case 0x00..<0x20, 0x7F..<0xA0: escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: escaped.unicodeScalars.append(scalar)
        }
        count += 1
    }
    return "'\(escaped)'"
}
