import Foundation
import Testing

/// One CSV file that `ledger import csv` must handle: its bytes, the arguments after the file
/// and the expected outcome.
struct HostileCSVCase: Sendable, CustomTestStringConvertible {
    static let header = "customer,order,amount,occurred_at\n"
    static let map = "customer=customer,order=order,amount=amount,occurred_at=occurred_at"

    let name: String
    let contents: [UInt8]
    var arguments: [String] = ["--map", HostileCSVCase.map]
    /// False to pass the path of a file that does not exist.
    var createsFile = true
    let status: Int32
    /// For a rejected file, the first line of standard error after `ledger import csv: `, with
    /// `FILE` for the CSV file's path. For an accepted file, the whole standard output.
    let output: String

    var testDescription: String { name }

    /// Returns a file of the standard header and `rows`, with LF line ends.
    static func rows(_ rows: String...) -> [UInt8] {
        Array((header + rows.map { $0 + "\n" }.joined()).utf8)
    }

    /// Returns the standard header and one row whose customer, order, amount and time are given as bytes.
    static func row(customer: [UInt8] = Array("1".utf8), order: [UInt8] = Array("A".utf8), amount: [UInt8] = Array("1.00".utf8)) -> [UInt8] {
        Array(header.utf8) + customer + [0x2C] + order + [0x2C] + amount + Array(",1997-01-01\n".utf8)
    }
}

@Suite("ledger import csv with hostile input")
struct HostileCSVInputTests {
    static let megabyte = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
    static let timeHint = "expected YYYY-MM-DD (midnight UTC) or ISO 8601 such as 2024-03-01T08:00:00+08:00"
    static let customerHint = "expected a positive integer such as 42"

    /// Files that are rejected with exit code 65, 64 or 66.
    static let rejected: [HostileCSVCase] = [
        HostileCSVCase(
            name: "impossible date", contents: HostileCSVCase.rows("1,A,1.00,1997-02-30"), status: 65,
            output: "FILE: line 2, column occurred_at: invalid time '1997-02-30'; \(timeHint); nothing was written"),
        HostileCSVCase(
            name: "three decimals in CNY", contents: HostileCSVCase.rows("1,A,1.234,1997-01-01"), status: 65,
            output: "FILE: line 2, column amount: invalid amount '1.234': CNY has 2 decimal places, the amount has 3; nothing was written"),
        HostileCSVCase(
            name: "decimals in JPY", contents: HostileCSVCase.rows("1,A,1.5,1997-01-01"),
            arguments: ["--map", HostileCSVCase.map, "--currency", "JPY"], status: 65,
            output: "FILE: line 2, column amount: invalid amount '1.5': JPY has 0 decimal places, the amount has 1; nothing was written"),
        HostileCSVCase(
            name: "negative amount", contents: HostileCSVCase.rows("1,A,-1.00,1997-01-01"), status: 65,
            output: "FILE: line 2, column amount: invalid amount '-1.00': negative amounts are not allowed; nothing was written"),
        HostileCSVCase(
            name: "amount beyond Int64", contents: HostileCSVCase.rows("1,A,92233720368547758.08,1997-01-01"), status: 65,
            output: "FILE: line 2, column amount: invalid amount '92233720368547758.08': the amount exceeds the largest storable amount; nothing was written"),
        HostileCSVCase(
            name: "amount over 10^15 minor units", contents: HostileCSVCase.rows("1,A,10000000000000.01,1997-01-01"), status: 65,
            output: "FILE: line 2, column amount: invalid amount '10000000000000.01': it exceeds the limit of 1000000000000000 minor units per purchase; nothing was written"),
        HostileCSVCase(
            name: "invalid UTF-8 in a row", contents: HostileCSVCase.row(order: [0x41, 0xFF]), status: 65,
            output: "FILE: line 2, column order: the field contains the invalid UTF-8 byte 0xFF at byte 2 of the field; save the file as UTF-8; nothing was written"),
        HostileCSVCase(
            name: "Latin-1 header", contents: Array("customer,order,amount,occurred_at,caf".utf8) + [0xE9, 0x0A] + Array("1,A,1.00,1997-01-01,x\n".utf8),
            status: 65,
            output: "FILE: line 1: the field contains the invalid UTF-8 byte 0xE9 at byte 4 of the field; save the file as UTF-8; nothing was written"),
        HostileCSVCase(
            name: "empty file", contents: [], status: 65,
            output: "FILE: line 1: the file is empty; expected a header row with the column names; nothing was written"),
        HostileCSVCase(
            name: "missing header", contents: Array("1,A,1.00,1997-01-01\n2,B,2.00,1997-01-02\n".utf8), status: 65,
            output: "FILE: line 1: the header has no column 'customer' for the field customer; its columns are '1', 'A', '1.00', '1997-01-01'; nothing was written"),
        HostileCSVCase(
            name: "extra column", contents: HostileCSVCase.rows("1,A,1.00,1997-01-01,x"), status: 65,
            output: "FILE: line 2: found 5 fields, but the header has 4 columns; quote fields that contain commas; nothing was written"),
        HostileCSVCase(
            name: "missing column", contents: HostileCSVCase.rows("1,A,1.00,1997-01-01", "2,B,2.00"), status: 65,
            output: "FILE: line 3: found 3 fields, but the header has 4 columns; quote fields that contain commas; nothing was written"),
        HostileCSVCase(
            name: "1 MB order id", contents: HostileCSVCase.row(order: megabyte), status: 65,
            output: "FILE: line 2, column order: the order id is 1048576 bytes long; the limit is 256 bytes; nothing was written"),
        HostileCSVCase(
            name: "1 MB SKU",
            contents: Array("customer,order,amount,occurred_at,sku\n1,A,1.00,1997-01-01,".utf8) + megabyte + [0x0A],
            arguments: ["--map", HostileCSVCase.map + ",sku=sku"], status: 65,
            output: "FILE: line 2, column sku: the SKU is 1048576 bytes long; the limit is 4096 bytes; nothing was written"),
        HostileCSVCase(
            name: "1 MB amount", contents: HostileCSVCase.row(amount: [UInt8](repeating: UInt8(ascii: "9"), count: 1 << 20)), status: 65,
            output: "FILE: line 2, column amount: invalid amount '\(String(repeating: "9", count: 64))…' (1048576 bytes): the amount exceeds the largest storable amount; nothing was written"),
        HostileCSVCase(
            name: "NUL in order id", contents: HostileCSVCase.row(order: [0x41, 0x00, 0x42]), status: 65,
            output: "FILE: line 2, column order: the order id contains a NUL byte; nothing was written"),
        HostileCSVCase(
            name: "NUL in customer id", contents: HostileCSVCase.row(customer: [0x31, 0x00]), status: 65,
            output: "FILE: line 2, column customer: invalid customer id '1\\u{0}'; \(customerHint); nothing was written"),
        HostileCSVCase(
            name: "escape sequence in time", contents: HostileCSVCase.rows("1,A,1.00,\u{1B}[31m1997-01-01"), status: 65,
            output: "FILE: line 2, column occurred_at: invalid time '\\u{1B}[31m1997-01-01'; \(timeHint); nothing was written"),
    ] + ["0", "-1", "abc", "1.5", "18446744073709551616", " 1"].map { id in
        HostileCSVCase(
            name: "customer id '\(id)'", contents: HostileCSVCase.rows("\(id),A,1.00,1997-01-01"), status: 65,
            output: "FILE: line 2, column customer: invalid customer id '\(id)'; \(customerHint); nothing was written")
    } + [
        HostileCSVCase(
            name: "missing file", contents: [], createsFile: false, status: 66,
            output: "CSV file 'FILE' not found; check the path"),
        HostileCSVCase(
            name: "missing --map", contents: HostileCSVCase.rows("1,A,1.00,1997-01-01"), arguments: [], status: 64,
            output: "missing option '--map COLUMN=FIELD,...'; name the columns of customer, order, amount and occurred_at, such as --map member=customer,order_no=order,total=amount,paid_at=occurred_at"),
        HostileCSVCase(
            name: "unknown --currency", contents: HostileCSVCase.rows("1,A,1.00,1997-01-01"),
            arguments: ["--map", HostileCSVCase.map, "--currency", "XYZ"], status: 64,
            output: "invalid currency 'XYZ' for --currency; expected an ISO 4217 code such as CNY or USD"),
    ]

    /// Files that are imported: a byte order mark, mixed line ends, no rows and a long unmapped cell.
    static let accepted: [HostileCSVCase] = [
        HostileCSVCase(
            name: "byte order mark", contents: [0xEF, 0xBB, 0xBF] + HostileCSVCase.rows("1,A,1.00,1997-01-01"), status: 0,
            output: "imported 1 row from FILE: 2 events appended (1 new customer), 0 already present\n"),
        HostileCSVCase(
            name: "mixed CRLF and LF",
            contents: Array("customer,order,amount,occurred_at\r\n1,A,1.00,1997-01-01\n2,B,2.00,1997-01-02\r\n".utf8), status: 0,
            output: "imported 2 rows from FILE: 4 events appended (2 new customers), 0 already present\n"),
        HostileCSVCase(
            name: "header only", contents: Array(HostileCSVCase.header.utf8), status: 0,
            output: "imported 0 rows from FILE: 0 events appended (0 new customers), 0 already present\n"),
        HostileCSVCase(
            name: "1 MB unmapped cell",
            contents: Array("customer,order,amount,occurred_at,note\n1,A,1.00,1997-01-01,\"a,\r\nb\"\"".utf8) + megabyte + Array("\"\n".utf8),
            status: 0,
            output: "imported 1 row from FILE: 2 events appended (1 new customer), 0 already present\n"),
    ]

    /// Writes the case's file, unless it must be missing, and returns its path.
    static func write(_ hostile: HostileCSVCase, in folder: String) throws -> String {
        let file = folder + "/hostile.csv"
        if hostile.createsFile {
            try Data(hostile.contents).write(to: URL(fileURLWithPath: file))
        }
        return file
    }

    /// Creates a ledger with one imported purchase of customer 9 and returns its `ledger head` output.
    static func seedLedger(at database: String, in folder: String) async throws -> String {
        let seed = folder + "/seed.csv"
        try Data(HostileCSVCase.rows("9,SEED,1.00,1997-01-01")).write(to: URL(fileURLWithPath: seed))
        let imported = try await LedgerProcess.run(["import", "csv", seed, "--map", HostileCSVCase.map], database: database)
        try #require(imported.status == 0, "\(imported)")
        let head = try await LedgerProcess.run(["head"], database: database)
        try #require(head.status == 0, "\(head)")
        return head.standardOutput
    }

    @Test(arguments: rejected)
    func rejectedFileCreatesNoLedger(_ hostile: HostileCSVCase) async throws {
        try await withTemporaryFolder { folder in
            let file = try Self.write(hostile, in: folder)
            let database = folder + "/new.db"

            let result = try await LedgerProcess.run(["import", "csv", file] + hostile.arguments, database: database)

            #expect(result.status == hostile.status, "\(result)")
            let firstLine = result.standardError.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
            #expect(firstLine == "ledger import csv: " + hostile.output.replacingOccurrences(of: "FILE", with: file), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database), "\(result)")
        }
    }

    @Test(arguments: rejected)
    func rejectedFileLeavesLedgerHead(_ hostile: HostileCSVCase) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shop.db"
            let headBefore = try await Self.seedLedger(at: database, in: folder)
            let file = try Self.write(hostile, in: folder)

            let result = try await LedgerProcess.run(["import", "csv", file] + hostile.arguments, database: database)

            #expect(result.status == hostile.status, "\(result)")
            #expect(result.standardError.contains(file) || hostile.status == 64, "\(result)")
            let headAfter = try await LedgerProcess.run(["head"], database: database)
            #expect(headAfter.status == 0, "\(headAfter)")
            #expect(headAfter.standardOutput == headBefore)
            #expect(try FileManager.default.contentsOfDirectory(atPath: database).sorted() == ["data.mdb", "lock.mdb"])
        }
    }

    @Test(arguments: accepted)
    func acceptedFileImports(_ hostile: HostileCSVCase) async throws {
        try await withTemporaryFolder { folder in
            let file = try Self.write(hostile, in: folder)
            let database = folder + "/new.db"

            let result = try await LedgerProcess.run(["import", "csv", file] + hostile.arguments, database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput == hostile.output.replacingOccurrences(of: "FILE", with: file), "\(result)")
            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func headerOnlyLeavesLedgerHead() async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shop.db"
            let headBefore = try await Self.seedLedger(at: database, in: folder)
            let file = folder + "/empty.csv"
            try HostileCSVCase.header.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await LedgerProcess.run(["import", "csv", file, "--map", HostileCSVCase.map], database: database)

            #expect(result.status == 0, "\(result)")
            let headAfter = try await LedgerProcess.run(["head"], database: database)
            #expect(headAfter.standardOutput == headBefore)
        }
    }

    @Test func byteOrderMarkIsNotPartOfFirstColumn() async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/bom.csv"
            try Data([0xEF, 0xBB, 0xBF] + HostileCSVCase.rows("42,A,128.80,1997-01-01")).write(to: URL(fileURLWithPath: file))
            let database = folder + "/shop.db"

            let imported = try await LedgerProcess.run(["import", "csv", file, "--map", HostileCSVCase.map], database: database)
            let history = try await LedgerProcess.run(["history", "42", "--json"], database: database)

            #expect(imported.status == 0, "\(imported)")
            #expect(history.standardOutput.contains("\"amount\":{\"minor_units\":12880,\"currency\":\"CNY\"}"), "\(history)")
        }
    }
}
