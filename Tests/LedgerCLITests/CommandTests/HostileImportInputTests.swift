import Foundation
import Testing

// The hostile-input tables of `ledger import cdnow` and `ledger import jsonl`, like the one of
// `ledger import csv`. Each rejected file gets a message naming its line and field, exit code 65
// and nothing written. The accepted ones import.

/// One CDNOW file that `ledger import cdnow` must handle.
struct HostileCDNOWCase: Sendable, CustomTestStringConvertible {
    static let header = "customer_id date number_of_cds dollar_value\r\n"

    let name: String
    let contents: [UInt8]
    let status: Int32
    /// For a rejected file, the first line of standard error after `ledger import: `, with `FILE`
    /// for the file's path. For an accepted file, the whole standard output.
    let output: String

    var testDescription: String { name }

    /// Returns the header and `rows`, with CRLF line ends as in the published file.
    static func rows(_ rows: String...) -> [UInt8] {
        Array((header + rows.map { $0 + "\r\n" }.joined()).utf8)
    }
}

/// One change to a real export that `ledger import jsonl` must reject or accept.
struct HostileJSONLinesCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Returns the file's bytes from the lines of an export of two CDNOW purchases: the header,
    /// then a registration and a purchase of customer 1, then the same of customer 2.
    let edit: @Sendable ([String]) -> [UInt8]
    let status: Int32
    /// The start of the first line of standard error after `ledger import jsonl: FILE: `, or of
    /// standard output for an accepted file. Hash values depend on the export's times, so a
    /// prefix is compared.
    let outputPrefix: String

    var testDescription: String { name }

    /// Returns the lines joined with LF, after replacing `old` with `new` in line `index` (0 is the header).
    static func replacing(_ old: String, with new: String, inLine index: Int) -> @Sendable ([String]) -> [UInt8] {
        { lines in
            var edited = lines
            edited[index] = edited[index].replacingOccurrences(of: old, with: new)
            return Array(edited.joined(separator: "\n").utf8)
        }
    }
}

@Suite("ledger import cdnow with hostile input")
struct HostileCDNOWInputTests {
    static let rejected: [HostileCDNOWCase] = [
        HostileCDNOWCase(
            name: "impossible date", contents: HostileCDNOWCase.rows(" 00001  19970230  1  11.77"), status: 65,
            output: "FILE: line 2, field date: invalid date '19970230' (February 1997 has 28 days); expected YYYYMMDD; nothing was written"),
        HostileCDNOWCase(
            name: "ISO date", contents: HostileCDNOWCase.rows(" 00001  1997-01-01  1  11.77"), status: 65,
            output: "FILE: line 2, field date: invalid date '1997-01-01'; expected YYYYMMDD, such as 19970101; nothing was written"),
        HostileCDNOWCase(
            name: "three decimals", contents: HostileCDNOWCase.rows(" 00001  19970101  1  11.777"), status: 65,
            output: "FILE: line 2, field dollar_value: invalid amount '11.777': found 3 decimals, expected exactly two; round to whole cents; nothing was written"),
        HostileCDNOWCase(
            name: "negative amount", contents: HostileCDNOWCase.rows(" 00001  19970101  1  -11.77"), status: 65,
            output: "FILE: line 2, field dollar_value: invalid amount '-11.77': negative amounts are not allowed; expected 0.00 or more with two decimals; nothing was written"),
        HostileCDNOWCase(
            name: "amount beyond Int64", contents: HostileCDNOWCase.rows(" 00001  19970101  1  92233720368547758.08"), status: 65,
            output: "FILE: line 2, field dollar_value: invalid amount '92233720368547758.08': the amount in cents overflows Int64, whose maximum is 9223372036854775807; nothing was written"),
        HostileCDNOWCase(
            name: "invalid UTF-8", contents: Array((HostileCDNOWCase.header + " 00001  19970101  1  11.7").utf8) + [0xFF, 0x0D, 0x0A], status: 65,
            output: "FILE: line 2, field dollar_value: '11.7\\xFF' contains the invalid UTF-8 byte 0xFF at column 26; save the file as UTF-8 (a CDNOW file contains only ASCII); nothing was written"),
        HostileCDNOWCase(
            name: "empty file", contents: [], status: 65,
            output: "FILE: line 1, field header: the file is empty; expected a header line 'customer_id date number_of_cds dollar_value' followed by one purchase per line; nothing was written"),
        HostileCDNOWCase(
            name: "missing header", contents: Array(" 00001  19970101  1  11.77\r\n".utf8), status: 65,
            output: "FILE: line 1, field header: missing header: the first line '00001  19970101  1  11.77' is a data row; add the line 'customer_id date number_of_cds dollar_value' above it; nothing was written"),
        HostileCDNOWCase(
            name: "extra column", contents: HostileCDNOWCase.rows(" 00001  19970101  1  11.77  x"), status: 65,
            output: "FILE: line 2, field line: found 5 fields in '00001  19970101  1  11.77  x', expected 4 (customer_id date number_of_cds dollar_value) separated by spaces or tabs; nothing was written"),
        HostileCDNOWCase(
            name: "missing column", contents: HostileCDNOWCase.rows(" 00001  19970101  1"), status: 65,
            output: "FILE: line 2, field line: found 3 fields in '00001  19970101  1', expected 4 (customer_id date number_of_cds dollar_value) separated by spaces or tabs; nothing was written"),
        HostileCDNOWCase(
            name: "NUL byte", contents: HostileCDNOWCase.rows(" 00001  19970101  1  11.\u{0}77"), status: 65,
            output: "FILE: line 2, field dollar_value: '11.\\x0077' contains the control character 0x00 (NUL) at column 25; remove it; nothing was written"),
        HostileCDNOWCase(
            name: "1 MB line", contents: HostileCDNOWCase.rows(" 00001  19970101  1  " + String(repeating: "9", count: 1 << 20)), status: 65,
            output: "FILE: line 2, field line: line ' 00001  19970101  1  9999999999999999999…' (1048597 bytes) is longer than the limit of 4,096 bytes; check that the file is a CDNOW text file with one purchase per line; nothing was written"),
        HostileCDNOWCase(
            name: "negative CD count", contents: HostileCDNOWCase.rows(" 00001  19970101  -1  11.77"), status: 65,
            output: "FILE: line 2, field number_of_cds: invalid number of CDs '-1': expected a non-negative integer of ASCII digits, such as 1; nothing was written"),
        HostileCDNOWCase(
            name: "customer id 0", contents: HostileCDNOWCase.rows(" 00000  19970101  1  11.77"), status: 65,
            output: "FILE: line 2, field customer_id: invalid customer id '00000': customer ids start at 1; nothing was written"),
        HostileCDNOWCase(
            name: "customer id beyond UInt64", contents: HostileCDNOWCase.rows(" 18446744073709551616  19970101  1  11.77"), status: 65,
            output: "FILE: line 2, field customer_id: invalid customer id '18446744073709551616': the value overflows UInt64, whose maximum is 18446744073709551615; nothing was written"),
    ] + ["-1", "abc", "1.5"].map { id in
        HostileCDNOWCase(
            name: "customer id '\(id)'", contents: HostileCDNOWCase.rows(" \(id)  19970101  1  11.77"), status: 65,
            output: "FILE: line 2, field customer_id: invalid customer id '\(id)': expected only ASCII digits 0-9, such as 00001; nothing was written")
    }

    static let accepted: [HostileCDNOWCase] = [
        HostileCDNOWCase(
            name: "byte order mark", contents: [0xEF, 0xBB, 0xBF] + HostileCDNOWCase.rows(" 00001  19970101  1  11.77"), status: 0,
            output: "imported 1 row from FILE: 2 events appended (1 new customer), 0 already present\n"),
        HostileCDNOWCase(
            name: "mixed CRLF and LF",
            contents: Array("customer_id date number_of_cds dollar_value\n 00001  19970101  1  11.77\r\n 00002\t19970102\t1\t1.00\n".utf8),
            status: 0, output: "imported 2 rows from FILE: 4 events appended (2 new customers), 0 already present\n"),
        HostileCDNOWCase(
            name: "header only", contents: Array(HostileCDNOWCase.header.utf8), status: 0,
            output: "imported 0 rows from FILE: 0 events appended (0 new customers), 0 already present\n"),
    ]

    private static func write(_ contents: [UInt8], in folder: String) throws -> String {
        let file = folder + "/hostile.txt"
        try Data(contents).write(to: URL(fileURLWithPath: file))
        return file
    }

    @Test(arguments: rejected)
    func rejectedFileCreatesNoLedger(_ hostile: HostileCDNOWCase) async throws {
        try await withTemporaryFolder { folder in
            let file = try Self.write(hostile.contents, in: folder)
            let database = folder + "/new.db"

            let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)

            #expect(result.status == hostile.status, "\(result)")
            let firstLine = result.standardError.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
            #expect(firstLine == "ledger import: " + hostile.output.replacingOccurrences(of: "FILE", with: file), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database), "\(result)")
        }
    }

    @Test(arguments: rejected)
    func rejectedFileLeavesLedgerHead(_ hostile: HostileCDNOWCase) async throws {
        try await withTemporaryFolder { folder in
            let database = folder + "/shop.db"
            let seed = try Self.write(HostileCDNOWCase.rows(" 00009  19970101  1  1.00"), in: folder)
            let seeded = try await LedgerProcess.run(["import", "cdnow", seed], database: database)
            try #require(seeded.status == 0, "\(seeded)")
            let headBefore = try await LedgerProcess.run(["head"], database: database)
            let file = try Self.write(hostile.contents, in: folder)

            let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)

            #expect(result.status == hostile.status, "\(result)")
            #expect(result.standardError.contains(file), "\(result)")
            let headAfter = try await LedgerProcess.run(["head"], database: database)
            #expect(headAfter.status == 0, "\(headAfter)")
            #expect(headAfter.standardOutput == headBefore.standardOutput)
        }
    }

    @Test(arguments: accepted)
    func acceptedFileImports(_ hostile: HostileCDNOWCase) async throws {
        try await withTemporaryFolder { folder in
            let file = try Self.write(hostile.contents, in: folder)
            let database = folder + "/new.db"

            let result = try await LedgerProcess.run(["import", "cdnow", file], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput == hostile.output.replacingOccurrences(of: "FILE", with: file), "\(result)")
            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")
        }
    }
}

@Suite("ledger import jsonl with hostile input")
struct HostileJSONLinesInputTests {
    static let hashChanged = "line 2, field hash: the event hashes to "
    static let customerRange = "expected an integer from 0 to 18446744073709551615"

    static let rejected: [HostileJSONLinesCase] = [
        HostileJSONLinesCase(
            name: "empty file", edit: { _ in [] }, status: 65,
            outputPrefix: "line 1: the file is empty; expected a header line and one event per line, as 'ledger export' writes them; nothing was written"),
        HostileJSONLinesCase(
            name: "missing header", edit: { lines in Array(lines.dropFirst().joined(separator: "\n").utf8) }, status: 65,
            outputPrefix: "line 1, field position: unknown key; expected one of format, format_version, from_position"),
        HostileJSONLinesCase(
            name: "impossible date",
            edit: HostileJSONLinesCase.replacing("\"1997-01-01T00:00:00.000000Z\"", with: "\"1997-02-30T00:00:00.000000Z\"", inLine: 1),
            status: 65,
            outputPrefix: "line 2, field occurred_at: expected a UTC time such as \"2024-03-01T08:30:00.000000Z\", got \"1997-02-30T00:00:00.000000Z\"; nothing was written"),
        HostileJSONLinesCase(
            name: "decimal minor units", edit: HostileJSONLinesCase.replacing("\"minor_units\":1177", with: "\"minor_units\":11.77", inLine: 2),
            status: 65, outputPrefix: "line 3, field payload.amount.minor_units: expected an integer, got 11.77; nothing was written"),
        HostileJSONLinesCase(
            name: "negative amount", edit: HostileJSONLinesCase.replacing("\"minor_units\":1177", with: "\"minor_units\":-1177", inLine: 2),
            status: 65,
            outputPrefix: "line 3: rejected by a business rule: purchase amount -11.77 USD is negative; record returns as refunds; nothing was written"),
        HostileJSONLinesCase(
            name: "amount beyond Int64",
            edit: HostileJSONLinesCase.replacing("\"minor_units\":1177", with: "\"minor_units\":9223372036854775808", inLine: 2),
            status: 65,
            outputPrefix: "line 3, field payload.amount.minor_units: 9223372036854775808 is out of range; expected an integer from -9223372036854775808 to 9223372036854775807; nothing was written"),
        HostileJSONLinesCase(
            name: "invalid UTF-8",
            edit: { lines in
                var bytes = Array(lines.joined(separator: "\n").utf8)
                let actor = Array("\"actor\":\"l".utf8)
                let start = bytes.firstRange(of: actor)!.upperBound
                bytes[start] = 0xFF
                return bytes
            },
            status: 65, outputPrefix: "line 2: invalid UTF-8: byte "),
        HostileJSONLinesCase(
            name: "missing field", edit: HostileJSONLinesCase.replacing(",\"source\":\"cdnow\"", with: "", inLine: 1), status: 65,
            outputPrefix: "line 2, field source: required key is missing; nothing was written"),
        HostileJSONLinesCase(
            name: "extra field", edit: HostileJSONLinesCase.replacing("\"source\":\"cdnow\"", with: "\"source\":\"cdnow\",\"extra\":1", inLine: 1),
            status: 65, outputPrefix: "line 2, field extra: unknown key; expected one of position, hash, event_id"),
        HostileJSONLinesCase(
            name: "duplicate key", edit: HostileJSONLinesCase.replacing("\"customer_id\":1,", with: "\"customer_id\":1,\"customer_id\":2,", inLine: 1),
            status: 65, outputPrefix: "line 2: invalid JSON at column "),
        HostileJSONLinesCase(
            name: "line cut short", edit: { lines in Array((lines[0] + "\n" + lines[1].prefix(200)).utf8) }, status: 65,
            outputPrefix: "line 2: invalid JSON at column 201: the text ends inside a string; expected a closing '\"'"),
        HostileJSONLinesCase(
            name: "NUL in actor", edit: HostileJSONLinesCase.replacing("\"actor\":\"ledger\"", with: "\"actor\":\"led\\u0000ger\"", inLine: 1),
            status: 65, outputPrefix: hashChanged),
        HostileJSONLinesCase(
            name: "1 MB actor",
            edit: HostileJSONLinesCase.replacing("\"actor\":\"ledger\"", with: "\"actor\":\"" + String(repeating: "x", count: 1 << 20) + "\"", inLine: 1),
            status: 65, outputPrefix: hashChanged),
        HostileJSONLinesCase(
            name: "customer id 0", edit: HostileJSONLinesCase.replacing("\"customer_id\":1,", with: "\"customer_id\":0,", inLine: 1), status: 65,
            outputPrefix: "line 2, field customer_id: 0 is the ledger's own stream, which contains only ProgramDefined and ProgramChanged events; nothing was written"),
        HostileJSONLinesCase(
            name: "customer id 'abc'", edit: HostileJSONLinesCase.replacing("\"customer_id\":1,", with: "\"customer_id\":\"abc\",", inLine: 1),
            status: 65, outputPrefix: "line 2, field customer_id: \(customerRange), got \"abc\"; nothing was written"),
        HostileJSONLinesCase(
            name: "customer id 1.5", edit: HostileJSONLinesCase.replacing("\"customer_id\":1,", with: "\"customer_id\":1.5,", inLine: 1),
            status: 65, outputPrefix: "line 2, field customer_id: \(customerRange), got 1.5; nothing was written"),
        HostileJSONLinesCase(
            name: "customer id beyond UInt64",
            edit: HostileJSONLinesCase.replacing("\"customer_id\":1,", with: "\"customer_id\":18446744073709551616,", inLine: 1),
            status: 65, outputPrefix: "line 2, field customer_id: 18446744073709551616 is out of range; \(customerRange); nothing was written"),
    ]

    static let accepted: [HostileJSONLinesCase] = [
        HostileJSONLinesCase(
            name: "byte order mark", edit: { lines in [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\n").utf8) }, status: 0,
            outputPrefix: "imported 4 events from FILE: 4 appended, 0 already present\n"),
        HostileJSONLinesCase(
            name: "CRLF line ends", edit: { lines in Array(lines.joined(separator: "\r\n").utf8) }, status: 0,
            outputPrefix: "imported 4 events from FILE: 4 appended, 0 already present\n"),
    ]

    /// Returns the lines of an export of two CDNOW purchases, without the final empty line.
    private static func exportLines(in folder: String) async throws -> [String] {
        let source = folder + "/source.txt"
        try Data(HostileCDNOWCase.rows(" 00001  19970101  1  11.77", " 00002  19970102  2  3.50")).write(to: URL(fileURLWithPath: source))
        let database = folder + "/source.db"
        let imported = try await LedgerProcess.run(["import", "cdnow", source], database: database)
        try #require(imported.status == 0, "\(imported)")
        let exported = try await LedgerProcess.run(["export"], database: database)
        try #require(exported.status == 0, "\(exported)")
        let lines = exported.standardOutput.split(separator: "\n").map(String.init)
        try #require(lines.count == 5, "\(exported)")
        return lines
    }

    @Test(arguments: rejected)
    func rejectedFileCreatesNoLedger(_ hostile: HostileJSONLinesCase) async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/hostile.jsonl"
            try Data(hostile.edit(try await Self.exportLines(in: folder))).write(to: URL(fileURLWithPath: file))
            let database = folder + "/new.db"

            let result = try await LedgerProcess.run(["import", "jsonl", file], database: database)

            #expect(result.status == hostile.status, "\(result)")
            #expect(result.standardError.hasPrefix("ledger import jsonl: \(file): " + hostile.outputPrefix), "\(result)")
            #expect(result.standardOutput.isEmpty, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database), "\(result)")
        }
    }

    @Test(arguments: accepted)
    func acceptedFileImports(_ hostile: HostileJSONLinesCase) async throws {
        try await withTemporaryFolder { folder in
            let file = folder + "/accepted.jsonl"
            try Data(hostile.edit(try await Self.exportLines(in: folder))).write(to: URL(fileURLWithPath: file))
            let database = folder + "/new.db"

            let result = try await LedgerProcess.run(["import", "jsonl", file], database: database)

            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput.hasPrefix(hostile.outputPrefix.replacingOccurrences(of: "FILE", with: file)), "\(result)")
            let verify = try await LedgerProcess.run(["verify"], database: database)
            #expect(verify.status == 0, "\(verify)")
        }
    }
}

@Suite("import file size limit")
struct ImportFileSizeTests {
    @Test(arguments: [["csv", "--map", HostileCSVCase.map], ["jsonl"], ["cdnow"]])
    func fileOverLimitRejectedUnread(_ command: [String]) async throws {
        try await withTemporaryFolder { folder in
            // A sparse file: its size is over the limit, but it takes no disk space.
            let file = folder + "/huge.\(command[0])"
            FileManager.default.createFile(atPath: file, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.truncate(atOffset: (1 << 30) + 1)
            try handle.close()
            let database = folder + "/new.db"

            let result = try await LedgerProcess.run(["import", command[0], file] + command.dropFirst(), database: database)

            let kind = ["csv": "CSV file", "jsonl": "export file", "cdnow": "CDNOW file"][command[0]]!
            #expect(result.status == 65, "\(result)")
            #expect(
                result.standardError.contains(
                    "the \(kind) '\(file)' has 1,073,741,825 bytes; the limit is 1,073,741,824 bytes, because an import keeps the whole file in memory; split it into smaller files and import each; nothing was written"),
                "\(result)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }
}
