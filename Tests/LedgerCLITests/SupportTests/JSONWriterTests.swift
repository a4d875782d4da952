import Foundation
import Testing
@testable import LedgerCommandLine

@Suite("JSONWriter")
struct JSONWriterTests {
    static let compact = JSONWriter(style: .compact)
    static let pretty = JSONWriter(style: .pretty)

    @Test func escapesQuoteBackslashAndControls() {
        let text = Self.compact.string(for: .string("\"\\\n\u{01}张"))
        #expect(text == #""\"\\\n\u0001张""#)
    }

    @Test func escapesEveryControlCharacter() {
        let text = Self.compact.string(for: .string("\u{00}\u{08}\t\n\u{0B}\u{0C}\r\u{1B}\u{1F}"))
        #expect(text == #""\u0000\b\t\n\u000b\f\r\u001b\u001f""#)
    }

    @Test func leavesOtherCharactersUnescaped() {
        let text = Self.compact.string(for: .string("a/b \u{7F} é 欧阳娜娜 👍 \u{2028}"))
        #expect(text == "\"a/b \u{7F} é 欧阳娜娜 👍 \u{2028}\"")
    }

    @Test func escapesObjectKeys() {
        let text = Self.compact.string(for: ["say \"hi\"\n": 1])
        #expect(text == #"{"say \"hi\"\n":1}"#)
    }

    @Test func integersAreExact() {
        #expect(Self.compact.string(for: .int(Int64.max)) == "9223372036854775807")
        #expect(Self.compact.string(for: .int(Int64.min)) == "-9223372036854775808")
        #expect(Self.compact.string(for: .unsignedInt(UInt64.max)) == "18446744073709551615")
        #expect(Self.compact.string(for: JSONValue(Int.max)) == "9223372036854775807")
        #expect(Self.compact.string(for: 0) == "0")
    }

    @Test func integerConversionPicksCase() {
        #expect(JSONValue(Int64.max) == .int(Int64.max))
        #expect(JSONValue(UInt64(Int64.max)) == .int(Int64.max))
        #expect(JSONValue(UInt64(Int64.max) + 1) == .unsignedInt(9_223_372_036_854_775_808))
        #expect(JSONValue(Int32(-7)) == .int(-7))
    }

    @Test func scalarValues() {
        #expect(Self.compact.string(for: nil) == "null")
        #expect(Self.compact.string(for: true) == "true")
        #expect(Self.compact.string(for: false) == "false")
        #expect(Self.compact.string(for: JSONValue(nil as String?)) == "null")
        #expect(Self.compact.string(for: JSONValue("x" as String?)) == #""x""#)
    }

    @Test func doubles() {
        #expect(Self.compact.string(for: 0.1) == "0.1")
        #expect(Self.compact.string(for: 1.0) == "1.0")
        #expect(Self.compact.string(for: -2.5) == "-2.5")
        #expect(Self.compact.string(for: .double(.nan)) == "null")
        #expect(Self.compact.string(for: .double(.infinity)) == "null")
    }

    static let customer: JSONValue = [
        "id": "C42",
        "name": "张伟",
        "orders": [
            ["amount": 1999, "refunded": false],
            ["amount": 500, "refunded": true],
        ],
        "tags": [],
        "address": [:],
        "balance": .int(Int64.max),
        "note": nil,
    ]

    @Test func compactKeepsInsertionOrder() {
        let expected = #"{"id":"C42","name":"张伟","orders":[{"amount":1999,"refunded":false},"#
            + #"{"amount":500,"refunded":true}],"tags":[],"address":{},"balance":9223372036854775807,"note":null}"#
        #expect(Self.compact.string(for: Self.customer) == expected)
    }

    @Test func compactIsOneLine() {
        #expect(!Self.compact.string(for: Self.customer).contains("\n"))
    }

    @Test func prettyIndentsByTwoSpaces() {
        let expected = """
            {
              "id": "C42",
              "name": "张伟",
              "orders": [
                {
                  "amount": 1999,
                  "refunded": false
                },
                {
                  "amount": 500,
                  "refunded": true
                }
              ],
              "tags": [],
              "address": {},
              "balance": 9223372036854775807,
              "note": null
            }
            """
        #expect(Self.pretty.string(for: Self.customer) == expected)
    }

    @Test func keysAreNotSorted() {
        let value: JSONValue = ["zeta": 1, "alpha": 2, "mid": 3]
        #expect(Self.compact.string(for: value) == #"{"zeta":1,"alpha":2,"mid":3}"#)
    }

    @Test func outputParsesWithFoundation() throws {
        let text = Self.compact.string(for: Self.customer)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["name"] as? String == "张伟")
        #expect((parsed?["balance"] as? NSNumber)?.int64Value == Int64.max)
        #expect((parsed?["orders"] as? [Any])?.count == 2)
    }

    @Test func escapedStringRoundTrips() throws {
        let original = "\"\\\n\u{01}\u{1F}张/\t"
        let text = Self.compact.string(for: ["s": .string(original)])
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(parsed?["s"] == original)
    }

    @Test func objectEqualityComparesOrder() {
        let first: JSONValue = ["a": 1, "b": 2]
        let reordered: JSONValue = ["b": 2, "a": 1]
        #expect(first == ["a": 1, "b": 2])
        #expect(first != reordered)
    }
}
