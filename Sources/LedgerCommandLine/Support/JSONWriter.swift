/// A JSON value whose objects keep their members in insertion order, so that output is
/// deterministic and reads in the order the program built it.
///
/// Build values with the cases, the `init(_:)` conversions or literals:
///
///     let customer: JSONValue = ["id": "C42", "name": "张伟", "orders": 12, "vip": true]
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An exact integer in the range of `Int64`.
    case int(Int64)
    /// An exact integer above `Int64.max`, written without loss.
    case unsignedInt(UInt64)
    /// A floating-point number. NaN and infinities have no JSON form and are written as `null`.
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Members in output order. Keys should be unique, as RFC 8259 recommends, but the writer
    /// does not check this and writes duplicates as given.
    case object([(key: String, value: JSONValue)])

    init(_ value: Bool) {
        self = .bool(value)
    }

    /// Creates `.int` when the value fits in `Int64`, else `.unsignedInt`. A value outside
    /// both ranges, possible only with 128-bit and wider types, stops the program.
    init(_ value: some BinaryInteger) {
        if let signed = Int64(exactly: value) {
            self = .int(signed)
        } else if let unsigned = UInt64(exactly: value) {
            self = .unsignedInt(unsigned)
        } else {
            preconditionFailure("integer \(value) does not fit in Int64 or UInt64")
        }
    }

    init(_ value: Double) {
        self = .double(value)
    }

    init(_ value: String) {
        self = .string(value)
    }

    /// Creates `.null` for `nil`, else the converted value.
    init(_ value: String?) {
        self = value.map(JSONValue.string) ?? .null
    }

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.bool(left), .bool(right)):
            return left == right
        case let (.int(left), .int(right)):
            return left == right
        case let (.unsignedInt(left), .unsignedInt(right)):
            return left == right
        case let (.double(left), .double(right)):
            return left == right
        case let (.string(left), .string(right)):
            return left == right
        case let (.array(left), .array(right)):
            return left == right
        case let (.object(left), .object(right)):
            return left.count == right.count
                && zip(left, right).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default:
            return false
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    init(nilLiteral: ()) {
        self = .null
    }

    init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    init(integerLiteral value: Int64) {
        self = .int(value)
    }

    init(floatLiteral value: Double) {
        self = .double(value)
    }

    init(stringLiteral value: String) {
        self = .string(value)
    }

    init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }

    /// Keeps the members in source order.
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

/// Writer of JSON text from `JSONValue`, without the key reordering of Foundation's
/// `JSONSerialization`.
///
/// Strings are escaped as RFC 8259 requires: `"` and `\` with a backslash, the control
/// characters U+0008, U+0009, U+000A, U+000C and U+000D as `\b`, `\t`, `\n`, `\f` and `\r`, and
/// the other control characters below U+0020 as `\u00XX`. All other characters, including
/// Chinese text and "/", are written as UTF-8 without escaping.
struct JSONWriter: Sendable {
    enum Style: Sendable {
        /// Nested values on their own lines, indented by two spaces per level, with ": "
        /// between key and value.
        case pretty
        /// Everything on one line with no spaces, for JSON Lines output.
        case compact
    }

    var style: Style

    init(style: Style = .pretty) {
        self.style = style
    }

    /// Returns the JSON text of `value` without a trailing newline.
    func string(for value: JSONValue) -> String {
        var output = ""
        write(value, indentLevel: 0, to: &output)
        return output
    }

    private func write(_ value: JSONValue, indentLevel: Int, to output: inout String) {
        switch value {
        case .null:
            output += "null"
        case .bool(let bool):
            output += bool ? "true" : "false"
        case .int(let integer):
            output += String(integer)
        case .unsignedInt(let integer):
            output += String(integer)
        case .double(let double):
            output += Self.numberText(double)
        case .string(let string):
            Self.writeString(string, to: &output)
        case .array(let elements):
            writeContainer(elements, open: "[", close: "]", indentLevel: indentLevel, to: &output) {
                element, output in
                write(element, indentLevel: indentLevel + 1, to: &output)
            }
        case .object(let members):
            writeContainer(members, open: "{", close: "}", indentLevel: indentLevel, to: &output) {
                member, output in
                Self.writeString(member.key, to: &output)
                output += style == .pretty ? ": " : ":"
                write(member.value, indentLevel: indentLevel + 1, to: &output)
            }
        }
    }

    /// Writes the brackets and separators of an array or object, calling `writeElement` for each
    /// element. Empty containers are written as "[]" and "{}" in both styles.
    private func writeContainer<Element>(
        _ elements: [Element],
        open: String,
        close: String,
        indentLevel: Int,
        to output: inout String,
        writeElement: (Element, inout String) -> Void
    ) {
        output += open
        if elements.isEmpty {
            output += close
            return
        }

        let innerIndent = String(repeating: "  ", count: indentLevel + 1)
        for (index, element) in elements.enumerated() {
            if index > 0 {
                output += ","
            }
            if style == .pretty {
                output += "\n" + innerIndent
            }
            writeElement(element, &output)
        }
        if style == .pretty {
            output += "\n" + String(repeating: "  ", count: indentLevel)
        }
        output += close
    }

    /// Returns the shortest text that reads back as the same `Double`, or "null" for NaN and
    /// infinities. Swift's `description` is already valid JSON for finite values, for example
    /// "0.1", "1.0" and "1e-07".
    private static func numberText(_ value: Double) -> String {
        value.isFinite ? value.description : "null"
    }

    /// Writes `string` in quotes with the escapes listed on `JSONWriter`.
    static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"":
                output += "\\\""
            case "\\":
                output += "\\\\"
            case "\u{08}":
                output += "\\b"
            case "\t":
                output += "\\t"
            case "\n":
                output += "\\n"
            case "\u{0C}":
                output += "\\f"
            case "\r":
                output += "\\r"
            case "\u{00}"..."\u{1F}":
                let hexDigits = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hexDigits.count) + hexDigits
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
