#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Rows and errors

/// One purchase from a CDNOW file: a customer bought `quantity` CDs for `amountCents` on one date.
public struct CDNOWRow: Equatable, Sendable {
    /// 1-based line number in the file. The header is line 1, so the first row is line 2 or later.
    public let line: Int
    public let customerID: UInt64
    public let year: Int
    public let month: Int
    public let day: Int
    /// Number of CDs, 0...1,000,000.
    public let quantity: Int
    /// Amount in US cents, 0 or more.
    public let amountCents: Int64

    public init(line: Int, customerID: UInt64, year: Int, month: Int, day: Int, quantity: Int, amountCents: Int64) {
        self.line = line
        self.customerID = customerID
        self.year = year
        self.month = month
        self.day = day
        self.quantity = quantity
        self.amountCents = amountCents
    }
}

/// Error for a rejected CDNOW file: the line, the field, the offending value and a message with the fix.
public struct CDNOWParseError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The part of the file that is invalid. The raw value is the column name used in messages.
    public enum Field: String, Sendable {
        case customerID = "customer_id"
        case date
        case numberOfCDs = "number_of_cds"
        case dollarValue = "dollar_value"
        case header
        /// The line as a whole: its length, its number of fields, a blank line, or a field after the fourth.
        case line
        /// The file could not be opened or read.
        case file
    }

    /// 1-based line number, or 0 when the file could not be opened or read.
    public let line: Int
    public let field: Field
    /// The offending text as the message shows it. Control characters and invalid UTF-8 bytes are
    /// escaped as `\xNN`, invisible Unicode characters as `\u{NNNN}` and a backslash as `\\`.
    /// Text longer than 40 characters is cut to 40 and ends with "…".
    public let value: String
    /// Explanation of the problem and its fix, including the quoted value.
    public let message: String

    public init(line: Int, field: Field, value: String, message: String) {
        self.line = line
        self.field = field
        self.value = value
        self.message = message
    }

    /// `line 7, field date: invalid date '19970230' (February 1997 has 28 days); expected YYYYMMDD`,
    /// or only the message for file errors (line 0).
    public var description: String {
        if line == 0 {
            return message
        }
        return "line \(line), field \(field.rawValue): \(message)"
    }
}

// MARK: - Parser

/// Strict parser for the CDNOW purchase file (`CDNOW_master.txt`, published by Fader and Hardie).
///
/// The file starts with the header `customer_id date number_of_cds dollar_value`, followed by one
/// purchase per line. Each purchase has a customer id of ASCII digits (often zero-padded, such as
/// `00001`), a date as `YYYYMMDD`, a number of CDs and an amount in US dollars with exactly two
/// decimals (`11.77`).
/// Fields are separated by spaces or tabs. Lines end with LF or CRLF, and one file may mix both.
/// The last line may lack a line end, blank lines are allowed only at the end, and a UTF-8 byte
/// order mark at the start is skipped. Every other deviation throws a `CDNOWParseError`.
public enum CDNOWParser {
    /// Column names of the header line, compared case-sensitively.
    public static let columnNames = ["customer_id", "date", "number_of_cds", "dollar_value"]
    /// Maximum length of a line in bytes, not counting the line end.
    public static let maximumLineLength = 4_096
    /// Maximum number of CDs in one purchase.
    public static let maximumQuantity = 1_000_000
    /// Accepted years of a purchase date.
    public static let yearRange = 1900...2999

    /// Parses a whole CDNOW file into its purchase rows, in file order.
    ///
    /// The bytes are scanned in place. Only the header line and a rejected line are copied.
    public static func parse(_ bytes: [UInt8]) throws(CDNOWParseError) -> [CDNOWRow] {
        let result: Result<[CDNOWRow], CDNOWParseError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(CDNOWParseError) {
                return .success(try parseBuffer(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads the file at `path` and parses it with `parse(_:)`.
    ///
    /// A missing, unreadable or directory path throws an error with line 0, field `file`,
    /// and the path as value.
    public static func parse(contentsOf path: String) throws(CDNOWParseError) -> [CDNOWRow] {
        let bytes = try readFile(atPath: path)
        return try parse(bytes)
    }

    // MARK: Line loop

    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    private static let space: UInt8 = 0x20
    private static let tab: UInt8 = 0x09
    private static let dataFields: [CDNOWParseError.Field] = [.customerID, .date, .numberOfCDs, .dollarValue]
    private static let headerText = columnNames.joined(separator: " ")

    private static func parseBuffer(_ input: UnsafeBufferPointer<UInt8>) throws(CDNOWParseError) -> [CDNOWRow] {
        let count = input.count
        let contentStart = hasByteOrderMark(input) ? 3 : 0
        var lineStart = contentStart
        var lineNumber = 0
        var pendingBlankLine = 0  // Number of the first blank line since the last non-blank line, or 0.
        var headerFound = false
        var rows: [CDNOWRow] = []
        // A CDNOW row is about 28 bytes long, so this usually avoids regrowing the array.
        rows.reserveCapacity(count / 24)

        while lineStart < count {
            lineNumber += 1
            let (contentEnd, nextLineStart) = findLineEnd(input, from: lineStart)
            let start = lineStart
            lineStart = nextLineStart

            if contentEnd - start > maximumLineLength {
                throw lineTooLongError(input, start..<contentEnd, lineNumber: lineNumber)
            }

            let field0 = nextField(input, from: start, end: contentEnd)
            if field0.isEmpty {
                if pendingBlankLine == 0 {
                    pendingBlankLine = lineNumber
                }
                continue
            }
            if pendingBlankLine != 0 {
                throw blankLineError(lineNumber: pendingBlankLine, beforeHeader: !headerFound)
            }

            if containsUnexpectedByte(input, start..<contentEnd),
               let error = characterError(Array(input[start..<contentEnd]), lineNumber: lineNumber, isHeader: !headerFound) {
                throw error
            }

            if !headerFound {
                try checkHeader(Array(input[start..<contentEnd]), lineNumber: lineNumber)
                headerFound = true
                continue
            }

            rows.append(try parseRow(input, start..<contentEnd, firstField: field0, lineNumber: lineNumber))
        }

        if !headerFound {
            throw missingContentError(onlyBlankLines: count > contentStart)
        }
        return rows
    }

    /// Parses a data line whose first field is `field0`. The line contains only printable ASCII and tabs.
    @inline(__always)
    private static func parseRow(
        _ input: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, firstField field0: Range<Int>, lineNumber: Int
    ) throws(CDNOWParseError) -> CDNOWRow {
        let field1 = nextField(input, from: field0.upperBound, end: line.upperBound)
        let field2 = nextField(input, from: field1.upperBound, end: line.upperBound)
        let field3 = nextField(input, from: field2.upperBound, end: line.upperBound)
        let field4 = nextField(input, from: field3.upperBound, end: line.upperBound)
        if field3.isEmpty || !field4.isEmpty {
            throw fieldCountError(Array(input[line]), lineNumber: lineNumber)
        }

        guard let customerID = parseCustomerID(input, field0) else {
            throw customerIDError(Array(input[field0]), lineNumber: lineNumber)
        }
        guard let date = parseDate(input, field1) else {
            throw dateError(Array(input[field1]), lineNumber: lineNumber)
        }
        guard let quantity = parseQuantity(input, field2) else {
            throw quantityError(Array(input[field2]), lineNumber: lineNumber)
        }
        guard let amountCents = parseAmount(input, field3) else {
            throw amountError(Array(input[field3]), lineNumber: lineNumber)
        }

        return CDNOWRow(
            line: lineNumber, customerID: customerID,
            year: date.year, month: date.month, day: date.day,
            quantity: quantity, amountCents: amountCents
        )
    }

    private static func hasByteOrderMark(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF
    }

    /// Returns the end of the line's content and the start of the next line.
    /// A carriage return counts as part of the line end only directly before a line feed.
    @inline(__always)
    private static func findLineEnd(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> (contentEnd: Int, nextLineStart: Int) {
        let base = input.baseAddress!
        guard let found = memchr(base + start, Int32(lineFeed), input.count - start) else {
            return (input.count, input.count)
        }
        let lineFeedIndex = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        var contentEnd = lineFeedIndex
        if contentEnd > start && input[contentEnd - 1] == carriageReturn {
            contentEnd -= 1
        }
        return (contentEnd, lineFeedIndex + 1)
    }

    /// Returns the next run of bytes other than space and tab, or an empty range at `end`.
    @inline(__always)
    private static func nextField(_ input: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Range<Int> {
        var index = start
        while index < end && (input[index] == space || input[index] == tab) {
            index += 1
        }
        let fieldStart = index
        while index < end && input[index] != space && input[index] != tab {
            index += 1
        }
        return fieldStart..<index
    }

    /// Returns whether the range contains a byte other than printable ASCII and tab.
    @inline(__always)
    private static func containsUnexpectedByte(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for index in range {
            let byte = input[index]
            // Wrapping subtraction maps 0x00...0x1F above 0x5E, so one comparison covers both ends.
            if byte &- space > 0x5E && byte != tab {
                return true
            }
        }
        return false
    }

    // MARK: Field parsers
    //
    // Each returns nil for any invalid value. The matching error function below then finds the reason,
    // which keeps the loop over valid rows short.

    @inline(__always)
    private static func parseCustomerID(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
        var value: UInt64 = 0
        for index in range {
            let digit = input[index] &- 0x30
            if digit > 9 {
                return nil
            }
            let (shifted, multiplyOverflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, addOverflow) = shifted.addingReportingOverflow(UInt64(digit))
            if multiplyOverflow || addOverflow {
                return nil
            }
            value = sum
        }
        return value == 0 ? nil : value
    }

    @inline(__always)
    private static func parseDate(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (year: Int, month: Int, day: Int)? {
        guard range.count == 8 else {
            return nil
        }
        var digits = 0
        for index in range {
            let digit = input[index] &- 0x30
            if digit > 9 {
                return nil
            }
            digits = digits * 10 + Int(digit)
        }
        let year = digits / 10_000
        let month = digits / 100 % 100
        let day = digits % 100
        guard yearRange.contains(year), (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else {
            return nil
        }
        return (year, month, day)
    }

    @inline(__always)
    private static func parseQuantity(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            let digit = input[index] &- 0x30
            if digit > 9 {
                return nil
            }
            value = value * 10 + Int(digit)
            if value > maximumQuantity {
                return nil
            }
        }
        return value
    }

    /// Parses an amount of the form `D+.DD` into cents.
    @inline(__always)
    private static func parseAmount(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        let pointIndex = range.upperBound - 3
        guard pointIndex > range.lowerBound, input[pointIndex] == 0x2E else {
            return nil
        }
        let tens = input[pointIndex + 1] &- 0x30
        let ones = input[pointIndex + 2] &- 0x30
        guard tens <= 9, ones <= 9 else {
            return nil
        }
        var dollars: Int64 = 0
        for index in range.lowerBound..<pointIndex {
            let digit = input[index] &- 0x30
            if digit > 9 {
                return nil
            }
            let (shifted, multiplyOverflow) = dollars.multipliedReportingOverflow(by: 10)
            let (sum, addOverflow) = shifted.addingReportingOverflow(Int64(digit))
            if multiplyOverflow || addOverflow {
                return nil
            }
            dollars = sum
        }
        let (cents, multiplyOverflow) = dollars.multipliedReportingOverflow(by: 100)
        let (total, addOverflow) = cents.addingReportingOverflow(Int64(tens) * 10 + Int64(ones))
        if multiplyOverflow || addOverflow {
            return nil
        }
        return total
    }

    private static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    // MARK: File reading

    private static func readFile(atPath path: String) throws(CDNOWParseError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT {
                throw fileError(path, "CDNOW file '\(path)' not found; check the path")
            }
            throw fileError(path, "failed to open the CDNOW file '\(path)': \(systemErrorText(code)); check the path and its permissions")
        }
        defer { close(descriptor) }

        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw fileError(path, "'\(path)' is a directory; expected the path of a CDNOW text file")
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(Int(status.st_size), 0))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let readCount = chunk.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress, buffer.count)
            }
            if readCount == 0 {
                break
            }
            if readCount < 0 {
                let code = errno
                if code == EINTR {
                    continue
                }
                throw fileError(path, "failed to read the CDNOW file '\(path)': \(systemErrorText(code))")
            }
            bytes.append(contentsOf: chunk[0..<readCount])
        }
        return bytes
    }

    private static func systemErrorText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    private static func fileError(_ path: String, _ message: String) -> CDNOWParseError {
        CDNOWParseError(line: 0, field: .file, value: path, message: message)
    }
}

// MARK: - Error messages

extension CDNOWParser {
    private static let maximumShownCharacters = 40

    /// Builds the error for `field` with `value` shown in quotes, cut to 40 characters.
    /// `describe` receives the quoted value, with the byte count added when the value was cut.
    private static func makeError(
        lineNumber: Int, field: CDNOWParseError.Field, bytes: [UInt8], totalByteCount: Int? = nil,
        _ describe: (String) -> String
    ) -> CDNOWParseError {
        let display = displayText(bytes, totalByteCount: totalByteCount ?? bytes.count)
        var quoted = "'\(display.text)'"
        if display.isCut {
            quoted += " (\(totalByteCount ?? bytes.count) bytes)"
        }
        return CDNOWParseError(line: lineNumber, field: field, value: display.text, message: describe(quoted))
    }

    private static func lineTooLongError(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, lineNumber: Int) -> CDNOWParseError {
        // Each displayed character comes from at most 4 input bytes, so this prefix is enough for 40 of them.
        let prefix = Array(input[range.lowerBound..<min(range.upperBound, range.lowerBound + 4 * maximumShownCharacters + 4)])
        return makeError(lineNumber: lineNumber, field: .line, bytes: prefix, totalByteCount: range.count) { quoted in
            "line \(quoted) is longer than the limit of \(grouped(maximumLineLength)) bytes; "
                + "check that the file is a CDNOW text file with one purchase per line"
        }
    }

    private static func blankLineError(lineNumber: Int, beforeHeader: Bool) -> CDNOWParseError {
        if beforeHeader {
            return CDNOWParseError(
                line: lineNumber, field: .header, value: "",
                message: "missing header: line \(lineNumber) is blank; the first line must be '\(headerText)'"
            )
        }
        return CDNOWParseError(
            line: lineNumber, field: .line, value: "",
            message: "blank line in the middle of the file; remove it, because blank lines are allowed only at the end"
        )
    }

    private static func missingContentError(onlyBlankLines: Bool) -> CDNOWParseError {
        let problem = onlyBlankLines ? "the file contains only blank lines" : "the file is empty"
        return CDNOWParseError(
            line: 1, field: .header, value: "",
            message: "\(problem); expected a header line '\(headerText)' followed by one purchase per line"
        )
    }

    private static func fieldCountError(_ line: [UInt8], lineNumber: Int) -> CDNOWParseError {
        let fieldCount = splitFields(line).count
        return makeError(lineNumber: lineNumber, field: .line, bytes: trimmed(line)) { quoted in
            "found \(fieldCount) fields in \(quoted), expected 4 (\(headerText)) separated by spaces or tabs"
        }
    }

    private static func checkHeader(_ line: [UInt8], lineNumber: Int) throws(CDNOWParseError) {
        let names = splitFields(line)
        let expected = columnNames.map { Array($0.utf8) }
        if names == expected {
            return
        }

        if let first = names.first, first.allSatisfy(isASCIIDigit) {
            throw makeError(lineNumber: lineNumber, field: .header, bytes: trimmed(line)) { quoted in
                "missing header: the first line \(quoted) is a data row; add the line '\(headerText)' above it"
            }
        }
        if names.count != expected.count {
            throw makeError(lineNumber: lineNumber, field: .header, bytes: trimmed(line)) { quoted in
                "invalid header \(quoted): found \(names.count) column names, expected 4; the first line must be '\(headerText)'"
            }
        }
        let column = names.indices.first { names[$0] != expected[$0] }!
        let caseNote = String(decoding: names[column], as: UTF8.self).lowercased() == columnNames[column]
            ? " (names are case-sensitive)" : ""
        throw makeError(lineNumber: lineNumber, field: .header, bytes: names[column]) { quoted in
            "invalid header: column \(column + 1) is \(quoted), expected '\(columnNames[column])'\(caseNote); "
                + "the first line must be '\(headerText)'"
        }
    }

    /// Finds the first control character or invalid UTF-8 byte in a line and names the field that contains it.
    /// Returns nil when the line contains only printable ASCII, tabs and valid UTF-8.
    private static func characterError(_ line: [UInt8], lineNumber: Int, isHeader: Bool) -> CDNOWParseError? {
        var index = 0
        while index < line.count {
            let byte = line[index]
            if byte == tab || (byte >= 0x20 && byte < 0x7F) {
                index += 1
                continue
            }
            if byte >= 0x80, let scalar = decodeScalar(line, at: index) {
                index += scalar.length
                continue
            }

            let (fieldIndex, fieldBytes) = fieldContaining(line, offset: index)
            let field: CDNOWParseError.Field = isHeader ? .header : (fieldIndex < 4 ? dataFields[fieldIndex] : .line)
            let column = index + 1
            return makeError(lineNumber: lineNumber, field: field, bytes: fieldBytes) { quoted in
                if byte >= 0x80 {
                    return "\(quoted) contains the invalid UTF-8 byte \(hex(byte)) at column \(column); "
                        + "save the file as UTF-8 (a CDNOW file contains only ASCII)"
                }
                if byte == carriageReturn {
                    return "\(quoted) contains a carriage return (0x0D) at column \(column) that is not followed by a line feed; "
                        + "use LF or CRLF line ends"
                }
                return "\(quoted) contains the control character \(hex(byte)) (\(controlCharacterName(byte))) "
                    + "at column \(column); remove it"
            }
        }
        return nil
    }

    private static func customerIDError(_ bytes: [UInt8], lineNumber: Int) -> CDNOWParseError {
        makeError(lineNumber: lineNumber, field: .customerID, bytes: bytes) { quoted in
            if !bytes.allSatisfy(isASCIIDigit) {
                return "invalid customer id \(quoted): expected only ASCII digits 0-9, such as 00001"
            }
            if bytes.allSatisfy({ $0 == 0x30 }) {
                return "invalid customer id \(quoted): customer ids start at 1"
            }
            return "invalid customer id \(quoted): the value overflows UInt64, whose maximum is \(UInt64.max)"
        }
    }

    private static func dateError(_ bytes: [UInt8], lineNumber: Int) -> CDNOWParseError {
        makeError(lineNumber: lineNumber, field: .date, bytes: bytes) { quoted in
            guard bytes.count == 8, bytes.allSatisfy(isASCIIDigit) else {
                return "invalid date \(quoted); expected YYYYMMDD, such as 19970101"
            }
            let digits = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            let year = digits / 10_000
            let month = digits / 100 % 100
            let day = digits % 100
            let reason: String
            if !yearRange.contains(year) {
                reason = "year \(year) is outside \(yearRange.lowerBound)...\(yearRange.upperBound)"
            } else if !(1...12).contains(month) {
                reason = "month \(month) does not exist"
            } else if day == 0 {
                reason = "day 0 does not exist"
            } else {
                reason = "\(monthNames[month - 1]) \(year) has \(daysInMonth(year: year, month: month)) days"
            }
            return "invalid date \(quoted) (\(reason)); expected YYYYMMDD"
        }
    }

    private static func quantityError(_ bytes: [UInt8], lineNumber: Int) -> CDNOWParseError {
        makeError(lineNumber: lineNumber, field: .numberOfCDs, bytes: bytes) { quoted in
            if !bytes.allSatisfy(isASCIIDigit) {
                return "invalid number of CDs \(quoted): expected a non-negative integer of ASCII digits, such as 1"
            }
            return "invalid number of CDs \(quoted): the maximum is \(grouped(maximumQuantity))"
        }
    }

    private static func amountError(_ bytes: [UInt8], lineNumber: Int) -> CDNOWParseError {
        makeError(lineNumber: lineNumber, field: .dollarValue, bytes: bytes) { quoted in
            if bytes.first == 0x2D {
                return "invalid amount \(quoted): negative amounts are not allowed; expected 0.00 or more with two decimals"
            }
            let points = bytes.indices.filter { bytes[$0] == 0x2E }
            guard bytes.allSatisfy({ isASCIIDigit($0) || $0 == 0x2E }), points.count <= 1 else {
                return "invalid amount \(quoted): expected ASCII digits, a decimal point and exactly two decimals, such as 11.77"
            }
            guard let point = points.first else {
                let padded = bytes + Array(".00".utf8)
                return "invalid amount \(quoted): missing the decimal point; expected exactly two decimals, "
                    + "so write '\(displayText(padded, totalByteCount: padded.count).text)'"
            }
            if point == 0 {
                return "invalid amount \(quoted): missing the digits before the decimal point; write a leading 0, such as 0.50"
            }
            let decimals = bytes.count - point - 1
            if decimals != 2 {
                let noun = decimals == 1 ? "decimal" : "decimals"
                let fix: String
                if decimals < 2 {
                    let padded = bytes + Array(repeating: 0x30, count: 2 - decimals)
                    fix = "write '\(displayText(padded, totalByteCount: padded.count).text)'"
                } else {
                    fix = "round to whole cents"
                }
                return "invalid amount \(quoted): found \(decimals) \(noun), expected exactly two; \(fix)"
            }
            return "invalid amount \(quoted): the amount in cents overflows Int64, whose maximum is \(Int64.max)"
        }
    }

    // MARK: Helpers for error messages

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    /// ASCII names of the C0 control characters 0x00...0x1F.
    private static let controlCharacterNames = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
        "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
    ]

    private static func controlCharacterName(_ byte: UInt8) -> String {
        byte < 0x20 ? controlCharacterNames[Int(byte)] : "DEL"
    }

    private static func isASCIIDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
    }

    /// Formats an integer with comma thousands separators, such as 4,096.
    private static func grouped(_ number: Int) -> String {
        var text = String(number)
        var index = text.count - 3
        while index > 0 {
            text.insert(",", at: text.index(text.startIndex, offsetBy: index))
            index -= 3
        }
        return text
    }

    private static func trimmed(_ line: [UInt8]) -> [UInt8] {
        let isBlank = { (byte: UInt8) in byte == space || byte == tab }
        guard let first = line.firstIndex(where: { !isBlank($0) }), let last = line.lastIndex(where: { !isBlank($0) }) else {
            return []
        }
        return Array(line[first...last])
    }

    private static func splitFields(_ line: [UInt8]) -> [[UInt8]] {
        line.split(whereSeparator: { $0 == space || $0 == tab }).map(Array.init)
    }

    /// Returns the 0-based index and bytes of the field that contains the byte at `offset`,
    /// which must not be a space or tab.
    private static func fieldContaining(_ line: [UInt8], offset: Int) -> (index: Int, bytes: [UInt8]) {
        var start = offset
        while start > 0 && line[start - 1] != space && line[start - 1] != tab {
            start -= 1
        }
        var end = offset
        while end < line.count && line[end] != space && line[end] != tab {
            end += 1
        }
        let fieldsBefore = splitFields(Array(line[0..<start])).count
        return (fieldsBefore, Array(line[start..<end]))
    }

    /// Decodes one UTF-8 encoded scalar at `index`, or returns nil for an invalid sequence:
    /// a stray continuation byte, an overlong form, a surrogate, a value above U+10FFFF or a cut sequence.
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (scalar: Unicode.Scalar, length: Int)? {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xE1...0xEF:
            length = 3
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        case 0xF1...0xF3:
            length = 4
        default:
            return nil
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else {
            return nil
        }
        var value = UInt32(lead) & (0x7F >> UInt32(length))
        for offset in 1..<length {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else {
                return nil
            }
            value = value << 6 | UInt32(continuation & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else {
            return nil
        }
        return (scalar, length)
    }

    /// Turns bytes into readable text, with at most 40 characters before a closing "…".
    private static func displayText(_ bytes: [UInt8], totalByteCount: Int) -> (text: String, isCut: Bool) {
        var text = ""
        var characterCount = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            var piece: String
            var length = 1
            if byte == 0x5C {
                piece = "\\\\"
            } else if byte >= 0x20 && byte < 0x7F {
                piece = String(Unicode.Scalar(byte))
            } else if byte < 0x80 {
                piece = "\\x" + hex(byte).dropFirst(2)
            } else if let decoded = decodeScalar(bytes, at: index) {
                length = decoded.length
                piece = isVisible(decoded.scalar)
                    ? String(decoded.scalar)
                    : "\\u{" + String(decoded.scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                piece = "\\x" + hex(byte).dropFirst(2)
            }

            if characterCount + piece.count > maximumShownCharacters {
                return (text + "…", true)
            }
            text += piece
            characterCount += piece.count
            index += length
        }
        if totalByteCount > bytes.count {
            return (text + "…", true)
        }
        return (text, false)
    }

    /// Returns false for scalars that print as nothing or as blank space, such as U+FEFF and U+00A0.
    private static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
