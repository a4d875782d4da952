import Testing
@testable import LedgerCommandLine

@Suite("DisplayWidth")
struct DisplayWidthTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var text: String
        var width: Int
        var testDescription: String {
            let escaped = text.unicodeScalars.map { $0.isASCII ? String($0) : "U+\(String($0.value, radix: 16, uppercase: true))" }
            return "\(escaped.joined(separator: " ")) = \(width)"
        }
    }

    static let examples: [Example] = [
        Example(text: "", width: 0),
        Example(text: "abc", width: 3),
        Example(text: "张伟", width: 4),
        Example(text: "欧阳娜娜", width: 8),
        Example(text: "上海市", width: 6),
        Example(text: "e\u{301}", width: 1),  // e + combining acute accent
        Example(text: "👍", width: 2),
        Example(text: "👍🏽", width: 2),  // with skin tone modifier
        Example(text: "👨\u{200D}👩\u{200D}👧", width: 2),  // ZWJ family sequence
        Example(text: "🇨🇳", width: 2),  // regional indicator pair
        Example(text: "☺", width: 1),  // text presentation by default
        Example(text: "☺\u{FE0F}", width: 2),  // emoji presentation requested
        Example(text: "⌚\u{FE0E}", width: 1),  // text presentation requested
        Example(text: "1\u{FE0F}\u{20E3}", width: 2),  // keycap
        Example(text: "ｱ", width: 1),  // halfwidth katakana U+FF71
        Example(text: "ｶﾞ", width: 2),  // halfwidth ka + halfwidth voiced mark, one cluster
        Example(text: "Ａ", width: 2),  // fullwidth A U+FF21
        Example(text: "￥", width: 2),  // fullwidth yen U+FFE5
        Example(text: "。", width: 2),  // ideographic full stop U+3002
        Example(text: "\u{3000}", width: 2),  // ideographic space
        Example(text: "ひらがなカタカナ", width: 16),
        Example(text: "한국어", width: 6),
        Example(text: "\u{1100}\u{1161}\u{11A8}", width: 2),  // conjoining jamo for 각
        Example(text: "\u{20000}", width: 2),  // CJK Extension B
        Example(text: "\u{30000}", width: 2),  // CJK Extension G
        Example(text: "\u{200B}", width: 0),  // zero-width space
        Example(text: "a\u{200D}b", width: 2),  // zero-width joiner between letters
        Example(text: "\u{FEFF}", width: 0),  // byte order mark
        Example(text: "\u{1B}\t\u{7F}", width: 0),  // control characters
        Example(text: "\u{85}", width: 0),  // C1 control
        Example(text: "°①é", width: 3),  // East Asian Ambiguous counts 1
        Example(text: "क्ष", width: 2),  // one cluster of two spacing letters and a virama
        Example(text: "Ünïcödé", width: 7),
        Example(text: "张伟 Zhang Wei", width: 14),
    ]

    @Test("width of text", arguments: examples)
    func widthOfText(_ example: Example) {
        #expect(terminalDisplayWidth(of: example.text) == example.width)
        #expect(example.text.displayWidth == example.width)
    }

    @Test func scalarWidths() {
        #expect(DisplayWidth.of(Unicode.Scalar(0x4E00)!) == 2)
        #expect(DisplayWidth.of(Unicode.Scalar(0xFF71)!) == 1)
        #expect(DisplayWidth.of(Unicode.Scalar(0x0301)!) == 0)
        #expect(DisplayWidth.of(Unicode.Scalar(0xFE0F)!) == 0)
        #expect(DisplayWidth.of(Unicode.Scalar(0xE0100)!) == 0)  // variation selector 17
        #expect(DisplayWidth.of(Unicode.Scalar(0x0041)!) == 1)
    }

    @Test func paddingLeftAligned() {
        #expect("张伟".padded(toDisplayWidth: 6) == "张伟  ")
        #expect("ab".padded(toDisplayWidth: 4, alignment: .left) == "ab  ")
    }

    @Test func paddingRightAligned() {
        #expect("张伟".padded(toDisplayWidth: 6, alignment: .right) == "  张伟")
        #expect("42".padded(toDisplayWidth: 5, alignment: .right) == "   42")
    }

    @Test func paddingKeepsWiderText() {
        #expect("欧阳娜娜".padded(toDisplayWidth: 3) == "欧阳娜娜")
    }

    @Test func truncationOfChineseText() {
        let truncated = "上海市浦东新区".truncated(toDisplayWidth: 7)
        #expect(truncated.displayWidth <= 7)
        #expect(truncated.hasSuffix("…"))
        #expect(truncated == "上海市…")
    }

    @Test func truncationNeverSplitsWideCharacter() {
        // 8 columns leave 7 for text, and the fourth ideograph would need columns 7 and 8.
        #expect("上海市浦东新区".truncated(toDisplayWidth: 8) == "上海市…")
        #expect("上海市浦东新区".truncated(toDisplayWidth: 9) == "上海市浦…")
    }

    @Test func truncationKeepsCombiningMarks() {
        #expect("e\u{301}e\u{301}e\u{301}".truncated(toDisplayWidth: 2) == "e\u{301}…")
    }

    @Test func truncationOfFittingText() {
        #expect("上海市".truncated(toDisplayWidth: 6) == "上海市")
        #expect("abc".truncated(toDisplayWidth: 10) == "abc")
    }

    @Test func truncationToTinyWidths() {
        #expect("abc".truncated(toDisplayWidth: 1) == "…")
        #expect("abc".truncated(toDisplayWidth: 0) == "")
        #expect("abc".truncated(toDisplayWidth: -1) == "")
        #expect("abcdef".truncated(toDisplayWidth: 2, ellipsis: "...") == "..")
    }

    @Test func truncationWithCustomEllipsis() {
        #expect("abcdef".truncated(toDisplayWidth: 5, ellipsis: "...") == "ab...")
    }
}
