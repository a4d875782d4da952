import Foundation
import Testing
@testable import CustomerLedger

private let header = "customer_id date number_of_cds dollar_value\r\n"

/// Parses `text` and returns the error, or nil when it parses.
private func parseError(_ text: String) -> CDNOWParseError? {
    parseError(Array(text.utf8))
}

private func parseError(_ bytes: [UInt8]) -> CDNOWParseError? {
    do {
        _ = try CDNOWParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

/// Parses one header line followed by `body` and returns the error, or nil when it parses.
private func rowError(_ body: String) -> CDNOWParseError? {
    parseError(header + body)
}

private func bundledFilePath(_ filePath: String = #filePath) -> String {
    let repositoryRoot = URL(fileURLWithPath: filePath)
        .deletingLastPathComponent()  // CustomerLedgerTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    return repositoryRoot.appendingPathComponent("Sources/LedgerCommandLine/Resources/cdnow/CDNOW_master.txt").path
}

// MARK: - Accepted input

@Suite("CDNOWParser accepts")
struct CDNOWParserAcceptTests {
    @Test func firstRowsOfRealFile() throws {
        // The first three lines of CDNOW_master.txt, byte for byte.
        let text = "customer_id date number_of_cds dollar_value\r\n"
            + "    00001 19970101  1    11.77\r\n"
            + "    00002 19970112  1    12.00\r\n"
        let rows = try CDNOWParser.parse(Array(text.utf8))

        #expect(rows.count == 2)
        #expect(rows[0] == CDNOWRow(line: 2, customerID: 1, year: 1997, month: 1, day: 1, quantity: 1, amountCents: 1177))
        #expect(rows[1] == CDNOWRow(line: 3, customerID: 2, year: 1997, month: 1, day: 12, quantity: 1, amountCents: 1200))
    }

    @Test func wholeBundledFile() throws {
        let rows = try CDNOWParser.parse(contentsOf: bundledFilePath())

        #expect(rows.count == 69_659)
        #expect(Set(rows.map(\.customerID)).count == 23_570)
        #expect(rows.reduce(0) { $0 + $1.quantity } == 167_881)
        #expect(rows.reduce(Int64(0)) { $0 + $1.amountCents } == 250_031_563)
        #expect(rows.filter { $0.amountCents == 0 }.count == 80)
        #expect(rows.first == CDNOWRow(line: 2, customerID: 1, year: 1997, month: 1, day: 1, quantity: 1, amountCents: 1177))
        #expect(rows.last == CDNOWRow(line: 69_660, customerID: 23_570, year: 1997, month: 3, day: 26, quantity: 2, amountCents: 4296))
    }

    @Test func lineFeedEnds() throws {
        let rows = try CDNOWParser.parse(Array("customer_id date number_of_cds dollar_value\n1 19970101 1 1.00\n".utf8))
        #expect(rows == [CDNOWRow(line: 2, customerID: 1, year: 1997, month: 1, day: 1, quantity: 1, amountCents: 100)])
    }

    @Test func mixedLineEnds() throws {
        let text = "customer_id date number_of_cds dollar_value\n1 19970101 1 1.00\r\n2 19970102 2 2.00\n3 19970103 3 3.00\r\n"
        let rows = try CDNOWParser.parse(Array(text.utf8))
        #expect(rows.map(\.customerID) == [1, 2, 3])
        #expect(rows.map(\.line) == [2, 3, 4])
    }

    @Test func spacesAndTabsAroundFields() throws {
        let text = " \t customer_id\tdate  number_of_cds \t dollar_value \t\r\n\t00007\t\t19970305 \t 3\t 0.99 \t\r\n"
        let rows = try CDNOWParser.parse(Array(text.utf8))
        #expect(rows == [CDNOWRow(line: 2, customerID: 7, year: 1997, month: 3, day: 5, quantity: 3, amountCents: 99)])
    }

    @Test func finalLineWithoutLineEnd() throws {
        let rows = try CDNOWParser.parse(Array((header + "1 19970101 1 1.00\r\n2 19970101 1 2.50").utf8))
        #expect(rows.count == 2)
        #expect(rows[1].amountCents == 250)
    }

    @Test func blankLinesAtEnd() throws {
        let rows = try CDNOWParser.parse(Array((header + "1 19970101 1 1.00\r\n\r\n  \n\t\r\n \t").utf8))
        #expect(rows.count == 1)
    }

    @Test func byteOrderMarkBeforeHeader() throws {
        let rows = try CDNOWParser.parse([0xEF, 0xBB, 0xBF] + Array((header + "1 19970101 1 1.00\r\n").utf8))
        #expect(rows.count == 1)
        #expect(rows[0].line == 2)
    }

    @Test func headerWithoutRows() throws {
        #expect(try CDNOWParser.parse(Array(header.utf8)).isEmpty)
        #expect(try CDNOWParser.parse(Array("customer_id date number_of_cds dollar_value".utf8)).isEmpty)
    }

    @Test func leapDays() throws {
        let rows = try CDNOWParser.parse(Array((header + "1 19960229 1 1.00\r\n2 20000229 1 1.00\r\n").utf8))
        #expect(rows.map(\.day) == [29, 29])
        #expect(rows.map(\.year) == [1996, 2000])
    }

    @Test func boundaryValues() throws {
        let text = header
            + "18446744073709551615 19000101 0 0.00\r\n"
            + "000000000000000000000000000042 29991231 1000000 92233720368547758.07\r\n"
        let rows = try CDNOWParser.parse(Array(text.utf8))
        #expect(rows[0] == CDNOWRow(line: 2, customerID: UInt64.max, year: 1900, month: 1, day: 1, quantity: 0, amountCents: 0))
        #expect(rows[1] == CDNOWRow(line: 3, customerID: 42, year: 2999, month: 12, day: 31, quantity: 1_000_000, amountCents: Int64.max))
    }

    @Test func lineAtLengthLimit() throws {
        let padding = String(repeating: " ", count: CDNOWParser.maximumLineLength - "1 19970101 1 1.00".utf8.count)
        let rows = try CDNOWParser.parse(Array((header + "1 19970101 1 1.00" + padding + "\r\n").utf8))
        #expect(rows.count == 1)
    }

    @Test func fileOnDisk() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("cdnow-parser-test-\(UUID().uuidString).txt").path
        try Data((header + "5 19970101 2 3.00\r\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let rows = try CDNOWParser.parse(contentsOf: path)
        #expect(rows == [CDNOWRow(line: 2, customerID: 5, year: 1997, month: 1, day: 1, quantity: 2, amountCents: 300)])
    }
}

// MARK: - Rejected input

@Suite("CDNOWParser rejects")
struct CDNOWParserRejectTests {
    @Test func emptyFile() throws {
        let error = try #require(parseError([]))
        #expect(error.line == 1)
        #expect(error.field == .header)
        #expect(error.message.hasPrefix("the file is empty; expected a header line"))
        #expect(error.message.contains("customer_id date number_of_cds dollar_value"))
    }

    @Test func byteOrderMarkOnly() throws {
        let error = try #require(parseError([0xEF, 0xBB, 0xBF]))
        #expect(error.line == 1)
        #expect(error.message.hasPrefix("the file is empty"))
    }

    @Test func onlyBlankLines() throws {
        let error = try #require(parseError("\r\n  \n\t\n"))
        #expect(error.line == 1)
        #expect(error.field == .header)
        #expect(error.message.contains("only blank lines"))
    }

    @Test func missingHeader() throws {
        let error = try #require(parseError("    00001 19970101  1    11.77\r\n"))
        #expect(error.line == 1)
        #expect(error.field == .header)
        #expect(error.value == "00001 19970101  1    11.77")
        #expect(error.message.contains("missing header"))
        #expect(error.message.contains("add the line 'customer_id date number_of_cds dollar_value'"))
    }

    @Test func blankLineBeforeHeader() throws {
        let error = try #require(parseError("\r\n" + header))
        #expect(error.line == 1)
        #expect(error.field == .header)
        #expect(error.message.contains("missing header"))
        #expect(error.message.contains("blank"))
    }

    @Test func headerNameInWrongCase() throws {
        let error = try #require(parseError("customer_id Date number_of_cds dollar_value\r\n"))
        #expect(error.line == 1)
        #expect(error.field == .header)
        #expect(error.value == "Date")
        #expect(error.message.contains("column 2 is 'Date', expected 'date'"))
        #expect(error.message.contains("case-sensitive"))
    }

    @Test func headerNameMisspelled() throws {
        let error = try #require(parseError("customer_id date number_of_cds dollars\r\n"))
        #expect(error.field == .header)
        #expect(error.message.contains("column 4 is 'dollars', expected 'dollar_value'"))
        #expect(!error.message.contains("case-sensitive"))
    }

    @Test func headerWithWrongColumnCount() throws {
        let error = try #require(parseError("customer_id date number_of_cds\r\n"))
        #expect(error.line == 1)
        #expect(error.field == .header)
        #expect(error.message.contains("found 3 column names, expected 4"))

        let extra = try #require(parseError("customer_id date number_of_cds dollar_value note\r\n"))
        #expect(extra.message.contains("found 5 column names, expected 4"))
    }

    @Test func tooFewFields() throws {
        let error = try #require(rowError("1 19970101 1 1.00\r\n2 19970101 1\r\n"))
        #expect(error.line == 3)
        #expect(error.field == .line)
        #expect(error.value == "2 19970101 1")
        #expect(error.message.contains("found 3 fields"))
        #expect(error.message.contains("expected 4"))
    }

    @Test func tooManyFields() throws {
        let error = try #require(rowError("1 19970101 1 1.00 extra\r\n"))
        #expect(error.line == 2)
        #expect(error.field == .line)
        #expect(error.message.contains("found 5 fields"))
    }

    @Test func customerIDWithNonDigits() throws {
        for value in ["A0001", "-1", "+1", "1.0", "0x1F", "１２"] {
            let error = try #require(rowError("\(value) 19970101 1 1.00\r\n"), "\(value)")
            #expect(error.line == 2, "\(value)")
            #expect(error.field == .customerID, "\(value)")
            #expect(error.value == value, "\(value)")
            #expect(error.message.contains("expected only ASCII digits"), "\(value)")
        }
    }

    @Test func customerIDZero() throws {
        let error = try #require(rowError("1 19970101 1 1.00\r\n00000 19970101 1 1.00\r\n"))
        #expect(error.line == 3)
        #expect(error.field == .customerID)
        #expect(error.message.contains("start at 1"))
    }

    @Test func customerIDOverflow() throws {
        let error = try #require(rowError("18446744073709551616 19970101 1 1.00\r\n"))
        #expect(error.line == 2)
        #expect(error.field == .customerID)
        #expect(error.message.contains("overflows UInt64"))
        #expect(error.message.contains("18446744073709551615"))
    }

    @Test func dateMonth13() throws {
        let error = try #require(rowError("1 19971301 1 1.00\r\n"))
        #expect(error.line == 2)
        #expect(error.field == .date)
        #expect(error.message == "invalid date '19971301' (month 13 does not exist); expected YYYYMMDD")
    }

    @Test func dateFebruary30() throws {
        let body = "1 19970101 1 1.00\r\n" + "1 19970102 1 1.00\r\n" + "1 19970103 1 1.00\r\n"
            + "1 19970104 1 1.00\r\n" + "1 19970105 1 1.00\r\n" + "1 19970230 1 1.00\r\n"
        let error = try #require(rowError(body))
        #expect(error.line == 7)
        #expect(error.field == .date)
        #expect(error.value == "19970230")
        #expect(error.description == "line 7, field date: invalid date '19970230' (February 1997 has 28 days); expected YYYYMMDD")
    }

    @Test func dateFebruary29InCenturyYear() throws {
        let error = try #require(rowError("1 19000229 1 1.00\r\n"))
        #expect(error.field == .date)
        #expect(error.message.contains("February 1900 has 28 days"))
    }

    @Test func dateDayZeroAndDay31() throws {
        let zero = try #require(rowError("1 19970100 1 1.00\r\n"))
        #expect(zero.field == .date)
        #expect(zero.message.contains("day 0 does not exist"))

        let april = try #require(rowError("1 19970431 1 1.00\r\n"))
        #expect(april.message.contains("April 1997 has 30 days"))
    }

    @Test func dateYearOutOfRange() throws {
        for value in ["18991231", "30000101"] {
            let error = try #require(rowError("1 \(value) 1 1.00\r\n"), "\(value)")
            #expect(error.field == .date, "\(value)")
            #expect(error.message.contains("outside 1900...2999"), "\(value)")
        }
    }

    @Test func dateInWrongFormat() throws {
        for value in ["1997-01-01", "970101", "199701011", "1997O101"] {
            let error = try #require(rowError("1 \(value) 1 1.00\r\n"), "\(value)")
            #expect(error.line == 2, "\(value)")
            #expect(error.field == .date, "\(value)")
            #expect(error.message.contains("expected YYYYMMDD"), "\(value)")
        }
    }

    @Test func quantityNotNonNegativeInteger() throws {
        for value in ["-1", "1.5", "one", "+2"] {
            let error = try #require(rowError("1 19970101 \(value) 1.00\r\n"), "\(value)")
            #expect(error.line == 2, "\(value)")
            #expect(error.field == .numberOfCDs, "\(value)")
            #expect(error.message.contains("expected a non-negative integer"), "\(value)")
        }
    }

    @Test func quantityAboveMaximum() throws {
        for value in ["1000001", "99999999999999999999999"] {
            let error = try #require(rowError("1 19970101 \(value) 1.00\r\n"), "\(value)")
            #expect(error.field == .numberOfCDs, "\(value)")
            #expect(error.message.contains("the maximum is 1,000,000"), "\(value)")
        }
    }

    @Test func amountWithOneDecimal() throws {
        let error = try #require(rowError("1 19970101 1 12.5\r\n"))
        #expect(error.line == 2)
        #expect(error.field == .dollarValue)
        #expect(error.message.contains("found 1 decimal, expected exactly two; write '12.50'"))
    }

    @Test func amountWithThreeDecimals() throws {
        let error = try #require(rowError("1 19970101 1 12.345\r\n"))
        #expect(error.field == .dollarValue)
        #expect(error.message.contains("found 3 decimals, expected exactly two; round to whole cents"))
    }

    @Test func amountWithoutDecimalPoint() throws {
        let error = try #require(rowError("1 19970101 1 12\r\n"))
        #expect(error.field == .dollarValue)
        #expect(error.message.contains("missing the decimal point"))
        #expect(error.message.contains("write '12.00'"))
    }

    @Test func amountWithoutDollarDigits() throws {
        let error = try #require(rowError("1 19970101 1 .50\r\n"))
        #expect(error.field == .dollarValue)
        #expect(error.message.contains("missing the digits before the decimal point"))
        #expect(error.message.contains("leading 0"))
    }

    @Test func amountWithOtherCharacters() throws {
        for value in ["1,234.00", "$1.00", "1.2.3", "1e2.00"] {
            let error = try #require(rowError("1 19970101 1 \(value)\r\n"), "\(value)")
            #expect(error.field == .dollarValue, "\(value)")
            #expect(error.message.contains("expected ASCII digits, a decimal point and exactly two decimals"), "\(value)")
        }
    }

    @Test func negativeAmount() throws {
        let error = try #require(rowError("1 19970101 1 -1.00\r\n"))
        #expect(error.line == 2)
        #expect(error.field == .dollarValue)
        #expect(error.value == "-1.00")
        #expect(error.message.contains("negative amounts are not allowed"))
    }

    @Test func amountOverflowingInt64() throws {
        let error = try #require(rowError("1 19970101 1 92233720368547758.08\r\n"))
        #expect(error.field == .dollarValue)
        #expect(error.message.contains("overflows Int64"))
    }

    @Test func nulByte() throws {
        let error = try #require(rowError("1 1997\u{0}101 1 1.00\r\n"))
        #expect(error.line == 2)
        #expect(error.field == .date)
        #expect(error.value == "1997\\x00101")
        #expect(error.message.contains("control character 0x00 (NUL) at column 7"))
    }

    @Test func escapeCharacter() throws {
        let error = try #require(rowError("1 19970101 1 1.00\u{1B}\r\n"))
        #expect(error.field == .dollarValue)
        #expect(error.value == "1.00\\x1B")
        #expect(error.message.contains("0x1B (ESC)"))
    }

    @Test func deleteCharacterInHeader() throws {
        let error = try #require(parseError("customer_id\u{7F} date number_of_cds dollar_value\r\n"))
        #expect(error.line == 1)
        #expect(error.field == .header)
        #expect(error.message.contains("0x7F (DEL)"))
    }

    @Test func carriageReturnInsideLine() throws {
        let error = try #require(rowError("1 19970101\r1 1.00\r\n"))
        #expect(error.line == 2)
        #expect(error.field == .date)
        #expect(error.message.contains("carriage return"))
        #expect(error.message.contains("use LF or CRLF line ends"))
    }

    @Test func controlCharacterAfterFourthField() throws {
        let error = try #require(rowError("1 19970101 1 1.00 \u{7}\r\n"))
        #expect(error.field == .line)
        #expect(error.message.contains("(BEL)"))
    }

    @Test func invalidUTF8() throws {
        let bytes = Array((header + "1 19970101 ").utf8) + [0x31, 0xFF] + Array(" 1.00\r\n".utf8)
        let error = try #require(parseError(bytes))
        #expect(error.line == 2)
        #expect(error.field == .numberOfCDs)
        #expect(error.value == "1\\xFF")
        #expect(error.message.contains("invalid UTF-8 byte 0xFF at column 13"))
    }

    @Test func truncatedUTF8Sequence() throws {
        // 0xE2 0x82 starts the three-byte euro sign but lacks its last byte.
        let bytes = Array((header + "1 19970101 1 ").utf8) + [0xE2, 0x82] + Array("1.00\r\n".utf8)
        let error = try #require(parseError(bytes))
        #expect(error.field == .dollarValue)
        #expect(error.value == "\\xE2\\x821.00")
        #expect(error.message.contains("invalid UTF-8 byte 0xE2"))
    }

    @Test func byteOrderMarkInsideFile() throws {
        let error = try #require(rowError("1 19970101 1 1.00\r\n\u{FEFF}2 19970101 1 1.00\r\n"))
        #expect(error.line == 3)
        #expect(error.field == .customerID)
        #expect(error.value == "\\u{FEFF}2")
    }

    @Test func lineLongerThanLimit() throws {
        let line = "1 19970101 1 1.00" + String(repeating: " ", count: 5_000)
        let error = try #require(rowError("1 19970101 1 1.00\r\n" + line + "\r\n"))
        #expect(error.line == 3)
        #expect(error.field == .line)
        #expect(error.message.contains("(5017 bytes)"))
        #expect(error.message.contains("longer than the limit of 4,096 bytes"))
    }

    @Test func longValueShortenedInMessage() throws {
        let digits = String(repeating: "9", count: 100)
        let error = try #require(rowError("\(digits) 19970101 1 1.00\r\n"))
        #expect(error.field == .customerID)
        #expect(error.value == String(repeating: "9", count: 40) + "…")
        #expect(error.message.contains("'\(error.value)' (100 bytes)"))
    }

    @Test func blankLineInMiddle() throws {
        let error = try #require(rowError("1 19970101 1 1.00\r\n\r\n \t\r\n2 19970101 1 1.00\r\n"))
        #expect(error.line == 3)
        #expect(error.field == .line)
        #expect(error.message.contains("blank line in the middle of the file"))
    }

    @Test func missingFile() throws {
        let path = "/nonexistent-cdnow-directory/CDNOW_master.txt"
        let error = try #require(throws: CDNOWParseError.self) { try CDNOWParser.parse(contentsOf: path) }
        #expect(error.line == 0)
        #expect(error.field == .file)
        #expect(error.value == path)
        #expect(error.description == "CDNOW file '\(path)' not found; check the path")
    }

    @Test func directoryInsteadOfFile() throws {
        let path = FileManager.default.temporaryDirectory.path
        let error = try #require(throws: CDNOWParseError.self) { try CDNOWParser.parse(contentsOf: path) }
        #expect(error.field == .file)
        #expect(error.message.contains("is a directory"))
        #expect(error.message.contains(path))
    }
}
