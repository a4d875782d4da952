/// One record of a CSV file: its fields and the line it starts on.
public struct CSVRecord: Equatable, Sendable {
    /// The 1-based line where the record starts. A quoted field with line breaks makes a record
    /// span several lines.
    public let line: Int
    public let fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A rejected CSV file or row: the line, the column when one is at fault, and what to fix.
public struct CSVImportError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The 1-based line, or 0 for the command line's column mapping.
    public let line: Int
    /// The column's name in the header, or nil when the line as a whole is at fault.
    public let column: String?
    public let message: String

    public init(line: Int, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 7, column amount: ...`, or without the column for the line as a whole.
    public var description: String {
        let place = line == 0 ? "" : "line \(line)" + (column.map { ", column \($0)" } ?? "") + ": "
        return place + message
    }
}

/// A strict parser of CSV text as RFC 4180 defines it: a header record, then records of the
/// same number of fields.
///
/// Fields are separated by commas. A field in double quotes may contain commas, line breaks and
/// quotes written twice (`""`). Records end with CRLF or LF, and the last one may end without.
/// A UTF-8 byte order mark at the start is skipped, and blank lines are allowed only at the end.
/// Every other deviation throws ``CSVImportError``: a quote inside an unquoted field, text after
/// a closing quote, a quoted field without its closing quote, or a carriage return without a
/// line feed. So do invalid UTF-8 and a record with another number of fields than the header.
public enum CSVParser {
    /// Parses `bytes` into the header's column names and the records after it.
    public static func parse(_ bytes: [UInt8]) throws(CSVImportError) -> (header: [String], records: [CSVRecord]) {
        var scanner = Scanner(bytes: bytes)
        guard let header = try scanner.nextRecord(columns: nil) else {
            throw CSVImportError(line: 1, column: nil, message: "the file is empty; expected a header row with the column names")
        }
        if header.fields.allSatisfy(\.isEmpty) {
            throw CSVImportError(line: header.line, column: nil, message: "the header row is blank; the first line must name the columns")
        }
        var records: [CSVRecord] = []
        while let record = try scanner.nextRecord(columns: header.fields) {
            guard record.fields.count == header.fields.count else {
                throw CSVImportError(
                    line: record.line, column: nil,
                    message: "found \(record.fields.count) fields, but the header has \(header.fields.count) columns; quote fields that contain commas")
            }
            records.append(record)
        }
        return (header.fields, records)
    }

    /// A cursor over the bytes that reads one record at a time and counts lines.
    private struct Scanner {
        let bytes: [UInt8]
        var index: Int
        var line = 1
        /// The line of the first blank line since the last record, or 0.
        var blankLine = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        }

        private static let quote = UInt8(ascii: "\"")
        private static let comma = UInt8(ascii: ",")
        private static let carriageReturn: UInt8 = 0x0D
        private static let lineFeed: UInt8 = 0x0A

        /// Reads the next record, or returns nil at the end of the text. Blank lines are skipped
        /// at the end and rejected before a record.
        mutating func nextRecord(columns: [String]?) throws(CSVImportError) -> CSVRecord? {
            while index < bytes.count, let breakLength = lineBreakLength(at: index) {
                if blankLine == 0 { blankLine = line }
                index += breakLength
                line += 1
            }
            guard index < bytes.count else { return nil }
            if blankLine != 0 {
                throw CSVImportError(
                    line: blankLine, column: nil, message: "the line is blank; blank lines are allowed only at the end of the file")
            }

            let start = line
            var fields: [String] = []
            while true {
                let column = columns.flatMap { fields.count < $0.count ? $0[fields.count] : nil }
                fields.append(try nextField(line: start, column: column))
                if index >= bytes.count { break }
                if bytes[index] == Self.comma {
                    index += 1
                    continue
                }
                // nextField stops only at a comma, a line break or the end.
                index += lineBreakLength(at: index)!
                line += 1
                break
            }
            return CSVRecord(line: start, fields: fields)
        }

        /// Returns 2 for CRLF and 1 for LF at `position`, else nil.
        private func lineBreakLength(at position: Int) -> Int? {
            if bytes[position] == Self.lineFeed { return 1 }
            if bytes[position] == Self.carriageReturn, position + 1 < bytes.count, bytes[position + 1] == Self.lineFeed {
                return 2
            }
            return nil
        }

        /// Reads one field and stops before the comma or line break after it.
        private mutating func nextField(line recordLine: Int, column: String?) throws(CSVImportError) -> String {
            var content: [UInt8] = []
            if index < bytes.count, bytes[index] == Self.quote {
                let openingLine = line
                index += 1
                while true {
                    guard index < bytes.count else {
                        throw CSVImportError(
                            line: openingLine, column: column,
                            message: "the quoted field that starts here has no closing quote")
                    }
                    let byte = bytes[index]
                    if byte == Self.quote {
                        if index + 1 < bytes.count, bytes[index + 1] == Self.quote {
                            content.append(Self.quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    if byte == Self.lineFeed { line += 1 }
                    content.append(byte)
                    index += 1
                }
                if index < bytes.count, bytes[index] != Self.comma, lineBreakLength(at: index) == nil {
                    throw CSVImportError(
                        line: line, column: column,
                        message: "found \(Self.describe(bytes[index])) after the closing quote; a quoted field must end at a comma or a line end, and a quote inside it is written twice (\"\")")
                }
            } else {
                while index < bytes.count, bytes[index] != Self.comma {
                    let byte = bytes[index]
                    if lineBreakLength(at: index) != nil { break }
                    if byte == Self.quote {
                        throw CSVImportError(
                            line: line, column: column,
                            message: "a double quote inside an unquoted field; quote the whole field and write the quote twice (\"\")")
                    }
                    if byte == Self.carriageReturn {
                        throw CSVImportError(
                            line: line, column: column,
                            message: "a carriage return (0x0D) without a line feed after it; end lines with CRLF or LF")
                    }
                    content.append(byte)
                    index += 1
                }
            }
            guard let text = String(validating: content, as: UTF8.self) else {
                let offset = Self.firstInvalidUTF8Offset(content)
                throw CSVImportError(
                    line: recordLine, column: column,
                    message: "the field contains the invalid UTF-8 byte \(Self.describe(content[offset])) at byte \(offset + 1) of the field; save the file as UTF-8")
            }
            return text
        }

        /// Returns the offset of the first byte that starts no valid UTF-8 sequence.
        private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
            var offset = 0
            while offset < bytes.count {
                var length = 1
                let lead = bytes[offset]
                switch lead {
                case 0x00...0x7F: length = 1
                case 0xC2...0xDF: length = 2
                case 0xE0...0xEF: length = 3
                case 0xF0...0xF4: length = 4
                default: return offset
                }
                guard offset + length <= bytes.count,
                    String(validating: bytes[offset..<offset + length], as: UTF8.self) != nil
                else { return offset }
                offset += length
            }
            return max(0, bytes.count - 1)
        }

        private static func describe(_ byte: UInt8) -> String {
            if (0x21..<0x7F).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
            let digits = Array("0123456789ABCDEF")
            return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
        }
    }
}
