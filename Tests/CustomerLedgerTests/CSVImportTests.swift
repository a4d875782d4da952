import Foundation
import Testing

@testable import CustomerLedger

private func parse(_ text: String) throws(CSVImportError) -> (header: [String], records: [CSVRecord]) {
    try CSVParser.parse(Array(text.utf8))
}

private let shopMapping = try! CSVColumnMapping(
    parsing: "member=customer,order_no=order,total=amount,paid_at=occurred_at,item=sku,qty=quantity,price=unit_price,kind=category,via=channel,shop=store")

/// Parses `text` as purchase rows with ``shopMapping`` in CNY.
private func rows(_ text: String) throws(CSVImportError) -> [CSVPurchaseRow] {
    try CSVPurchaseImporter.parse(Array(text.utf8), mapping: shopMapping, currency: .cny)
}

private let shopHeader = "member,order_no,total,paid_at,item,qty,price,kind,via,shop\r\n"

@Suite struct CSVParserTests {
    @Test func quotedFieldsFollowRFC4180() throws {
        let text = "\u{FEFF}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\r\n\"two\nlines\",2,3\nlast,,\"\""

        let (header, records) = try parse(text)

        #expect(header == ["a", "b", "c"])
        #expect(records == [
            CSVRecord(line: 2, fields: ["x, y", "say \"hi\"", ""]),
            CSVRecord(line: 3, fields: ["two\nlines", "2", "3"]),
            CSVRecord(line: 5, fields: ["last", "", ""]),
        ])
    }

    @Test func trailingBlankLinesAllowed() throws {
        #expect(try parse("a,b\n1,2\n\n\r\n").records == [CSVRecord(line: 2, fields: ["1", "2"])])
    }

    @Test(arguments: [
        ("", CSVImportError(line: 1, column: nil, message: "the file is empty; expected a header row with the column names")),
        ("a,b\n1,2\n\n3,4\n", CSVImportError(
            line: 3, column: nil, message: "the line is blank; blank lines are allowed only at the end of the file")),
        ("a,b\n1,2,3\n", CSVImportError(
            line: 2, column: nil,
            message: "found 3 fields, but the header has 2 columns; quote fields that contain commas")),
        ("a,b\n1,x\"y\n", CSVImportError(
            line: 2, column: "b",
            message: "a double quote inside an unquoted field; quote the whole field and write the quote twice (\"\")")),
        ("a,b\n\"1\"x,2\n", CSVImportError(
            line: 2, column: "a",
            message: "found 'x' after the closing quote; a quoted field must end at a comma or a line end, and a quote inside it is written twice (\"\")")),
        ("a,b\n1,\"open\n2,3\n", CSVImportError(line: 2, column: "b", message: "the quoted field that starts here has no closing quote")),
        ("a,b\n1\r2,3\n", CSVImportError(
            line: 2, column: "a", message: "a carriage return (0x0D) without a line feed after it; end lines with CRLF or LF")),
        (",\n1,2\n", CSVImportError(line: 1, column: nil, message: "the header row is blank; the first line must name the columns")),
    ])
    func invalidTextRejected(text: String, expected: CSVImportError) {
        #expect(throws: expected) { try parse(text) }
    }

    @Test func invalidUTF8Rejected() {
        var bytes = Array("a,b\n1,ok\n2,caf".utf8)
        bytes += [0xE9, 0x0A]

        #expect(throws: CSVImportError(
            line: 3, column: "b",
            message: "the field contains the invalid UTF-8 byte 0xE9 at byte 4 of the field; save the file as UTF-8")
        ) { try CSVParser.parse(bytes) }
    }
}

@Suite struct CSVColumnMappingTests {
    @Test func mappingNamesColumns() throws {
        let mapping = try CSVColumnMapping(parsing: "id=customer,no=order,a=b=amount,when=occurred_at")

        #expect(mapping.columns == [.customer: "id", .order: "no", .amount: "a=b", .occurredAt: "when"])
    }

    @Test(arguments: [
        ("id=customer,no=order,total=amount", "invalid column mapping: the mapping names no column for occurred_at; the fields customer, order, amount and occurred_at are required"),
        ("id=customer,no=order,total=amount,t=occurred_at,x=colour", "invalid column mapping: unknown field 'colour' in 'x=colour'; the fields are customer, order, amount, currency, occurred_at, sku, quantity, unit_price, category, channel, store"),
        ("id=customer,id2=customer", "invalid column mapping: the field customer is mapped twice"),
        ("id=customer,id=order", "invalid column mapping: the column 'id' is mapped twice"),
        ("id", "invalid column mapping: 'id' is not COLUMN=FIELD, such as total=amount"),
        ("=customer", "invalid column mapping: '=customer' is not COLUMN=FIELD, such as total=amount"),
    ])
    func invalidMappingRejected(text: String, message: String) {
        #expect(throws: CSVImportError(line: 0, column: nil, message: message)) { try CSVColumnMapping(parsing: text) }
    }
}

@Suite struct CSVPurchaseImporterTests {
    @Test func rowsBecomePurchases() throws {
        let parsed = try rows(
            shopHeader + "42,SO-1,128.80,2024-03-02T15:30:00+08:00,TEA-01,2,64.40,tea,store,SH-1\r\n"
                + "42,SO-2,10,2024-03-03,,,,,,\r\n" + "7,SO-3,9.99,2024-03-04,CD,3,,,,\r\n")

        #expect(parsed == [
            CSVPurchaseRow(
                line: 2, customerID: customer(42), occurredAt: time("2024-03-02T07:30:00Z"),
                purchase: PurchaseRecorded(
                    orderID: "SO-1", amount: cny("128.80"),
                    lineItems: [LineItem(sku: "TEA-01", quantity: 2, unitPrice: 6_440, category: "tea")], channel: "store",
                    store: "SH-1")),
            CSVPurchaseRow(
                line: 3, customerID: customer(42), occurredAt: time("2024-03-03"),
                purchase: PurchaseRecorded(orderID: "SO-2", amount: cny("10.00"))),
            CSVPurchaseRow(
                line: 4, customerID: customer(7), occurredAt: time("2024-03-04"),
                purchase: PurchaseRecorded(
                    orderID: "SO-3", amount: cny("9.99"), lineItems: [LineItem(sku: "CD", quantity: 3, unitPrice: 333)])),
        ])
    }

    @Test func currencyColumnSetsDecimals() throws {
        let mapping = try CSVColumnMapping(parsing: "c=customer,o=order,a=amount,t=occurred_at,cur=currency")
        let text = "c,o,a,t,cur\n1,A,1500,2024-01-01,JPY\n1,B,1.250,2024-01-02,KWD\n"

        let parsed = try CSVPurchaseImporter.parse(Array(text.utf8), mapping: mapping, currency: .cny)

        #expect(parsed.map(\.purchase.amount) == [
            Money(minorUnits: 1_500, currency: Currency("JPY")!), Money(minorUnits: 1_250, currency: Currency("KWD")!),
        ])
    }

    @Test(arguments: [
        ("x,SO-1,1.00,2024-01-01,,,,,,", "member", "invalid customer id 'x'; expected a positive integer such as 42"),
        ("0,SO-1,1.00,2024-01-01,,,,,,", "member", "invalid customer id '0'; expected a positive integer such as 42"),
        ("1,,1.00,2024-01-01,,,,,,", "order_no", "the order is empty; every row needs one"),
        ("1,SO-1,1.005,2024-01-01,,,,,,", "total", "invalid amount '1.005': CNY has 2 decimal places, the amount has 3"),
        ("1,SO-1,-1.00,2024-01-01,,,,,,", "total", "invalid amount '-1.00': negative amounts are not allowed"),
        ("1,SO-1,1e3,2024-01-01,,,,,,", "total", "invalid amount '1e3': expected digits with an optional decimal point"),
        ("1,SO-1,1.00,2024-13-01,,,,,,", "paid_at", "invalid time '2024-13-01'; expected YYYY-MM-DD (midnight UTC) or ISO 8601 such as 2024-03-01T08:00:00+08:00"),
        ("1,SO-1,1.00,2024-01-01,CD,-1,,,,", "qty", "invalid quantity '-1'; expected a whole number from 0 to 1000000"),
        ("1,SO-1,1.00,2024-01-01,CD,1,0.001,,,", "price", "invalid unit_price '0.001': CNY has 2 decimal places, the amount has 3"),
        ("1,SO-1,1.00,2024-01-01,,2,,,,", "qty", "the row has a quantity but no sku; a line item needs its sku"),
    ])
    func invalidRowRejected(row: String, column: String, message: String) {
        #expect(throws: CSVImportError(line: 3, column: column, message: message)) {
            try rows(shopHeader + "1,SO-0,1.00,2024-01-01,,,,,,\r\n" + row + "\r\n")
        }
    }

    @Test func missingColumnRejected() {
        #expect(throws: CSVImportError(
            line: 1, column: nil,
            message: "the header has no column 'shop' for the field store; its columns are 'member', 'order_no', 'total', 'paid_at', 'item', 'qty', 'price', 'kind', 'via'")
        ) { try rows("member,order_no,total,paid_at,item,qty,price,kind,via\n") }
    }

    @Test func importRegistersUnknownCustomers() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/ledger")
        try ledger.append(registration(customer: 7, at: time("2023-01-01")))
        let parsed = try rows(
            shopHeader + "42,SO-1,10.00,2024-03-05,,,,,,\n7,SO-2,20.00,2024-03-04,,,,,,\n42,SO-3,30.00,2024-03-01,,,,,,\n")

        let summary = try CSVPurchaseImporter.importRows(parsed, into: ledger)

        #expect(summary == CSVPurchaseImporter.Summary(rows: 3, eventsAppended: 4, eventsAlreadyPresent: 0, customersRegistered: 1))
        let history = try ledger.history(of: customer(42))
        #expect(history.map(\.typeName) == ["CustomerRegistered", "PurchaseRecorded", "PurchaseRecorded"])
        // The registration occurs at the customer's earliest row, although a later row comes first.
        #expect(history[0].occurredAt == time("2024-03-01"))
        #expect(history[0].metadata.source == "csv")
        #expect(try ledger.customer(customer(7))?.purchaseCount == 1)
    }

    @Test func reimportAppendsNothing() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/ledger")
        let parsed = try rows(shopHeader + "42,SO-1,10.00,2024-03-05,,,,,,\n43,SO-1,20.00,2024-03-04,CD,1,,,,\n")
        try CSVPurchaseImporter.importRows(parsed, into: ledger)
        let head = try ledger.head()

        let again = try CSVPurchaseImporter.importRows(parsed, into: ledger)

        #expect(again == CSVPurchaseImporter.Summary(rows: 2, eventsAppended: 0, eventsAlreadyPresent: 2, customersRegistered: 0))
        #expect(try ledger.head() == head)
    }

    @Test func changedRowRejectedWithLine() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/ledger")
        try CSVPurchaseImporter.importRows(try rows(shopHeader + "42,SO-1,10.00,2024-03-05,,,,,,\n"), into: ledger)
        let head = try ledger.head()
        let changed = try rows(shopHeader + "42,SO-0,5.00,2024-03-06,,,,,,\n42,SO-1,11.00,2024-03-05,,,,,,\n")

        let error = #expect(throws: ImportRowError.self) { try CSVPurchaseImporter.importRows(changed, into: ledger) }

        #expect(error?.line == 3)
        #expect(error?.reason.hasPrefix("an earlier import recorded this customer's order at position 2 with other content") == true)
        #expect(try ledger.head() == head)
    }

    @Test func brokenRuleNamesLine() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/ledger")
        let parsed = try rows(shopHeader + "42,SO-1,10.00,2024-03-05,,,,,,\n42,SO-1,12.00,2024-03-06,,,,,,\n")

        let error = #expect(throws: ImportRowError.self) { try CSVPurchaseImporter.importRows(parsed, into: ledger) }

        #expect(error?.line == 3)
        #expect(try ledger.lastPosition() == 0)
    }

    @Test func identicalRowsRejected() throws {
        let folder = try TemporaryDirectory()
        let ledger = try openLedger(at: folder.path + "/ledger")
        let parsed = try rows(shopHeader + "5,SO-5,5.00,2024-03-01,,,,,,\n5,SO-5,5.00,2024-03-01,,,,,,\n")

        let error = #expect(throws: ImportRowError.self) { try CSVPurchaseImporter.importRows(parsed, into: ledger) }

        #expect(error?.line == 3)
        #expect(
            error?.reason
                == "order 'SO-5' of customer 5 is also on line 2; one row is one purchase, so combine the rows into one")
        #expect(try ledger.lastPosition() == 0)
    }
}
