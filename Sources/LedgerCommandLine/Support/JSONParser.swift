/// A JSON value read from text. Numbers keep their literal text, so that callers convert
/// integers and decimals exactly instead of going through `Double`.
indirect enum ParsedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number as written, such as `-12`, `1.50` or `2e3`. The parser checks it against the
    /// RFC 8259 number grammar.
    case number(String)
    case string(String)
    case array([ParsedJSON])
    /// Members in document order. The parser rejects a key that appears twice in one object.
    case object([(key: String, value: ParsedJSON)])

    static func == (lhs: ParsedJSON, rhs: ParsedJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(left), .bool(right)): return left == right
        case let (.number(left), .number(right)): return left == right
        case let (.string(left), .string(right)): return left == right
        case let (.array(left), .array(right)): return left == right
        case let (.object(left), .object(right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// Invalid JSON text, with the line and column (both from 1, columns in Unicode scalars) where
/// reading stopped.
struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    let line: Int
    let column: Int
    let reason: String

    var description: String { "invalid JSON at line \(line), column \(column): \(reason)" }
}

/// A strict RFC 8259 parser of UTF-8 text.
///
/// Unlike Foundation's `JSONSerialization`, it keeps numbers as text, rejects duplicate keys in
/// an object, and rejects invalid UTF-8, unpaired surrogate escapes, comments, trailing commas
/// and anything after the top-level value. A UTF-8 byte order mark at the start is skipped.
struct JSONParser {
    /// The deepest nesting of arrays and objects accepted, which bounds the recursion.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    /// The byte offset where the current line starts, for column numbers.
    private var lineStart = 0

    /// Parses `bytes` as one JSON value.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> ParsedJSON {
        var parser = JSONParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            parser.index = 3
            parser.lineStart = 3
        }
        parser.skipWhitespace()
        guard parser.index < bytes.count else { throw parser.error("the text is empty; expected a JSON value") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.error("unexpected \(parser.describeCurrentByte()) after the end of the top-level value")
        }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
        guard index < bytes.count else { throw error("the text ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw error("unexpected \(describeCurrentByte()); expected a value (object, array, string, number, true, false or null)")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
        guard depth <= Self.maximumDepth else { throw error("arrays and objects nest deeper than \(Self.maximumDepth) levels") }
        index += 1
        var members: [(key: String, value: ParsedJSON)] = []
        var keys: Set<String> = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a key in double quotes, got \(describeCurrentByte())")
            }
            // Only the offsets are kept, because counting the column for every key would make
            // a long single-line document quadratic to parse.
            let keyIndex = index
            let keyLine = line
            let keyLineStart = lineStart
            let key = try parseString()
            guard keys.insert(key).inserted else {
                throw JSONSyntaxError(
                    line: keyLine, column: column(of: keyIndex, lineStart: keyLineStart),
                    reason: "key \(Self.quoted(key)) appears twice in one object; keep only one of them")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after key \(Self.quoted(key)), got \(describeCurrentByte())")
            }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside an object; expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw error("expected ',' or '}' after the value of \(Self.quoted(key)), got \(describeCurrentByte())")
            }
            index += 1
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
        guard depth <= Self.maximumDepth else { throw error("arrays and objects nest deeper than \(Self.maximumDepth) levels") }
        index += 1
        var elements: [ParsedJSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside an array; expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw error("expected ',' or ']' after an array element, got \(describeCurrentByte())")
            }
            index += 1
        }
    }

    /// Parses `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns it as written.
    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("numbers must not have leading zeros") }
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after the decimal point") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Parses a string starting at its opening quote and returns its decoded text.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        var content: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("the text ends inside a string; expected a closing '\"'") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: content, as: UTF8.self) else {
                    throw error("a string ending here is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &content)
            case 0x00..<0x20:
                throw error(
                    "control character U+\(Self.hex(UInt32(byte), width: 4)) inside a string; write it as an escape such as \\n or \\u\(Self.hex(UInt32(byte), width: 4))")
            default:
                content.append(byte)
                index += 1
            }
        }
    }

    /// Parses the escape after a backslash and appends its UTF-8 bytes to `content`.
    private mutating func parseEscape(into content: inout [UInt8]) throws(JSONSyntaxError) {
        guard index < bytes.count else { throw error("the text ends inside an escape sequence") }
        let byte = bytes[index]
        index += 1
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            content.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else {
            index -= 1
            throw error("invalid escape '\\\(describeByte(byte))'; JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX")
        }
        var scalar = try parseHexQuad()
        if (0xD800..<0xDC00).contains(scalar) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("the high surrogate \\u\(Self.hex(scalar, width: 4)) is not followed by a low surrogate escape")
            }
            index += 2
            let low = try parseHexQuad()
            guard (0xDC00..<0xE000).contains(low) else {
                throw error("the high surrogate \\u\(Self.hex(scalar, width: 4)) is followed by \\u\(Self.hex(low, width: 4)), not a low surrogate")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("the low surrogate \\u\(Self.hex(scalar, width: 4)) has no high surrogate before it")
        }
        // Every value outside the surrogate range is a valid Unicode scalar.
        content.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
    }

    private mutating func parseHexQuad() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = Self.hexValue(bytes[index]) else {
                throw error("expected four hexadecimal digits after \\u")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONSyntaxError) {
        let expected = Array(literal.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("unexpected \(describeCurrentByte()); expected a value (object, array, string, number, true, false or null)")
        }
        index += expected.count
    }

    // MARK: Positions and messages

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Returns the column of the byte at `offset` on the line that starts at `lineStart`,
    /// counting Unicode scalars rather than bytes. It takes time in proportion to the column, so
    /// the parser calls it only for an error.
    private func column(of offset: Int, lineStart: Int) -> Int {
        1 + bytes[lineStart..<min(offset, bytes.count)].count { $0 & 0xC0 != 0x80 }
    }

    private func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: column(of: index, lineStart: lineStart), reason: reason)
    }

    private func describeCurrentByte() -> String {
        index < bytes.count ? "'\(describeByte(bytes[index]))'" : "the end of the text"
    }

    /// Shows a printable ASCII byte as itself and any other byte in hexadecimal, such as `0xE4`.
    private func describeByte(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "0x" + Self.hex(UInt32(byte), width: 2)
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Returns `text` as a JSON string literal, for messages.
    static func quoted(_ text: String) -> String {
        var output = ""
        JSONWriter.writeString(text, to: &output)
        return output
    }
}
