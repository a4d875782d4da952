import CustomerLedger
import Foundation
import Testing

@testable import LedgerCommandLine

/// Writes three CNY customers with Chinese and Latin names into a new ledger at `path`.
///
/// The `Ledger` is released when this function returns, which closes the LMDB environment
/// before the CLI opens the same folder.
private func writeNamedCustomers(at path: String) throws {
    let ledger = try Ledger(path: path, options: .init(program: LoyaltyProgram(currency: .cny), masterKey: TestKey.key))
    func instant(_ text: String) throws -> Timestamp {
        try #require(Timestamp(parsing: text), "invalid test instant '\(text)'")
    }
    func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

    let customers: [(id: UInt64, name: String, registered: String, purchases: [(String, Int64)])] = [
        (1, "张伟", "2024-01-05", [("2024-02-01", 128_000), ("2024-03-01", 22_050)]),
        (2, "欧阳娜娜", "2024-01-02", [("2024-01-20", 300_000), ("2024-02-10", 45_678), ("2024-03-05", 10_000)]),
        (3, "Bob", "2024-01-03", [("2024-03-10", 9_950)]),
    ]
    var events: [NewEvent] = []
    for customer in customers {
        let id = try #require(CustomerID(customer.id))
        events.append(
            NewEvent(
                customerID: id, occurredAt: try instant(customer.registered),
                payload: .customerRegistered(CustomerRegistered(profile: CustomerProfile(name: customer.name, city: "上海")))))
        for (index, (date, minorUnits)) in customer.purchases.enumerated() {
            events.append(
                NewEvent(
                    customerID: id, occurredAt: try instant(date),
                    payload: .purchaseRecorded(
                        PurchaseRecorded(orderID: "T-\(customer.id)-\(index + 1)", amount: cny(minorUnits)))))
        }
    }
    try ledger.append(events)
}

/// Returns the display columns that each table column occupies, read from the underline of dashes.
private func columnSpans(underline: String) -> [Range<Int>] {
    var spans: [Range<Int>] = []
    var column = 0
    var start: Int?
    for character in underline {
        if character == "-" {
            if start == nil { start = column }
        } else if let open = start {
            spans.append(open..<column)
            start = nil
        }
        column += DisplayWidth.of(character)
    }
    if let open = start { spans.append(open..<column) }
    return spans
}

/// Splits a table line into the text of each column span, measuring in display columns.
///
/// Returns `nil` when a character straddles a span boundary or something other than a space
/// is between two spans, which means that the line is not aligned with the underline.
private func cells(of line: String, spans: [Range<Int>]) -> [String]? {
    var cells = Array(repeating: "", count: spans.count)
    var column = 0
    for character in line {
        let width = DisplayWidth.of(character)
        if let index = spans.firstIndex(where: { $0.contains(column) }) {
            let isLast = index == spans.count - 1
            if !isLast && column + width > spans[index].upperBound { return nil }
            cells[index].append(character)
        } else if character != " " {
            return nil
        }
        column += width
    }
    return cells
}

@Suite("Tables with wide characters")
struct WideCharacterTableTests {
    @Test func topAlignsChineseNames() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/ledger.db"
            try writeNamedCustomers(at: database)

            let result = try await LedgerProcess.run(["top", "--db", database], database: folder + "/unused.db")
            #expect(result.status == 0, "\(result)")
            let lines = result.outputLines
            try #require(lines.count == 5, "\(result)")

            let spans = columnSpans(underline: lines[1])
            try #require(spans.count == 7, "underline '\(lines[1])' does not have 7 columns")
            let header = try #require(cells(of: lines[0], spans: spans), "header is not aligned:\n\(result.standardOutput)")
            let headerCells = header.map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(headerCells == ["#", "CUSTOMER", "NAME", "NET SPEND", "PURCHASES", "POINTS", "TIER"])

            let expectedRows = [
                ["1", "2", "欧阳娜娜", "3,556.78 CNY", "3", "3,556", "core"],
                ["2", "1", "张伟", "1,500.50 CNY", "2", "1,500", "core"],
                ["3", "3", "Bob", "99.50 CNY", "1", "99", "ordinary"],
            ]
            // Which columns TopCommand right-aligns; the others start at the span's first column.
            let rightAligned = [true, true, false, true, true, true, false]
            for (line, expected) in zip(lines.dropFirst(2), expectedRows) {
                let row = try #require(cells(of: line, spans: spans), "row is not aligned with the header: '\(line)'")
                #expect(row.map { $0.trimmingCharacters(in: .whitespaces) } == expected, "row '\(line)'")
                for (index, cell) in row.enumerated() {
                    if rightAligned[index] {
                        #expect(DisplayWidth.of(cell) == spans[index].count, "cell '\(cell)' does not end at the column's end")
                        #expect(cell.last != " ", "cell '\(cell)' does not end at the column's end")
                    } else {
                        #expect(cell.first != " ", "cell '\(cell)' does not start at the column's start")
                    }
                }
            }
            #expect(lines.last?.contains("Bob") == true)
        }
    }
}
