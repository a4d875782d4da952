/// Terminal column widths of text, measured per grapheme cluster (`Character`).
///
/// A cluster with default emoji presentation, or one that contains U+FE0F VARIATION
/// SELECTOR-16, is 2 columns wide. Any other cluster is as wide as the sum of its scalars,
/// which is how a terminal that measures each code point with `wcwidth` lays it out.
/// A scalar is 2 columns when it is East Asian Wide or Fullwidth (CJK ideographs, kana,
/// Hangul, fullwidth forms). It is 0 columns when it is a combining mark, a format character
/// (zero-width space and joiners, bidirectional marks), a variation selector, a Hangul medial
/// or final jamo, or a control character. Every other scalar is 1 column, including East Asian
/// Ambiguous characters such as "°" and "①", as in a terminal that is not set to a CJK locale.
///
/// NOTE: Terminals disagree on some clusters. A terminal that lays out whole grapheme clusters
/// can show an Indic conjunct such as "क्ष" narrower than the sum used here. An emoji followed
/// by U+FE0E, the text presentation selector, is counted as its base character without emoji
/// presentation, but fonts draw it 1 or 2 columns wide.
enum DisplayWidth {
    /// Returns the number of terminal columns that `text` occupies.
    static func of(_ text: some StringProtocol) -> Int {
        var width = 0
        for character in text {
            width += of(character)
        }
        return width
    }

    /// Returns the number of terminal columns that one grapheme cluster occupies: usually 0, 1
    /// or 2, and more only for clusters of several spacing scalars such as "क्ष".
    static func of(_ character: Character) -> Int {
        // Fast path for ASCII: printable characters are 1 column and control characters 0.
        if let ascii = character.asciiValue {
            return (0x20..<0x7F).contains(ascii) ? 1 : 0
        }

        let scalars = character.unicodeScalars
        let hasTextPresentationSelector = scalars.contains("\u{FE0E}")
        if scalars.contains("\u{FE0F}") {
            return 2
        }

        var width = 0
        for scalar in scalars {
            if !hasTextPresentationSelector && scalar.properties.isEmojiPresentation {
                return 2
            }
            width += of(scalar)
        }
        return width
    }

    /// Returns the number of columns (0, 1 or 2) of one scalar on its own, ignoring emoji
    /// presentation, which depends on the whole cluster.
    static func of(_ scalar: Unicode.Scalar) -> Int {
        if isZeroWidth(scalar) {
            return 0
        }
        return isEastAsianWide(scalar) ? 2 : 1
    }

    /// Returns whether the scalar takes no column of its own: control and format characters,
    /// combining marks, line and paragraph separators, and Hangul medial and final jamo,
    /// which join the initial consonant before them.
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .nonspacingMark, .enclosingMark,
             .lineSeparator, .paragraphSeparator:
            return true
        default:
            break
        }
        let value = scalar.value
        return (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value)
    }

    /// Returns whether the scalar is East Asian Wide (W) or Fullwidth (F).
    ///
    /// Foundation has no East Asian Width property, so this uses a table of the W and F ranges
    /// of EastAsianWidth.txt, without the emoji, which `isEmojiPresentation` covers. Together
    /// they cover every assigned W or F code point in Python 3's `unicodedata` (Unicode 14.0),
    /// as checked with a script over all code points. The table also has the Unicode 16.0
    /// additions and the unassigned code points of CJK blocks, whose default width is W.
    static func isEastAsianWide(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x1100 {
            return false
        }

        // Binary search for the last range whose lower bound is at most `value`.
        var low = 0
        var high = eastAsianWideRanges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = eastAsianWideRanges[middle]
            if value < range.lowerBound {
                high = middle - 1
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// East Asian Wide and Fullwidth code points outside the emoji blocks, sorted and disjoint.
    private static let eastAsianWideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,    // Hangul Jamo initial consonants
        0x2329...0x232A,    // angle brackets
        0x2630...0x2637,    // trigrams
        0x268A...0x268F,    // monograms and digrams
        0x2E80...0x2E99,    // CJK Radicals Supplement
        0x2E9B...0x2EF3,
        0x2F00...0x2FD5,    // Kangxi Radicals
        0x2FF0...0x303E,    // ideographic description, CJK symbols and punctuation
        0x3041...0x3096,    // Hiragana
        0x3099...0x30FF,    // Hiragana and Katakana
        0x3105...0x312F,    // Bopomofo
        0x3131...0x318E,    // Hangul Compatibility Jamo
        0x3190...0x31E5,    // Kanbun, Bopomofo Extended, CJK Strokes
        0x31EF...0x321E,    // Katakana Phonetic Extensions, enclosed CJK
        0x3220...0x3247,
        0x3250...0xA48C,    // enclosed CJK, CJK Extension A, Yijing, CJK ideographs, Yi
        0xA490...0xA4C6,    // Yi radicals
        0xA960...0xA97C,    // Hangul Jamo Extended-A
        0xAC00...0xD7A3,    // Hangul syllables
        0xF900...0xFAFF,    // CJK Compatibility Ideographs
        0xFE10...0xFE19,    // vertical forms
        0xFE30...0xFE52,    // CJK Compatibility Forms, small form variants
        0xFE54...0xFE66,
        0xFE68...0xFE6B,
        0xFF01...0xFF60,    // fullwidth ASCII variants and brackets
        0xFFE0...0xFFE6,    // fullwidth symbols
        0x16FE0...0x16FE4,  // ideographic symbols and punctuation
        0x16FF0...0x16FF1,
        0x17000...0x187F7,  // Tangut
        0x18800...0x18CD5,  // Tangut Components, Khitan Small Script
        0x18CFF...0x18D08,
        0x1AFF0...0x1AFF3,  // Kana Extended-B
        0x1AFF5...0x1AFFB,
        0x1AFFD...0x1AFFE,
        0x1B000...0x1B122,  // Kana Supplement, Kana Extended-A
        0x1B132...0x1B132,
        0x1B150...0x1B152,  // Small Kana Extension
        0x1B155...0x1B155,
        0x1B164...0x1B167,
        0x1B170...0x1B2FB,  // Nushu
        0x1D300...0x1D356,  // Tai Xuan Jing symbols
        0x1D360...0x1D376,  // counting rod numerals
        0x1F200...0x1F202,  // Enclosed Ideographic Supplement
        0x1F210...0x1F23B,
        0x1F240...0x1F248,
        0x1F250...0x1F251,
        0x1F260...0x1F265,
        0x20000...0x2FFFD,  // CJK Extensions B to F, compatibility supplement
        0x30000...0x3FFFD,  // CJK Extensions G to I
    ]
}

/// Horizontal alignment of text inside a fixed number of terminal columns.
enum TextAlignment: Sendable, Equatable {
    /// Text starts at the first column and spaces follow it.
    case left
    /// Spaces precede the text so that it ends at the last column, as numbers are printed.
    case right
}

/// Returns the number of terminal columns that `text` occupies. See `DisplayWidth`.
func terminalDisplayWidth(of text: String) -> Int {
    DisplayWidth.of(text)
}

extension String {
    /// Number of terminal columns that the string occupies. See `DisplayWidth`.
    var displayWidth: Int {
        DisplayWidth.of(self)
    }

    /// Returns the string with spaces added so that it occupies `width` columns.
    ///
    /// A string that is already `width` columns or wider is returned unchanged, so combine this
    /// with `truncated(toDisplayWidth:)` when the result must not exceed `width`.
    func padded(toDisplayWidth width: Int, alignment: TextAlignment = .left) -> String {
        let padding = width - displayWidth
        if padding <= 0 {
            return self
        }
        let spaces = String(repeating: " ", count: padding)
        switch alignment {
        case .left:
            return self + spaces
        case .right:
            return spaces + self
        }
    }

    /// Returns the longest prefix of whole grapheme clusters that fits in `width` columns,
    /// followed by `ellipsis`, or the string itself when it already fits.
    ///
    /// The result never exceeds `width` columns. It can be narrower by one column when a
    /// 2-column character would straddle the limit. When `width` is narrower than the
    /// ellipsis, the result is the longest prefix of the ellipsis that fits.
    func truncated(toDisplayWidth width: Int, ellipsis: String = "…") -> String {
        if displayWidth <= width {
            return self
        }
        if width <= 0 {
            return ""
        }
        let ellipsisWidth = ellipsis.displayWidth
        if width < ellipsisWidth {
            return ellipsis.truncated(toDisplayWidth: width, ellipsis: "")
        }

        let available = width - ellipsisWidth
        var prefix = ""
        var prefixWidth = 0
        for character in self {
            let characterWidth = DisplayWidth.of(character)
            if prefixWidth + characterWidth > available {
                break
            }
            prefix.append(character)
            prefixWidth += characterWidth
        }
        return prefix + ellipsis
    }
}
